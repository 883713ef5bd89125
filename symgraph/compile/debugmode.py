"""``DebugMode``: the graph run node by node, every value checked as it is computed.

Theano's DebugMode ran each op's Python and C implementations and compared them. symgraph
has one implementation per op (its JAX code), so its DebugMode checks what can go wrong
there: after each node, that every output has the dtype, number of dimensions and
broadcastable dimensions of length 1 that its type promises, and (``check_isfinite``,
default ``config.DebugMode.check_finite``) that no float output holds a NaN or an
infinity. A failure raises ``InvalidValueError`` naming the node, its inputs' shapes and
the line that built it. The graph is rewritten as by the mode's optimizer (FAST_RUN by
default) and not jitted.
"""
import numpy as np

from symgraph.compile.errors import describe_node
from symgraph.compile.lower import run_nodes
from symgraph.compile.mode import Mode, register_mode
from symgraph.config import config


class DebugModeError(Exception):
    """Something DebugMode found wrong."""


class InvalidValueError(DebugModeError):
    """A node computed a value its output type cannot hold (or a NaN/Inf)."""


class DebugMode(Mode):
    """Theano's DebugMode (see the module docstring). Theano's other options are accepted;
    those about C code, strides and preallocated outputs have nothing to check here."""

    def __init__(self, optimizer='fast_run', stability_patience=None, check_c_code=None,
                 check_py_code=None, check_isfinite=None, check_preallocated_output=None,
                 require_matching_strides=None, linker=None):
        super().__init__('py', optimizer)
        self.check_isfinite = config.DebugMode.check_finite if check_isfinite is None \
            else check_isfinite

    def run_graph(self, nodes, values):
        for position, node in enumerate(nodes):
            run_nodes([node], values)
            for var in node.outputs:
                self.check(node, position, var, values[var], values)
        return values

    def check(self, node, position, var, value, values):
        array = np.asarray(value)
        vtype = var.type
        problem = None
        if array.dtype != vtype.numpy_dtype:
            problem = 'dtype %s, where its type is %s' % (array.dtype, vtype)
        elif array.ndim != vtype.ndim:
            problem = '%d dimensions (shape %s), where its type is %s' % (
                array.ndim, array.shape, vtype)
        elif any(b and n != 1 for b, n in zip(vtype.broadcastable, array.shape)):
            problem = 'shape %s, where its type %s has broadcastable dimensions of length 1' \
                % (array.shape, vtype)
        elif self.check_isfinite and array.dtype.kind in 'fc' and not np.isfinite(array).all():
            problem = 'a non-finite value (%s)' % ('NaN' if np.isnan(array).any() else 'Inf')
        if problem is not None:
            inputs = [values[i] for i in node.inputs]
            raise InvalidValueError('DebugMode: output %d of node %d (%s) holds %s.\n%s'
                                    % (var.index, position, node.op, problem,
                                       describe_node(node, inputs)))


register_mode('DebugMode', DebugMode)
register_mode('DEBUG_MODE', DebugMode)
