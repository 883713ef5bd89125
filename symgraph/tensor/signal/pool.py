"""Pooling (``theano.tensor.signal.pool``): ``pool_2d``, ``pool_3d``,
``max_pool_2d_same_size`` and the ops Theano prints: ``Pool``, ``MaxPoolGrad``,
``AveragePoolGrad`` and ``DownsampleFactorMaxGradGrad``.

Windows are Theano's: ``ws`` long, ``stride`` apart, over the input padded by ``pad``
zeros on both sides of each pooled axis. With ``ignore_border=False`` a last partial
window is kept; 'max' and 'sum' never count the padding, 'average_exc_pad' divides by the
number of input elements in the window, 'average_inc_pad' by the window's size within the
padded input. Forward pooling is one ``lax.reduce_window``. The max-pooling gradient
follows Theano exactly: every element equal to its window's maximum receives that
window's gradient (ties included, where XLA's own select-and-scatter would pick one);
the average and sum gradients are the exact linear transposes of the forward.

The window sizes, strides and paddings are inputs of the nodes, as in Theano (so they
print); XLA needs them as numbers, so they are static inputs (worked out on the host
when they are not constants).
"""
import itertools
import warnings

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from symgraph.graph.basic import Apply, Op
from symgraph.tensor import elemwise as ew
from symgraph.tensor.type import INT_DTYPES, TensorType
from symgraph.tensor.var import TensorConstant, as_tensor_variable

MODES = ('max', 'sum', 'average_inc_pad', 'average_exc_pad')


# ---------------------------------------------------------------------------------------
# Geometry (host side, plain integers)
# ---------------------------------------------------------------------------------------

def _out_length(v, ws, stride, ignore_border):
    """Number of windows along an axis of padded length ``v`` (Theano's compute_out)."""
    if ignore_border:
        if ws == stride:
            return v // stride
        return max((v - ws) // stride + 1, 0)
    if stride >= ws:
        return (v - 1) // stride + 1
    return max(0, (v - 1 - ws + stride) // stride) + 1


def out_shape(imgshape, ws, ignore_border=False, stride=None, pad=None, ndim=2):
    """The shape of Pool's output for an input of shape ``imgshape`` (None: unknown)."""
    stride = ws if stride is None else stride
    pad = (0,) * ndim if pad is None else pad
    spatial = []
    for i in range(ndim):
        v = imgshape[len(imgshape) - ndim + i]
        spatial.append(None if v is None else
                       _out_length(v + 2 * pad[i], ws[i], stride[i], ignore_border))
    return tuple(imgshape[:len(imgshape) - ndim]) + tuple(spatial)


def _windows(length, out, ws, stride, pad, exclude_pad):
    """[(start, end)] of each window along an axis, in the coordinates of the unpadded
    input, clipped to it; and the divisor each window's average uses."""
    padded = length + 2 * pad
    bounds, sizes = [], []
    for j in range(out):
        start = j * stride
        end = min(start + ws, padded)
        if exclude_pad:
            sizes.append(min(end, padded - pad) - max(start, pad))
        else:
            sizes.append(end - start)
        bounds.append((max(start - pad, 0), min(end - pad, length)))
    return bounds, sizes


def _divisors(mode, ignore_border, spatial, out, ws, stride, pad):
    """The array (shaped like the pooled axes) each window's sum is divided by."""
    counts = []
    for length, o, w, s, p in zip(spatial, out, ws, stride, pad):
        _, sizes = _windows(length, o, w, s, p, exclude_pad=mode == 'average_exc_pad')
        counts.append(np.asarray(sizes, dtype='float64'))
    total = counts[0]
    for c in counts[1:]:
        total = np.multiply.outer(total, c)
    return total


def _static_tuple(value, name, ndim):
    """A ws/stride/pad input's value as a tuple of Python ints."""
    values = tuple(int(v) for v in np.asarray(value).reshape(-1))
    if len(values) != ndim:
        raise ValueError('%s must have %d entries, got %s' % (name, ndim, values))
    return values


def _constant_tuple(var):
    if isinstance(var, TensorConstant):
        return tuple(int(v) for v in var.data.reshape(-1))
    return None


# ---------------------------------------------------------------------------------------
# JAX computations
# ---------------------------------------------------------------------------------------

def _lowest(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == 'f':
        return -np.inf
    if dtype.kind == 'b':
        return False
    return np.iinfo(dtype).min


def _window_padding(x, nd, ws, stride, pad, out):
    """Padding of the pooled axes (before, after) so that every one of ``out`` windows
    lies inside the padded input."""
    spatial = x.shape[x.ndim - nd:]
    padding = [(0, 0)] * (x.ndim - nd)
    for i in range(nd):
        needed = (out[i] - 1) * stride[i] + ws[i] if out[i] > 0 else 0
        after = max(pad[i], needed - spatial[i] - pad[i])
        padding.append((pad[i], after))
    return padding


def _pool(x, nd, mode, ignore_border, ws, stride, pad):
    """Theano's Pool forward."""
    spatial = x.shape[x.ndim - nd:]
    out = out_shape(spatial, ws, ignore_border, stride, pad, nd)
    lead = (1,) * (x.ndim - nd)
    padding = _window_padding(x, nd, ws, stride, pad, out)
    dims, strides = lead + tuple(ws), lead + tuple(stride)
    if mode == 'max':
        init = np.array(_lowest(x.dtype), dtype=x.dtype)
        return lax.reduce_window(x, init, lax.max, dims, strides, padding)
    summed = lax.reduce_window(x, np.array(0, dtype=x.dtype), lax.add, dims, strides, padding)
    if mode == 'sum':
        return summed
    if mode == 'average_inc_pad' and ignore_border:
        return summed / np.asarray(np.prod(ws), dtype=x.dtype)
    return summed / _divisors(mode, ignore_border, spatial, out, ws, stride, pad).astype(x.dtype)


def _offsets_view(xp, nd, offset, stride, out):
    """The elements at ``offset`` inside each window: a strided slice of the padded input."""
    lead = xp.ndim - nd
    starts = (0,) * lead + tuple(offset)
    limits = xp.shape[:lead] + tuple(o + (n - 1) * s + 1 for o, n, s in zip(offset, out, stride))
    return lax.slice(xp, starts, limits, (1,) * lead + tuple(stride))


def _padded_for_max(x, nd, ws, stride, pad, out):
    """The input padded for window reads, its padding never equal to any maximum."""
    padding = _window_padding(x, nd, ws, stride, pad, out)
    fill = np.nan if np.dtype(x.dtype).kind == 'f' else _lowest(x.dtype)
    return jnp.pad(x, padding, constant_values=np.array(fill, dtype=x.dtype)), padding


def _tiles(xp, nd, ws, out):
    """The padded input with each pooled axis split in (window, offset): the windows of a
    pooling whose stride is its window size, as a reshape."""
    lead = xp.shape[:xp.ndim - nd]
    shape = lead + tuple(v for o, w in zip(out, ws) for v in (o, w))
    limits = lead + tuple(o * w for o, w in zip(out, ws))
    return lax.slice(xp, (0,) * xp.ndim, limits).reshape(shape)


def _window_axis(value, nd):
    """``value`` (pooled shape) with an axis of length 1 after each pooled axis."""
    lead = value.shape[:value.ndim - nd]
    return value.reshape(lead + tuple(v for o in value.shape[value.ndim - nd:]
                                      for v in (o, 1)))


def _max_pool_grad(x, maxout, gz, nd, ws, stride, pad):
    """Each input element equal to its window's maximum gets the window's gradient."""
    out = maxout.shape[maxout.ndim - nd:]
    xp, padding = _padded_for_max(x, nd, ws, stride, pad, out)
    if tuple(stride) == tuple(ws) and not any(pad):
        # disjoint windows: one comparison over the tiled input (no scatter)
        hit = jnp.where(_tiles(xp, nd, ws, out) == _window_axis(maxout, nd),
                        _window_axis(gz, nd), jnp.zeros((), gz.dtype))
        tiled = hit.reshape(x.shape[:x.ndim - nd] + tuple(o * w for o, w in zip(out, ws)))
        spatial = x.shape[x.ndim - nd:]
        widths = [(0, 0)] * (x.ndim - nd) + [(0, max(0, v - o * w))
                                             for v, o, w in zip(spatial, out, ws)]
        return jnp.pad(tiled, widths)[tuple(slice(None) for _ in range(x.ndim - nd)) +
                                      tuple(slice(0, v) for v in spatial)]
    lead = x.ndim - nd
    zero = jnp.zeros((), gz.dtype)
    total = None
    for offset in itertools.product(*[range(w) for w in ws]):
        hit = jnp.where(_offsets_view(xp, nd, offset, stride, out) == maxout, gz, zero)
        # scatter back: interior padding puts window j's element at offset + j * stride
        config = [(0, 0, 0)] * lead + [
            (o, xp.shape[lead + i] - (o + (n - 1) * s + 1), s - 1)
            for i, (o, n, s) in enumerate(zip(offset, out, stride))]
        spread = lax.pad(hit, zero, config)
        total = spread if total is None else total + spread
    crop = tuple(slice(None) for _ in range(lead)) + tuple(
        slice(before, before + x.shape[lead + i]) for i, (before, _) in
        enumerate(padding[lead:]))
    return total[crop]


def _max_pool_grad_grad(x, maxout, ggx, nd, ws, stride, pad):
    """Per window, the sum of ``ggx`` over the elements equal to the window's maximum."""
    out = maxout.shape[maxout.ndim - nd:]
    xp, padding = _padded_for_max(x, nd, ws, stride, pad, out)
    ggxp = jnp.pad(ggx, padding)
    zero = jnp.zeros((), ggx.dtype)
    if tuple(stride) == tuple(ws) and not any(pad):
        picked = jnp.where(_tiles(xp, nd, ws, out) == _window_axis(maxout, nd),
                           _tiles(ggxp, nd, ws, out), zero)
        lead = x.ndim - nd
        return picked.sum(axis=tuple(lead + 2 * i + 1 for i in range(nd)))
    total = None
    for offset in itertools.product(*[range(w) for w in ws]):
        picked = jnp.where(_offsets_view(xp, nd, offset, stride, out) == maxout,
                           _offsets_view(ggxp, nd, offset, stride, out), zero)
        total = picked if total is None else total + picked
    return total


# ---------------------------------------------------------------------------------------
# The ops
# ---------------------------------------------------------------------------------------

def _check_params(ws, stride, pad, nd):
    for name, var in (('ws', ws), ('stride', stride), ('pad', pad)):
        if var.ndim != 1:
            raise TypeError('Pool: %s must be a vector of %d ints, got %s of type %s'
                            % (name, nd, var, var.type))
    if ws.dtype not in INT_DTYPES:
        raise TypeError('Pool downsample parameters must be ints.')
    if stride.dtype not in INT_DTYPES:
        raise TypeError('Stride parameters must be ints.')
    if pad.dtype not in INT_DTYPES:
        raise TypeError('Padding parameters must be ints.')


def _check_mode(mode, allowed=MODES):
    if mode == 'max_deterministic':
        mode = 'max'
    if mode not in allowed:
        raise ValueError("Pool mode parameter only support 'max', 'sum', 'average_inc_pad' "
                         "and 'average_exc_pad'. Got %s" % mode)
    return mode


class _PoolBase(Op):
    __props__ = ('ignore_border', 'mode', 'ndim')

    def __init__(self, ignore_border=False, mode='max', ndim=2):
        self.ignore_border = bool(ignore_border)
        self.mode = _check_mode(mode)
        self.ndim = int(ndim)

    def _params(self, ws, stride, pad):
        nd = self.ndim
        return (_static_tuple(ws, 'ws', nd), _static_tuple(stride, 'stride', nd),
                _static_tuple(pad, 'pad', nd))

    def static_inputs(self, node):
        n = len(node.inputs)
        return (n - 3, n - 2, n - 1)

    def _wrap_params(self, ws, stride, pad):
        nd = self.ndim
        if stride is None:
            stride = ws
        if pad is None:
            pad = (0,) * nd
        ws, stride, pad = (as_tensor_variable(v) for v in (ws, stride, pad))
        _check_params(ws, stride, pad, nd)
        return ws, stride, pad


class Pool(_PoolBase):
    """Pool the last ``ndim`` axes: ``Pool(ignore_border, mode, ndim)(x, ws, stride, pad)``."""

    def make_node(self, x, ws, stride=None, pad=None):
        x = as_tensor_variable(x)
        nd = self.ndim
        if stride is None:
            stride = ws
        if pad is None:
            pad = (0,) * nd
        elif isinstance(pad, (tuple, list)):
            if max(pad) != 0 and not self.ignore_border:
                raise NotImplementedError('padding works only with ignore_border=True')
            if isinstance(ws, (tuple, list)):
                if any(pad[i] >= ws[i] for i in range(nd)):
                    raise NotImplementedError('padding must be smaller than strides')
        ws, stride, pad = self._wrap_params(ws, stride, pad)
        if x.ndim < nd:
            raise TypeError('Pool with ndim=%d needs an input of at least %d dimensions; %s '
                            'has %d' % (nd, nd, x, x.ndim))
        bcast = x.broadcastable[:x.ndim - nd] + (False,) * nd
        node = Apply(self, [x, ws, stride, pad], [TensorType(x.dtype, bcast)])
        params = [_constant_tuple(v) for v in (ws, stride, pad)]
        if None not in params:
            node.outputs[0].static_shape = out_shape(x.static_shape, params[0],
                                                     self.ignore_border, params[1], params[2],
                                                     nd)
        else:
            node.outputs[0].static_shape = x.static_shape[:x.ndim - nd] + (None,) * nd
        return node

    def jax_impl(self, node, x, ws, stride, pad):
        ws, stride, pad = self._params(ws, stride, pad)
        if not self.ignore_border and any(pad):
            raise NotImplementedError('padding works only with ignore_border=True')
        out = out_shape(x.shape, ws, self.ignore_border, stride, pad, self.ndim)
        if not self.ignore_border and not all(o > 0 for o in out[x.ndim - self.ndim:]):
            raise ValueError('Pool: an input of shape %s gives an empty output %s'
                             % (tuple(x.shape), out))
        return _pool(x, self.ndim, self.mode, self.ignore_border, ws, stride, pad)

    def grad(self, node, output_grads):
        x, ws, stride, pad = node.inputs
        (gz,) = output_grads
        if self.mode == 'max':
            gx = MaxPoolGrad(ndim=self.ndim, ignore_border=self.ignore_border)(
                x, node.outputs[0], gz, ws, stride, pad)
        else:
            gx = AveragePoolGrad(ndim=self.ndim, ignore_border=self.ignore_border,
                                 mode=self.mode)(x, gz, ws, stride, pad)
        return [gx, None, None, None]


class PoolGrad(_PoolBase):
    """Common parts of the pooling gradients (their output is shaped like ``x``). Their
    gradients with respect to ``x`` (and ``maxout``) are zero; Theano's graphs add those
    zeros to the other terms, and so do these."""

    keeps_zero_grads = True

    @staticmethod
    def out_shape(imgshape, ws=None, ignore_border=False, stride=None, pad=None, ndim=2):
        return out_shape(imgshape, ws, ignore_border, stride, pad, ndim)

    def _node(self, inputs, x):
        node = Apply(self, inputs, [x.type])
        node.outputs[0].static_shape = x.static_shape
        return node


class MaxPoolGrad(PoolGrad):
    """``MaxPoolGrad(ignore_border)(x, maxout, gz, ws, stride, pad)``: the gradient of max
    pooling, ``gz`` sent to every element equal to its window's maximum."""

    def __init__(self, ignore_border, ndim=2, mode='max'):
        PoolGrad.__init__(self, ignore_border, mode='max', ndim=ndim)

    def make_node(self, x, maxout, gz, ws, stride=None, pad=None):
        x, maxout, gz = (as_tensor_variable(v) for v in (x, maxout, gz))
        ws, stride, pad = self._wrap_params(ws, stride, pad)
        if not x.ndim == maxout.ndim == gz.ndim >= self.ndim:
            raise TypeError('MaxPoolGrad: x, maxout and gz must have the same number (>= %d) '
                            'of dimensions, got %s, %s and %s'
                            % (self.ndim, x.type, maxout.type, gz.type))
        return self._node([x, maxout, gz, ws, stride, pad], x)

    def jax_impl(self, node, x, maxout, gz, ws, stride, pad):
        ws, stride, pad = self._params(ws, stride, pad)
        dtype = node.outputs[0].dtype
        return _max_pool_grad(x, maxout.astype(x.dtype), gz.astype(dtype), self.ndim, ws,
                              stride, pad)

    def grad(self, node, output_grads):
        x, maxout, gz, ws, stride, pad = node.inputs
        (ggx,) = output_grads
        return [ew.zeros_like(x), ew.zeros_like(maxout),
                DownsampleFactorMaxGradGrad(ndim=self.ndim, ignore_border=self.ignore_border)(
                    x, maxout, ggx, ws, stride, pad),
                None, None, None]


class AveragePoolGrad(PoolGrad):
    """``AveragePoolGrad(ignore_border, mode)(x, gz, ws, stride, pad)``: the gradient of
    sum and average pooling (the transpose of the forward)."""

    def __init__(self, ignore_border, mode='average_inc_pad', ndim=2):
        if mode not in ('sum', 'average_inc_pad', 'average_exc_pad'):
            raise ValueError('AveragePoolGrad: mode must be sum, average_inc_pad or '
                             'average_exc_pad, not %r' % (mode,))
        PoolGrad.__init__(self, ignore_border, mode, ndim)

    def make_node(self, x, gz, ws, stride=None, pad=None, dummy=None):
        x, gz = as_tensor_variable(x), as_tensor_variable(gz)
        ws, stride, pad = self._wrap_params(ws, stride, pad)
        if not x.ndim == gz.ndim >= self.ndim:
            raise TypeError('AveragePoolGrad: x and gz must have the same number (>= %d) of '
                            'dimensions, got %s and %s' % (self.ndim, x.type, gz.type))
        return self._node([x, gz, ws, stride, pad], x)

    def jax_impl(self, node, x, gz, ws, stride, pad):
        ws, stride, pad = self._params(ws, stride, pad)
        dtype = node.outputs[0].dtype
        expected = out_shape(x.shape, ws, self.ignore_border, stride, pad, self.ndim)
        if tuple(gz.shape) != tuple(expected):
            raise ValueError('AveragePoolGrad: pooling an input of shape %s gives shape %s, '
                             'but the gradient has shape %s'
                             % (tuple(x.shape), tuple(expected), tuple(gz.shape)))
        (gx,) = jax.linear_transpose(
            lambda v: _pool(v, self.ndim, self.mode, self.ignore_border, ws, stride, pad),
            jax.ShapeDtypeStruct(x.shape, dtype))(gz.astype(dtype))
        return gx

    def grad(self, node, output_grads):
        x, gz, ws, stride, pad = node.inputs
        (ggx,) = output_grads
        return [ew.zeros_like(x),
                Pool(ignore_border=self.ignore_border, ndim=self.ndim, mode=self.mode)(
                    ggx, ws, stride, pad),
                None, None, None]


class DownsampleFactorMaxGradGrad(PoolGrad):
    """The gradient of MaxPoolGrad with respect to its ``gz``: per window, the sum of
    ``ggx`` over the elements equal to the maximum (shaped like ``maxout``)."""

    def __init__(self, ignore_border, mode='max', ndim=2):
        PoolGrad.__init__(self, ignore_border, mode='max', ndim=ndim)

    def make_node(self, x, maxout, gz, ws, stride=None, pad=None):
        x, maxout, gz = (as_tensor_variable(v) for v in (x, maxout, gz))
        ws, stride, pad = self._wrap_params(ws, stride, pad)
        if not x.ndim == maxout.ndim == gz.ndim >= self.ndim:
            raise TypeError('DownsampleFactorMaxGradGrad: x, maxout and gz must have the same '
                            'number (>= %d) of dimensions' % self.ndim)
        node = Apply(self, [x, maxout, gz, ws, stride, pad], [x.type])
        node.outputs[0].static_shape = maxout.static_shape
        return node

    def jax_impl(self, node, x, maxout, ggx, ws, stride, pad):
        ws, stride, pad = self._params(ws, stride, pad)
        dtype = node.outputs[0].dtype
        return _max_pool_grad_grad(x, maxout.astype(x.dtype), ggx.astype(dtype), self.ndim,
                                   ws, stride, pad)

    def grad(self, node, output_grads):
        x, maxout, ggx, ws, stride, pad = node.inputs
        (gz,) = output_grads
        return [ew.zeros_like(x), ew.zeros_like(maxout),
                MaxPoolGrad(ignore_border=self.ignore_border, ndim=self.ndim)(
                    x, maxout, gz, ws, stride, pad),
                None, None, None]


# ---------------------------------------------------------------------------------------
# The functions
# ---------------------------------------------------------------------------------------

_IGNORE_BORDER_WARNING = (
    "pool_%dd() will have the parameter ignore_border default value changed to True "
    "(currently False). To have consistent behavior with all Theano version, explicitly "
    "add the parameter ignore_border=True. On the GPU, using ignore_border=True is needed "
    "to use cuDNN. When using ignore_border=False and not using cuDNN, the only GPU "
    "combination supported is when `ws == stride and pad == %s and mode == 'max'`. "
    "Otherwise, the convolution will be executed on CPU.")


def _deprecated_names(ws, stride, pad, ds, st, padding, nd):
    if ds is not None:
        if ws is not None:
            raise ValueError("You can't provide a tuple value to both 'ws' and 'ds'. Please "
                             "provide a value only to 'ws'.")
        warnings.warn("DEPRECATION: the 'ds' parameter is not going to exist anymore as it "
                      "is going to be replaced by the parameter 'ws'.", stacklevel=4)
        ws = ds
    elif ws is None:
        raise ValueError('You must provide a tuple value for the window size.')
    if st is not None:
        if stride is not None:
            raise ValueError("You can't provide a tuple value to both 'st and 'stride'. "
                             "Please provide a value only to 'stride'.")
        warnings.warn("DEPRECATION: the 'st' parameter is not going to exist anymore as it "
                      "is going to be replaced by the parameter 'stride'.", stacklevel=4)
        stride = st
    if padding is not None:
        if pad not in (None, (0,) * nd):
            raise ValueError("You can't provide a tuple value to both 'padding' and pad.  "
                             "Please provide a value only to pad.")
        warnings.warn("DEPRECATION: the 'padding' parameter is not going to exist anymore "
                      "as it is going to be replaced by the parameter 'pad'.", stacklevel=4)
        pad = padding
    return ws, stride, pad


def _pool_nd(nd, input, ws, ignore_border, stride, pad, mode, ds, st, padding):
    ws, stride, pad = _deprecated_names(ws, stride, pad, ds, st, padding, nd)
    input = as_tensor_variable(input)
    if input.ndim < nd:
        raise NotImplementedError('pool_%dd requires a dimension >= %d' % (nd, nd))
    if ignore_border is None:
        warnings.warn(_IGNORE_BORDER_WARNING % (nd, (0,) * nd), stacklevel=3)
        ignore_border = False
    return Pool(ignore_border, ndim=nd, mode=mode)(input, ws, stride, pad)


def pool_2d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0), mode='max',
            ds=None, st=None, padding=None):
    """Pool the last two axes of ``input`` over ``ws`` windows, ``stride`` apart (default
    ``ws``), after zero-padding by ``pad``; ``mode`` 'max', 'sum', 'average_inc_pad' or
    'average_exc_pad'. ``ignore_border=False`` keeps a last partial window; left out, it is
    False with Theano's warning. ``ds``, ``st``, ``padding``: the deprecated names of ``ws``,
    ``stride``, ``pad``."""
    return _pool_nd(2, input, ws, ignore_border, stride, pad, mode, ds, st, padding)


def pool_3d(input, ws=None, ignore_border=None, stride=None, pad=(0, 0, 0), mode='max',
            ds=None, st=None, padding=None):
    """``pool_2d`` over the last three axes."""
    return _pool_nd(3, input, ws, ignore_border, stride, pad, mode, ds, st, padding)


def max_pool_2d_same_size(input, patch_size):
    """Keep each maximum of the non-overlapping ``patch_size`` patches of the last two
    axes and set every other element to zero (the output has the input's shape)."""
    output = Pool(True)(input, patch_size)
    return MaxPoolGrad(True)(input, output, output, patch_size)
