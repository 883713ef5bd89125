"""The tensor vocabulary: ``import symgraph.tensor as T``."""
from symgraph.graph.basic import Apply, Constant, Op, Type, Variable
from symgraph.tensor.type import TensorType
from symgraph.tensor.var import TensorVariable, TensorConstant, as_tensor_variable, constant
from symgraph.tensor.shape import Shape, Reshape, shape, reshape
from symgraph.tensor.basic import (CONSTRUCTORS, tensor, flatten, alloc, zeros, ones, eye,
                                   identity_like, arange, join, concatenate, stack, stacklists,
                                   dot, outer, tensordot, batched_dot, batched_tensordot,
                                   patternbroadcast, unbroadcast, addbroadcast, MakeVector,
                                   Alloc, ARange, Join, Dot, BatchedDot, Rebroadcast,
                                   SpecifyShape, specify_shape, where, isnan, isinf, isclose,
                                   allclose, Nonzero, nonzero, flatnonzero, nonzero_values,
                                   shape_padleft, shape_padright, shape_padaxis, swapaxes, tile,
                                   roll, mgrid, ogrid, Tri, tri, tril, triu, Choose, choose,
                                   Split, split, as_tensor, smallest, largest,
                                   horizontal_stack, vertical_stack, ptp, power, iround,
                                   ceil_intdiv)
from symgraph.tensor.elemwise import (ELEMWISE_FUNCTIONS, Elemwise, DimShuffle, BroadcastError,
                                      floor_div, round, clip, cast, fill, second, zeros_like,
                                      ones_like, dimshuffle, transpose)
from symgraph.tensor.reduction import (sum, prod, mean, max, min, argmax, argmin, max_and_argmax,
                                       var, std, any, all, Sum, Prod, Any, All, MaxAndArgmax)
from symgraph.tensor.subtensor import (set_subtensor, inc_subtensor, Subtensor, IncSubtensor, AllocEmpty,
                                       take,
                                       AdvancedSubtensor, AdvancedSubtensor1,
                                       AdvancedIncSubtensor, AdvancedIncSubtensor1)
from symgraph.tensor.sharedvar import shared, SharedVariable
from symgraph.tensor.sort import sort, argsort, SortOp, ArgSortOp
from symgraph.tensor.extra_ops import (DiffOp, bincount, squeeze, repeat, bartlett,
                                       fill_diagonal, fill_diagonal_offset, cumsum, cumprod,
                                       unravel_index, ravel_multi_index, ExtractDiag, AllocDiag,
                                       diag, diagonal, trace)
from symgraph.tensor import extra_ops, fft, nlinalg, nnet, signal, slinalg, xlogx
from symgraph.tensor import raw_random, shared_randomstreams
from symgraph.tensor.raw_random import permute_row_elements

globals().update(CONSTRUCTORS)
globals().update(ELEMWISE_FUNCTIONS)  # add, exp, ...: declared each in one block there
abs = abs_
square = sqr
true_divide = true_div


def grad(*args, **kwargs):
    """``T.grad``: see symgraph.gradient.grad."""
    from symgraph.gradient import grad as _grad  # upward call: gradient.py is above tensor/
    return _grad(*args, **kwargs)


def _from_gradient(name):
    """``T.jacobian``, ``T.hessian``, ``T.Lop``, ``T.Rop``... where Theano users find them:
    symgraph.gradient's functions, reached when called (gradient.py is above tensor/)."""
    def call(*args, **kwargs):
        from symgraph import gradient  # upward call, as for grad
        return getattr(gradient, name)(*args, **kwargs)
    call.__name__ = name
    call.__doc__ = '``T.%s``: see symgraph.gradient.%s.' % (name, name)
    return call


jacobian, hessian, Lop, Rop, consider_constant, verify_grad = (
    _from_gradient(n) for n in ('jacobian', 'hessian', 'Lop', 'Rop', 'consider_constant',
                                'verify_grad'))
