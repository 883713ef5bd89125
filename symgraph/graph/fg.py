"""``FunctionGraph``: a graph with named inputs and outputs (Theano's ``fgraph``).

``f.maker.fgraph`` is one: the graph a function compiled, its inputs (the function's,
then the shared variables it reads) and outputs (its outputs, then its update
expressions). It is a view for inspection; symgraph's rewrites work on plain graphs.
"""
from symgraph.graph.basic import ancestors, toposort


class FunctionGraph:
    """``inputs`` and ``outputs`` and the nodes between them: ``toposort()``,
    ``apply_nodes``, ``variables``, ``clients(var)``."""

    def __init__(self, inputs, outputs, nodes=None):
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self._nodes = list(nodes) if nodes is not None else toposort(self.outputs,
                                                                     stop=set(self.inputs))
        self.apply_nodes = set(self._nodes)
        self.variables = set(ancestors(self.outputs, stop=set(self.inputs)))
        self._clients = None

    def toposort(self):
        """The nodes, each after those it depends on (the order the program runs them)."""
        return list(self._nodes)

    def clients(self, var):
        """[(node, input position)] of the nodes that read ``var``; ('output', k) for the
        k-th output."""
        if self._clients is None:
            clients = {}
            for node in self._nodes:
                for k, inp in enumerate(node.inputs):
                    clients.setdefault(inp, []).append((node, k))
            for k, out in enumerate(self.outputs):
                clients.setdefault(out, []).append(('output', k))
            self._clients = clients
        return list(self._clients.get(var, []))

    def printable_outputs(self):
        """For debugprint: the outputs, and the node order."""
        return self.outputs, self._nodes

    def __str__(self):
        return '[%s]' % ', '.join(str(out) for out in self.outputs)

    def __repr__(self):
        return str(self)
