"""``NanGuardMode``: every value a function computes checked for NaN, Inf and big values.

The checks run inside the function's one XLA program: after each node, a flag per output
(NaN, Inf, absolute value above 1e10), and one for each input of the graph, all returned
packed in one vector with the results. When one is set, the host names the first value
that has it, in the order Theano's checks meet them (the graph's inputs, then the nodes
in program order), so the error names the node that *produced* the NaN: its op, its
inputs' shapes and values, and the line that built it. The call then leaves every shared
variable as it was (with ``config.NanGuardMode.action = 'warn'`` it logs the error and
applies the updates). Variables tagged ``var.tag.nan_guard_mode_check = False`` are not
checked, as in Theano.
"""
import logging

import numpy as np

from symgraph.compile.errors import describe_node
from symgraph.compile.mode import Mode, register_mode
from symgraph.config import config
from symgraph.graph.basic import format_trace

_logger = logging.getLogger('symgraph.compile.nanguardmode')

NAN, INF, BIG = 1, 2, 4
BIG_VALUE = 1e10  # Theano's threshold


class NanGuardMode(Mode):
    """Theano's NanGuardMode: raise (``AssertionError``, as Theano) when a node computes a
    NaN (``nan_is_error``), an infinity (``inf_is_error``) or a value whose magnitude
    exceeds 1e10 (``big_is_error``); None takes ``config.NanGuardMode.*``."""

    def __init__(self, nan_is_error=None, inf_is_error=None, big_is_error=None,
                 optimizer='default', linker=None):
        super().__init__(linker, optimizer)
        if self.linker != 'jax':
            raise ValueError("NanGuardMode checks inside the jitted program; linker must be "
                             "'jax' (or one of Theano's), not %r" % linker)
        group = config.NanGuardMode
        self.nan_is_error = group.nan_is_error if nan_is_error is None else nan_is_error
        self.inf_is_error = group.inf_is_error if inf_is_error is None else inf_is_error
        self.big_is_error = group.big_is_error if big_is_error is None else big_is_error
        if not (self.nan_is_error or self.inf_is_error or self.big_is_error):
            raise ValueError('NanGuardMode: at least one of nan_is_error, inf_is_error and '
                             'big_is_error must be True')

    @property
    def nan_guard(self):
        """What the lowering checks: (nan, inf, big)."""
        return (bool(self.nan_is_error), bool(self.inf_is_error), bool(self.big_is_error))

    @property
    def blocks_updates(self):
        """Whether a failed check leaves the shared variables as they were."""
        return config.NanGuardMode.action != 'warn'


def report(checks, flags, node_values, position_of):
    """Raise (or log) for the first set flag; ``checks`` are (node or None, variable) as
    the lowering recorded them, ``node_values(node)`` the values of a node's inputs
    (computed again on the host), ``position_of(node)`` its place in the program."""
    flags = np.asarray(flags)
    bad = np.flatnonzero(flags)
    if not bad.size:
        return
    k = int(bad[0])
    node, var = checks[k]
    flag = int(flags[k])
    lines = [text for bit, text in ((NAN, 'NaN detected'), (INF, 'Inf detected'),
                                    (BIG, 'Big value detected')) if flag & bit]
    if node is None:
        lines.append('NanGuardMode found an error in an input of the graph: %s of type %s.'
                     % (var, var.type))
        lines.append('The variable was created at:\n%s' % format_trace(var.creation_trace))
    else:
        from symgraph.printing.debugprint import debugprint  # upward: the error prints the node
        lines.append('NanGuardMode found an error in the output of a node in this variable:')
        lines.append(debugprint(var, file='str'))
        lines.append('')
        values = node_values(node)
        shown = 'Inputs values: [%s]' % ', '.join(
            repr(np.asarray(v)) if np.size(v) <= 10 else "'not shown'" for v in values)
        lines.append(describe_node(node, values).replace(
            '\nInputs types', '\nToposort index: %s\nInputs types' % position_of(node), 1)
            .replace('\nBacktrace when', '\n%s\nBacktrace when' % shown, 1))
    message = '\n'.join(lines)
    if config.NanGuardMode.action == 'warn':
        _logger.error(message)
        return
    raise AssertionError(message)


register_mode('NanGuardMode', NanGuardMode)
