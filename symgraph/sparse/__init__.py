"""``theano.sparse``: CSR and CSC matrices, fed and returned as ``scipy.sparse`` matrices.

Needs scipy (``pip install scipy``, or symgraph's ``sparse`` extra). How sparse values
live inside the one compiled program, and when a new program is compiled, is told in
type.py; the ops, their gradients and printed names are Theano 1.0.5's (basic.py).
"""
try:
    import scipy.sparse  # noqa: F401
except ImportError as err:
    raise ImportError('symgraph.sparse needs scipy, which is not installed: pip install scipy '
                      '(or pip install "symgraph[sparse]")') from err

from symgraph.sparse import basic, sharedvar, type as _type  # noqa: F401
from symgraph.sparse.basic import *  # noqa: F401,F403
from symgraph.sparse.sharedvar import SparseTensorSharedVariable, sparse_constructor  # noqa
from symgraph.sparse.sharedvar import sparse_constructor as shared  # noqa: F401
from symgraph.sparse.type import *  # noqa: F401,F403

_type._S = basic  # the variable methods (x.T, x * y, ...) reach the ops through it

enable_sparse = True
