"""``theano.gof``: the graph classes that client code imports from it.

``Op`` is Theano's op base class (symgraph/compile/ops.py: ops written with ``perform``
run through a host callback); ``Apply``, ``Variable``, ``Constant``, ``Type`` and
``FunctionGraph`` are symgraph's IR (symgraph/graph/). Theano's optimizer and C-code
classes (``Optimizer``, ``local_optimizer``, ``COp``, ``CLinker``...) have no counterpart:
XLA compiles the graph, and symgraph's rewrites are registered in symgraph/rewrite/.
"""
from symgraph.compile.ops import Op
from symgraph.config import change_flags
from symgraph.gof import graph, utils
from symgraph.gof.utils import MethodNotDefined
from symgraph.graph.basic import Apply, Constant, Type, Variable, toposort
from symgraph.graph.fg import FunctionGraph
from symgraph.notyet import module_getattr

PureOp = Op
Node = Apply

__all__ = ['Op', 'PureOp', 'Apply', 'Node', 'Variable', 'Constant', 'Type', 'FunctionGraph',
           'graph', 'utils', 'toposort', 'MethodNotDefined', 'change_flags', 'LocalOptimizer',
           'local_optimizer']

__getattr__ = module_getattr(__name__)


class LocalOptimizer:
    """A rewrite written the Theano way: ``transform(node)`` returns the replacement outputs
    (a list, or a dict from old outputs to new) or False; ``tracks()`` the op classes or
    ops it looks at. ``theano.tensor.opt.register_canonicalize`` (and the other
    ``register_*``) add one to symgraph's rewrites."""

    def __init__(self, fn, tracks):
        self.fn = fn
        self._tracks = list(tracks or [])
        self.__name__ = getattr(fn, '__name__', type(self).__name__)
        self.__doc__ = getattr(fn, '__doc__', None)

    def tracks(self):
        return self._tracks

    def transform(self, node):
        return self.fn(node)

    def __call__(self, node):
        return self.fn(node)


def local_optimizer(tracks, inplace=False, requirements=()):
    """Theano's decorator: ``@local_optimizer([OpClass])`` on ``fn(node)``."""
    if tracks is not None and len(tracks) == 0:
        raise ValueError('Use None instead of an empty list to apply to all nodes.')

    def decorator(fn):
        return LocalOptimizer(fn, tracks)
    return decorator
