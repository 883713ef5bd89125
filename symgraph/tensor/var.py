"""TensorVariable (operators, ``.T``, ``.shape``, indexing, methods) and TensorConstant.

The methods build their nodes with the ops of the modules above this one, which all
import this module. As PyTensor's ``variable.py`` does, they reach those ops through one
late-bound reference to the ``symgraph.tensor`` package, ``_T``: it is read when a
method is called, when the package is complete, so this module imports none of them.
"""
import numpy as np

from symgraph import tensor as _T  # late binding: see the module docstring
from symgraph.graph.basic import Constant, Variable
from symgraph.tensor.type import TensorType, autocast_scalar


class TensorVariable(Variable):
    """A symbolic n-dimensional array. Operators build graph nodes; nothing is computed."""

    def __init__(self, type, owner=None, index=None, name=None, trace=None):
        super().__init__(type, owner, index, name, trace)
        self.static_shape = tuple(1 if b else None for b in type.broadcastable)

    # -- type information ---------------------------------------------------------------
    ndim = property(lambda self: self.type.ndim)
    dtype = property(lambda self: self.type.dtype)
    broadcastable = property(lambda self: self.type.broadcastable)

    @property
    def shape(self):
        return _T.shape(self)

    @property
    def size(self):
        return _T.prod(self.shape)

    @property
    def T(self):
        return _T.transpose(self)

    # -- arithmetic -----------------------------------------------------------------------
    # numpy_array + x: numpy hands the operation to x (x.__radd__) instead of looping over
    # the array with x as an object, as for Theano's variables.
    __array_priority__ = 1000

    # With another kind of variable (a sparse matrix), Python asks its reflected method.
    def __add__(self, other): return _elemwise('add')(self, other) if _ours(other) \
        else NotImplemented
    def __radd__(self, other): return _elemwise('add')(other, self)
    def __sub__(self, other): return _elemwise('sub')(self, other) if _ours(other) \
        else NotImplemented
    def __rsub__(self, other): return _elemwise('sub')(other, self)
    def __mul__(self, other): return _elemwise('mul')(self, other) if _ours(other) \
        else NotImplemented
    def __rmul__(self, other): return _elemwise('mul')(other, self)
    def __truediv__(self, other): return _elemwise('true_div')(self, other)
    def __rtruediv__(self, other): return _elemwise('true_div')(other, self)
    def __floordiv__(self, other): return _elemwise('int_div')(self, other)
    def __rfloordiv__(self, other): return _elemwise('int_div')(other, self)
    def __mod__(self, other): return _elemwise('mod')(self, other)
    def __rmod__(self, other): return _elemwise('mod')(other, self)
    def __pow__(self, other): return _elemwise('pow')(self, other)
    def __rpow__(self, other): return _elemwise('pow')(other, self)
    def __neg__(self): return _elemwise('neg')(self)
    def __abs__(self): return _elemwise('abs_')(self)
    def __lt__(self, other): return _comparison('lt', self, other)
    def __le__(self, other): return _comparison('le', self, other)
    def __gt__(self, other): return _comparison('gt', self, other)
    def __ge__(self, other): return _comparison('ge', self, other)
    def __and__(self, other): return _elemwise('and_')(self, other)
    def __rand__(self, other): return _elemwise('and_')(other, self)
    def __or__(self, other): return _elemwise('or_')(self, other)
    def __ror__(self, other): return _elemwise('or_')(other, self)
    def __xor__(self, other): return _elemwise('xor')(self, other)
    def __rxor__(self, other): return _elemwise('xor')(other, self)
    def __invert__(self): return _elemwise('invert')(self)

    # Comparisons build graphs, so variables are hashed by identity.
    __hash__ = Variable.__hash__

    # As in Theano, ``if W:`` holds for every variable, so that code testing whether a
    # parameter was given works; only the result of a comparison operator refuses, since
    # ``a < b < c`` means ``(a < b) and (b < c)`` and would silently drop ``a < b``.
    _refuses_truth = False

    def __bool__(self):
        if self._refuses_truth:
            raise TypeError('Variables do not support boolean operations. The truth value of '
                            'the comparison %s is not known until it is computed: combine '
                            'conditions with T.and_, T.or_ or T.switch (a < b < c is '
                            'T.and_(a < b, b < c)).' % self)
        return True

    def __iter__(self):
        """Iterate over the first dimension when its length is known (``tuple(x.shape)``)."""
        length = self.static_shape[0] if self.ndim else None
        if length is None:
            raise TypeError('Symbolic variable %s cannot be iterated over: the length of its '
                            'first dimension is not known until it is computed' % self)
        for i in range(length):
            yield self[i]

    def __len__(self):
        raise TypeError('len() of the symbolic variable %s is not known; use %s.shape[0].'
                        % (self, self))

    # -- shape manipulation ---------------------------------------------------------------
    def dimshuffle(self, *pattern):
        if len(pattern) == 1 and isinstance(pattern[0], (list, tuple)):
            pattern = pattern[0]
        return _T.dimshuffle(self, pattern)

    def transpose(self, *axes):
        if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
            axes = axes[0]
        return _T.transpose(self, axes or None)

    def reshape(self, shape, ndim=None):
        return _T.reshape(self, shape, ndim=ndim)

    def flatten(self, ndim=1):
        return _T.flatten(self, ndim)

    def astype(self, dtype):
        return _T.cast(self, dtype)

    def __getitem__(self, index):
        return _T.subtensor.getitem(self, index)

    # -- reductions -----------------------------------------------------------------------
    def sum(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        return _T.sum(self, axis=axis, dtype=dtype, keepdims=keepdims, acc_dtype=acc_dtype)

    def prod(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        return _T.prod(self, axis=axis, dtype=dtype, keepdims=keepdims, acc_dtype=acc_dtype)

    def mean(self, axis=None, dtype=None, keepdims=False, acc_dtype=None):
        return _T.mean(self, axis=axis, dtype=dtype, keepdims=keepdims, acc_dtype=acc_dtype)

    def max(self, axis=None, keepdims=False):
        return _T.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return _T.min(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis=None, keepdims=False):
        return _T.argmax(self, axis=axis, keepdims=keepdims)

    def argmin(self, axis=None, keepdims=False):
        return _T.argmin(self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, ddof=0, keepdims=False):
        return _T.var(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis=None, ddof=0, keepdims=False):
        return _T.std(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def dot(self, other):
        return _T.dot(self, other)

    def clip(self, a_min, a_max):
        return _T.clip(self, a_min, a_max)

    # -- Theano's other methods: each the T.<name> function of the same name ---------------
    def any(self, axis=None, keepdims=False):
        return _T.any(self, axis=axis, keepdims=keepdims)

    def all(self, axis=None, keepdims=False):
        return _T.all(self, axis=axis, keepdims=keepdims)

    def nonzero(self, return_matrix=False):
        return _T.nonzero(self, return_matrix=return_matrix)

    def nonzero_values(self):
        return _T.nonzero_values(self)

    def sort(self, axis=-1, kind='quicksort', order=None):
        return _T.sort(self, axis, kind, order)

    def argsort(self, axis=-1, kind='quicksort', order=None):
        return _T.argsort(self, axis, kind, order)

    def cumsum(self, axis=None):
        return _T.cumsum(self, axis)

    def cumprod(self, axis=None):
        return _T.cumprod(self, axis)

    def repeat(self, repeats, axis=None):
        return _T.repeat(self, repeats, axis)

    def squeeze(self):
        return _T.squeeze(self)

    def diagonal(self, offset=0, axis1=0, axis2=1):
        return _T.diagonal(self, offset, axis1, axis2)

    def take(self, indices, axis=None):
        return _T.subtensor.take(self, indices, axis)

    def swapaxes(self, axis1, axis2):
        return _T.swapaxes(self, axis1, axis2)

    def norm(self, L, axis=None, keepdims=False):
        """``sum(|x| ** L, axis) ** (1 / L)`` as Theano's method builds it."""
        if L == 0 or np.isinf(L):
            raise NotImplementedError()
        y = _elemwise('pow')(_T.sum(_elemwise('pow')(abs(self), L), axis=axis), 1.0 / L)
        return _T.reduction._keep_dims(self, y, _T.reduction.normalize_axes(self, axis)) \
            if keepdims else y

    def round(self, mode=None):
        return _T.round(self, mode or 'half_to_even')

    def zeros_like(self, dtype=None):
        return _T.zeros_like(self, dtype)

    def ones_like(self, dtype=None):
        return _T.ones_like(self, dtype)

    def fill(self, value):
        return _T.fill(self, value)

    def choose(self, choices, out=None, mode='raise'):
        return _T.choose(self, choices, out, mode)

    def compress(self, a, axis=None):
        return _T.extra_ops.compress(self, a, axis)

    def ptp(self, axis=None):
        return _T.max(self, axis) - _T.min(self, axis)

    def eval(self, inputs_to_values=None):
        """Compute this variable for the given ``{input: value}`` (for quick checks); the
        default updates of the shared variables it uses are applied, as by a function."""
        from symgraph.compile.interpreter import evaluate_updating  # upward: compile/ is above
        return evaluate_updating([self], inputs_to_values or {})[0]


def _comparison(name, x, y):
    out = _elemwise(name)(x, y)
    out._refuses_truth = True
    return out


def _ours(other):
    """Whether ``other`` can be an operand of a tensor operator (not a variable of another
    kind, such as a sparse matrix)."""
    return not isinstance(other, Variable) or isinstance(other.type, TensorType)


def _elemwise(name):
    return getattr(_T.elemwise, name)


def _format_constant(data):
    """Theano's ``TensorConstant{...}`` text for a value."""
    if data.size > 0 and data.ndim > 0 and np.all(data == data.flat[0]):
        text = '%s of %s' % (data.shape, data.flat[0])
    else:
        text = str(data)
    if len(text) > 20:
        text = text[:10] + '..' + text[-10:]
    return text


class TensorConstant(Constant, TensorVariable):
    """A constant array in a graph, printed as ``TensorConstant{...}``."""

    def __init__(self, type, data, name=None):
        Constant.__init__(self, type, data, name=name)
        self.static_shape = data.shape

    def __str__(self):
        return 'TensorConstant{%s}' % _format_constant(self.data)

    def signature(self):
        return (self.type, self.data.shape, self.data.tobytes())

    __hash__ = Variable.__hash__


def constant(value, name=None, ndim=None, dtype=None):
    """A TensorConstant holding ``value``; Python scalars are autocast as in Theano."""
    if dtype is not None:
        data = np.asarray(value, dtype=dtype)
    elif isinstance(value, (int, float, bool)) and not isinstance(value, np.generic):
        data = autocast_scalar(value)
    else:
        data = np.asarray(value)
    if data.dtype == object:
        raise TypeError('Cannot make a constant from %r: not a numeric array' % (value,))
    if ndim is not None:
        if data.ndim > ndim:
            raise TypeError('Cannot make a %d-d constant from a value of shape %s'
                            % (ndim, data.shape))
        data = data.reshape((1,) * (ndim - data.ndim) + data.shape)
    result = TensorConstant(TensorType(data.dtype.name, tuple(s == 1 for s in data.shape)), data,
                            name=name)
    # Small scalars are shared, as in Theano, so that equal constants print with one id.
    if data.size == 1 and data.dtype.kind in 'iuf' and -10 <= data.item() <= 10:
        return _constant_cache.setdefault(result.signature(), result)
    return result


_constant_cache = {}


def as_tensor_variable(value, name=None, ndim=None):
    """Wrap ``value`` (a variable, number, list or array) as a TensorVariable."""
    if isinstance(value, TensorVariable):
        if ndim is not None and value.ndim != ndim:
            raise TypeError('%s has %d dimensions, expected %d' % (value, value.ndim, ndim))
        return value
    if isinstance(value, Variable):
        raise TypeError('%s of type %s is not a tensor' % (value, value.type))
    if isinstance(value, (list, tuple)) and any(isinstance(v, Variable) for v in value):
        return _T.stack([as_tensor_variable(v) for v in value])
    return constant(value, name=name, ndim=ndim)


TensorType.variable_class = TensorVariable  # what TensorType(...)('x') and Apply make
