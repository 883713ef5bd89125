"""``pprint``: Theano's one-line infix form of a graph; each op gives its own form
(``Op.pformat``)."""
from symgraph.graph.basic import toposort


def pprint(var):
    """Theano's one-line infix rendering of a graph (named variables print by name)."""
    texts = {}
    for node in toposort([var]):
        for inp in node.inputs:
            if inp.owner is None:
                texts.setdefault(inp, str(inp))
        for out in node.outputs:
            texts[out] = node.op.pformat(node, [texts[i] for i in node.inputs])
    if var.owner is None:
        return str(var)
    return texts[var]
