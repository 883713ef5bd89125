"""``theano.scalar``: the names of basic.py (Theano's ``theano.scalar.basic``)."""
from symgraph.scalar import basic

globals().update((name, getattr(basic, name)) for name in basic.__all__)
__all__ = list(basic.__all__)
