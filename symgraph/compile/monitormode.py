"""``MonitorMode``: the graph run node by node, with a function called around each node.

As Theano's: ``pre_func(i, node, fn)`` before the i-th node runs and ``post_func(i, node,
fn)`` after it, where ``fn.inputs`` and ``fn.outputs`` are lists of one-element lists
holding the node's input and output values (numpy arrays; the outputs are ``[None]``
before the node runs). The function is not jitted: each node runs eagerly through its
JAX code, so a monitor sees every intermediate value (Theano's ``detect_nan`` recipe of
doc/tutorial/debug_faq.txt runs as written).
"""
import numpy as np

from symgraph.compile.lower import run_nodes
from symgraph.compile.mode import Mode


class NodeThunk:
    """``fn`` of a monitor: the node's input and output storage, and ``fn()`` runs it."""

    def __init__(self, node, values):
        self.node = node
        self.inputs = [[np.asarray(values[var])] for var in node.inputs]
        self.outputs = [[None] for _ in node.outputs]

    def __call__(self):
        values = {var: cell[0] for var, cell in zip(self.node.inputs, self.inputs)}
        run_nodes([self.node], values)
        for var, cell in zip(self.node.outputs, self.outputs):
            cell[0] = np.asarray(values[var])


class MonitorMode(Mode):
    """Theano's MonitorMode (see the module docstring)."""

    def __init__(self, pre_func=None, post_func=None, optimizer='default', linker=None):
        if linker is not None:
            raise ValueError('MonitorMode can only use its own linker (node by node); do not '
                             'give one')
        super().__init__('py', optimizer)
        self.pre_func = pre_func
        self.post_func = post_func

    def run_graph(self, nodes, values):
        """Run ``nodes`` over ``values`` ({variable: value}), calling the monitors."""
        for i, node in enumerate(nodes):
            fn = NodeThunk(node, values)
            if self.pre_func is not None:
                self.pre_func(i, node, fn)
            fn()
            if self.post_func is not None:
                self.post_func(i, node, fn)
            for var, cell in zip(node.outputs, fn.outputs):
                values[var] = cell[0]
        return values
