"""The shape of a tensor and reshaping: ``Shape`` (``x.shape``) and ``Reshape``.

Below reduction.py and basic.py, which both need ``shape(x)`` (``mean`` counts the
reduced elements symbolically, ``Alloc`` and ``Join`` differentiate through shapes).
"""
import jax
import jax.numpy as jnp
import numpy as np

from symgraph.graph.basic import Apply, Op
from symgraph.tensor.type import DISCRETE_DTYPES, TensorType
from symgraph.tensor.var import TensorConstant, TensorVariable, as_tensor_variable


class Shape(Op):
    """The shape of a tensor as an int64 vector (concrete at trace time under jit)."""

    def make_node(self, x):
        x = as_tensor_variable(x)
        node = Apply(self, [x], [TensorType('int64', (False,))])
        node.outputs[0].static_shape = (x.ndim,)
        return node

    def jax_impl(self, node, x):
        return np.asarray(x.shape, dtype='int64')

    def grad(self, node, output_grads):
        return [None]


_shape = Shape()


def shape(x):
    return _shape(x)


class Reshape(Op):
    """Reshape to a shape given as an int vector input (entries may be symbolic, -1 allowed)."""

    __props__ = ('ndim',)

    def __init__(self, ndim):
        self.ndim = ndim

    def __str__(self):
        return 'Reshape{%d}' % self.ndim

    def make_node(self, x, shp):
        x = as_tensor_variable(x)
        shp = as_tensor_variable(shp, ndim=1)
        if shp.dtype not in DISCRETE_DTYPES:
            raise TypeError('reshape: the new shape must be integers, got %s of type %s'
                            % (shp, shp.type))
        bcast = [False] * self.ndim
        if isinstance(shp, TensorConstant):
            bcast = [int(s) == 1 for s in shp.data]
        elif shp.owner is not None and getattr(shp.owner.op, 'entries_are_inputs', False):
            # As in Theano: an entry known to be 1 (reshape(x, (n, 1))) is broadcastable.
            bcast = [_constant_scalar(s) == 1 for s in shp.owner.inputs]
        node = Apply(self, [x, shp], [TensorType(x.dtype, bcast)])
        if isinstance(shp, TensorConstant):
            node.outputs[0].static_shape = tuple(None if s == -1 else int(s) for s in shp.data)
        return node

    def static_inputs(self, node):
        """The new shape is needed when tracing; one computed from the call's arguments
        (``reshape(x, (n, -1))`` for an input ``n``) is worked out before the call."""
        return (1,)

    def jax_impl(self, node, x, shp):
        if isinstance(shp, jax.core.Tracer):
            raise TypeError('reshape: the new shape of %s depends on the value of a function '
                            'input, so it is not known when the function is compiled; compute '
                            'it from shapes and constants only (e.g. x.shape[0] * 2)'
                            % node.outputs[0])
        new_shape = tuple(int(s) for s in np.asarray(shp))
        try:
            return jnp.reshape(x, new_shape)
        except TypeError as err:  # numpy and Theano raise ValueError for a size mismatch
            raise ValueError('reshape: cannot reshape %s of shape %s into shape %s (%s)'
                             % (node.inputs[0], x.shape, new_shape, err)) from None

    def grad(self, node, output_grads):
        x = node.inputs[0]
        return [reshape(output_grads[0], shape(x), ndim=x.ndim), None]


def _constant_scalar(var):
    """The value of a constant scalar, seen through casts, or 1 for ``x.shape[i]`` of a
    broadcastable dimension i (Theano's get_scalar_constant_value, for what reshape needs);
    else None."""
    while var.owner is not None and len(var.owner.inputs) == 1 and \
            type(getattr(var.owner.op, 'scalar_op', None)).__name__ == 'Cast':
        var = var.owner.inputs[0]
    if isinstance(var, TensorConstant) and var.data.size == 1:
        return var.data.item()
    node = var.owner
    if node is not None and len(getattr(node.op, 'idx_list', ())) == 1 and \
            not isinstance(node.op.idx_list[0], slice) and len(node.inputs) == 2 and \
            node.inputs[0].owner is not None and isinstance(node.inputs[0].owner.op, Shape) \
            and isinstance(node.inputs[1], TensorConstant):
        x, dim = node.inputs[0].owner.inputs[0], int(node.inputs[1].data)
        if -x.ndim <= dim < x.ndim and x.broadcastable[dim]:
            return 1
    return None


def reshape(x, newshape, ndim=None):
    x = as_tensor_variable(x)
    if ndim is None:
        if isinstance(newshape, TensorVariable):
            if newshape.ndim != 1 or newshape.static_shape[0] is None:
                raise ValueError('reshape to a symbolic shape %s needs ndim=' % newshape)
            ndim = newshape.static_shape[0]
        else:
            newshape = [newshape] if np.isscalar(newshape) else newshape
            ndim = len(newshape)
    return Reshape(ndim)(x, as_tensor_variable(newshape))
