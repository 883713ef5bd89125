"""``T.extra_ops``: Theano's extra operations, with Theano's names and printed forms.

Cumulative sums and products (CumOp), differences (DiffOp), repetition (RepeatOp),
diagonals (ExtractDiag, AllocDiag, FillDiagonal, FillDiagonalOffset), index arithmetic
(UnravelIndex, RavelMultiIndex, SearchsortedOp), Unique, Bartlett, and the functions
Theano builds from other ops (bincount, squeeze, compress, to_one_hot). Each op holds
its type inference, JAX implementation, gradient (Theano's, or Theano's "not
implemented") and printed name in its class.

A result whose length depends on values (``unique``, ``repeat`` by a vector of counts,
``bincount``'s ``x.max() + 1``) has that length worked out before each call of a compiled
function (see ``basic.counted_length``); each distinct length compiles its own program.
The diagonal ops live here rather than in basic.py, as in Theano, because their
gradients index, and subtensor.py is built on basic.py.
"""
import builtins

import jax
import jax.numpy as jnp
import numpy as np

from symgraph.config import config
from symgraph.graph.basic import Apply, Op
from symgraph.tensor import elemwise as ew, reduction
from symgraph.tensor.basic import (alloc, arange, counted_length, flatnonzero, flatten, join,
                                   zeros)
from symgraph.tensor.shape import reshape, shape
from symgraph.tensor.subtensor import (AdvancedIncSubtensor1, getitem, set_subtensor, take)
from symgraph.tensor.type import DISCRETE_DTYPES, INT_DTYPES, TensorType
from symgraph.tensor.var import TensorConstant, as_tensor_variable, constant


def _constant_int(var):
    if isinstance(var, TensorConstant) and var.ndim == 0:
        return int(var.data)
    return None


def _reversed_along(x, axis):
    index = [slice(None)] * x.ndim
    index[axis] = slice(None, None, -1)
    return getitem(x, tuple(index))


# ---------------------------------------------------------------------------------------
# Cumulative sums and products, differences
# ---------------------------------------------------------------------------------------

class CumOp(Op):
    """Cumulative sum (mode 'add') or product ('mul') along ``axis`` (None: of the
    flattened array), in the input's dtype; printed ``CumOp{None, add}``."""

    __props__ = ('axis', 'mode')

    def __init__(self, axis=None, mode='add'):
        if mode not in ('add', 'mul'):
            raise ValueError('%s: Unknown mode "%s"' % (type(self).__name__, mode))
        self.axis, self.mode = axis, mode

    def __str__(self):
        return '%s{%s, %s}' % (type(self).__name__, self.axis, self.mode)

    def make_node(self, x):
        x = as_tensor_variable(x)
        if self.axis is None:
            return Apply(self, [x], [TensorType(x.dtype, (False,))])
        if self.axis >= x.ndim or self.axis < -x.ndim:
            raise ValueError('axis(={0}) out of bounds'.format(self.axis))
        return Apply(self, [x], [x.type])

    def jax_impl(self, node, x):
        fn = jnp.cumsum if self.mode == 'add' else jnp.cumprod
        dtype = x.dtype
        acc = 'int64' if dtype in DISCRETE_DTYPES else dtype
        return fn(jnp.asarray(x).astype(acc), axis=self.axis).astype(dtype)

    def grad(self, node, output_grads):
        (x,), (gi,) = node.inputs, output_grads
        if self.axis is None:
            if self.mode == 'add':
                return [reshape(_reversed_along(cumsum(_reversed_along(gi, 0)), 0), shape(x),
                                ndim=x.ndim)]
            fx = cumprod(x, axis=self.axis)
            return [reshape(_reversed_along(cumsum(_reversed_along(fx * gi, 0)), 0), shape(x),
                            ndim=x.ndim) / x]
        axis = self.axis % x.ndim
        if self.mode == 'add':
            return [_reversed_along(cumsum(_reversed_along(gi, axis), axis), axis)]
        fx = cumprod(x, axis=self.axis)
        return [_reversed_along(cumsum(_reversed_along(fx * gi, axis), axis), axis) / x]


def cumsum(x, axis=None):
    """Cumulative sum along ``axis`` (of the flattened array when None)."""
    return CumOp(axis=axis, mode='add')(x)


def cumprod(x, axis=None):
    """Cumulative product along ``axis`` (of the flattened array when None)."""
    return CumOp(axis=axis, mode='mul')(x)


CumsumOp = CumprodOp = CumOp  # Theano's older names


class DiffOp(Op):
    """The ``n``-th discrete difference along ``axis`` (numpy's ``diff``)."""

    __props__ = ('n', 'axis')

    def __init__(self, n=1, axis=-1):
        self.n, self.axis = n, axis
        if n < 0:
            raise ValueError('order must be non-negative but got %d' % n)

    def __str__(self):
        return 'DiffOp{n=%d, axis=%d}' % (self.n, self.axis)

    def make_node(self, x):
        x = as_tensor_variable(x)
        if not -x.ndim <= self.axis < x.ndim:
            raise ValueError('axis(={0}) out of bounds'.format(self.axis))
        return Apply(self, [x], [x.type])

    def jax_impl(self, node, x):
        return jnp.diff(x, n=self.n, axis=self.axis)

    def grad(self, node, output_grads):
        (x,), (z,) = node.inputs, output_grads
        axis = self.axis % x.ndim
        for _ in range(self.n):  # the transpose of a difference: pad with zeros, subtract
            edge = ew.zeros_like(_take_first(z, axis))
            z = join(axis, edge, z) - join(axis, z, edge)
        return [z]


def _take_first(z, axis):
    index = [slice(None)] * z.ndim
    index[axis] = slice(0, 1)
    return getitem(z, tuple(index))


def diff(x, n=1, axis=-1):
    """The ``n``-th discrete difference of ``x`` along ``axis``."""
    return DiffOp(n=n, axis=axis)(x)


# ---------------------------------------------------------------------------------------
# Repetition, counting, selection
# ---------------------------------------------------------------------------------------

class RepeatOp(Op):
    """numpy's ``repeat`` with a vector (or scalar) of counts; the length of the result,
    their sum, is worked out before the call."""

    __props__ = ('axis',)
    wants_lowering = True
    counted_before_call = True

    def __init__(self, axis=None):
        self.axis = axis

    def make_node(self, x, repeats):
        x, repeats = as_tensor_variable(x), as_tensor_variable(repeats)
        if repeats.dtype not in INT_DTYPES:
            raise TypeError('repeats.dtype must be an integer.')
        if repeats.dtype == 'uint64':
            raise TypeError('repeat does not support uint64 repeats')
        if repeats.ndim > 1:
            raise ValueError('The dimension of repeats should not exceed 1.')
        if self.axis is None:
            bcast = [False]
        elif _constant_int(repeats) == 1:
            bcast = x.broadcastable
        else:
            bcast = list(x.broadcastable)
            bcast[self.axis] = False
        return Apply(self, [x, repeats], [TensorType(x.dtype, bcast)])

    def _counts(self, x, repeats, xp):
        n = xp.size(x) if self.axis is None else x.shape[self.axis]
        return xp.broadcast_to(repeats, (n,))

    def count_steps(self, node, values, lowering):
        return jnp.sum(self._counts(values[0], values[1], jnp))

    def jax_impl(self, node, x, repeats, lowering=None):
        total = counted_length(node, lowering,
                               lambda x, r: np.sum(self._counts(x, r, np)), [x, repeats])
        counts = self._counts(x, repeats, jnp)
        return jnp.repeat(x, counts, axis=self.axis, total_repeat_length=total)

    def grad(self, node, output_grads):
        (x, repeats), (gz,) = node.inputs, output_grads
        if repeats.ndim == 0:
            axis = x.ndim if self.axis is None else self.axis % x.ndim + 1
            shp = [shape(x)[k] for k in range(x.ndim)]
            shp.insert(axis, repeats)
            return [reduction.sum(reshape(gz, shp, ndim=x.ndim + 1), axis=axis), None]
        return [ew.grad_not_implemented(self, 0, x, 'The gradient of RepeatOp with a vector '
                                                    'of counts is not implemented in Theano.'),
                None]


def repeat(x, repeats, axis=None):
    """Repeat each entry of ``x`` (along ``axis``; of the flattened array when None)
    ``repeats`` times: a scalar (an alloc and a reshape, as Theano builds it) or a vector
    of counts, one per entry (RepeatOp)."""
    x = as_tensor_variable(x)
    repeats = as_tensor_variable(repeats)
    if repeats.ndim > 1:
        raise ValueError('The dimension of repeats should not exceed 1.')
    if repeats.ndim == 1 and not repeats.broadcastable[0]:
        return RepeatOp(axis=axis)(x, repeats)
    if repeats.ndim == 1:
        repeats = repeats[0]
    if x.dtype == 'uint64':
        raise TypeError('theano.tensor.repeat don\'t support dtype uint64')
    if axis is None:
        axis = 0
        x = flatten(x)
    else:
        if axis >= x.ndim:
            raise ValueError('Axis should not exceed x.ndim-1.')
        if axis < 0:
            axis = x.ndim + axis
    shp = [shape(x)[i] for i in range(x.ndim)]
    alloc_shape = shp[:]
    alloc_shape.insert(axis + 1, repeats)
    shp[axis] = shp[axis] * repeats
    dims = list(range(x.ndim))
    dims.insert(axis + 1, 'x')
    return reshape(alloc(ew.dimshuffle(x, dims), *alloc_shape), shp, ndim=x.ndim)


def bincount(x, weights=None, minlength=None, assert_nonneg=False):
    """How many times each value 0, 1, ... occurs in the int vector ``x`` (the sum of the
    ``weights`` at its positions); ``max(x) + 1`` entries, at least ``minlength``. Built
    as Theano builds it (zeros of that length, incremented at ``x``); the length is
    worked out before the call."""
    x = as_tensor_variable(x)
    if x.ndim != 1:
        raise TypeError('Inputs must be of dimension 1.')
    if x.dtype not in INT_DTYPES:
        raise TypeError('bincount: x must be an integer vector, got %s of type %s'
                        % (x, x.type))
    if assert_nonneg:
        raise NotImplementedError('bincount(assert_nonneg=True) needs an Assert op, which '
                                  'symgraph does not have yet')
    max_value = ew.cast(reduction.max(x) + 1, 'int64')
    if minlength is not None:
        max_value = ew.maximum(max_value, minlength)
    if weights is None:
        out = zeros([max_value], dtype=x.dtype)
        return AdvancedIncSubtensor1(False)(out, constant(1), x)
    weights = as_tensor_variable(weights)
    out = zeros([max_value], dtype=weights.dtype)
    return AdvancedIncSubtensor1(False)(out, weights, x)


def squeeze(x, axis=None):
    """``x`` without its broadcastable dimensions (those in ``axis`` only, if given)."""
    x = as_tensor_variable(x)
    if axis is None:
        axis = range(x.ndim)
    elif isinstance(axis, (int, np.integer)):
        axis = [axis]
    axis = [a % x.ndim for a in axis] if x.ndim else []
    return ew.dimshuffle(x, [i for i in range(x.ndim)
                             if not x.broadcastable[i] or i not in axis])


def compress(condition, x, axis=None):
    """The entries (along ``axis``; of the flattened array when None) where
    ``condition`` is nonzero."""
    indices = flatnonzero(condition)
    return take(as_tensor_variable(x), indices, axis=axis)


def to_one_hot(y, nb_class, dtype=None):
    """One row per entry of the int vector ``y``, with a 1 in column ``y[i]``."""
    y = as_tensor_variable(y)
    ret = zeros((shape(y)[0], nb_class), dtype=dtype or config.floatX)
    return set_subtensor(getitem(ret, (arange(shape(y)[0]), y)), 1)


class Unique(Op):
    """numpy's ``unique`` of the flattened array: the sorted distinct values, and as asked
    the index of each one's first occurrence, the inverse (each entry's position among
    them) and their counts. Their number is worked out before the call."""

    __props__ = ('return_index', 'return_inverse', 'return_counts', 'axis')
    wants_lowering = True
    counted_before_call = True

    def __init__(self, return_index=False, return_inverse=False, return_counts=False,
                 axis=None):
        self.return_index, self.return_inverse = return_index, return_inverse
        self.return_counts, self.axis = return_counts, axis
        if axis is not None:
            raise NotImplementedError('Unique(axis=%r): only axis=None (the flattened '
                                      'array) is implemented' % (axis,))

    def make_node(self, x):
        x = as_tensor_variable(x)
        outputs = [TensorType(x.dtype, (False,))]
        if self.return_index:
            outputs.append(TensorType('int64', (False,)))
        if self.return_inverse:
            outputs.append(TensorType('int64', (False,)))
        if self.return_counts:
            outputs.append(TensorType('int64', (False,)))
        return Apply(self, [x], outputs)

    def count_steps(self, node, values, lowering):
        flat = jnp.sort(jnp.ravel(values[0]))
        if flat.size == 0:
            return jnp.asarray(0)
        return 1 + jnp.count_nonzero(flat[1:] != flat[:-1])

    def jax_impl(self, node, x, lowering=None):
        n = counted_length(node, lowering, lambda v: np.unique(v).size, [x])
        result = jnp.unique(jnp.ravel(x), return_index=self.return_index,
                            return_inverse=self.return_inverse,
                            return_counts=self.return_counts, size=n)
        if not isinstance(result, tuple):
            return result
        return tuple(r if k == 0 else jnp.ravel(r).astype('int64')
                     for k, r in enumerate(result))

    def grad(self, node, output_grads):
        return [ew.grad_not_implemented(self, 0, node.inputs[0])]


def unique(x, return_index=False, return_inverse=False, return_counts=False):
    return Unique(return_index, return_inverse, return_counts)(x)


# ---------------------------------------------------------------------------------------
# Index arithmetic
# ---------------------------------------------------------------------------------------

class UnravelIndex(Op):
    """numpy's ``unravel_index``: one int64 output per dimension of ``dims``."""

    __props__ = ('ndim', 'order')
    wants_lowering = True

    def __init__(self, ndim, order='C'):
        if order not in ('C', 'F'):
            raise ValueError('Order must be either "C" or "F".')
        self.ndim, self.order = ndim, order

    def make_node(self, indices, dims):
        indices, dims = as_tensor_variable(indices), as_tensor_variable(dims)
        if indices.dtype not in INT_DTYPES:
            raise TypeError("'%s' object cannot be interpreted as an index" % indices.dtype)
        if dims.dtype not in INT_DTYPES:
            raise TypeError("'%s' object cannot be interpreted as an index" % dims.dtype)
        if dims.ndim != 1:
            raise TypeError('dims must be a 1D array')
        return Apply(self, [indices, dims],
                     [TensorType('int64', indices.broadcastable)] * self.ndim)

    def static_inputs(self, node):
        return (1,)

    def jax_impl(self, node, indices, dims, lowering=None):
        dims = tuple(int(d) for d in np.asarray(dims))
        size = int(np.prod(dims))
        _check_range(node, indices, size, lowering, 'index %s is out of bounds for array '
                                                    'with size %d')
        if self.order == 'F':
            out = jnp.unravel_index(indices, dims[::-1])[::-1]
        else:
            out = jnp.unravel_index(indices, dims)
        outs = tuple(jnp.asarray(o).astype('int64') for o in out)
        return outs if self.ndim > 1 else outs[0]

    def grad(self, node, output_grads):
        return [None, None]


def _check_range(node, value, size, lowering, message):
    """Entries of an index must lie in [0, size): checked now when known, else by the
    program (lowering.check_index, which also reports the offending entry)."""
    if isinstance(value, jax.core.Tracer):
        if lowering is not None:
            lowering.check_index(node, 0, jnp.where(value < 0, size, value), size)
    elif np.size(value):
        value = np.asarray(value)
        bad = value[(value < 0) | (value >= size)]
        if bad.size:
            raise ValueError(message % (bad.flat[0], size))


def unravel_index(indices, dims, order='C'):
    """The coordinates in an array of shape ``dims`` of the flat ``indices``, as a tuple
    of int64 tensors shaped like ``indices``."""
    indices = as_tensor_variable(indices)
    dims = as_tensor_variable(dims)
    if dims.ndim != 1 or dims.static_shape[0] is None:
        raise TypeError('dims must be a 1D array of known length')
    res = UnravelIndex(dims.static_shape[0], order=order)(indices, dims)
    return tuple(res) if isinstance(res, list) else (res,)


class RavelMultiIndex(Op):
    """numpy's ``ravel_multi_index``: flat indices from one index array per dimension."""

    __props__ = ('mode', 'order')
    wants_lowering = True

    def __init__(self, mode='raise', order='C'):
        if mode not in ('raise', 'wrap', 'clip'):
            raise ValueError('mode must be one of raise, wrap, clip, not %r' % mode)
        if order not in ('C', 'F'):
            raise ValueError('Order must be either "C" or "F".')
        self.mode, self.order = mode, order

    def make_node(self, *inp):
        multi_index = [as_tensor_variable(i) for i in inp[:-1]]
        dims = as_tensor_variable(inp[-1])
        for i in multi_index:
            if i.dtype not in INT_DTYPES:
                raise TypeError("'%s' object cannot be interpreted as an index" % i.dtype)
        if dims.ndim != 1:
            raise TypeError('dims must be a 1D array')
        return Apply(self, multi_index + [dims],
                     [TensorType('int64', multi_index[0].broadcastable)])

    def static_inputs(self, node):
        return (len(node.inputs) - 1,)

    def jax_impl(self, node, *inp, lowering=None):
        dims = tuple(int(d) for d in np.asarray(inp[-1]))
        multi_index = [jnp.asarray(i) for i in inp[:-1]]
        if self.mode == 'raise':
            for i, n in zip(inp[:-1], dims):
                _check_range(node, i, n, lowering, 'invalid entry %d in coordinates array '
                                                   '(dimension of length %d)')
        mode = 'wrap' if self.mode == 'wrap' else 'clip'
        return jnp.ravel_multi_index(tuple(multi_index), dims, mode=mode,
                                     order=self.order).astype('int64')

    def grad(self, node, output_grads):
        return [None] * len(node.inputs)


def ravel_multi_index(multi_index, dims, mode='raise', order='C'):
    """The flat indices, in an array of shape ``dims``, of the coordinates
    ``multi_index`` (one int tensor per dimension)."""
    if not isinstance(multi_index, (tuple, list)):
        raise TypeError('multi_index must be a tuple or a list.')
    args = tuple(multi_index) + (dims,)
    return RavelMultiIndex(mode=mode, order=order)(*args)


class SearchsortedOp(Op):
    """numpy's ``searchsorted``: where each entry of ``v`` would go in the sorted vector
    ``x`` (sorted through ``sorter`` if given)."""

    __props__ = ('side',)

    def __init__(self, side='left'):
        if side not in ('left', 'right'):
            raise ValueError('\'%s\' is an invalid value for keyword \'side\'' % side)
        self.side = side

    def make_node(self, x, v, sorter=None):
        x, v = as_tensor_variable(x), as_tensor_variable(v)
        inputs = [x, v]
        if x.ndim != 1:
            raise TypeError('SearchsortedOp: x must be a vector')
        if sorter is not None:
            sorter = as_tensor_variable(sorter)
            if sorter.dtype not in INT_DTYPES:
                raise TypeError('sorter must be an integer vector')
            inputs.append(sorter)
        return Apply(self, inputs, [TensorType('int64', v.broadcastable)])

    def jax_impl(self, node, x, v, sorter=None):
        if sorter is not None:
            x = jnp.asarray(x)[sorter]
        return jnp.searchsorted(x, v, side=self.side).astype('int64')

    def grad(self, node, output_grads):
        return [ew.zeros_like(i, 'float64') if i.dtype not in DISCRETE_DTYPES else None
                for i in node.inputs[:2]] + [None] * (len(node.inputs) - 2)


def searchsorted(x, v, side='left', sorter=None):
    """Where each entry of ``v`` would be inserted in the sorted vector ``x``."""
    return SearchsortedOp(side=side)(x, v, sorter)


class Bartlett(Op):
    """The Bartlett (triangular) window of ``M`` points, as float64."""

    fold_constants = False

    def make_node(self, M):
        M = as_tensor_variable(M)
        if M.ndim != 0 or M.dtype not in INT_DTYPES:
            raise TypeError('%s only works on scalar input' % type(self).__name__)
        node = Apply(self, [M], [TensorType('float64', (False,))])
        node.outputs[0].static_shape = (_constant_int(M),)
        return node

    def static_inputs(self, node):
        return (0,)

    def jax_impl(self, node, M):
        return jnp.bartlett(int(M)).astype('float64')

    def grad(self, node, output_grads):
        return [None]


def bartlett(M):
    """The Bartlett window of ``M`` points."""
    return Bartlett()(M)


class CpuContiguous(Op):
    """``x`` unchanged (Theano's C-contiguous copy; XLA owns the layout)."""

    def make_node(self, x):
        x = as_tensor_variable(x)
        return Apply(self, [x], [x.type])

    def jax_impl(self, node, x):
        return x

    def grad(self, node, output_grads):
        return [output_grads[0]]


def cpu_contiguous(x):
    return CpuContiguous()(x)


# ---------------------------------------------------------------------------------------
# Diagonals
# ---------------------------------------------------------------------------------------

class ExtractDiag(Op):
    """The diagonal ``offset`` of the planes (axis1, axis2), as a new last axis (numpy's
    ``diagonal``)."""

    __props__ = ('offset', 'axis1', 'axis2', 'view')

    def __init__(self, offset=0, axis1=0, axis2=1, view=False):
        self.offset, self.axis1, self.axis2, self.view = offset, axis1, axis2, view

    def make_node(self, x):
        x = as_tensor_variable(x)
        if x.ndim < 2:
            raise ValueError('ExtractDiag needs an input with 2 or more dimensions', x)
        return Apply(self, [x], [TensorType(x.dtype, [False] * (x.ndim - 1))])

    def jax_impl(self, node, x):
        return jnp.diagonal(x, self.offset, self.axis1, self.axis2)

    def grad(self, node, output_grads):
        (x,), (gz,) = node.inputs, output_grads
        if x.ndim != 2:
            return [ew.grad_not_implemented(self, 0, x, 'The gradient of ExtractDiag is only '
                                                        'implemented for matrices.')]
        n = shape(gz)[0]
        rows = arange(n) + builtins.max(0, -self.offset)
        cols = arange(n) + builtins.max(0, self.offset)
        return [set_subtensor(getitem(ew.zeros_like(x), (rows, cols)), gz)]


class AllocDiag(Op):
    """A tensor with ``x``'s last axis on the diagonal ``offset`` of the planes (axis1,
    axis2) and zeros elsewhere (``diag`` of a vector)."""

    __props__ = ('offset', 'axis1', 'axis2')

    def __init__(self, offset=0, axis1=0, axis2=1):
        self.offset, self.axis1, self.axis2 = offset, axis1, axis2

    def make_node(self, diag):
        diag = as_tensor_variable(diag)
        if diag.ndim < 1:
            raise ValueError('AllocDiag needs an input with 1 or more dimensions', diag.type)
        return Apply(self, [diag], [TensorType(diag.dtype, [False] * (diag.ndim + 1))])

    def jax_impl(self, node, x):
        offset = self.offset
        n = x.shape[-1] + abs(offset)
        idx = np.arange(x.shape[-1])
        result = jnp.zeros(x.shape[:-1] + (n, n), dtype=x.dtype)
        result = result.at[..., idx + builtins.max(0, -offset),
                           idx + builtins.max(0, offset)].set(x)
        if x.ndim > 1:
            axis1, axis2 = sorted((self.axis1, self.axis2))
            axes = list(range(x.ndim - 1))
            last = axes[-1]
            axes = axes[:axis1] + [last + 1] + axes[axis1:]
            axes = axes[:axis2] + [last + 2] + axes[axis2:]
            result = jnp.transpose(result, axes)
        return result

    def grad(self, node, output_grads):
        return [diagonal(output_grads[0], self.offset, self.axis1, self.axis2)]


def diagonal(a, offset=0, axis1=0, axis2=1):
    """numpy's ``diagonal``: the diagonal ``offset`` of the planes (axis1, axis2)."""
    return ExtractDiag(offset, axis1, axis2)(a)


def diag(v, k=0):
    """A matrix with the vector ``v`` on diagonal ``k``, or the diagonal ``k`` of a
    matrix."""
    v = as_tensor_variable(v)
    if v.ndim == 1:
        return AllocDiag(k)(v)
    if v.ndim >= 2:
        return diagonal(v, offset=k)
    raise ValueError('Input must has v.ndim >= 1.')


def trace(x):
    """The sum of the main diagonal of a matrix (``diagonal(x).sum()``)."""
    x = as_tensor_variable(x)
    if x.ndim != 2:
        raise TypeError('trace works on matrices; %s has %d dimensions' % (x, x.ndim))
    return reduction.sum(diagonal(x))


def _diagonal_mask(a, offset):
    """Where the entries of the diagonal ``offset`` of ``a`` are (all indices equal, for
    more than two dimensions), built from iotas so that a traced offset works."""
    if a.ndim == 2:
        rows = jax.lax.broadcasted_iota('int64', a.shape, 0)
        cols = jax.lax.broadcasted_iota('int64', a.shape, 1)
        return cols - rows == offset
    first = jax.lax.broadcasted_iota('int64', a.shape, 0)
    return jnp.all(jnp.stack([jax.lax.broadcasted_iota('int64', a.shape, d) == first
                              for d in range(1, a.ndim)]), axis=0)


class FillDiagonal(Op):
    """``a`` with its main diagonal set to the scalar ``val`` (numpy's ``fill_diagonal``:
    ``a[i, i, ..., i]`` for more than two dimensions)."""

    def make_node(self, a, val):
        a, val = as_tensor_variable(a), as_tensor_variable(val)
        if a.ndim < 2:
            raise TypeError('%s: first parameter must have at least two dimensions'
                            % type(self).__name__)
        if val.ndim != 0:
            raise TypeError('%s: second parameter must be a scalar' % type(self).__name__)
        val = ew.cast(val, ew.upcast(a.dtype, val.dtype))
        if val.dtype != a.dtype:
            raise TypeError('%s: type of second parameter must be the same as the first\'s'
                            % type(self).__name__)
        return Apply(self, [a, val], [a.type])

    def jax_impl(self, node, a, val):
        return jnp.where(_diagonal_mask(a, 0), jnp.asarray(val, a.dtype), a)

    def grad(self, node, output_grads):
        (a, val), (grad,) = node.inputs, output_grads
        if a.ndim > 2:
            return [ew.grad_not_implemented(self, 0, a, '%s: gradient is currently '
                                                        'implemented for matrices only'
                                            % type(self).__name__),
                    ew.grad_not_implemented(self, 1, val)]
        return [fill_diagonal(grad, 0), reduction.sum(diag(grad))]


def fill_diagonal(a, val):
    """``a`` with its main diagonal set to ``val``."""
    return FillDiagonal()(a, val)


class FillDiagonalOffset(Op):
    """A matrix ``a`` with its diagonal ``offset`` set to the scalar ``val``."""

    def make_node(self, a, val, offset):
        a, val, offset = (as_tensor_variable(v) for v in (a, val, offset))
        if a.ndim != 2:
            raise TypeError('%s: first parameter must have exactly two dimensions'
                            % type(self).__name__)
        if val.ndim != 0:
            raise TypeError('%s: second parameter must be a scalar' % type(self).__name__)
        if offset.ndim != 0:
            raise TypeError('%s: third parameter must be a scalar' % type(self).__name__)
        val = ew.cast(val, ew.upcast(a.dtype, val.dtype))
        if val.dtype != a.dtype:
            raise TypeError('%s: type of second parameter must be the same as the first\'s'
                            % type(self).__name__)
        if offset.dtype not in INT_DTYPES:
            raise TypeError('%s: type of third parameter must be as integer use '
                            'theano.tensor.cast( input, \'int32/int64\')' % type(self).__name__)
        return Apply(self, [a, val, offset], [a.type])

    def jax_impl(self, node, a, val, offset):
        return jnp.where(_diagonal_mask(a, offset), jnp.asarray(val, a.dtype), a)

    def grad(self, node, output_grads):
        offset, (grad,) = node.inputs[2], output_grads
        wr_val = reduction.sum(_diagonal_at(grad, offset))
        return [fill_diagonal_offset(grad, 0, offset), wr_val,
                ew.grad_undefined(self, 2, offset, 'offset is not defined for non-integer '
                                                   'offset so fill_diagonal_offset(a,val,'
                                                   'offset+eps) is undefined')]


def _diagonal_at(grad, offset):
    """The entries of the diagonal ``offset`` (possibly symbolic) of a matrix, as Theano's
    gradient takes them: a strided slice of the flattened matrix."""
    width, height = shape(grad)[1], shape(grad)[0]
    offset_abs = abs(offset)
    pos, neg = ew.ge(offset, 0), ew.lt(offset, 0)
    start = offset * pos + offset_abs * width * neg
    num_of_step = ew.minimum(ew.minimum(width, height), width * pos + height * neg - offset_abs)
    step = width + 1
    end = start + step * num_of_step
    start, step, end = (ew.cast(v, 'int64') for v in (start, step, end))
    return getitem(flatten(grad), (slice(start, end, step),))


def fill_diagonal_offset(a, val, offset):
    """A matrix ``a`` with its diagonal ``offset`` set to ``val``."""
    return FillDiagonalOffset()(a, val, offset)


__all__ = ['CumOp', 'CumsumOp', 'CumprodOp', 'cumsum', 'cumprod', 'DiffOp', 'diff', 'RepeatOp',
           'repeat', 'bincount', 'squeeze', 'compress', 'to_one_hot', 'Unique', 'unique',
           'UnravelIndex', 'unravel_index', 'RavelMultiIndex', 'ravel_multi_index',
           'SearchsortedOp', 'searchsorted', 'Bartlett', 'bartlett', 'CpuContiguous',
           'cpu_contiguous', 'ExtractDiag', 'AllocDiag', 'diagonal', 'diag', 'trace',
           'FillDiagonal', 'fill_diagonal', 'FillDiagonalOffset', 'fill_diagonal_offset']
