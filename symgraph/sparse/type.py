"""SparseType and sparse variables: CSR and CSC matrices fed with ``scipy.sparse`` values.

Inside the compiled program a sparse value is a ``jax.experimental.sparse.BCSR``: a CSR
matrix holds its own (data, indices, indptr); a CSC matrix holds the same three arrays,
which are the CSR arrays of its transpose, so its BCSR has the transposed shape. XLA needs
every array length when it compiles, so the arrays have a *capacity*: entries past
``indptr[-1]`` (the true nnz) are padding, which every op ignores and which is dropped
when a value goes back to scipy. A value passed in is padded to the next of eight steps
per power of two (at most 12.5 % more entries), so calls whose nnz varies compile one
program per step met, not one per nnz; a result computed in the program
(``csr_from_dense``, ``x + y``) has the capacity its inputs bound it by.
"""
import numpy as np
import scipy.sparse
from jax.experimental import sparse as jsparse

from symgraph.config import config
from symgraph.graph.basic import Constant, Type, Variable, format_trace, user_frame
from symgraph.tensor.type import check_dtype

FORMATS = {'csr': scipy.sparse.csr_matrix, 'csc': scipy.sparse.csc_matrix}
DTYPES = ('int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
          'float32', 'float64', 'complex64', 'complex128')


def capacity(nnz):
    """The padded length for ``nnz`` entries: ``nnz`` rounded up to one of eight steps
    per power of two (16 at least)."""
    if nnz <= 16:
        return 16
    step = 1 << max(int(nnz - 1).bit_length() - 4, 0)
    return -(-nnz // step) * step


def stored_shape(format, shape):
    """The shape of the BCSR that holds a matrix of ``shape`` in ``format``."""
    return tuple(shape) if format == 'csr' else tuple(shape)[::-1]


def to_bcsr(matrix, format, pad=True):
    """A scipy matrix (already in ``format``) as the BCSR the program takes, padded."""
    nnz = matrix.nnz
    size = capacity(nnz) if pad else nnz
    data = np.zeros(size, matrix.dtype)
    data[:nnz] = matrix.data[:nnz]
    indices = np.zeros(size, np.int32)
    indices[:nnz] = matrix.indices[:nnz]
    return jsparse.BCSR((data, indices, np.asarray(matrix.indptr, np.int32)),
                        shape=stored_shape(format, matrix.shape))


def from_bcsr(value, format):
    """A program's BCSR as a scipy matrix of ``format``, without its padding."""
    data, indices, indptr = (np.asarray(a) for a in (value.data, value.indices, value.indptr))
    nnz = int(indptr[-1])
    return FORMATS[format]((data[:nnz].copy(), indices[:nnz].copy(), indptr.copy()),
                           shape=stored_shape(format, value.shape))


class SparseType(Type):
    """A sparse matrix of a dtype in a storage format (``'csr'`` or ``'csc'``), printed
    ``Sparse[float64, csr]`` as in Theano."""

    _props = ('format', 'dtype')
    ndim = 2
    broadcastable = (False, False)
    format_cls = FORMATS
    dtype_set = set(DTYPES)

    def __init__(self, format, dtype):
        dtype = check_dtype(dtype)
        if dtype not in DTYPES:
            raise NotImplementedError('unsupported dtype "%s" not in list %s'
                                      % (dtype, sorted(DTYPES)))
        if format not in FORMATS:
            raise NotImplementedError('unsupported format "%s" not in list %s'
                                      % (format, sorted(FORMATS)))
        self.format = format
        self.dtype = dtype

    @property
    def numpy_dtype(self):
        return np.dtype(self.dtype)

    def __str__(self):
        return 'Sparse[%s, %s]' % (self.dtype, self.format)

    __repr__ = __str__

    def filter(self, value, strict=False, allow_downcast=None, owner=None):
        """``value`` as a scipy matrix of this format and dtype (Theano's filter: another
        format is converted, another dtype only with ``allow_downcast``)."""
        cls = FORMATS[self.format]
        if isinstance(value, cls) and value.dtype == self.dtype:
            return value
        who = '%s: ' % owner if owner else ''
        if strict:
            raise TypeError('%s%s expects exactly a scipy.sparse.%s_matrix of dtype %s '
                            '(strict), got %s' % (who, self, self.format, self.dtype,
                                                  _describe(value)))
        if not scipy.sparse.issparse(value):
            raise TypeError('%s%s expects a scipy.sparse matrix, got %s'
                            % (who, self, _describe(value)))
        if allow_downcast:
            return cls(value, dtype=self.dtype)
        converted = cls(value)
        if converted.dtype != self.dtype:
            if np.can_cast(converted.dtype, self.dtype, casting='safe'):
                return converted.astype(self.dtype)
            raise TypeError('%s%s cannot store a sparse matrix of dtype %s without risking '
                            'loss of precision; cast it to %s or pass allow_input_downcast='
                            'True' % (who, self, converted.dtype, self.dtype))
        return converted

    def to_program(self, value):
        """A filtered value as the program takes it (see the module docstring)."""
        return to_bcsr(value, self.format)

    def from_program(self, value):
        """A program's result as the scipy matrix a function returns."""
        return from_bcsr(value, self.format)

    def describe_value(self, value):
        if scipy.sparse.issparse(value):
            return 'format %s, dtype %s, shape %s and %d stored entries' % (
                value.format, value.dtype, value.shape, value.nnz)
        return _describe(value)

    def make_variable(self, name=None):
        return self(name)


def _describe(value):
    if scipy.sparse.issparse(value):
        return 'a %s_matrix of dtype %s' % (value.format, value.dtype)
    return 'a %s' % type(value).__name__


class _SparseOperators:
    """What a sparse variable can do, as Theano's ``_sparse_py_operators``."""

    @property
    def T(self):
        return _S.transpose(self)

    def astype(self, dtype):
        return _S.cast(self, dtype)

    def __neg__(self):
        return _S.neg(self)

    def __add__(self, other):
        return _S.add(self, other)

    def __radd__(self, other):
        return _S.add(other, self)

    def __sub__(self, other):
        return _S.sub(self, other)

    def __rsub__(self, other):
        return _S.sub(other, self)

    def __mul__(self, other):
        return _S.mul(self, other)

    def __rmul__(self, other):
        return _S.mul(other, self)

    def __lt__(self, other):
        return _S.lt(self, other)

    def __le__(self, other):
        return _S.le(self, other)

    def __gt__(self, other):
        return _S.gt(self, other)

    def __ge__(self, other):
        return _S.ge(self, other)

    def __dot__(self, other):
        return _S.structured_dot(self, other)

    def __rdot__(self, other):
        return _S.structured_dot(other, self)

    def toarray(self):
        return _S.dense_from_sparse(self)

    @property
    def shape(self):
        from symgraph.tensor.basic import shape  # the dense shape, as Theano's
        return shape(_S.dense_from_sparse(self))

    ndim = 2
    broadcastable = (False, False)

    @property
    def dtype(self):
        return self.type.dtype

    @property
    def format(self):
        return self.type.format

    @property
    def size(self):
        return _S.csm_data(self).size

    def zeros_like(self):
        return _S.sp_zeros_like(self)

    def eval(self, inputs_to_values=None):
        """Compute this variable for the given ``{input: value}`` (for quick checks)."""
        from symgraph.compile.interpreter import evaluate  # upward: compile/ is above
        return evaluate([self], inputs_to_values or {})[0]

    __hash__ = Variable.__hash__


class SparseVariable(_SparseOperators, Variable):
    """A symbolic sparse matrix. Printed ``SparseVariable{csr,float64}`` whatever its name,
    as Theano prints it."""

    def __str__(self):
        return '%s{%s,%s}' % (type(self).__name__, self.format, self.dtype)

    __repr__ = __str__


class SparseConstant(_SparseOperators, Constant):
    """A scipy matrix as a constant of a graph (``theano.sparse.constant``)."""

    def signature(self):
        d = self.data
        return (self.type, d.shape, d.data.tobytes(), d.indices.tobytes(), d.indptr.tobytes())

    def __str__(self):
        return '%s{%s,%s,shape=%s,nnz=%s}' % (type(self).__name__, self.format, self.dtype,
                                              self.data.shape, self.data.nnz)

    __repr__ = __str__


SparseType.variable_class = SparseVariable


def constant(x, name=None):
    """A scipy matrix as a SparseConstant."""
    if not isinstance(x, tuple(FORMATS.values())):
        raise TypeError('sparse.constant must be called on a scipy.sparse csr_matrix or '
                        'csc_matrix, not %s' % _describe(x))
    return SparseConstant(SparseType(x.format, x.dtype), x.copy(), name=name)


def as_sparse_variable(x, name=None):
    """``x`` (a sparse variable or a scipy matrix) as a sparse variable."""
    if isinstance(x, Variable):
        if not isinstance(x.type, SparseType):
            raise TypeError('Variable type field must be a SparseType: %s has type %s.\n'
                            'It was created at:\n%s' % (x, x.type,
                                                        format_trace(x.creation_trace)))
        return x
    if scipy.sparse.issparse(x):
        return constant(FORMATS[x.format](x) if x.format in FORMATS else x.tocsr(), name)
    raise TypeError('Cannot convert %s to a SparseType variable; called at:\n%s'
                    % (_describe(x), format_trace(user_frame())))


as_sparse = as_sparse_variable


def matrix(format, name=None, dtype=None):
    """A symbolic sparse matrix of ``format`` ('csr' or 'csc'); dtype floatX by default."""
    return SparseType(format, dtype or config.floatX)(name)


def csr_matrix(name=None, dtype=None):
    return matrix('csr', name, dtype)


def csc_matrix(name=None, dtype=None):
    return matrix('csc', name, dtype)


csc_dmatrix = SparseType('csc', 'float64')
csr_dmatrix = SparseType('csr', 'float64')
csc_fmatrix = SparseType('csc', 'float32')
csr_fmatrix = SparseType('csr', 'float32')

all_dtypes = SparseType.dtype_set
complex_dtypes = [t for t in DTYPES if t.startswith('complex')]
float_dtypes = [t for t in DTYPES if t.startswith('float')]
int_dtypes = [t for t in DTYPES if t.startswith('int')]
uint_dtypes = [t for t in DTYPES if t.startswith('uint')]
integer_dtypes = int_dtypes + uint_dtypes
continuous_dtypes = complex_dtypes + float_dtypes
discrete_dtypes = int_dtypes + uint_dtypes

__all__ = ['SparseType', 'SparseVariable', 'SparseConstant', 'as_sparse_variable', 'as_sparse',
           'constant', 'matrix', 'csr_matrix', 'csc_matrix', 'csc_dmatrix', 'csr_dmatrix',
           'csc_fmatrix', 'csr_fmatrix', 'all_dtypes', 'complex_dtypes', 'float_dtypes',
           'int_dtypes', 'uint_dtypes', 'integer_dtypes', 'continuous_dtypes',
           'discrete_dtypes']

_S = None  # the symgraph.sparse package, bound by its __init__ (the variable methods)
