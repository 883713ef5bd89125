"""symgraph: Theano-style symbolic graphs, compiled to one XLA computation with JAX.

``import symgraph as theano; import symgraph.tensor as T`` runs Theano-era code.
"""
from symgraph.config import config, configure_jax_backend

configure_jax_backend()

from symgraph import printing, tensor  # noqa: E402
from symgraph.tensor.sharedvar import shared, SharedVariable  # noqa: E402
from symgraph.compile.function import function, Function  # noqa: E402
from symgraph.compile.io import In, Out, Mode  # noqa: E402
from symgraph.compile import io as compile  # noqa: E402,F401

__version__ = '0.1.0'
from symgraph.gradient import grad  # noqa: E402,F401
from symgraph import gradient  # noqa: E402,F401
