"""Inner graphs: a graph with inputs and outputs of its own, carried by an op.

``OpFromGraph`` (and the control-flow ops to come: scan's step, ifelse's branches) holds
one. The inner graph is a private copy, so nothing the user does to the outer graph
reaches it, and its structural key makes two ops built from equal graphs equal, so the
merge rewrite shares them like any other node.
"""
from symgraph.graph.basic import Constant, clone_replace, toposort


class InnerGraph:
    """``outputs`` as a function of ``inputs``: fresh input variables of the same types,
    and a copy of the graph between them."""

    def __init__(self, inputs, outputs):
        fresh = [var.type(name=var.name) for var in inputs]
        self.inputs = fresh
        self.outputs = clone_replace(list(outputs), dict(zip(inputs, fresh)))
        self.nodes = toposort(self.outputs)
        self._key = None

    def key(self):
        """The graph's structure: input types, and per node its op and where each of its
        inputs comes from; equal keys mean graphs that compute the same thing."""
        if self._key is None:
            place = {var: ('input', k) for k, var in enumerate(self.inputs)}
            nodes = []
            for position, node in enumerate(self.nodes):
                sources = tuple(place.get(var) or _leaf_key(var) for var in node.inputs)
                nodes.append((node.op, sources))
                for k, out in enumerate(node.outputs):
                    place[out] = ('node', position, k)
            outputs = tuple(place.get(var) or _leaf_key(var) for var in self.outputs)
            self._key = (tuple(var.type for var in self.inputs), tuple(nodes), outputs)
        return self._key

    def __eq__(self, other):
        return isinstance(other, InnerGraph) and self.key() == other.key()

    def __hash__(self):
        return hash(self.key())

    def outer_leaves(self):
        """Variables the inner graph reads from outside it (shared variables, say):
        neither its inputs nor constants."""
        inputs = set(self.inputs)
        return [var for node in self.nodes for var in node.inputs
                if var.owner is None and var not in inputs and not isinstance(var, Constant)]


def _leaf_key(var):
    """A variable from outside the inner graph: a constant by its value, else itself."""
    if isinstance(var, Constant):
        return ('constant', var.type, var.data.tobytes(), var.data.shape)
    return ('outer', id(var))
