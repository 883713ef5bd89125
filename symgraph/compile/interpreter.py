"""Node-by-node evaluation over the ops' JAX implementations, without jit.

Serves ``var.eval()`` and the 'py' mode: slow, but an error points at the exact node.
"""
import numpy as np

from symgraph.compile.lower import run_nodes
from symgraph.graph.basic import Constant, format_trace, toposort


def leaf_value(var, given):
    """The value of a graph input: given, shared, or constant."""
    if var in given:
        return given[var]
    if isinstance(var, Constant):
        return var.data
    container = getattr(var, 'container', None)
    if container is not None:
        return container.value
    raise KeyError(var)


def evaluate(outputs, given):
    """Compute ``outputs`` with inputs bound as in ``given`` ({variable: value})."""
    values = {}
    nodes = toposort(outputs)
    for node in nodes:
        for inp in node.inputs:
            if inp.owner is None and inp not in values:
                values[inp] = _checked_leaf(inp, given)
    for out in outputs:
        if out.owner is None:
            values[out] = _checked_leaf(out, given)
    run_nodes(nodes, values)
    return [_host_value(o, values[o]) for o in outputs]


def _host_value(var, value):
    """A computed value as a function returns it: numpy, or what the variable's type
    makes of it (a scipy matrix for a sparse one)."""
    from_program = getattr(var.type, 'from_program', None)
    return np.asarray(value) if from_program is None else from_program(value)


def _checked_leaf(var, given):
    try:
        value = leaf_value(var, given)
    except KeyError:
        raise TypeError('Cannot evaluate: the input %s of type %s has no value. Pass it as '
                        '.eval({%s: value}).\nIt was created at:\n%s'
                        % (var, var.type, var.name or 'var', format_trace(var.creation_trace))) \
            from None
    if var in given:
        try:
            value = var.type.filter(value, owner='input %s' % var)
        except TypeError as err:
            raise TypeError('%s\nThe input %s has type %s and was created at:\n%s'
                            % (err, var, var.type, format_trace(var.creation_trace))) from None
        to_program = getattr(var.type, 'to_program', None)
        return value if to_program is None else to_program(value)
    return value
