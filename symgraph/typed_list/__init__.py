"""``theano.typed_list``: lists of values of one type as graph values (type.py says how a
list lives in the compiled program)."""
from symgraph.typed_list import basic as _basic
from symgraph.typed_list import type as _type
from symgraph.typed_list.basic import *  # noqa: F401,F403
from symgraph.graph.basic import Apply, Constant, Op, Variable  # noqa: F401 (Theano's names)
from symgraph.typed_list.basic import SliceType  # noqa: F401
from symgraph.typed_list.type import TypedListConstant, TypedListType, TypedListVariable  # noqa

_type._L = _basic  # the list methods (l.append(v), l[i], ...) reach the ops through it
