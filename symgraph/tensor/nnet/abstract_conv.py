"""Theano's abstract convolution (``theano.tensor.nnet.abstract_conv``), lowered to XLA.

Three ops per dimensionality, printed as Theano prints them: ``AbstractConv2d`` (the
forward convolution, NCHW, filters OIHW), ``AbstractConv2d_gradWeights`` and
``AbstractConv2d_gradInputs`` (its two gradients, also the transposed convolution);
``AbstractConv3d*`` the same in three dimensions. Each op's gradient is built from the
other two, as in Theano, so second derivatives are graphs of the same three ops.

The forward op is one ``lax.conv_general_dilated``: Theano's ``filter_flip`` (a true
convolution, the default) flips the kernels first, ``border_mode`` becomes explicit
padding, ``subsample`` the window strides, ``filter_dilation`` the kernel dilation and
``num_groups`` the feature groups. The gradient ops are the exact linear transposes of
that call (``jax.linear_transpose``), which XLA compiles to the transposed convolutions
that ``jax.grad`` would give. Unshared (locally connected) convolution gathers the
patches once and contracts them with one kernel per output position.

``input_shape``/``filter_shape`` hints are checked: against the shapes known when the
graph is built, and against the real shapes when the program is traced (shapes are
static there, so the check costs nothing at run time). Theano only checked them under
``config.conv.assert_shape``.
"""
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from symgraph.graph.basic import Apply, Op
from symgraph.tensor.basic import patternbroadcast
from symgraph.tensor.type import TensorType, upcast
from symgraph.tensor.var import TensorConstant, TensorVariable, as_tensor_variable


# ---------------------------------------------------------------------------------------
# Shapes, as Theano computes them (entries may be None: unknown)
# ---------------------------------------------------------------------------------------

def get_conv_shape_1axis(image_shape, kernel_shape, border_mode, subsample, dilation=1):
    """Output length along one axis (None when an input is unknown)."""
    if None in (image_shape, kernel_shape, border_mode, subsample, dilation):
        return None
    dil_kernel_shape = (kernel_shape - 1) * dilation + 1
    if border_mode == 'half':
        pad_l = pad_r = dil_kernel_shape // 2
    elif border_mode == 'full':
        pad_l = pad_r = dil_kernel_shape - 1
    elif border_mode == 'valid':
        pad_l = pad_r = 0
    else:
        pad_l, pad_r = border_mode if isinstance(border_mode, tuple) else (border_mode,) * 2
        if pad_l < 0 or pad_r < 0:
            raise ValueError('border_mode must be >= 0')
    out_shp = image_shape - dil_kernel_shape
    if pad_l != 0:
        out_shp += pad_l
    if pad_r != 0:
        out_shp += pad_r
    if subsample != 1:
        out_shp = out_shp // subsample
    return out_shp + 1


def get_conv_output_shape(image_shape, kernel_shape, border_mode, subsample,
                          filter_dilation=None):
    """(batch, output channels, spatial lengths...) of a convolution."""
    bsize, imshp = image_shape[0], image_shape[2:]
    convdim = len(image_shape) - 2
    nkern, kshp = kernel_shape[0], kernel_shape[-convdim:]
    if filter_dilation is None:
        filter_dilation = (1,) * len(subsample)
    modes = border_mode if isinstance(border_mode, tuple) else (border_mode,) * convdim
    return (bsize, nkern) + tuple(
        get_conv_shape_1axis(imshp[i], kshp[i], modes[i], subsample[i], filter_dilation[i])
        for i in range(len(subsample)))


def get_conv_gradinputs_shape_1axis(kernel_shape, top_shape, border_mode, subsample, dilation):
    """The image length a gradient of length ``top_shape`` comes from (None if ambiguous)."""
    if None in (kernel_shape, top_shape, border_mode, subsample, dilation) or subsample != 1:
        return None
    dil_kernel_shape = (kernel_shape - 1) * dilation + 1
    if border_mode == 'half':
        pad_l = pad_r = dil_kernel_shape // 2
    elif border_mode == 'full':
        pad_l = pad_r = dil_kernel_shape - 1
    elif border_mode == 'valid':
        pad_l = pad_r = 0
    else:
        pad_l, pad_r = border_mode if isinstance(border_mode, tuple) else (border_mode,) * 2
    return top_shape + dil_kernel_shape - 1 - pad_l - pad_r


def get_conv_gradinputs_shape(kernel_shape, top_shape, border_mode, subsample,
                              filter_dilation=None, num_groups=1):
    """(batch, input channels, spatial lengths...) of gradInputs' result (None: unknown)."""
    bsize, topshp = top_shape[0], top_shape[2:]
    convdim = len(top_shape) - 2
    nkern, kshp = kernel_shape[1], kernel_shape[-convdim:]
    if filter_dilation is None:
        filter_dilation = (1,) * len(subsample)
    if num_groups > 1 and nkern is not None:
        nkern = nkern * num_groups
    modes = border_mode if isinstance(border_mode, tuple) else (border_mode,) * convdim
    return (bsize, nkern) + tuple(
        get_conv_gradinputs_shape_1axis(kshp[i], topshp[i], modes[i], subsample[i],
                                        filter_dilation[i])
        for i in range(len(subsample)))


def border_mode_to_pad(mode, convdim, kshp):
    """((before, after), ...) zero padding per spatial axis for a (dilated) kernel shape."""
    if isinstance(mode, tuple):
        if len(mode) != convdim:
            raise ValueError('invalid border_mode {} which must be a tuple of length {}'
                             .format(mode, convdim))
        return tuple((m, m) if isinstance(m, int) else tuple(m) for m in mode)
    if mode == 'full':
        return tuple((kshp[i] - 1,) * 2 for i in range(convdim))
    if mode == 'half':
        return tuple((kshp[i] // 2,) * 2 for i in range(convdim))
    if mode == 'valid':
        return ((0, 0),) * convdim
    raise ValueError('invalid border_mode {}, which must be either "valid", "full", "half", '
                     'an integer or a tuple of length {}'.format(mode, convdim))


def _int_or_none(value, what):
    """A shape hint entry as a Python int (or None); constants are read."""
    if value is None:
        return None
    if isinstance(value, TensorConstant):
        value = value.data
    if isinstance(value, TensorVariable):
        raise ValueError('%s should be None or a tuple of constant int values, not the '
                         'symbolic %s' % (what, value))
    try:
        as_int = int(value)
    except (TypeError, ValueError):
        raise ValueError('%s should be None or a tuple of constant int values, not %r'
                         % (what, value)) from None
    if as_int != value:
        raise ValueError('%s should be None or a tuple of constant int values, not %r'
                         % (what, value))
    return as_int


def _normalize_border_mode(border_mode, convdim):
    """Theano's normal form: an int becomes a tuple, (m, m) pairs become m, all-zero
    padding becomes 'valid'."""
    if isinstance(border_mode, (int, np.integer)) and not isinstance(border_mode, bool):
        if border_mode < 0:
            raise ValueError('invalid border_mode {}, which must be a non-negative integer'
                             .format(border_mode))
        border_mode = (int(border_mode),) * convdim
    elif isinstance(border_mode, (tuple, list)):
        border_mode = tuple(border_mode)
        if len(border_mode) != convdim:
            raise ValueError('invalid border_mode {}, which must be a tuple of length {}'
                             .format(border_mode, convdim))
        normal = ()
        for mode in border_mode:
            pair = isinstance(mode, (tuple, list))
            if not ((isinstance(mode, (int, np.integer)) and mode >= 0) or
                    (pair and len(mode) == 2 and min(mode) >= 0 and
                     all(isinstance(m, (int, np.integer)) for m in mode))):
                raise ValueError('invalid border mode {}. The tuple can only contain integers '
                                 ' or pairs of integers'.format(border_mode))
            if pair:
                if convdim != 2:
                    raise NotImplementedError(
                        'Asymmetric padding not implemented for {}D'.format(convdim))
                mode = (int(mode[0]), int(mode[1]))
                if mode[0] == mode[1]:
                    mode = mode[0]
            else:
                mode = int(mode)
            normal += (mode,)
        border_mode = normal
    elif border_mode not in ('valid', 'full', 'half'):
        raise ValueError('invalid border_mode {}, which must be either "valid", "full", '
                         '"half", an integer or a tuple of length {}'
                         .format(border_mode, convdim))
    if isinstance(border_mode, tuple) and all(m == (0, 0) or m == 0 for m in border_mode):
        border_mode = 'valid'
    return border_mode


# ---------------------------------------------------------------------------------------
# The JAX computations: the forward convolution and its exact transposes
# ---------------------------------------------------------------------------------------

_DIMENSION_NUMBERS = {2: ('NCHW', 'OIHW', 'NCHW'), 3: ('NCDHW', 'OIDHW', 'NCDHW')}


def _pads(op, kernel_spatial):
    dil = [(k - 1) * f + 1 for k, f in zip(kernel_spatial, op.filter_dilation)]
    return border_mode_to_pad(op.border_mode, op.convdim, dil)


def _forward(op, img, kern):
    """The convolution of ``img`` (N, C, *spatial) with ``kern`` as ``op`` defines it."""
    d = op.convdim
    spatial = tuple(range(kern.ndim - d, kern.ndim))
    if op.filter_flip:
        kern = jnp.flip(kern, axis=spatial)
    pads = _pads(op, kern.shape[-d:])
    if op.unshared:
        return _unshared_forward(op, img, kern, pads)
    return lax.conv_general_dilated(
        img, kern, window_strides=op.subsample, padding=pads,
        rhs_dilation=op.filter_dilation, dimension_numbers=_DIMENSION_NUMBERS[d],
        feature_group_count=op.num_groups)


def _unshared_forward(op, img, kern, pads):
    """Locally connected 2-D convolution: kernel (F, out_h, out_w, C/groups, kh, kw), one
    (already flipped) kernel per output position."""
    kh, kw = kern.shape[-2:]
    patches = lax.conv_general_dilated_patches(
        img, (kh, kw), op.subsample, pads, rhs_dilation=op.filter_dilation,
        dimension_numbers=_DIMENSION_NUMBERS[2])  # (N, C*kh*kw, oh, ow), C major
    n, _, oh, ow = patches.shape
    if (oh, ow) != tuple(kern.shape[1:3]):
        raise ValueError('Kernel shape {} does not match computed output size {}'
                         .format(tuple(kern.shape[1:3]), (oh, ow)))
    groups = op.num_groups
    cg = kern.shape[3]
    patches = patches.reshape(n, groups, cg * kh * kw, oh, ow)
    kern = kern.reshape(groups, kern.shape[0] // groups, oh, ow, cg * kh * kw)
    out = jnp.einsum('ngkij,gfijk->ngfij', patches, kern)
    return out.reshape(n, -1, oh, ow)


def _transpose(fun, shape, dtype, cotangent, mismatch):
    """The linear transpose of ``fun`` (a linear map from arrays of ``shape``) at
    ``cotangent``, which must have the shape of ``fun``'s result: else a ValueError with
    the message ``mismatch(that shape)``."""
    argument = jax.ShapeDtypeStruct(shape, dtype)
    expected = tuple(jax.eval_shape(fun, argument).shape)
    if expected != tuple(cotangent.shape):
        raise ValueError(mismatch(expected))
    (result,) = jax.linear_transpose(fun, argument)(cotangent.astype(dtype))
    return result


# ---------------------------------------------------------------------------------------
# The ops
# ---------------------------------------------------------------------------------------

class BaseAbstractConv(Op):
    """Parameters common to the convolution and its gradients (see Theano's docstring of
    ``BaseAbstractConv``); ``imshp`` and ``kshp`` are hints relative to the forward
    convolution, None where unknown."""

    __props__ = ('convdim', 'border_mode', 'subsample', 'filter_flip', 'imshp', 'kshp',
                 'filter_dilation', 'num_groups', 'unshared')

    #: No folding of convolutions of constants into constants (as in Theano).
    fold_constants = False

    def __init__(self, convdim, imshp=None, kshp=None, border_mode='valid', subsample=None,
                 filter_flip=True, filter_dilation=None, num_groups=1, unshared=False):
        if convdim not in (2, 3):
            raise ValueError('convolution dimension {} is not supported'.format(convdim))
        self.convdim = convdim
        subsample = (1,) * convdim if subsample is None else subsample
        filter_dilation = (1,) * convdim if filter_dilation is None else filter_dilation
        self.border_mode = _normalize_border_mode(border_mode, convdim)
        self.imshp = (tuple(_int_or_none(s, 'imshp') for s in imshp) if imshp
                      else (None,) * (2 + convdim))
        nk = (2 + 2 * convdim) if unshared else (2 + convdim)
        self.kshp = tuple(_int_or_none(s, 'kshp') for s in kshp) if kshp else (None,) * nk
        if len(self.imshp) != 2 + convdim:
            raise ValueError('imshp (input_shape) must have %d entries, got %r'
                             % (2 + convdim, self.imshp))
        if len(self.kshp) != nk:
            raise ValueError('kshp (filter_shape) must have %d entries, got %r'
                             % (nk, self.kshp))
        self.filter_flip = bool(filter_flip)
        if len(subsample) != convdim:
            raise ValueError('subsample must have {} elements'.format(convdim))
        self.subsample = tuple(int(s) for s in subsample)
        if len(filter_dilation) != convdim:
            raise ValueError('filter_dilation must have {} elements'.format(convdim))
        self.filter_dilation = tuple(int(f) for f in filter_dilation)
        if num_groups < 1:
            raise ValueError('num_groups must have value greater than zero')
        self.num_groups = int(num_groups)
        if unshared and convdim != 2:
            raise NotImplementedError('Unshared convolution not implemented for %dD' % convdim)
        self.unshared = bool(unshared)

    # Theano's class names: AbstractConv2d, AbstractConv3d_gradInputs, ...
    def __str__(self):
        return '%s{%s}' % (self._class_name(),
                           ', '.join('%s=%r' % (p, getattr(self, p)) for p in self.__props__))

    def _class_name(self):
        return self._NAME % self.convdim

    def _check_hint(self, what, actual, hint, given_as):
        """Raise ValueError when known lengths contradict a shape hint."""
        for i, (a, h) in enumerate(zip(actual, hint)):
            if a is not None and h is not None and int(a) != h:
                raise ValueError(
                    '%s shape mismatch: the %s %s shape %s but %s says %s (dimension %d is '
                    '%d, not %d). Give the real shape, or None for a length that varies.'
                    % (self._class_name(), what, 'have' if what == 'filters' else 'has',
                       _shape_text(actual), given_as, _shape_text(hint), i, int(a), h))

    def _check_groups(self, channels, kern_channels, nfilters):
        g = self.num_groups
        if channels is not None and channels % g:
            raise ValueError('number of input channels (%d) must be divisible by num_groups '
                             '(%d)' % (channels, g))
        if nfilters is not None and nfilters % g:
            raise ValueError('number of filters (%d) must be divisible by num_groups (%d)'
                             % (nfilters, g))
        if channels is not None and kern_channels is not None and \
                channels // g != kern_channels:
            raise ValueError('the filters have %d input channels, but the input has %d '
                             'channels%s: they must agree' % (
                                 kern_channels, channels,
                                 ' in %d groups (%d each)' % (g, channels // g) if g > 1 else ''))

    def _kernel_channels_axis(self):
        return 1 + self.convdim if self.unshared else 1

    def _forward_op(self):
        return _CLASSES[(self.convdim, 'forward')](**self._params())

    def _grad_inputs_op(self):
        return _CLASSES[(self.convdim, 'gradInputs')](**self._params())

    def _grad_weights_op(self):
        return _CLASSES[(self.convdim, 'gradWeights')](**self._params())

    def _params(self):
        params = dict(imshp=self.imshp, kshp=self.kshp, border_mode=self.border_mode,
                      subsample=self.subsample, filter_flip=self.filter_flip,
                      filter_dilation=self.filter_dilation, num_groups=self.num_groups)
        if self.convdim == 2:
            params['unshared'] = self.unshared
        return params


def _shape_text(shape):
    return '(%s)' % ', '.join('?' if s is None else str(int(s)) for s in shape)


def _known(static, hint):
    """Static lengths, completed by the hints."""
    return tuple(s if s is not None else h for s, h in zip(static, hint))


def _tensor(x):
    return x if isinstance(x, TensorVariable) else as_tensor_variable(x)


def _out_dtype(op, first, second):
    """The dtype of the result: the first input's, as Theano types it; a second input of
    a wider dtype would lose precision, and is refused."""
    if upcast(first.dtype, second.dtype) != first.dtype:
        raise TypeError('%s: %s has dtype %s, which %s (dtype %s) cannot hold without losing '
                        'precision; cast one of them so that they agree'
                        % (op._class_name(), second, second.dtype, first, first.dtype))
    return first.dtype


class AbstractConv(BaseAbstractConv):
    """The forward convolution: ``op(img, kern)``."""

    _NAME = 'AbstractConv%dd'

    def make_node(self, img, kern):
        img, kern = _tensor(img), _tensor(kern)
        d = self.convdim
        if img.ndim != 2 + d:
            raise TypeError('img must be %dD tensor' % (2 + d))
        if self.unshared and kern.ndim != 2 + 2 * d:
            raise TypeError('kern must be %dD tensor for unshared convolution' % (2 + 2 * d))
        if not self.unshared and kern.ndim != 2 + d:
            raise TypeError('kern must be %dD tensor' % (2 + d))
        dtype = _out_dtype(self, img, kern)
        self._check_hint('image', img.static_shape, self.imshp, 'input_shape (imshp)')
        self._check_hint('filters', kern.static_shape, self.kshp, 'filter_shape (kshp)')
        imshp = _known(img.static_shape, self.imshp)
        kshp = _known(kern.static_shape, self.kshp)
        self._check_groups(imshp[1], kshp[self._kernel_channels_axis()], kshp[0])
        bcast = (img.broadcastable[0], kern.broadcastable[0]) + (False,) * d
        node = Apply(self, [img, kern], [TensorType(dtype, bcast)])
        node.outputs[0].static_shape = get_conv_output_shape(
            imshp, kshp, self.border_mode, self.subsample, self.filter_dilation)
        return node

    def jax_impl(self, node, img, kern):
        self._check_hint('image', img.shape, self.imshp, 'input_shape (imshp)')
        self._check_hint('filters', kern.shape, self.kshp, 'filter_shape (kshp)')
        self._check_groups(img.shape[1], kern.shape[self._kernel_channels_axis()],
                           kern.shape[0])
        dtype = node.outputs[0].dtype
        return _forward(self, img.astype(dtype), kern.astype(dtype))

    def grad(self, node, output_grads):
        bottom, weights = node.inputs
        (top,) = output_grads
        d = self.convdim
        d_bottom = self._grad_inputs_op()(weights, top, bottom.shape[-d:])
        d_weights = self._grad_weights_op()(bottom, top, weights.shape[-d:])
        return [patternbroadcast(d_bottom, bottom.broadcastable),
                patternbroadcast(d_weights, weights.broadcastable)]


def _spatial_entries(shape, what):
    """The static values of a spatial-shape input (None where symbolic)."""
    if isinstance(shape, TensorConstant):
        return tuple(int(s) for s in shape.data)
    return (None,) * (shape.static_shape[0] or 0)


class AbstractConv_gradWeights(BaseAbstractConv):
    """Gradient with respect to the filters: ``op(img, topgrad, spatial_kernel_shape)``."""

    _NAME = 'AbstractConv%dd_gradWeights'

    def make_node(self, img, topgrad, shape):
        img, topgrad = _tensor(img), _tensor(topgrad)
        d = self.convdim
        if img.ndim != 2 + d:
            raise TypeError('img must be %dD tensor' % (2 + d))
        if topgrad.ndim != 2 + d:
            raise TypeError('topgrad must be %dD tensor' % (2 + d))
        shape = as_tensor_variable(shape)
        if shape.ndim != 1 or shape.static_shape[0] not in (None, d):
            raise TypeError('%s: the kernel shape must be a vector of %d lengths, got %s'
                            % (self._class_name(), d, shape))
        dtype = _out_dtype(self, img, topgrad)
        self._check_hint('image', img.static_shape, self.imshp, 'input_shape (imshp)')
        if self.unshared:
            bcast = ((topgrad.broadcastable[1],) + (False,) * d + (img.broadcastable[1],) +
                     (False,) * d)
        else:
            bcast = (topgrad.broadcastable[1], img.broadcastable[1]) + (False,) * d
        node = Apply(self, [img, topgrad, shape], [TensorType(dtype, bcast)])
        channels = _known(img.static_shape, self.imshp)[1]
        per_group = channels // self.num_groups if channels is not None else None
        spatial = _spatial_entries(shape, 'kernel')
        if self.unshared:
            fallback = ((topgrad.static_shape[1],) + tuple(topgrad.static_shape[2:]) +
                        (per_group,) + spatial)
        else:
            fallback = (topgrad.static_shape[1], per_group) + spatial
        node.outputs[0].static_shape = _known(self.kshp, fallback)
        return node

    def static_inputs(self, node):
        return (2,)

    def jax_impl(self, node, img, topgrad, shape):
        self._check_hint('image', img.shape, self.imshp, 'input_shape (imshp)')
        dtype = node.outputs[0].dtype
        spatial = tuple(int(s) for s in np.asarray(shape).reshape(-1))
        if img.shape[1] % self.num_groups:
            raise ValueError('number of input channels (%d) must be divisible by num_groups '
                             '(%d)' % (img.shape[1], self.num_groups))
        per_group = img.shape[1] // self.num_groups
        if self.unshared:
            kshape = (topgrad.shape[1],) + tuple(topgrad.shape[2:]) + (per_group,) + spatial
        else:
            kshape = (topgrad.shape[1], per_group) + spatial
        self._check_hint('filters', kshape, self.kshp, 'filter_shape (kshp)')
        img = img.astype(dtype)
        return _transpose(
            lambda k: _forward(self, img, k), kshape, dtype, topgrad,
            lambda expected: 'invalid filter shape for gradWeights: filters of shape %s would '
            'produce an output of shape %s, but the given topgrad has shape %s'
            % (kshape, expected, tuple(topgrad.shape)))

    def grad(self, node, output_grads):
        bottom, top = node.inputs[:2]
        (weights,) = output_grads
        d = self.convdim
        d_bottom = self._grad_inputs_op()(weights, top, bottom.shape[-d:])
        d_top = self._forward_op()(bottom, weights)
        return [patternbroadcast(d_bottom, bottom.broadcastable),
                patternbroadcast(d_top, top.broadcastable), None]


class AbstractConv_gradInputs(BaseAbstractConv):
    """Gradient with respect to the input (the transposed convolution):
    ``op(kern, topgrad, spatial_image_shape)``."""

    _NAME = 'AbstractConv%dd_gradInputs'

    def make_node(self, kern, topgrad, shape):
        kern, topgrad = _tensor(kern), _tensor(topgrad)
        d = self.convdim
        if self.unshared and kern.ndim != 2 + 2 * d:
            raise TypeError('kern must be %dD tensor for unshared convolution' % (2 + 2 * d))
        if not self.unshared and kern.ndim != 2 + d:
            raise TypeError('kern must be %dD tensor' % (2 + d))
        if topgrad.ndim != 2 + d:
            raise TypeError('topgrad must be %dD tensor' % (2 + d))
        shape = as_tensor_variable(shape)
        if shape.ndim != 1 or shape.static_shape[0] not in (None, d):
            raise TypeError('%s: the image shape must be a vector of %d lengths, got %s'
                            % (self._class_name(), d, shape))
        dtype = _out_dtype(self, kern, topgrad)
        self._check_hint('filters', kern.static_shape, self.kshp, 'filter_shape (kshp)')
        chan_axis = self._kernel_channels_axis()
        if self.num_groups > 1:
            bcast = (topgrad.broadcastable[0], False) + (False,) * d
        else:
            bcast = (topgrad.broadcastable[0], kern.broadcastable[chan_axis]) + (False,) * d
        node = Apply(self, [kern, topgrad, shape], [TensorType(dtype, bcast)])
        kchan = _known(kern.static_shape, self.kshp)[chan_axis]
        channels = kchan * self.num_groups if kchan is not None else None
        fallback = (topgrad.static_shape[0], channels) + _spatial_entries(shape, 'image')
        node.outputs[0].static_shape = _known(self.imshp, fallback)
        return node

    def static_inputs(self, node):
        return (2,)

    def jax_impl(self, node, kern, topgrad, shape):
        self._check_hint('filters', kern.shape, self.kshp, 'filter_shape (kshp)')
        dtype = node.outputs[0].dtype
        spatial = tuple(int(s) for s in np.asarray(shape).reshape(-1))
        channels = kern.shape[self._kernel_channels_axis()] * self.num_groups
        imshape = (topgrad.shape[0], channels) + spatial
        self._check_hint('image', imshape, self.imshp, 'input_shape (imshp)')
        kern = kern.astype(dtype)
        return _transpose(
            lambda i: _forward(self, i, kern), imshape, dtype, topgrad,
            lambda expected: 'invalid input_shape for gradInputs: the given input_shape would '
            'produce an output of shape %s, but the given topgrad has shape %s'
            % (expected, tuple(topgrad.shape)))

    def grad(self, node, output_grads):
        weights, top = node.inputs[:2]
        (bottom,) = output_grads
        d = self.convdim
        d_weights = self._grad_weights_op()(bottom, top, weights.shape[-d:])
        d_top = self._forward_op()(bottom, weights)
        return [patternbroadcast(d_weights, weights.broadcastable),
                patternbroadcast(d_top, top.broadcastable), None]


def _subclass(base, convdim, name):
    """AbstractConv2d and friends: the generic op with the dimensionality fixed."""
    default = (1,) * convdim

    def __init__(self, imshp=None, kshp=None, border_mode='valid', subsample=default,
                 filter_flip=True, filter_dilation=default, num_groups=1, unshared=False):
        base.__init__(self, convdim, imshp=imshp, kshp=kshp, border_mode=border_mode,
                      subsample=subsample, filter_flip=filter_flip,
                      filter_dilation=filter_dilation, num_groups=num_groups,
                      unshared=unshared)

    return type(name, (base,), {'__init__': __init__, '__doc__': base.__doc__,
                                '__module__': __name__})


AbstractConv2d = _subclass(AbstractConv, 2, 'AbstractConv2d')
AbstractConv3d = _subclass(AbstractConv, 3, 'AbstractConv3d')
AbstractConv2d_gradWeights = _subclass(AbstractConv_gradWeights, 2,
                                       'AbstractConv2d_gradWeights')
AbstractConv3d_gradWeights = _subclass(AbstractConv_gradWeights, 3,
                                       'AbstractConv3d_gradWeights')
AbstractConv2d_gradInputs = _subclass(AbstractConv_gradInputs, 2, 'AbstractConv2d_gradInputs')
AbstractConv3d_gradInputs = _subclass(AbstractConv_gradInputs, 3, 'AbstractConv3d_gradInputs')

_CLASSES = {(2, 'forward'): AbstractConv2d, (3, 'forward'): AbstractConv3d,
            (2, 'gradWeights'): AbstractConv2d_gradWeights,
            (3, 'gradWeights'): AbstractConv3d_gradWeights,
            (2, 'gradInputs'): AbstractConv2d_gradInputs,
            (3, 'gradInputs'): AbstractConv3d_gradInputs}


# ---------------------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------------------

def conv2d(input, filters, input_shape=None, filter_shape=None, border_mode='valid',
           subsample=(1, 1), filter_flip=True, filter_dilation=(1, 1), num_groups=1,
           unshared=False):
    """Convolve a mini-batch of 2-D feature-map stacks (N, C, H, W) with filters
    (F, C/num_groups, kh, kw); see ``theano.tensor.nnet.conv2d``."""
    input, filters = as_tensor_variable(input), as_tensor_variable(filters)
    op = AbstractConv2d(imshp=input_shape, kshp=filter_shape, border_mode=border_mode,
                        subsample=subsample, filter_flip=filter_flip,
                        filter_dilation=filter_dilation, num_groups=num_groups,
                        unshared=unshared)
    return op(input, filters)


def conv3d(input, filters, input_shape=None, filter_shape=None, border_mode='valid',
           subsample=(1, 1, 1), filter_flip=True, filter_dilation=(1, 1, 1), num_groups=1):
    """Convolve a mini-batch of 3-D feature-map stacks (N, C, D, H, W) with filters
    (F, C/num_groups, kd, kh, kw)."""
    input, filters = as_tensor_variable(input), as_tensor_variable(filters)
    op = AbstractConv3d(imshp=input_shape, kshp=filter_shape, border_mode=border_mode,
                        subsample=subsample, filter_flip=filter_flip,
                        filter_dilation=filter_dilation, num_groups=num_groups)
    return op(input, filters)


def _check_transposed_shape(shape, name, symbolic_dims, expected_len=None):
    if expected_len is not None and len(shape) != expected_len:
        raise ValueError('The lenght of %s was %d, but we expected %d.'
                         % (name, len(shape), expected_len))
    for dim, entry in enumerate(shape):
        ok = (TensorConstant, int, np.integer, type(None))
        if dim in symbolic_dims:
            ok = (TensorVariable, int, np.integer)
        if not isinstance(entry, ok):
            raise ValueError('%s[%d] must be %s.' % (
                name, dim, 'a symbolic variable, a constant or None' if dim in symbolic_dims
                else 'a constant or None'))


def _numerical(shape, symbolic_dims):
    return [None if (d in symbolic_dims and isinstance(s, TensorVariable) and
                     not isinstance(s, TensorConstant)) else s
            for d, s in enumerate(shape)]


def _grad_wrt_inputs(convdim, output_grad, filters, input_shape, filter_shape, border_mode,
                     subsample, filter_flip, filter_dilation, num_groups, unshared=False):
    filters, output_grad = as_tensor_variable(filters), as_tensor_variable(output_grad)
    spatial = tuple(range(2, 2 + convdim))
    _check_transposed_shape(input_shape, 'input_shape', spatial, 2 + convdim)
    if filter_shape is not None:
        _check_transposed_shape(filter_shape, 'filter_shape', (),
                                2 + (2 * convdim if unshared else convdim))
    params = dict(imshp=_numerical(input_shape, spatial), kshp=filter_shape,
                  border_mode=border_mode, subsample=subsample, filter_flip=filter_flip,
                  filter_dilation=filter_dilation, num_groups=num_groups)
    if convdim == 2:
        params['unshared'] = unshared
    op = _CLASSES[(convdim, 'gradInputs')](**params)
    return op(filters, output_grad, _shape_vector(input_shape[-convdim:]))


def _grad_wrt_weights(convdim, input, output_grad, filter_shape, input_shape, border_mode,
                      subsample, filter_flip, filter_dilation, num_groups, unshared=False):
    input, output_grad = as_tensor_variable(input), as_tensor_variable(output_grad)
    nk = 2 + (2 * convdim if unshared else convdim)
    spatial = tuple(range(nk - convdim, nk))
    _check_transposed_shape(filter_shape, 'filter_shape', spatial, nk)
    if input_shape is not None:
        _check_transposed_shape(input_shape, 'input_shape', (), 2 + convdim)
    params = dict(imshp=input_shape, kshp=_numerical(filter_shape, spatial),
                  border_mode=border_mode, subsample=subsample, filter_flip=filter_flip,
                  filter_dilation=filter_dilation, num_groups=num_groups)
    if convdim == 2:
        params['unshared'] = unshared
    op = _CLASSES[(convdim, 'gradWeights')](**params)
    return op(input, output_grad, _shape_vector(filter_shape[-convdim:]))


def _shape_vector(entries):
    entries = list(entries)
    if any(isinstance(e, TensorVariable) and not isinstance(e, TensorConstant)
           for e in entries):
        return as_tensor_variable(entries)
    return as_tensor_variable(tuple(int(e.data) if isinstance(e, TensorConstant) else int(e)
                                    for e in entries))


def conv2d_grad_wrt_inputs(output_grad, filters, input_shape, filter_shape=None,
                           border_mode='valid', subsample=(1, 1), filter_flip=True,
                           filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The gradient of a convolution with respect to its input, for the output gradient
    ``output_grad``: the transposed convolution (deconvolution) upsampling it to
    ``input_shape``, whose last two entries may be symbolic."""
    return _grad_wrt_inputs(2, output_grad, filters, input_shape, filter_shape, border_mode,
                            subsample, filter_flip, filter_dilation, num_groups, unshared)


def conv3d_grad_wrt_inputs(output_grad, filters, input_shape, filter_shape=None,
                           border_mode='valid', subsample=(1, 1, 1), filter_flip=True,
                           filter_dilation=(1, 1, 1), num_groups=1):
    """The 3-D ``conv2d_grad_wrt_inputs``."""
    return _grad_wrt_inputs(3, output_grad, filters, input_shape, filter_shape, border_mode,
                            subsample, filter_flip, filter_dilation, num_groups)


def conv2d_grad_wrt_weights(input, output_grad, filter_shape, input_shape=None,
                            border_mode='valid', subsample=(1, 1), filter_flip=True,
                            filter_dilation=(1, 1), num_groups=1, unshared=False):
    """The gradient of a convolution with respect to its filters, whose last two lengths
    (``filter_shape[-2:]``) may be symbolic."""
    return _grad_wrt_weights(2, input, output_grad, filter_shape, input_shape, border_mode,
                             subsample, filter_flip, filter_dilation, num_groups, unshared)


def conv3d_grad_wrt_weights(input, output_grad, filter_shape, input_shape=None,
                            border_mode='valid', subsample=(1, 1, 1), filter_flip=True,
                            filter_dilation=(1, 1, 1), num_groups=1):
    """The 3-D ``conv2d_grad_wrt_weights``."""
    return _grad_wrt_weights(3, input, output_grad, filter_shape, input_shape, border_mode,
                             subsample, filter_flip, filter_dilation, num_groups)
