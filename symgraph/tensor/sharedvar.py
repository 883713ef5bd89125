"""Shared variables: graph inputs with a value that lives on the device between calls."""
import itertools
import threading

import numpy as np

from symgraph.graph.basic import Variable, format_trace, user_frame
from symgraph.placement import to_device
from symgraph.tensor.type import TensorType, check_dtype
from symgraph.tensor.var import TensorVariable


def _to_device(array, borrow):
    """``to_device`` of ``array``, or of a private copy of it unless ``borrow``."""
    return to_device(array if borrow else np.array(array, copy=True))


class SharedVariable(TensorVariable):
    """A tensor whose value persists across function calls (``theano.shared``).

    The value is held as a JAX array on the configured device; ``get_value`` returns numpy.
    ``default_update``, when set, is applied by every function that uses the variable.
    Unless ``borrow=True``, the value given is copied: the variable never shares memory
    with the caller's array.
    """

    def __init__(self, type, value, name=None, strict=False, allow_downcast=None, trace=None,
                 borrow=False):
        self.container = _Container(_to_device(value, borrow))
        super().__init__(type, name=name, trace=trace)
        self.strict = strict
        self.allow_downcast = allow_downcast

    @property
    def static_shape(self):
        """The current value's shape, a hint for build-time checks that follows set_value."""
        return self.container.value.shape

    @static_shape.setter
    def static_shape(self, _):
        """The hint is always the current value's shape; the variable's own pattern (set by
        TensorVariable) is not needed."""

    def get_value(self, borrow=False, return_internal_type=False):
        """The current value as numpy (the device array itself with return_internal_type)."""
        with self.container.lock:
            data = self.container.value
            if return_internal_type:
                return data
            array = np.asarray(data)
            return array if borrow else array.copy()

    def set_value(self, value, borrow=False):
        """Replace the value after checking it against the variable's type, as Theano does."""
        data = _to_device(self._filter(value), borrow)
        with self.container.lock:
            self.container.value = data

    def _filter(self, value):
        try:
            return self.type.filter(value, strict=self.strict, allow_downcast=self.allow_downcast,
                                    owner='shared variable %s' % self.describe())
        except (TypeError, ValueError) as err:
            raise type(err)('%s\nThe shared variable was created at:\n%s'
                            % (err, format_trace(self.trace))) from None

    def describe(self):
        return '%r (%s)' % (self.name or '<unnamed>', self.type)

    def zero(self, borrow=False):
        self.set_value(np.zeros_like(self.get_value()))

    def clone(self):
        cp = SharedVariable.__new__(SharedVariable)
        cp.__dict__.update(self.__dict__)
        return cp

    def __getstate__(self):
        state = dict(self.__dict__)
        state['container'] = np.asarray(self.container.value)
        return state

    def __setstate__(self, state):
        value = state.pop('container')
        self.__dict__.update(state)
        self.container = _Container(to_device(value))

    __hash__ = Variable.__hash__


class _Container:
    """Holds the current device value; compiled functions read and write it.

    ``lock`` is held by every call that reads or writes the value, and by get/set_value;
    functions take the locks of several containers in ``order``, the same for all.
    """

    __slots__ = ('value', 'lock', 'order', '__weakref__')
    _created = itertools.count()

    def __init__(self, value):
        self.value = value
        self.lock = threading.Lock()
        self.order = next(self._created)


_constructors = []  # shared_constructor's, the latest first


def shared_constructor(constructor):
    """Register ``constructor(value, name=..., strict=..., allow_downcast=..., borrow=...,
    **kwargs)`` with ``shared`` (Theano's decorator): it is tried before the array
    constructor, latest first, and raises TypeError for a value that is not its kind."""
    _constructors.insert(0, constructor)
    return constructor


def shared(value, name=None, strict=False, allow_downcast=None, borrow=False,
           broadcastable=None, **kwargs):
    """Wrap ``value`` as a shared variable (Theano's ``theano.shared``).

    The type comes from the value: its dtype, and a broadcastable pattern that is all
    False unless ``broadcastable`` says otherwise (even for length-1 dimensions, so a
    bias column must be declared ``broadcastable=(False, True)`` to broadcast). Values
    of other kinds go to the constructor registered for them (``shared_constructor``).
    """
    extra = dict(kwargs, **({} if broadcastable is None else {'broadcastable': broadcastable}))
    for constructor in _constructors:
        try:
            return constructor(value, name=name, strict=strict, allow_downcast=allow_downcast,
                               borrow=borrow, **extra)
        except TypeError:
            continue
    if kwargs:
        raise TypeError('shared() got unexpected arguments %s; supported: name, strict, '
                        'allow_downcast, borrow, broadcastable' % ', '.join(sorted(kwargs)))
    trace = user_frame()
    if isinstance(value, Variable):
        raise TypeError('shared() needs a value, but %s is a symbolic variable of type %s; '
                        'compute it first (e.g. with .eval()).\nThe call was made at:\n%s'
                        % (value, value.type, format_trace(trace)))
    if isinstance(value, (int, float, bool, np.generic)) and not isinstance(value, np.ndarray):
        array = np.asarray(value)
    else:
        array = np.asarray(value)
        if array.dtype == object:
            raise TypeError('shared(): cannot make a shared variable %r from %r: not a numeric '
                            'array' % (name, type(value).__name__))
    check_dtype(array.dtype, 'dtype of the shared value')
    if broadcastable is None:
        broadcastable = (False,) * array.ndim
    broadcastable = tuple(broadcastable)
    if len(broadcastable) != array.ndim:
        raise TypeError('shared variable %r: broadcastable=%s has %d entries but the value has '
                        '%d dimensions (shape %s)\nCreated at:\n%s'
                        % (name, broadcastable, len(broadcastable), array.ndim, array.shape,
                           format_trace(trace)))
    for dim, (flag, length) in enumerate(zip(broadcastable, array.shape)):
        if flag and length != 1:
            raise TypeError('shared variable %r: broadcastable=%s marks dimension %d as '
                            'broadcastable, but the value has length %d there (shape %s); a '
                            'broadcastable dimension must have length 1\nCreated at:\n%s'
                            % (name, broadcastable, dim, length, array.shape,
                               format_trace(trace)))
    type_ = TensorType(array.dtype.name, broadcastable)
    return SharedVariable(type_, array, name=name, strict=strict, allow_downcast=allow_downcast,
                          trace=trace, borrow=borrow)
