"""The ops of Theano 1.0.5's ``theano/typed_list/basic.py``, with its printed names.

A list is a tuple of values inside the program (see type.py): appending, extending,
inserting and reversing rearrange the tuple when the program is traced; ``count`` and
``index_`` compare the elements of the element's shape with it in the program;
``remove`` takes out the first equal element, which the program selects with ``where``
where the elements that could follow it share a shape (it is refused where they do not).
"""
import jax.numpy as jnp
import numpy as np

from symgraph import tensor as T
from symgraph.config import config
from symgraph.graph.basic import Apply, Constant, Op, Type, Variable
from symgraph.tensor.type import INT_DTYPES
from symgraph.typed_list.type import TypedListType


def _as_list(x):
    if not isinstance(getattr(x, 'type', None), TypedListType):
        raise TypeError('Expected a typed list variable, got %r of type %s'
                        % (x, getattr(x, 'type', type(x).__name__)))
    return x


def _as_element(x, value):
    """``value`` as a variable of the element type of the list ``x``."""
    if not isinstance(value, Variable):
        value = T.as_tensor_variable(value)
    if value.type != x.ttype:
        raise TypeError('%s of type %s is not an element of %s (elements of type %s)'
                        % (value, value.type, x, x.ttype))
    return value


def _as_index(index):
    index = T.as_tensor_variable(index)
    if index.ndim != 0 or index.dtype not in INT_DTYPES:
        raise TypeError('Expected an integer scalar as index, got %s of type %s'
                        % (index, index.type))
    return T.cast(index, 'int64') if index.dtype != 'int64' else index


def _equal(a, b):
    """Whether two element values are equal (a traced boolean; False if shapes differ)."""
    if jnp.shape(a) != jnp.shape(b):
        return jnp.asarray(False)
    return jnp.all(jnp.asarray(a) == jnp.asarray(b))


class SliceType(Type):
    """The type of a constant Python slice (the index of ``l[1:3]``)."""

    def __str__(self):
        return 'slice'

    def filter(self, value, strict=False, allow_downcast=None):
        if not isinstance(value, slice):
            raise TypeError('Expected a slice, got %r' % (value,))
        return value


class _SliceConstant(Constant):
    def signature(self):
        return (self.type, self.data.start, self.data.stop, self.data.step)

    def __str__(self):
        return str(self.data)

    __hash__ = Variable.__hash__


class _ListOp(Op):
    """A list op: no constant folding (a list is no tensor constant)."""

    fold_constants = False

    def __str__(self):
        return type(self).__name__


class GetItem(_ListOp):
    """``x[index]``: an element for an integer index, a list for a slice."""

    def make_node(self, x, index):
        x = _as_list(x)
        if isinstance(index, slice):
            return Apply(self, [x, _SliceConstant(SliceType(), index)], [x.type])
        index = _as_index(index)
        return Apply(self, [x, index], [x.ttype])

    def static_inputs(self, node):
        return () if isinstance(node.inputs[1].type, SliceType) else (1,)

    def jax_impl(self, node, x, index):
        if isinstance(index, slice):
            return tuple(x[index])
        return x[int(index)]


getitem = GetItem()


class Append(_ListOp):
    __props__ = ('inplace',)

    def __init__(self, inplace=False):
        self.inplace = inplace

    def make_node(self, x, toAppend):
        x = _as_list(x)
        return Apply(self, [x, _as_element(x, toAppend)], [x.type])

    def jax_impl(self, node, x, toAppend):
        return tuple(x) + (toAppend,)


append = Append()


class Extend(_ListOp):
    __props__ = ('inplace',)

    def __init__(self, inplace=False):
        self.inplace = inplace

    def make_node(self, x, toAppend):
        x, toAppend = _as_list(x), _as_list(toAppend)
        if x.type != toAppend.type:
            raise TypeError('Cannot extend %s (%s) with %s (%s)'
                            % (x, x.type, toAppend, toAppend.type))
        return Apply(self, [x, toAppend], [x.type])

    def jax_impl(self, node, x, toAppend):
        return tuple(x) + tuple(toAppend)


extend = Extend()


class Insert(_ListOp):
    __props__ = ('inplace',)

    def __init__(self, inplace=False):
        self.inplace = inplace

    def make_node(self, x, index, toInsert):
        x = _as_list(x)
        return Apply(self, [x, _as_index(index), _as_element(x, toInsert)], [x.type])

    def static_inputs(self, node):
        return (1,)

    def jax_impl(self, node, x, index, toInsert):
        result = list(x)
        result.insert(int(index), toInsert)
        return tuple(result)


insert = Insert()


class Remove(_ListOp):
    """The list without the first element equal to ``toRemove``."""

    __props__ = ('inplace',)

    def __init__(self, inplace=False):
        self.inplace = inplace

    def make_node(self, x, toRemove):
        x = _as_list(x)
        return Apply(self, [x, _as_element(x, toRemove)], [x.type])

    def jax_impl(self, node, x, toRemove):
        candidates = [k for k, y in enumerate(x) if jnp.shape(y) == jnp.shape(toRemove)]
        if not candidates:
            return tuple(x)
        first = _first_match(x, toRemove, candidates)
        result = []
        for j in range(len(x) - 1):
            before = any(k > j for k in candidates)  # l[j] stays when the match is later
            after = any(k <= j for k in candidates)  # l[j + 1] moves up when it is earlier
            if before and after:
                if jnp.shape(x[j]) != jnp.shape(x[j + 1]):
                    raise ValueError(
                        '%s: element %d of the list would be one of two elements of different '
                        'shapes %s and %s, depending on which element is removed; the '
                        'compiled program needs to know its shape'
                        % (self, j, jnp.shape(x[j]), jnp.shape(x[j + 1])))
                result.append(jnp.where(first > j, x[j], x[j + 1]))
            else:
                result.append(x[j] if before else x[j + 1])
        return tuple(result)


def _first_match(x, elem, candidates):
    """The position of the first element equal to ``elem`` (traced); len(x) if none."""
    first = jnp.asarray(len(x))
    for k in reversed(candidates):
        first = jnp.where(_equal(x[k], elem), k, first)
    return first


remove = Remove()


class Reverse(_ListOp):
    __props__ = ('inplace',)

    def __init__(self, inplace=False):
        self.inplace = inplace

    def make_node(self, x):
        x = _as_list(x)
        return Apply(self, [x], [x.type])

    def jax_impl(self, node, x):
        return tuple(reversed(x))


reverse = Reverse()


class Index(_ListOp):
    """The position of the first element equal to ``elem`` (a floatX scalar, as Theano's;
    the list's length when there is none)."""

    def make_node(self, x, elem):
        x = _as_list(x)
        return Apply(self, [x, _as_element(x, elem)], [T.TensorType(config.floatX, ())])

    def jax_impl(self, node, x, elem):
        candidates = [k for k, y in enumerate(x) if jnp.shape(y) == jnp.shape(elem)]
        return _first_match(x, elem, candidates).astype(node.outputs[0].dtype)


index_ = Index()


class Count(_ListOp):
    """How many elements equal ``elem`` (a floatX scalar, as Theano's)."""

    def make_node(self, x, elem):
        x = _as_list(x)
        return Apply(self, [x, _as_element(x, elem)], [T.TensorType(config.floatX, ())])

    def jax_impl(self, node, x, elem):
        dtype = node.outputs[0].dtype
        return sum((_equal(y, elem).astype(dtype) for y in x), jnp.zeros((), dtype))


count = Count()


class Length(_ListOp):
    def make_node(self, x):
        x = _as_list(x)
        return Apply(self, [x], [T.TensorType('int64', ())])

    def jax_impl(self, node, x):
        return np.asarray(len(x), 'int64')


length = Length()


class MakeList(_ListOp):
    """A typed list of the given variables, all of one type."""

    def make_node(self, *a):
        """``make_list([a, b])``, as Theano's; also ``make_node(a, b)`` (how a rewrite
        remakes the node)."""
        if len(a) == 1 and isinstance(a[0], (list, tuple)):
            a = a[0]
        elements = [v if isinstance(v, Variable) else T.as_tensor_variable(v) for v in a]
        if not elements or not all(v.type == elements[0].type for v in elements):
            raise TypeError('MakeList need all input variable to be of the same type.')
        return Apply(self, elements, [TypedListType(elements[0].type)])

    def jax_impl(self, node, *elements):
        return tuple(elements)


make_list = MakeList()

__all__ = ['getitem', 'append', 'extend', 'insert', 'remove', 'reverse', 'index_', 'count',
           'length', 'make_list', 'GetItem', 'Append', 'Extend', 'Insert', 'Remove', 'Reverse',
           'Index', 'Count', 'Length', 'MakeList']
