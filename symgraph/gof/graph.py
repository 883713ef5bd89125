"""``theano.gof.graph``: walks over graphs (``inputs``, ``ancestors``, ``variables``,
``ops``, ``io_toposort``, ``clone``)."""
from symgraph.graph.basic import Apply, Constant, Variable, ancestors as _ancestors, \
    clone as _clone, graph_inputs, toposort
from symgraph.notyet import module_getattr

Node = Apply


def inputs(variable_list, blockers=None):
    """The leaf variables (inputs, shared variables, constants) ``variable_list`` needs."""
    return graph_inputs(list(variable_list), stop=blockers or ())


def ancestors(variable_list, blockers=None):
    """Every variable ``variable_list`` depends on, themselves included."""
    return _ancestors(list(variable_list), stop=blockers or ())


def io_toposort(inputs, outputs, orderings=None, clients=None):
    """The Apply nodes between ``inputs`` and ``outputs``, in an order that computes each
    after its inputs."""
    return toposort(list(outputs), stop=set(inputs))


def variables(i, o):
    """The variables between the inputs ``i`` and the outputs ``o`` (both included)."""
    return _ancestors(list(o), stop=set(i))


def ops(i, o):
    """The Apply nodes between the inputs ``i`` and the outputs ``o``."""
    return set(io_toposort(i, o))


def orphans(i, o):
    """The leaf variables ``o`` needs that are not among ``i``."""
    stop = set(i)
    return [v for v in graph_inputs(list(o), stop=stop) if v not in stop]


def clone(i, o, copy_inputs=True):
    """(new inputs, new outputs): a copy of the graph from ``i`` to ``o``."""
    new_inputs = [v.clone() if copy_inputs and not isinstance(v, Constant) else v for v in i]
    new_outputs = _clone(list(o), replace=dict(zip(i, new_inputs)))
    return new_inputs, new_outputs


__all__ = ['Apply', 'Node', 'Variable', 'Constant', 'inputs', 'ancestors', 'io_toposort',
           'variables', 'ops', 'orphans', 'clone']

__getattr__ = module_getattr(__name__)
