"""``T.xlogx.xlogx`` and ``T.xlogx.xlogy0``: x*log(x) and x*log(y) with 0 where x is 0."""
from symgraph.tensor.elemwise import xlogx, xlogy0  # noqa: F401
