"""The tensor vocabulary: ``import symgraph.tensor as T``."""
from symgraph.tensor.type import TensorType
from symgraph.tensor.var import TensorVariable, TensorConstant, as_tensor_variable, constant
from symgraph.tensor.shape import Shape, Reshape, shape, reshape
from symgraph.tensor.basic import (CONSTRUCTORS, tensor, flatten, alloc, zeros, ones, eye,
                                   identity_like, arange, join, concatenate, stack, dot, outer,
                                   tensordot, patternbroadcast, unbroadcast, addbroadcast,
                                   MakeVector, Alloc, ARange, Join, Dot, Rebroadcast,
                                   SpecifyShape, specify_shape)
from symgraph.tensor.elemwise import (Elemwise, DimShuffle, BroadcastError, add, sub, mul,
                                      true_div, int_div, floor_div, mod, pow, neg, abs_, exp, log,
                                      log1p, sqrt, sqr, tanh, sgn, floor, ceil, round, maximum,
                                      minimum, clip, eq, neq, lt, le, gt, ge, and_, or_, xor,
                                      invert, switch, cast, fill, second, zeros_like, ones_like,
                                      dimshuffle, transpose, xlogx as _xlogx_op,
                                      xlogy0 as _xlogy0_op)
from symgraph.tensor.reduction import (sum, prod, mean, max, min, argmax, argmin, max_and_argmax,
                                       var, std, Sum, Prod, MaxAndArgmax)
from symgraph.tensor.subtensor import (set_subtensor, inc_subtensor, Subtensor, IncSubtensor,
                                       AdvancedSubtensor, AdvancedSubtensor1,
                                       AdvancedIncSubtensor, AdvancedIncSubtensor1)
from symgraph.tensor.sharedvar import shared, SharedVariable
from symgraph.tensor import nnet, xlogx

globals().update(CONSTRUCTORS)
abs = abs_
true_divide = true_div


def grad(*args, **kwargs):
    """``T.grad``: see symgraph.gradient.grad."""
    from symgraph.gradient import grad as _grad  # upward call: gradient.py is above tensor/
    return _grad(*args, **kwargs)
