"""Neighbourhoods (``theano.tensor.nnet.neighbours``): ``images2neibs`` turns the patches
of a stack of images into the rows of a matrix (the ``Images2Neibs`` op), and
``neibs2images`` puts non-overlapping patches back.

The patches are gathered with index arrays worked out on the host (the patch shape and
step are static inputs). The gradient is Theano's where Theano has one (``neibs2images``
of the output gradient, for non-overlapping patches); elsewhere, where Theano uses a
scan ('valid' with overlapping patches) or has none ('half', 'full', 'wrap_centered'), it
is ``Images2NeibsGrad``, the exact transpose of the gathering.
"""
import jax
import jax.numpy as jnp
import numpy as np

from symgraph.graph.basic import Apply, Op
from symgraph.tensor.basic import concatenate, stack, zeros
from symgraph.tensor.shape import reshape
from symgraph.tensor.type import DISCRETE_DTYPES, TensorType
from symgraph.tensor.var import TensorConstant, as_tensor_variable

MODES = ('valid', 'half', 'full', 'wrap_centered', 'ignore_borders')


def _ceil_intdiv(a, b):
    return a // b + (1 if a % b else 0)


def _grid(mode, height, width, c, d, step_x, step_y):
    """(rows, cols) per axis: the source index of each (patch, offset), -1 for a zero."""
    if step_x <= 0 or step_y <= 0:
        raise ValueError('neib_step wrong step ; values <= 0. Got %s' % ((step_x, step_y),))
    if c <= 0 or d <= 0:
        raise ValueError('neib_shape values <=0. Got %s' % ((c, d),))
    shifts = {'valid': (0, 0), 'ignore_borders': (0, 0), 'half': (c // 2, d // 2),
              'full': (c - 1, d - 1), 'wrap_centered': (c // 2, d // 2)}[mode]
    if mode == 'wrap_centered':
        if c % 2 != 1 or d % 2 != 1:
            raise TypeError('Images2Neibs: in mode wrap_centered need patch with odd shapes')
        if height < c or width < d:
            raise TypeError("Images2Neibs: in wrap_centered mode, don't support image shapes "
                            'smaller then the patch shapes: neib_shape=(%d,%d), '
                            'ten4[2:]=[%d,%d]' % (c, d, height, width))
        grids = (_ceil_intdiv(height, step_x), _ceil_intdiv(width, step_y))
    elif mode == 'ignore_borders':
        grids = (1 + (height - c) // step_x, 1 + (width - d) // step_y)
    else:
        extent = {'valid': (height - c, width - d), 'half': (height - c % 2, width - d % 2),
                  'full': (height + c - 2, width + d - 2)}[mode]
        for axis, (length, size, step, span) in enumerate(
                ((height, c, step_x, extent[0]), (width, d, step_y, extent[1]))):
            if length < size or span % step != 0:
                raise TypeError('neib_shape[%d]=%d, neib_step[%d]=%d and ten4.shape[%d]=%d not '
                                'consistent' % (axis, size, axis, step, 2 + axis, length))
        grids = (1 + extent[0] // step_x, 1 + extent[1] // step_y)
    indices = []
    for grid, size, step, shift, length in ((grids[0], c, step_x, shifts[0], height),
                                            (grids[1], d, step_y, shifts[1], width)):
        idx = (np.arange(grid)[:, None] * step + np.arange(size)[None, :] - shift)
        if mode == 'wrap_centered':
            idx = np.where(idx < 0, idx + length, np.where(idx >= length, idx - length, idx))
        indices.append(np.where((idx >= 0) & (idx < length), idx, -1))
    return indices


def _images2neibs(x, mode, neib_shape, neib_step):
    (c, d), (step_x, step_y) = neib_shape, neib_step
    n, s, height, width = x.shape
    rows, cols = _grid(mode, height, width, c, d, step_x, step_y)
    gathered = jnp.take(x, np.maximum(rows, 0), axis=2)  # (n, s, grid_c, c, width)
    gathered = jnp.take(gathered, np.maximum(cols, 0), axis=4)  # (n, s, gc, c, gd, d)
    mask = (rows >= 0)[:, :, None, None] & (cols >= 0)[None, None, :, :]
    if not mask.all():
        gathered = jnp.where(mask, gathered, jnp.zeros((), x.dtype))
    gathered = jnp.transpose(gathered, (0, 1, 2, 4, 3, 5))
    return gathered.reshape(n * s * rows.shape[0] * cols.shape[0], c * d)


def _static_pair(value, name):
    pair = tuple(int(v) for v in np.asarray(value).reshape(-1))
    if len(pair) != 2:
        raise ValueError('%s must have two entries, got %s' % (name, pair))
    return pair


def _same(a, b):
    if a is b:
        return True
    return (isinstance(a, TensorConstant) and isinstance(b, TensorConstant) and
            np.array_equal(a.data, b.data))


class Images2Neibs(Op):
    """``Images2Neibs(mode)(ten4, neib_shape, neib_step)``: each (neib_shape) patch of each
    image of the 4-d ``ten4``, ``neib_step`` apart, flattened into a row; rows ordered by
    batch, channel, patch row, patch column."""

    __props__ = ('mode',)

    def __init__(self, mode='valid'):
        if mode not in MODES:
            raise NotImplementedError('Only modes %s have been implemented for Images2Neibs'
                                      % ', '.join(MODES))
        self.mode = mode

    def __str__(self):
        return 'Images2Neibs{%s}' % self.mode

    def make_node(self, ten4, neib_shape, neib_step=None):
        ten4 = as_tensor_variable(ten4)
        neib_shape = as_tensor_variable(neib_shape)
        neib_step = neib_shape if neib_step is None else as_tensor_variable(neib_step)
        if ten4.ndim != 4:
            raise TypeError('images2neibs needs a 4-d tensor (batch, channels, rows, columns); '
                            '%s has %d dimensions' % (ten4, ten4.ndim))
        for name, var in (('neib_shape', neib_shape), ('neib_step', neib_step)):
            if var.ndim != 1 or var.dtype not in DISCRETE_DTYPES:
                raise TypeError('images2neibs: %s must be a vector of two ints, got %s'
                                % (name, var.type))
        return Apply(self, [ten4, neib_shape, neib_step], [TensorType(ten4.dtype,
                                                                       (False, False))])

    def static_inputs(self, node):
        return (1, 2)

    def jax_impl(self, node, ten4, neib_shape, neib_step):
        return _images2neibs(ten4, self.mode, _static_pair(neib_shape, 'neib_shape'),
                             _static_pair(neib_step, 'neib_step'))

    def grad(self, node, output_grads):
        x, neib_shape, neib_step = node.inputs
        (gz,) = output_grads
        if self.mode in ('valid', 'ignore_borders') and _same(neib_shape, neib_step):
            return [neibs2images(gz, neib_shape, x.shape, mode=self.mode), None, None]
        return [Images2NeibsGrad(self.mode)(x, gz, neib_shape, neib_step), None, None]


class Images2NeibsGrad(Op):
    """The gradient of ``Images2Neibs`` (each patch element's gradient added back to the
    pixel it came from), where Theano has none or builds a scan."""

    __props__ = ('mode',)

    def __init__(self, mode='valid'):
        self.mode = mode

    def __str__(self):
        return 'Images2NeibsGrad{%s}' % self.mode

    def make_node(self, x, gz, neib_shape, neib_step):
        x, gz = as_tensor_variable(x), as_tensor_variable(gz)
        node = Apply(self, [x, gz, as_tensor_variable(neib_shape),
                            as_tensor_variable(neib_step)], [x.type])
        node.outputs[0].static_shape = x.static_shape
        return node

    def static_inputs(self, node):
        return (2, 3)

    def jax_impl(self, node, x, gz, neib_shape, neib_step):
        shape, step = _static_pair(neib_shape, 'neib_shape'), _static_pair(neib_step,
                                                                           'neib_step')
        dtype = node.outputs[0].dtype
        (gx,) = jax.linear_transpose(lambda v: _images2neibs(v, self.mode, shape, step),
                                     jax.ShapeDtypeStruct(x.shape, dtype))(gz.astype(dtype))
        return gx

    def grad(self, node, output_grads):
        x, gz, neib_shape, neib_step = node.inputs
        return [None, Images2Neibs(self.mode)(output_grads[0], neib_shape, neib_step), None,
                None]


def images2neibs(ten4, neib_shape, neib_step=None, mode='valid'):
    """The patches of the images of ``ten4`` (batch, channels, rows, columns) as the rows
    of a matrix. ``neib_shape`` (rows, columns) is the patch shape, ``neib_step`` the step
    between patches (default: the patch shape, disjoint patches). ``mode``: 'valid' (the
    patches must tile the image exactly), 'ignore_borders' (a remainder is left out),
    'half' and 'full' (zero padding of shape // 2 and shape - 1), 'wrap_centered' (patches
    centred on each step, wrapping around the image)."""
    return Images2Neibs(mode)(ten4, neib_shape, neib_step)


def neibs2images(neibs, neib_shape, original_shape, mode='valid'):
    """The images whose disjoint ``neib_shape`` patches are the rows of ``neibs`` (the
    inverse of ``images2neibs`` for non-overlapping patches), of shape
    ``original_shape``."""
    neibs = as_tensor_variable(neibs)
    neib_shape = as_tensor_variable(neib_shape)
    original_shape = as_tensor_variable(original_shape)
    new_neib_shape = stack([original_shape[-1] // neib_shape[1], neib_shape[1]])
    output_2d = images2neibs(neibs.dimshuffle('x', 'x', 0, 1), new_neib_shape, mode=mode)
    if mode == 'ignore_borders':
        # (Theano sets entries 2 and 3 of original_shape with set_subtensor; entry by
        # entry, the shape can be worked out before the call.)
        valid_shape = stack([original_shape[0], original_shape[1],
                             (original_shape[2] // neib_shape[0]) * neib_shape[0],
                             (original_shape[3] // neib_shape[1]) * neib_shape[1]])
        output_4d = reshape(output_2d, valid_shape, ndim=4)
        for d in (2, 3):
            pad_shape = [output_4d.shape[i] for i in range(4)]
            pad_shape[d] = original_shape[d] - valid_shape[d]
            output_4d = concatenate([output_4d, zeros(pad_shape, dtype=output_4d.dtype)],
                                    axis=d)
    elif mode == 'valid':
        output_4d = reshape(output_2d, original_shape, ndim=4)
    else:
        raise NotImplementedError('neibs2images do not support mode=%s' % mode)
    return output_4d
