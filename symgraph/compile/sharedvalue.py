"""``theano.compile.sharedvalue``: where Theano kept ``shared`` and ``SharedVariable``."""
from symgraph.tensor.sharedvar import SharedVariable, shared

__all__ = ['SharedVariable', 'shared']
