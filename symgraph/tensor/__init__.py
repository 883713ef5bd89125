"""The tensor vocabulary: ``import symgraph.tensor as T``."""
from symgraph.tensor.type import TensorType
from symgraph.tensor.var import TensorVariable, TensorConstant, as_tensor_variable, constant
from symgraph.tensor.shape import Shape, Reshape, shape, reshape
from symgraph.tensor.basic import (CONSTRUCTORS, tensor, flatten, alloc, zeros, ones, eye,
                                   identity_like, arange, join, concatenate, stack, dot, outer,
                                   tensordot, patternbroadcast, unbroadcast, addbroadcast,
                                   MakeVector, Alloc, ARange, Join, Dot, Rebroadcast,
                                   SpecifyShape, specify_shape)
from symgraph.tensor.elemwise import (ELEMWISE_FUNCTIONS, Elemwise, DimShuffle, BroadcastError,
                                      floor_div, round, clip, cast, fill, second, zeros_like,
                                      ones_like, dimshuffle, transpose)
from symgraph.tensor.reduction import (sum, prod, mean, max, min, argmax, argmin, max_and_argmax,
                                       var, std, Sum, Prod, MaxAndArgmax)
from symgraph.tensor.subtensor import (set_subtensor, inc_subtensor, Subtensor, IncSubtensor, AllocEmpty,
                                       AdvancedSubtensor, AdvancedSubtensor1,
                                       AdvancedIncSubtensor, AdvancedIncSubtensor1)
from symgraph.tensor.sharedvar import shared, SharedVariable
from symgraph.tensor import nnet, signal, xlogx

globals().update(CONSTRUCTORS)
globals().update(ELEMWISE_FUNCTIONS)  # add, exp, ...: declared each in one block there
abs = abs_
true_divide = true_div


def grad(*args, **kwargs):
    """``T.grad``: see symgraph.gradient.grad."""
    from symgraph.gradient import grad as _grad  # upward call: gradient.py is above tensor/
    return _grad(*args, **kwargs)
