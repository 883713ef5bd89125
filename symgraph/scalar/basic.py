"""``theano.scalar`` (and ``theano.scalar.basic``): Theano's scalar types, constants and operations, as far as client
code uses them.

symgraph has no type system of its own for scalars: a Theano scalar is a 0-d tensor here,
so ``theano.scalar.float64('x')`` enters any tensor expression. Its type prints as its
dtype (``float64``), as Theano's scalar types do, and the operations
(``theano.scalar.add``, ``exp``, ``switch``...) are the elementwise ops on 0-d inputs,
printed by their scalar name (``add.0``). Where Theano builds scalar graphs from the
operators of a scalar variable (``x + y``), symgraph builds tensor ones (printed
``Elemwise{add,no_inplace}``).
"""
from symgraph.tensor.elemwise import SCALAR_OPS, Elemwise, ScalarOp
from symgraph.tensor.type import (ALL_DTYPES, DISCRETE_DTYPES, FLOAT_DTYPES, INT_DTYPES,
                                  IndexScalarType, upcast)
from symgraph.tensor.var import TensorConstant, TensorVariable, as_tensor_variable
from symgraph.tensor.var import constant as _constant

__all__ = ['Scalar', 'ScalarVariable', 'ScalarConstant', 'ScalarOp', 'get_scalar_type',
           'constant', 'as_scalar', 'upcast', 'all_types', 'float_types', 'int_types',
           'discrete_types', 'complex_types', 'continuous_types', 'bool', 'int8', 'int16',
           'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'float16', 'float32',
           'float64', 'complex64', 'complex128']


class Scalar(IndexScalarType):
    """A 0-d type printed as its dtype, as Theano's ``Scalar`` types are; equal to the
    0-d TensorType of that dtype."""

    def __repr__(self):
        return self.dtype


ScalarVariable = TensorVariable
ScalarConstant = TensorConstant


def get_scalar_type(dtype):
    return Scalar(dtype)


bool = Scalar('bool')  # noqa: A001 (Theano's name)
int8, int16, int32, int64 = (Scalar(d) for d in ('int8', 'int16', 'int32', 'int64'))
uint8, uint16, uint32, uint64 = (Scalar(d) for d in ('uint8', 'uint16', 'uint32', 'uint64'))
float16, float32, float64 = (Scalar(d) for d in ('float16', 'float32', 'float64'))
complex64, complex128 = Scalar('complex64'), Scalar('complex128')
_TYPES = {t.dtype: t for t in (bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
                               float16, float32, float64, complex64, complex128)}
all_types = [_TYPES[d] for d in ALL_DTYPES]
float_types = [_TYPES[d] for d in FLOAT_DTYPES]
int_types = [_TYPES[d] for d in INT_DTYPES]
discrete_types = [_TYPES[d] for d in DISCRETE_DTYPES]
complex_types = [_TYPES['complex64'], _TYPES['complex128']]
continuous_types = float_types + complex_types


def constant(x, name=None, dtype=None):
    """A 0-d constant."""
    result = _constant(x, name=name, dtype=dtype)
    if result.ndim != 0:
        raise TypeError('theano.scalar.constant takes a number, not %r' % (x,))
    return result


def as_scalar(x, name=None):
    """``x`` as a 0-d variable (numbers become constants)."""
    result = as_tensor_variable(x, name=name)
    if result.ndim != 0:
        raise TypeError('Cannot convert %s of type %s to a scalar: it has %d dimensions'
                        % (result, result.type, result.ndim))
    return result


def _scalar_function(op):
    applied = Elemwise(op, name=op.name)

    def apply(*inputs):
        return applied(*[as_scalar(i) for i in inputs])
    apply.__name__ = op.name
    apply.__doc__ = 'The scalar op %s applied to 0-d inputs.' % op.name
    return apply


for _name, _op in SCALAR_OPS.items():
    if _name.isidentifier() and _name not in globals():
        globals()[_name] = _scalar_function(_op)
        __all__.append(_name)
