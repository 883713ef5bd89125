"""``theano.gof.graph``: walks over graphs (``inputs``, ``ancestors``, ``variables``,
``ops``, ``io_toposort``, ``clone``)."""
from symgraph.graph.basic import Apply, Constant, Variable, ancestors as _ancestors, \
    clone as _clone, clone_replace as _clone_replace, equal_computations, graph_inputs, \
    toposort
from symgraph.notyet import module_getattr

Node = Apply


def ancestors(variable_list, blockers=None):
    """Every variable ``variable_list`` depends on, themselves included, in Theano's order
    (a depth-first search that takes the start list from its end and each node's inputs
    from the left), which client code relies on to order parameters."""
    blockers = set(blockers or ())
    stack, seen, order = list(variable_list), set(), []
    while stack:
        var = stack.pop()
        if var in seen:
            continue
        seen.add(var)
        order.append(var)
        if var.owner is not None and var not in blockers:
            stack.extend(reversed(var.owner.inputs))
    return order


def inputs(variable_list, blockers=None):
    """The leaf variables (inputs, shared variables, constants) ``variable_list`` needs,
    in the order of ``ancestors``."""
    return [var for var in ancestors(variable_list, blockers) if var.owner is None]


def is_same_graph(var1, var2, givens=None):
    """Whether ``var1`` and ``var2`` compute the same thing, once each key of ``givens``
    is replaced by its value in both graphs."""
    if givens:
        replace = dict(givens)
        var1, var2 = _clone_replace([var1, var2], replace)
    return equal_computations([var1], [var2])


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
           'variables', 'ops', 'orphans', 'clone', 'is_same_graph']

__getattr__ = module_getattr(__name__)
