"""symgraph: Theano-style symbolic graphs, compiled to one XLA computation with JAX.

``import symgraph as theano; import symgraph.tensor as T`` runs Theano-era code.
"""
import jax as _jax

# int64 and float64 must mean what they say, as in Theano.
_jax.config.update('jax_enable_x64', True)

from symgraph.config import config  # noqa: E402
from symgraph import printing, tensor  # noqa: E402
from symgraph.tensor.sharedvar import shared, SharedVariable  # noqa: E402
from symgraph.compile.function import function, Function  # noqa: E402
from symgraph.compile.io import In, Out, Mode  # noqa: E402
from symgraph.compile import io as compile  # noqa: E402,F401

__version__ = '0.1.0'
from symgraph.gradient import grad  # noqa: E402,F401
from symgraph import gradient  # noqa: E402,F401
