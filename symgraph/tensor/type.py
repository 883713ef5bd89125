"""TensorType: a dtype plus a broadcastable pattern, and the dtype rules Theano users rely on."""
import difflib
import functools

import numpy as np

from symgraph.config import config
from symgraph.graph.basic import Type, Variable, format_trace, user_frame

ALL_DTYPES = ('bool', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64',
              'float16', 'float32', 'float64', 'complex64', 'complex128')
INT_DTYPES = ('int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64')
FLOAT_DTYPES = ('float16', 'float32', 'float64')
DISCRETE_DTYPES = ('bool',) + INT_DTYPES
_DTYPE_NAMES = frozenset(ALL_DTYPES)


def check_dtype(dtype, what='dtype'):
    """Normalise a dtype given as a string or numpy dtype; reject unknown ones clearly."""
    if dtype in _DTYPE_NAMES:  # the common case, kept cheap: graphs build many types
        return dtype
    if dtype == 'floatX':
        return config.floatX
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = None
    if name not in ALL_DTYPES:
        close = difflib.get_close_matches(str(dtype), ALL_DTYPES, n=1)
        raise TypeError('Invalid %s: %r is not a dtype symgraph supports; expected one of %s.%s%s'
                        % (what, dtype, ', '.join(ALL_DTYPES),
                           ' Did you mean %r?' % close[0] if close else '', user_line()))
    return name


def user_line(what='The call was made'):
    """'\n<what> at:\n  File ..., line ...' for the user code running now, for errors."""
    return '\n%s at:\n%s' % (what, format_trace(user_frame()))


@functools.lru_cache(maxsize=None)
def upcast(*dtypes):
    """The dtype numpy gives when combining arrays of these dtypes (Theano's scalar.upcast)."""
    return np.result_type(*[np.dtype(d) for d in dtypes]).name


def upcast_to_float(*dtypes):
    """Like upcast, but integers become floats the way Theano's true_div/exp/log do it."""
    out = upcast(*dtypes)
    if out in ('bool', 'int8', 'uint8', 'int16', 'uint16'):
        return 'float32'
    if out in INT_DTYPES:
        return 'float64'
    return out


def autocast_scalar(value):
    """The numpy scalar a bare Python number becomes in an expression (Theano's autocast).

    Ints take the smallest signed int type that holds them; floats take float32 when
    floatX is float32, otherwise the smallest float type that represents them exactly.
    """
    if isinstance(value, (bool, np.bool_)):
        return np.asarray(value, dtype='bool')
    if isinstance(value, int):
        for dtype in ('int8', 'int16', 'int32', 'int64'):
            info = np.iinfo(dtype)
            if info.min <= value <= info.max:
                return np.asarray(value, dtype=dtype)
        return np.asarray(value, dtype='uint64')
    if isinstance(value, float):
        if config.floatX in ('float32', 'float16'):
            return np.asarray(value, dtype=config.floatX)
        cast = np.asarray(value, dtype='float32')
        return cast if float(cast) == value else np.asarray(value, dtype='float64')
    return np.asarray(value)


_SHAPE_NAMES = {(): 'scalar', (False,): 'vector', (False, True): 'col', (True, False): 'row',
                (False, False): 'matrix'}


class TensorType(Type):
    """An n-dimensional array type: ``TensorType('float32', (False, True))`` is a float32 column.

    A dimension broadcasts against others only when its pattern entry is True; its
    length is then always 1.
    """

    _props = ('dtype', 'broadcastable')

    def __init__(self, dtype, broadcastable, name=None):
        self.dtype = check_dtype(dtype)
        try:
            self.broadcastable = tuple(bool(b) for b in broadcastable)
        except TypeError:
            raise TypeError('broadcastable must be a tuple of booleans (one per dimension), '
                            'not %r' % (broadcastable,)) from None
        self.name = name

    family = 'tensor'
    # variable_class (TensorVariable) is set by var.py, which imports this module.

    @property
    def ndim(self):
        return len(self.broadcastable)

    @property
    def numpy_dtype(self):
        return np.dtype(self.dtype)

    def __str__(self):
        if self.name:
            return self.name
        bcast = self.broadcastable
        if bcast in _SHAPE_NAMES:
            kind = _SHAPE_NAMES[bcast]
        elif any(bcast):
            kind = str(bcast)
        else:
            kind = '%dD' % len(bcast)
        return 'TensorType(%s, %s)' % (self.dtype, kind)

    __repr__ = __str__

    def clone(self, dtype=None, broadcastable=None):
        return TensorType(self.dtype if dtype is None else dtype,
                          self.broadcastable if broadcastable is None else broadcastable)

    def describe_value(self, value):
        """'dtype float32 and shape (3, 5)' for error messages, of any value."""
        if not hasattr(value, 'shape'):
            try:
                value = np.asarray(value)
            except ValueError:  # a ragged list
                return 'type %s and no regular shape' % type(value).__name__
        return 'dtype %s and shape %s' % (getattr(value, 'dtype', type(value).__name__),
                                          tuple(value.shape))

    def filter(self, value, strict=False, allow_downcast=None, owner=None):
        """Check ``value`` against this type and return it as a numpy array (Theano's filter).

        Safe casts are made silently; unsafe ones only with ``allow_downcast``. A Python
        float may always become floatX when ``allow_downcast`` is None, as in Theano.
        ``owner`` is the variable being fed, named in errors.
        """
        if isinstance(value, Variable):
            raise TypeError('%sExpected an array-like object, but found a Variable: %s of type %s. '
                            'Symbolic variables cannot be used as values; compile a function or '
                            'call .eval() to get a value.' % (_who(owner), value, value.type))
        if strict:
            if not isinstance(value, np.ndarray) or value.dtype.name != self.dtype:
                raise TypeError('%s%s expects exactly a numpy array of dtype %s (strict), got %s'
                                % (_who(owner), self, self.dtype, type(value).__name__))
            arr = value
        else:
            try:
                arr = self._convert(value, allow_downcast, owner)
            except ValueError as err:  # numpy's, for ragged lists and text
                raise ValueError('%sCannot convert %s to %s: %s'
                                 % (_who(owner), short_repr(value), self, err)) from None
        if arr.ndim != self.ndim:
            raise TypeError('%sWrong number of dimensions: expected %d, got %d with shape %s.'
                            % (_who(owner), self.ndim, arr.ndim, arr.shape))
        for dim, (length, bcast) in enumerate(zip(arr.shape, self.broadcastable)):
            if bcast and length != 1:
                raise TypeError('%sNon-unit value on shape on a broadcastable dimension: shape %s, '
                                'broadcastable %s (dimension %d must have length 1).'
                                % (_who(owner), arr.shape, self.broadcastable, dim))
        return arr

    def _convert(self, value, allow_downcast, owner):
        target = self.numpy_dtype
        if isinstance(value, np.ndarray) and value.dtype == target:
            return value
        if allow_downcast:
            return np.asarray(value, dtype=target)
        arr = value if hasattr(value, 'dtype') and hasattr(value, 'shape') else None
        if arr is None:
            # Python numbers and lists: a Python float may become floatX; anything else is
            # accepted when the conversion is lossless (Theano's rule).
            if isinstance(value, float) and allow_downcast is None and \
                    self.dtype == config.floatX:
                return np.asarray(value, dtype=target)
            arr = np.asarray(value)
            converted = arr.astype(target)
            if arr.dtype.kind in 'biuf' and np.array_equal(converted, arr, equal_nan=
                                                           arr.dtype.kind == 'f'):
                return converted
        arr = np.asarray(arr)
        if arr.dtype == target:
            return arr
        if np.can_cast(arr.dtype, target, casting='safe'):
            return arr.astype(target)
        if arr.dtype.kind == 'f' and target.kind == 'f' and arr.ndim == 0:
            as_target = arr.astype(target)
            if as_target == arr:
                return as_target
            raise TypeError('%s%s cannot store accurately value %s, it would be represented as %s. '
                            'If you do not mind this precision loss, you can: 1) explicitly convert '
                            'your data to a numpy array of dtype %s, or 2) set '
                            '"allow_input_downcast=True" when calling "function".'
                            % (_who(owner), self, arr, as_target, self.dtype))
        raise TypeError('%s%s cannot store a value of dtype %s without risking loss of precision. '
                        'If you do not mind this loss, you can: 1) explicitly cast your data to '
                        '%s, or 2) set "allow_input_downcast=True" when calling "function". '
                        'Value: "%s"' % (_who(owner), self, arr.dtype, self.dtype, short_repr(arr)))


class IndexScalarType(TensorType):
    """The 0-d int type of index entries, printed ``int64`` like Theano's scalar types."""

    def __init__(self, dtype):
        super().__init__(dtype, ())

    def __str__(self):
        return self.dtype


def _who(owner):
    if owner is None:
        return ''
    return '%s: ' % owner


def short_repr(arr):
    text = repr(arr)
    return text if len(text) <= 120 else text[:117] + '...'
