"""symgraph: Theano-style symbolic graphs, compiled to one XLA computation with JAX.

``import symgraph as theano; import symgraph.tensor as T`` runs Theano-era code.
"""
from symgraph.config import config, configure_jax_backend

configure_jax_backend()  # before anything creates JAX's CPU client

from symgraph import gradient, printing, tensor  # noqa: E402
from symgraph import compile  # noqa: E402
from symgraph.compile import Function, In, Mode, Out, function  # noqa: E402
from symgraph.compile.builders import OpFromGraph  # noqa: E402
from symgraph.gradient import grad  # noqa: E402
from symgraph import ifelse, sandbox, scan_module, updates  # noqa: E402
from symgraph.scan_module import foldl, foldr, map, reduce, scan  # noqa: E402
from symgraph.tensor.sharedvar import SharedVariable, shared  # noqa: E402

__version__ = '0.1.0'
__all__ = ['config', 'gradient', 'printing', 'tensor', 'compile', 'Function', 'function', 'In',
           'Mode', 'Out', 'OpFromGraph', 'grad', 'SharedVariable', 'shared', 'ifelse', 'sandbox',
           'scan_module', 'updates',
           'scan', 'map', 'reduce', 'foldl', 'foldr']
