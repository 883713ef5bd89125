"""TypedListType: a Python list of values of one type (``theano.typed_list``).

Inside the compiled program a list is a tuple of its elements' values, so its length and
each element's shape are fixed when the program is compiled: a call with a list of
another length, or other shapes, compiles another program (``f.stats`` counts them), as
an array of another shape does. An index into a list (``getitem``, ``insert``) is needed
as a number then too; one that depends on the call's arguments is read on the host
before the call, so each index met compiles its program once.
"""
import numpy as np

from symgraph.graph.basic import Constant, Type, Variable


class TypedListType(Type):
    """A list whose elements are all of ``ttype`` (a list of lists with ``depth``)."""

    _props = ('ttype',)

    def __init__(self, ttype, depth=0):
        if depth < 0:
            raise ValueError('Please specify a depth superior or equal to 0')
        if not isinstance(ttype, Type) and callable(ttype):
            ttype = getattr(ttype(), 'type', None)  # T.dvector: a constructor, not a type
        if not isinstance(ttype, Type):
            raise TypeError('Expected a symgraph Type (or a constructor such as T.dvector), '
                            'got %r' % (ttype,))
        self.ttype = ttype if depth == 0 else TypedListType(ttype, depth - 1)

    def __str__(self):
        return 'TypedList <%s>' % self.ttype

    __repr__ = __str__

    def get_depth(self):
        return self.ttype.get_depth() + 1 if isinstance(self.ttype, TypedListType) else 0

    def filter(self, x, strict=False, allow_downcast=None, owner=None):
        """A list of values, each filtered by the element type."""
        if not isinstance(x, (list, tuple)):
            raise TypeError('%sExpected a python list, got %s'
                            % ('%s: ' % owner if owner else '', type(x).__name__))
        if strict and not isinstance(x, list):
            raise TypeError('Expected a python list')
        return [self.ttype.filter(y, strict=strict, allow_downcast=allow_downcast) for y in x]

    def to_program(self, value):
        to_program = getattr(self.ttype, 'to_program', None)
        return tuple(value) if to_program is None else tuple(to_program(y) for y in value)

    def from_program(self, value):
        from_program = getattr(self.ttype, 'from_program', None)
        return [np.array(y) if from_program is None else from_program(y) for y in value]

    def describe_value(self, value):
        if isinstance(value, (list, tuple)):
            return 'a list of %d elements' % len(value)
        return 'type %s' % type(value).__name__

    def values_eq(self, a, b):
        return len(a) == len(b) and all(np.shape(x) == np.shape(y) and np.array_equal(x, y)
                                        for x, y in zip(a, b))


class _TypedListOperators:
    """Theano's list methods on a typed list variable."""

    def __getitem__(self, index):
        return _L.getitem(self, index)

    def __len__(self):
        return _L.length(self)

    def append(self, toAppend):
        return _L.append(self, toAppend)

    def extend(self, toAppend):
        return _L.extend(self, toAppend)

    def insert(self, index, toInsert):
        return _L.insert(self, index, toInsert)

    def remove(self, toRemove):
        return _L.remove(self, toRemove)

    def reverse(self):
        return _L.reverse(self)

    def count(self, elem):
        return _L.count(self, elem)

    def ind(self, elem):
        return _L.index_(self, elem)

    ttype = property(lambda self: self.type.ttype)
    dtype = property(lambda self: self.type.ttype.dtype)
    ndim = property(lambda self: self.type.ttype.ndim + 1)

    def eval(self, inputs_to_values=None):
        """Compute this variable for the given ``{input: value}`` (for quick checks)."""
        from symgraph.compile.interpreter import evaluate  # upward: compile/ is above
        return evaluate([self], inputs_to_values or {})[0]

    __hash__ = Variable.__hash__


class TypedListVariable(_TypedListOperators, Variable):
    """A symbolic typed list."""


class TypedListConstant(_TypedListOperators, Constant):
    """A list of values as a constant of a graph."""

    def signature(self):
        return (self.type, tuple(np.asarray(v).tobytes() for v in self.data))


TypedListType.variable_class = TypedListVariable

_L = None  # the symgraph.typed_list.basic module, bound by the package (the methods)
