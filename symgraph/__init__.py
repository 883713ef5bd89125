"""symgraph: Theano-style symbolic graphs, compiled to one XLA computation with JAX.

``import symgraph as theano; import symgraph.tensor as T`` runs Theano-era code.
"""
from symgraph.config import VERSION, change_flags, config, configure_jax_backend

configure_jax_backend()  # before anything creates JAX's CPU client

from symgraph import gradient, printing, tensor  # noqa: E402
from symgraph import compile  # noqa: E402
from symgraph.compile import (Function, In, Mode, Out, Param, ProfileStats,  # noqa: E402
                              SymbolicInput, SymbolicOutput, function)
from symgraph.compile.builders import OpFromGraph  # noqa: E402
from symgraph.compile.ops import Op, as_op  # noqa: E402
from symgraph.gradient import Lop, Rop, grad  # noqa: E402
from symgraph.graph.basic import Apply, Constant, Type, Variable, clone  # noqa: E402
from symgraph.graph.fg import FunctionGraph  # noqa: E402
from symgraph import ifelse, sandbox, scalar, scan_module, updates  # noqa: E402
from symgraph import gof  # noqa: E402
from symgraph import d3viz  # noqa: E402
from symgraph.printing import pp, pprint  # noqa: E402
from symgraph.scan_module import foldl, foldr, map, reduce, scan  # noqa: E402
from symgraph.tensor.basic import dot  # noqa: E402
from symgraph.tensor.sharedvar import SharedVariable, shared  # noqa: E402
from symgraph.updates import OrderedUpdates  # noqa: E402
from symgraph import notyet  # noqa: E402


@tensor.sharedvar.shared_constructor
def _scipy_sparse_shared(value, **kwargs):
    """``shared`` of a scipy.sparse matrix is symgraph.sparse's, imported only then (it
    needs scipy, which symgraph itself does not)."""
    if not type(value).__module__.startswith('scipy.sparse'):
        raise TypeError('not a scipy.sparse matrix')
    from symgraph.sparse.sharedvar import sparse_constructor
    return sparse_constructor(value, **kwargs)


__version__ = VERSION
del VERSION
__all__ = ['config', 'change_flags', 'gradient', 'printing', 'tensor', 'compile', 'Function',
           'function', 'In', 'Param', 'SymbolicInput', 'SymbolicOutput', 'Mode', 'Out',
           'ProfileStats', 'OpFromGraph', 'Op', 'as_op', 'Apply', 'Constant', 'Type',
           'Variable', 'FunctionGraph', 'clone', 'grad', 'Lop', 'Rop', 'SharedVariable',
           'shared', 'ifelse', 'sandbox', 'scalar', 'scan_module', 'updates', 'OrderedUpdates',
           'gof', 'd3viz', 'pp', 'pprint', 'dot', 'scan', 'map', 'reduce', 'foldl', 'foldr']

notyet.install()  # Theano names not here yet say so (see notyet.py)
