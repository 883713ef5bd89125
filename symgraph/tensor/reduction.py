"""Reductions: Sum, Prod, Any, All, MaxAndArgmax, and mean/var/std/min/argmin built from them as in Theano."""
import jax.numpy as jnp
import numpy as np

from symgraph.graph.basic import Apply, Op
from symgraph.tensor import elemwise as ew
from symgraph.tensor.shape import shape
from symgraph.tensor.type import TensorType, check_dtype
from symgraph.tensor.var import as_tensor_variable, constant

# Theano accumulates small types in a wider one and returns ints as int64.
_ACC_DTYPE = dict(bool='int64', int8='int64', int16='int64', int32='int64', int64='int64',
                  uint8='uint64', uint16='uint64', uint32='uint64', uint64='uint64',
                  float16='float32', float32='float64', float64='float64',
                  complex64='complex128', complex128='complex128')
_OUT_DTYPE = dict(_ACC_DTYPE, float16='float16', float32='float32', complex64='complex64')


def normalize_axes(x, axis):
    """A sorted list of non-negative axes of ``x``, or None for 'all axes'."""
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)):
        axis = [axis]
    if not isinstance(axis, (list, tuple, np.ndarray)):
        raise TypeError('axis must be an integer or a list of integers, got %r' % (axis,))
    axes = []
    for a in axis:
        if not isinstance(a, (int, np.integer)):
            raise TypeError('axis must be an integer or a list of integers, got %r' % (a,))
        if not -x.ndim <= a < x.ndim:
            raise ValueError('axis %d is out of range for %s, which has %d dimensions'
                             % (a, x, x.ndim))
        axes.append(int(a) % x.ndim)
    return sorted(set(axes))


def _reduced_broadcastable(x, axes):
    return tuple(b for d, b in enumerate(x.broadcastable) if axes is not None and d not in axes)


def _keep_dims(x, out, axes):
    """Re-insert reduced axes as broadcastable ones, as Theano's makeKeepDims does."""
    axes = range(x.ndim) if axes is None else axes
    pattern, kept = [], 0
    for d in range(x.ndim):
        if d in axes:
            pattern.append('x')
        else:
            pattern.append(kept)
            kept += 1
    return ew.DimShuffle(out.broadcastable, pattern)(out)


class CAReduce(Op):
    """A commutative-associative reduction over ``axis`` (None: all axes)."""

    __props__ = ('axis', 'dtype', 'acc_dtype')
    jax_reduce = None

    def __init__(self, axis=None, dtype=None, acc_dtype=None):
        self.axis = None if axis is None else tuple(axis)
        self.dtype = dtype
        self.acc_dtype = acc_dtype

    def __str__(self):
        axis = '' if self.axis is None else 'axis=[%s], ' % ', '.join(str(a) for a in self.axis)
        return '%s{%sacc_dtype=%s}' % (type(self).__name__, axis, self.acc_dtype)

    def make_node(self, x):
        x = as_tensor_variable(x)
        for a in self.axis or ():
            if a >= x.ndim:
                raise ValueError('%s: axis %d out of range for %s with %d dimensions'
                                 % (self, a, x, x.ndim))
        node = Apply(self, [x], [TensorType(self.dtype, _reduced_broadcastable(x, self.axis))])
        node.outputs[0].static_shape = tuple(
            s for d, s in enumerate(x.static_shape) if self.axis is not None and d not in self.axis)
        return node

    def jax_impl(self, node, x):
        return ew.on_host(self._compute, node, [x])

    def _compute(self, node, values):
        result = type(self).jax_reduce(values[0].astype(self.acc_dtype), axis=self.axis)
        return result.astype(self.dtype)


class Sum(CAReduce):
    jax_reduce = staticmethod(jnp.sum)

    def grad(self, node, output_grads):
        (x,), (gout,) = node.inputs, output_grads
        if x.dtype in ew.DISCRETE_DTYPES:
            return [None]
        g = _keep_dims(x, gout, self.axis)
        return [ew.second(x, g)]


class Prod(CAReduce):
    jax_reduce = staticmethod(jnp.prod)

    def __str__(self):
        return 'Prod{axis=%r, dtype=%r, acc_dtype=%r}' % (self.axis, self.dtype, self.acc_dtype)

    def grad(self, node, output_grads):
        (x,), (gout,) = node.inputs, output_grads
        if x.dtype in ew.DISCRETE_DTYPES:
            return [None]
        # Exact with zeros: a zero's gradient is the product of the other factors.
        is_zero = ew.eq(x, 0)
        nonzero_x = ew.switch(is_zero, ew.ones_like(x), x)
        prod_nonzero = _keep_dims(x, prod(nonzero_x, axis=self.axis), self.axis)
        n_zeros = _keep_dims(x, sum(is_zero, axis=self.axis), self.axis)
        no_zero = ew.true_div(prod_nonzero, nonzero_x)
        one_zero = ew.switch(is_zero, prod_nonzero, ew.zeros_like(x))
        local = ew.switch(ew.eq(n_zeros, 0), no_zero,
                          ew.switch(ew.eq(n_zeros, 1), one_zero, ew.zeros_like(x)))
        g = _keep_dims(x, gout, self.axis)
        return [ew.cast(ew.mul(local, g), x.dtype)]


class _Logical(CAReduce):
    """A logical reduction (Any, All): of ``x != 0`` unless ``x`` is boolean, giving a
    boolean; printed ``Any``, ``All{1}``."""

    __props__ = ('axis',)

    def __init__(self, axis=None):
        super().__init__(axis, 'bool', 'bool')

    def __str__(self):
        name = type(self).__name__
        return name if self.axis is None else '%s{%s}' % (name, ', '.join(map(str, self.axis)))

    def make_node(self, x):
        x = as_tensor_variable(x)
        if x.dtype != 'bool':
            x = ew.neq(x, 0)
        return super().make_node(x)

    def grad(self, node, output_grads):
        return [ew.zeros_like(node.inputs[0], 'float64')]


class Any(_Logical):
    jax_reduce = staticmethod(jnp.any)


class All(_Logical):
    jax_reduce = staticmethod(jnp.all)


class MaxAndArgmax(Op):
    """The maximum and its position along ``axis`` (outputs named 'max' and 'argmax')."""

    __props__ = ('axis',)

    def __init__(self, axis):
        self.axis = tuple(axis)

    def make_node(self, x):
        x = as_tensor_variable(x)
        bcast = _reduced_broadcastable(x, self.axis)
        node = Apply(self, [x], [TensorType(x.dtype, bcast), TensorType('int64', bcast)])
        node.outputs[0].name, node.outputs[1].name = 'max', 'argmax'
        kept = tuple(s for d, s in enumerate(x.static_shape) if d not in self.axis)
        for out in node.outputs:
            out.static_shape = kept
        return node

    def jax_impl(self, node, x):
        kept = [d for d in range(x.ndim) if d not in self.axis]
        moved = jnp.transpose(x, kept + list(self.axis))
        reduced = int(np.prod(moved.shape[len(kept):]))  # (a -1 would divide by a zero size)
        flat = jnp.reshape(moved, moved.shape[:len(kept)] + (reduced,))
        return jnp.max(flat, axis=-1), jnp.argmax(flat, axis=-1).astype('int64')

    def grad(self, node, output_grads):
        (x,) = node.inputs
        gmax = output_grads[0]
        if gmax is None:
            return [None]
        full_max = _keep_dims(x, node.outputs[0], self.axis)
        g = _keep_dims(x, gmax, self.axis)
        return [ew.mul(g, ew.eq(x, full_max))]


def _reduce(op_class, x, axis, dtype, acc_dtype, keepdims):
    x = as_tensor_variable(x)
    axes = normalize_axes(x, axis)
    acc = check_dtype(acc_dtype) if acc_dtype else _ACC_DTYPE[x.dtype]
    out_dtype = check_dtype(dtype) if dtype else _OUT_DTYPE[x.dtype]
    out = op_class(axis=axes, dtype=out_dtype, acc_dtype=acc)(x)
    return _keep_dims(x, out, axes) if keepdims else out


def sum(x, axis=None, dtype=None, keepdims=False, acc_dtype=None):
    """Sum over ``axis`` (all axes by default), accumulating as Theano does."""
    return _reduce(Sum, x, axis, dtype, acc_dtype, keepdims)


def prod(x, axis=None, dtype=None, keepdims=False, acc_dtype=None):
    return _reduce(Prod, x, axis, dtype, acc_dtype, keepdims)


def _logical(op_class, x, axis, keepdims):
    x = as_tensor_variable(x)
    axes = normalize_axes(x, axis)
    out = op_class(axes)(x)
    return _keep_dims(x, out, axes) if keepdims else out


def any(x, axis=None, keepdims=False):
    """Whether any entry is nonzero, over ``axis`` (all axes by default)."""
    return _logical(Any, x, axis, keepdims)


def all(x, axis=None, keepdims=False):
    """Whether every entry is nonzero, over ``axis`` (all axes by default)."""
    return _logical(All, x, axis, keepdims)


def max_and_argmax(x, axis=None, keepdims=False):
    x = as_tensor_variable(x)
    axes = normalize_axes(x, axis)
    out, arg = MaxAndArgmax(range(x.ndim) if axes is None else axes)(x)
    if keepdims:
        out, arg = _keep_dims(x, out, axes), _keep_dims(x, arg, axes)
    return [out, arg]


def max(x, axis=None, keepdims=False):
    return max_and_argmax(x, axis, keepdims)[0]


def argmax(x, axis=None, keepdims=False):
    return max_and_argmax(x, axis, keepdims)[1]


def _order_reversed(x):
    """``x`` mapped by a decreasing function, Theano's way for each kind of dtype: ``-x``,
    ``~x`` for booleans, ``largest - x`` for unsigned integers; and its inverse."""
    x = as_tensor_variable(x)
    if x.dtype == 'bool':
        return ew.invert(x), ew.invert
    if x.dtype.startswith('uint'):
        largest = constant(np.iinfo(x.dtype).max, dtype=x.dtype)
        return ew.sub(largest, x), lambda y: ew.sub(largest, y)
    return ew.neg(x), ew.neg


def min(x, axis=None, keepdims=False):
    """``-max(-x)``, the way Theano builds it."""
    reversed_x, undo = _order_reversed(x)
    return undo(max(reversed_x, axis, keepdims))


def argmin(x, axis=None, keepdims=False):
    return argmax(_order_reversed(x)[0], axis, keepdims)


def mean(x, axis=None, dtype=None, keepdims=False, acc_dtype=None):
    """``sum(x) / cast(shape(x)[i])`` for each reduced axis, so the count stays symbolic."""
    x = as_tensor_variable(x)
    s = sum(x, axis=axis, dtype=dtype, keepdims=keepdims, acc_dtype=acc_dtype)
    shp = ew.cast(shape(x), 'float32' if s.dtype in ('float16', 'float32', 'complex64')
                  else 'float64')
    axes = normalize_axes(x, axis)
    for i in range(x.ndim) if axes is None else axes:
        s = ew.true_div(s, shp[i])
    if s.dtype != shp.dtype and s.dtype in ew.DISCRETE_DTYPES:
        s = ew.cast(s, shp.dtype)
    if dtype == 'float16' or (dtype is None and x.dtype == 'float16'):
        s = ew.cast(s, 'float16')
    s.name = 'mean'
    return s


def var(x, axis=None, ddof=0, keepdims=False):
    """Mean squared deviation from the mean, divided by n - ddof as numpy does.

    n is the number of reduced elements; Theano 1.0 divided by the product of
    (length - ddof) over the reduced axes instead, which is wrong for several axes.
    """
    x = as_tensor_variable(x)
    axes = list(range(x.ndim)) if axis is None else normalize_axes(x, axis)
    centered = ew.sub(x, mean(x, axes, keepdims=True))
    squared = ew.pow(centered, constant(2, dtype=centered.dtype))
    if ddof == 0:
        v = mean(squared, axes, keepdims=keepdims)
    else:
        v = sum(squared, axis=axes, keepdims=keepdims)
        count = constant(1, dtype='int64')
        for i in axes:
            count = ew.mul(count, shape(x)[i])
        v = ew.true_div(v, ew.sub(count, ddof))
    v.name = 'var'
    return v


def std(x, axis=None, ddof=0, keepdims=False):
    out = ew.sqrt(var(x, axis=axis, ddof=ddof, keepdims=keepdims))
    out.name = 'std'
    return out
