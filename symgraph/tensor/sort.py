"""Sorting: ``sort`` and ``argsort`` (Theano's SortOp and ArgSortOp, ``theano.tensor.sort``).

The axis is an input, as in Theano (printed ``TensorConstant{-1}``); it must be known when
the program is traced (a constant, or worked out before the call). XLA's sort is stable,
so ``argsort`` orders equal entries by position, as numpy's 'stable' kind does (numpy's
default quicksort does not promise any order for them).
"""
import jax.numpy as jnp
import numpy as np

from symgraph.graph.basic import Apply, Op
from symgraph.tensor import elemwise as ew
from symgraph.tensor.basic import arange, flatten
from symgraph.tensor.shape import reshape, shape
from symgraph.tensor.subtensor import getitem
from symgraph.tensor.type import INT_DTYPES, TensorType
from symgraph.tensor.var import as_tensor_variable


def _axis(node, axis):
    axis = int(np.asarray(axis))
    ndim = node.inputs[0].ndim
    if not -ndim <= axis < ndim:
        raise ValueError('sort: axis %d is out of range for %s, which has %d dimensions'
                         % (axis, node.inputs[0], ndim))
    return axis % ndim


class _SortBase(Op):
    __props__ = ('kind', 'order')

    def __init__(self, kind='quicksort', order=None):
        self.kind, self.order = kind, order
        if order is not None:
            raise NotImplementedError('sort: order= applies to structured arrays, which '
                                      'symgraph does not have')

    def __str__(self):
        return '%s{%s, %s}' % (type(self).__name__, self.kind, self.order)

    def _inputs(self, x, axis):
        x, axis = as_tensor_variable(x), as_tensor_variable(axis)
        if axis.ndim != 0 or axis.dtype not in INT_DTYPES:
            raise TypeError('sort axis must be an integer scalar, got %s of type %s'
                            % (axis, axis.type))
        return x, axis

    def static_inputs(self, node):
        return (1,)


class SortOp(_SortBase):
    """``x`` sorted along ``axis``."""

    def make_node(self, x, axis=-1):
        x, axis = self._inputs(x, axis)
        return Apply(self, [x, axis], [x.type])

    def jax_impl(self, node, x, axis):
        return jnp.sort(x, axis=_axis(node, axis))

    def grad(self, node, output_grads):
        (a, axis), (gout,) = node.inputs, output_grads
        ax = _axis(node, axis.data) if hasattr(axis, 'data') else None
        if ax is None:
            return [ew.grad_not_implemented(self, 0, a, 'the axis must be a constant'),
                    ew.grad_undefined(self, 1, axis)]
        # Each entry of ``a`` receives the gradient of the place it was sorted to.
        rev_idx = argsort(argsort(a, ax, self.kind), ax, self.kind)
        if a.ndim == 1:
            inp_grad = getitem(gout, (rev_idx,))
        else:
            indices = []
            for i in range(a.ndim):
                if i == ax:
                    indices.append(rev_idx)
                else:
                    index_shape = [1] * a.ndim
                    index_shape[i] = shape(a)[i]
                    indices.append(reshape(arange(shape(a)[i]), index_shape, ndim=a.ndim))
            inp_grad = getitem(gout, tuple(indices))
        return [inp_grad, ew.grad_undefined(self, 1, axis, 'The gradient of sort is not '
                                                           'defined with respect to the '
                                                           'integer axes itself')]


class ArgSortOp(_SortBase):
    """The int64 indices that sort ``x`` along ``axis``."""

    def make_node(self, x, axis=-1):
        x, axis = self._inputs(x, axis)
        return Apply(self, [x, axis], [TensorType('int64', x.broadcastable)])

    def jax_impl(self, node, x, axis):
        return jnp.argsort(x, axis=_axis(node, axis), stable=True).astype('int64')

    def grad(self, node, output_grads):
        inp, axis = node.inputs
        return [ew.zeros_like(inp),
                ew.grad_undefined(self, 1, axis, 'argsort is not defined for non-integer '
                                                 'axes so argsort(x, axis+eps) is undefined')]


def sort(a, axis=-1, kind='quicksort', order=None):
    """``a`` sorted along ``axis`` (the flattened array when None)."""
    if axis is None:
        a, axis = flatten(a), 0
    return SortOp(kind, order)(a, axis)


def argsort(a, axis=-1, kind='quicksort', order=None):
    """The indices that sort ``a`` along ``axis`` (of the flattened array when None)."""
    if axis is None:
        a, axis = flatten(a), 0
    return ArgSortOp(kind, order)(a, axis)
