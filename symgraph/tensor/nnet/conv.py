"""The legacy convolution ``theano.tensor.nnet.conv.conv2d`` and its op, ``ConvOp``.

``ConvOp`` is a true 2-D convolution (the kernels are flipped), 'valid' or 'full', with
output strides ``(dx, dy)``. Its parameters are Theano's, down to the C-code tuning
choices it prints (``unroll_batch``, ``unroll_kern``, ``unroll_patch``, picked from
Theano's timing table when every shape is given), so that graphs print as in Theano. Its
gradient is built as Theano builds it, from ConvOps whose "logical" shapes describe zeros
inserted between the pixels of the image or of the kernel; in JAX those zeros are input
or kernel dilations of one ``lax.conv_general_dilated``.

New code should use ``T.nnet.conv2d`` (abstract_conv.py).
"""
import math
import warnings

import numpy as np
from jax import lax

from symgraph.graph.basic import Apply, Op
from symgraph.tensor.basic import patternbroadcast
from symgraph.tensor.nnet.abstract_conv import get_conv_output_shape
from symgraph.tensor.type import DISCRETE_DTYPES, TensorType
from symgraph.tensor.var import TensorConstant, TensorVariable, as_tensor_variable

# Theano's timings of its C code (conv.py), which decide the printed unroll parameters.
_SPEED_UNROLL_BATCH_KERN = [  # (unroll_batch, unroll_kern, valid time, full time)
    (1, 1, 2.4661250114440918, 6.5472931861877441),
    (1, 2, 1.5869178771972656, 5.1499760150909424),
    (1, 3, 1.4270510673522949, 3.6593470573425293),
    (1, 4, 1.3373479843139648, 3.3451821804046631),
    (1, 5, 1.2818830013275146, 3.1444568634033203),
    (1, 6, 1.2521560192108154, 3.0256359577178955),
    (1, 10, 1.2134110927581787, 2.9174180030822754),
    (2, 1, 1.657214879989624, 4.5261678695678711),
    (2, 2, 1.2123160362243652, 2.9747390747070312),
    (2, 3, 1.0758891105651855, 2.5690360069274902),
    (2, 4, 1.0683329105377197, 2.4233770370483398),
    (2, 5, 1.0955719947814941, 2.3999948501586914),
    (2, 6, 1.5935721397399902, 2.6878271102905273),
    (2, 10, 1.8511250019073486, 3.2417428493499756),
    (3, 1, 1.5948119163513184, 3.631148099899292),
    (3, 2, 1.0761330127716064, 2.6011371612548828),
    (3, 3, 1.0551531314849854, 2.4200370311737061),
    (3, 4, 1.3930759429931641, 2.5211219787597656),
    (3, 5, 1.4330689907073975, 2.5704989433288574),
    (3, 6, 1.362138032913208, 2.5964410305023193),
    (3, 10, 1.6582000255584717, 2.9907989501953125),
    (4, 1, 1.4793620109558105, 3.3473429679870605),
    (4, 2, 1.0671560764312744, 2.4171769618988037),
    (4, 3, 1.2569692134857178, 2.2807950973510742),
    (4, 4, 1.3456289768218994, 2.6219108104705811),
    (4, 5, 1.4055080413818359, 2.4606490135192871),
    (4, 6, 1.372107982635498, 2.551663875579834),
    (4, 10, 1.599470853805542, 2.9172940254211426),
    (5, 1, 1.4115700721740723, 3.2077109813690186),
    (5, 2, 1.0635769367218018, 2.2648060321807861),
    (5, 3, 1.3842809200286865, 2.6135518550872803),
    (5, 4, 1.3470511436462402, 2.3852400779724121),
    (5, 5, 1.3539440631866455, 2.5245928764343262),
    (5, 6, 1.4037849903106689, 2.5985310077667236),
    (5, 10, 1.6120610237121582, 2.8127608299255371),
    (6, 1, 1.3623628616333008, 3.021122932434082),
    (6, 2, 1.1697649955749512, 2.6285450458526611),
    (6, 3, 1.2980999946594238, 2.4746189117431641),
    (6, 4, 1.3739941120147705, 2.5579929351806641),
    (6, 5, 1.3967819213867188, 2.5522029399871826),
    (6, 6, 1.4279270172119141, 2.6127138137817383),
    (6, 10, 1.605496883392334, 2.864037036895752),
    (10, 1, 1.6401121616363525, 2.970099925994873),
    (10, 2, 1.46710205078125, 2.7231831550598145),
    (10, 3, 1.4193780422210693, 2.6087639331817627),
    (10, 4, 1.4657118320465088, 2.6246678829193115),
    (10, 5, 1.5052611827850342, 2.6542458534240723),
    (10, 6, 1.5214400291442871, 2.7243161201477051),
    (10, 10, 1.6116268634796143, 2.956165075302124),]

_SPEED_UNROLL_PATCH_NOSHAPE = [2.0109100341796875, 5.8175678253173828]  # valid, full
_SPEED_UNROLL_PATCH_SHAPE = [1.2967290878295898, 5.5283889770507812]


def _constant_int(value, what):
    """A shape entry given as an int or a constant, as a Python int."""
    if value is None:
        return None
    if isinstance(value, TensorConstant):
        value = value.data
    elif isinstance(value, TensorVariable):
        raise TypeError('The convolution need that the shape information are constant '
                        'values. We got %s for the %s parameter' % (value, what))
    array = np.asarray(value)
    if array.dtype.name not in DISCRETE_DTYPES:
        raise TypeError('The convolution needs integer shapes; got %r for the %s parameter'
                        % (value, what))
    return int(array)


def conv2d(input, filters, image_shape=None, filter_shape=None, border_mode='valid',
           subsample=(1, 1), **kargs):
    """Deprecated, old conv2d interface: the convolution of a mini-batch of feature-map
    stacks (batch, stack, rows, cols) with filters (nkern, stack, rows, cols),
    ``border_mode`` 'valid' or 'full', strides ``subsample``; ``image_shape`` and
    ``filter_shape`` (ints, constants or None) are optional."""
    warnings.warn('theano.tensor.nnet.conv.conv2d is deprecated. Use '
                  'theano.tensor.nnet.conv2d instead.', stacklevel=2)
    if image_shape is not None:
        image_shape = [_constant_int(s, 'image_shape') for s in image_shape]
    if filter_shape is not None:
        filter_shape = [_constant_int(s, 'filter_shape') for s in filter_shape]
    if image_shape and filter_shape and None not in (image_shape[1], filter_shape[1]) and \
            image_shape[1] != filter_shape[1]:
        raise ValueError('conv2d: image_shape %s has %d input channels but filter_shape %s '
                         'has %d' % (tuple(image_shape), image_shape[1], tuple(filter_shape),
                                     filter_shape[1]))
    nkern, kshp = (filter_shape[0], filter_shape[2:]) if filter_shape is not None else (None,
                                                                                        None)
    bsize, imshp = (image_shape[0], image_shape[1:]) if image_shape is not None else (None,
                                                                                       None)
    op = ConvOp(output_mode=border_mode, dx=subsample[0], dy=subsample[1], imshp=imshp,
                kshp=kshp, nkern=nkern, bsize=bsize, **kargs)
    return op(input, filters)


class ConvOp(Op):
    """A stack of 2-D images (batch, stack, rows, cols) convolved with kernels (nkern,
    stack, rows, cols): ``out[b, k] = sum_i conv(input[b, i], filters[k, i])``."""

    _ATTRS = ('imshp', 'kshp', 'nkern', 'bsize', 'dx', 'dy', 'out_mode', 'unroll_batch',
              'unroll_kern', 'unroll_patch', 'imshp_logical', 'kshp_logical',
              'kshp_logical_top_aligned')
    __props__ = _ATTRS
    fold_constants = False

    @staticmethod
    def has_all_shape(imshp, kshp, nkern=1, bsize=1):
        return (nkern is not None and bsize is not None and
                all(shp is not None for shp in imshp) and
                all(shp is not None for shp in kshp))

    def __init__(self, imshp=None, kshp=None, nkern=None, bsize=None, dx=1, dy=1,
                 output_mode='valid', unroll_batch=None, unroll_kern=None, unroll_patch=None,
                 imshp_logical=None, kshp_logical=None, kshp_logical_top_aligned=True,
                 verbose=0, version=-1, direction_hint='forward', openmp=None):
        imshp = (None, None, None) if imshp is None else tuple(imshp)
        kshp = (None, None) if kshp is None else tuple(kshp)
        if len(imshp) == 2:
            imshp = (1,) + imshp
        elif len(imshp) != 3:
            raise ValueError('len(imshp) must be 2 or 3, got %d' % len(imshp))
        if len(kshp) != 2:
            raise ValueError('len(kshp) must be 2, got %d' % len(kshp))
        dx = 1 if dx is None else dx
        dy = 1 if dy is None else dy
        if int(dx) != dx:
            raise TypeError('ConvOp.__init__ param dx must be an int', dx)
        if int(dy) != dy:
            raise TypeError('ConvOp.__init__ param dy must be an int', dy)
        dx, dy = int(dx), int(dy)
        all_shape = self.has_all_shape(imshp, kshp, nkern, bsize)
        if (unroll_batch or unroll_kern) and not all_shape:
            raise Exception('In ConvOp, when using unroll_batch and unroll_nkern, all shape '
                            'are needed')
        if not all_shape:
            unroll_patch = True
        self.imshp, self.kshp, self.nkern, self.bsize = imshp, kshp, nkern, bsize
        self.dx, self.dy = dx, dy
        self.verbose, self.version, self.direction_hint = verbose, version, direction_hint
        if imshp_logical is None:
            self.imshp_logical = self.imshp
        else:
            if len(tuple(imshp_logical)) != 3:
                raise ValueError('len(imshp_logical) must be 3, got %d' % len(imshp_logical))
            self.imshp_logical = tuple(imshp_logical)
        if kshp_logical is None:
            self.kshp_logical = self.kshp
        else:
            if len(tuple(kshp_logical)) != 2:
                raise ValueError('len(kshp_logical) must be 2, got %d' % len(kshp_logical))
            self.kshp_logical = tuple(kshp_logical)
        self.kshp_logical_top_aligned = kshp_logical_top_aligned
        self.unroll_batch, self.unroll_kern, self.unroll_patch = (unroll_batch, unroll_kern,
                                                                  unroll_patch)
        if self.unroll_batch and not self.unroll_kern:
            self.unroll_kern = 1
        if self.unroll_kern and not self.unroll_batch:
            self.unroll_batch = 1
        self.unroll_batch = _divisor_at_most(self.unroll_batch, self.bsize)
        self.unroll_kern = _divisor_at_most(self.unroll_kern, self.nkern)
        self.outshp = get_conv_output_shape((None,) + self.imshp_logical,
                                            (None, None) + self.kshp_logical, output_mode,
                                            (dx, dy))[2:]
        self.fulloutshp = get_conv_output_shape((None,) + self.imshp_logical,
                                                (None, None) + self.kshp_logical, output_mode,
                                                (1, 1))[2:]
        self.out_mode = output_mode
        if self.out_mode not in ('valid', 'full'):
            raise Exception('Mode %s not implemented' % str(self.out_mode))
        if any(shp is not None and shp <= 0 for shp in self.outshp):
            raise Exception('Bad size for the output shape. Verify that [post-supersampling] '
                            'input shape (%s) and kern shape(%s) are ok. (Hint: kerns must fit '
                            'inside image in valid mode)' % (self.imshp_logical,
                                                              self.kshp_logical))
        if self.unroll_kern is None and self.unroll_batch is None and self.unroll_patch is None:
            self._choose_version()

    def _choose_version(self):
        """Theano's choice of C code from its timing table (it only changes the name)."""
        if self.bsize is None and self.nkern is None:
            self.unroll_patch = True
            return
        if self.bsize is None or self.nkern is None:
            return
        mode_idx = 0 if self.out_mode == 'valid' else 1
        if self.has_all_shape(self.imshp, self.kshp):
            time_unroll_patch = _SPEED_UNROLL_PATCH_SHAPE[mode_idx]
        else:
            time_unroll_patch = _SPEED_UNROLL_PATCH_NOSHAPE[mode_idx]
        best, best_time = None, 9999999
        for row in _SPEED_UNROLL_BATCH_KERN:
            if self.bsize % row[0] == 0 and self.nkern % row[1] == 0 and \
                    row[2 + mode_idx] < best_time:
                best, best_time = row, row[2 + mode_idx]
        if time_unroll_patch < best_time:
            self.unroll_patch = True
        else:
            self.unroll_batch, self.unroll_kern, self.unroll_patch = best[0], best[1], False

    def __str__(self):
        return 'ConvOp{' + ','.join(str((a, getattr(self, a))) for a in self._ATTRS) + '}'

    def make_node(self, inputs, kerns):
        inputs, kerns = as_tensor_variable(inputs), as_tensor_variable(kerns)
        if inputs.ndim != 4:
            raise TypeError('ConvOp (make_node) requires input be a 4D tensor; received "%s" '
                            '(%i dims)' % (inputs, inputs.ndim))
        if kerns.ndim != 4:
            raise TypeError('make_node requires 4D tensor of kernels')
        if inputs.dtype != kerns.dtype:
            raise NotImplementedError('The image and the kernel must have the same type.'
                                      'inputs(%s), kerns(%s)' % (inputs.dtype, kerns.dtype))
        bcast = (inputs.broadcastable[0], kerns.broadcastable[0],
                 self.outshp[0] == 1, self.outshp[1] == 1)
        node = Apply(self, [inputs, kerns], [TensorType(inputs.dtype, bcast)])
        node.outputs[0].static_shape = self._output_shape(inputs.static_shape,
                                                          kerns.static_shape)
        return node

    def _output_shape(self, in_shape, k_shape):
        bsize = self.bsize if self.bsize is not None else in_shape[0]
        imshp = [self.imshp_logical[i] if self.imshp_logical[i] is not None
                 else in_shape[1 + i] for i in range(3)]
        nkern = self.nkern if self.nkern is not None else k_shape[0]
        kshp = [self.kshp_logical[i] if self.kshp_logical[i] is not None
                else k_shape[2 + i] for i in range(2)]
        return get_conv_output_shape((bsize,) + tuple(imshp), (nkern, None) + tuple(kshp),
                                     self.out_mode, (self.dx, self.dy))

    def _check(self, img, kern):
        for what, given, actual in (('image shape', self.imshp, tuple(img.shape[1:])),
                                    ('filter shape', self.kshp, tuple(kern.shape[2:]))):
            if any(g is not None and g != a for g, a in zip(given, actual)):
                raise ValueError('The %s provided at build time %s is different from the one '
                                 'passed at run time %s' % (what, given, actual))
        for what, given, actual in (('batch size', self.bsize, img.shape[0]),
                                    ('number of filters', self.nkern, kern.shape[0])):
            if given is not None and given != actual:
                raise ValueError('The %s provided at build time (%d) is different from the '
                                 'one passed at run time (%d)' % (what, given, actual))
        if img.shape[1] != kern.shape[1]:
            raise ValueError('ConvOp: the image has %d input channels but the filters %d'
                             % (img.shape[1], kern.shape[1]))

    def jax_impl(self, node, img, kern):
        self._check(img, kern)
        imshp = tuple(img.shape[1:])
        kshp = tuple(kern.shape[2:])
        im_logical = tuple(s if s is not None else imshp[i]
                           for i, s in enumerate(self.imshp_logical))
        k_logical = tuple(s if s is not None else kshp[i]
                          for i, s in enumerate(self.kshp_logical))
        if im_logical[1:] != imshp[1:]:
            # zeros between the pixels: pixel (i, j) goes to (i * rstride, j * cstride)
            strides = [math.ceil(im_logical[1 + i] / imshp[1 + i]) for i in range(2)]
            img = lax.pad(img, np.array(0, img.dtype), [(0, 0, 0), (0, 0, 0)] + [
                (0, im_logical[1 + i] - ((imshp[1 + i] - 1) * strides[i] + 1), strides[i] - 1)
                for i in range(2)])
        kern = kern[:, :, ::-1, ::-1]  # a convolution: the kernels flipped
        if k_logical != kshp:
            strides = [math.ceil(k_logical[i] / kshp[i]) for i in range(2)]
            if self.kshp_logical_top_aligned:
                offsets = [0, 0]
            else:
                offsets = [(k_logical[i] - kshp[i] * strides[i] - 1 + strides[i]) % strides[i]
                           for i in range(2)]
            # the logical kernel, then flipped: its zero pattern reversed
            flipped = [k_logical[i] - 1 - offsets[i] - (kshp[i] - 1) * strides[i]
                       for i in range(2)]
            kern = lax.pad(kern, np.array(0, kern.dtype), [(0, 0, 0), (0, 0, 0)] + [
                (flipped[i], k_logical[i] - flipped[i] - ((kshp[i] - 1) * strides[i] + 1),
                 strides[i] - 1) for i in range(2)])
        pad = [(0, 0)] * 2 if self.out_mode == 'valid' else [(k - 1, k - 1) for k in k_logical]
        return lax.conv_general_dilated(img, kern, (self.dx, self.dy), pad,
                                        dimension_numbers=('NCHW', 'OIHW', 'NCHW'))

    def grad(self, node, output_grads):
        inputs, kerns = node.inputs
        (gz,) = output_grads
        if self.imshp != self.imshp_logical or self.kshp != self.kshp_logical:
            raise NotImplementedError('todo')
        if self.out_mode == 'valid' and (self.dx, self.dy) != (1, 1):
            raise NotImplementedError(
                "ERROR: ConvOp.grad is now disabled for 'valid' convolutions with stride != "
                "(1, 1); call theano.tensor.nnet.conv2d() instead.")
        if self.dx not in (1, 2) or self.dy not in (1, 2):
            raise NotImplementedError(
                "ERROR: We disable ConvOp.grad now when output_mode is not 'valid' and dx or "
                "dy are greater than 2, as there is a bug in it. See `abstract_conv2d <>`_ for "
                "a version that support this.")
        all_shape = self.has_all_shape(self.imshp, self.kshp, self.nkern, self.bsize)
        if not all_shape and (self.dx != 1 or self.dy != 1):
            raise Exception('ConvOp.grad when dx!=1 or dy!=1 we must have all the optional '
                            'shape information')
        # the gradient on the kernels
        newin = inputs.dimshuffle((1, 0, 2, 3))
        newgz = gz.dimshuffle((1, 0, 2, 3))
        if self.out_mode == 'valid':
            img, filters = newin, newgz
            kshp_logical, kshp_logical_top_aligned, imshp_logical = self.fulloutshp, False, None
            bsize, nkern = self.imshp[0], self.nkern
            imshp = (self.bsize, self.imshp[1], self.imshp[2])
            kshp = self.outshp
        else:
            img, filters = newgz, newin
            kshp_logical, kshp_logical_top_aligned = None, True
            imshp_logical = (self.bsize, self.fulloutshp[0], self.fulloutshp[1])
            bsize, nkern = self.nkern, self.imshp[0]
            imshp = (self.bsize, self.outshp[0], self.outshp[1])
            kshp = self.imshp[1:]
        filters = filters[:, :, ::-1, ::-1]
        dw = ConvOp(imshp, kshp, nkern, bsize, 1, 1, output_mode='valid', unroll_batch=None,
                    unroll_kern=None, unroll_patch=None, imshp_logical=imshp_logical,
                    kshp_logical=kshp_logical,
                    kshp_logical_top_aligned=kshp_logical_top_aligned, version=self.version,
                    direction_hint='bprop weights', verbose=self.verbose)(img, filters)
        if self.out_mode == 'valid':
            dw = dw.dimshuffle((1, 0, 2, 3))
            dw = dw[:, :, ::-1, ::-1]
        # the gradient on the inputs
        mode = 'valid' if self.out_mode == 'full' else 'full'
        filters = kerns.dimshuffle((1, 0, 2, 3))
        filters = filters[:, :, ::-1, ::-1]
        din = ConvOp((self.nkern, self.outshp[0], self.outshp[1]), self.kshp, self.imshp[0],
                     self.bsize, 1, 1, output_mode=mode, unroll_batch=None, unroll_kern=None,
                     unroll_patch=None,
                     imshp_logical=(self.nkern, self.fulloutshp[0], self.fulloutshp[1]),
                     kshp_logical=None, version=-1, direction_hint='bprop inputs',
                     verbose=self.verbose)(gz, filters)
        return [patternbroadcast(din, inputs.broadcastable),
                patternbroadcast(dw, kerns.broadcastable)]


def _divisor_at_most(unroll, size):
    """Theano's downcast of an unroll factor to a divisor of ``size``."""
    if unroll is None or unroll <= 0 or size % unroll == 0:
        return unroll
    if size <= unroll:
        return size
    while size % unroll:
        unroll -= 1
    return unroll
