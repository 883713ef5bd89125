"""Errors raised while running a graph, reported in the user's terms: the op, the shapes
of its inputs, and the line of user code that built the node."""
from symgraph.graph.basic import format_trace


def describe_node(node, values=None):
    """Theano-style context for an Apply node: op, input types, shapes, and creation line."""
    lines = ['Apply node that caused the error: %s' % node,
             'Inputs types: [%s]' % ', '.join(str(i.type) for i in node.inputs)]
    if values is not None:
        lines.append('Inputs shapes: [%s]' % ', '.join(
            str(tuple(getattr(v, 'shape', ()))) for v in values))
    lines.append('Backtrace when the node was created:')
    lines.append(format_trace(node.trace))
    return '\n'.join(lines)


def node_error(node, values, err):
    """The exception ``err`` re-raised with the node's context appended (same class)."""
    message = '%s\n%s' % (err, describe_node(node, values))
    try:
        new = type(err)(message)
    except Exception:
        new = RuntimeError(message)
    new.node = node
    return new
