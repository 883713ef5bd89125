"""Node-by-node evaluation over the ops' JAX implementations, without jit.

Serves ``var.eval()`` and the 'py' mode: slow, but an error points at the exact node.
"""
import numpy as np

from symgraph.compile.lower import run_nodes
from symgraph.graph.basic import Constant, ancestors, format_trace, toposort


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
    """Compute ``outputs`` with inputs bound as in ``given`` ({variable: value}); a computed
    variable given a value is taken as it is, as a Theano function takes such an input."""
    values = {}
    nodes = toposort(outputs, stop=given)
    for node in nodes:
        for inp in node.inputs:
            if (inp.owner is None or inp in given) and inp not in values:
                values[inp] = _checked_leaf(inp, given)
    for out in outputs:
        if out.owner is None or out in given:
            values[out] = _checked_leaf(out, given)
    run_nodes(nodes, values)
    return [_host_value(o, values[o]) for o in outputs]


def _host_value(var, value):
    """A computed value as a function returns it: numpy, or what the variable's type
    makes of it (a scipy matrix for a sparse one)."""
    from_program = getattr(var.type, 'from_program', None)
    return np.asarray(value) if from_program is None else from_program(value)


def evaluate_updating(outputs, given):
    """``var.eval()``: ``outputs`` computed as by a function of them, which also applies the
    ``default_update`` of each shared variable they use (so a random stream advances, as
    in Theano)."""
    updates = [(var, var.default_update) for var in ancestors(outputs)
               if getattr(var, 'default_update', None) is not None and
               getattr(var, 'container', None) is not None]
    results = evaluate(list(outputs) + [expr for _, expr in updates], given)
    for (var, _), value in zip(updates, results[len(outputs):]):
        var.set_value(value, borrow=True)
    return results[:len(outputs)]


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
