"""Test values (Theano's ``compute_test_value``): graphs computed while they are built.

With ``config.compute_test_value`` other than ``'off'``, each op applied (``Op.__call__``)
runs at once on its inputs' test values and stores its outputs' in ``var.tag.test_value``,
so that a shape mismatch or a bad value raises at the line of user code that built the
node, not when a compiled function runs. An input's test value is its
``tag.test_value``, a constant's or shared variable's value, or, for a variable computed by
a node built without test values (by ``make_node`` directly, as scan and ifelse do), the
value computed from its own inputs' test values. An input without one is, by the flag:
``'ignore'`` skipped, ``'warn'`` warned about, ``'raise'`` (and ``'pdb'``) an error.

The values are computed by the ops' JAX code, eagerly, one node at a time (lower.py).
"""
import warnings

import numpy as np

from symgraph.compile.lower import run_nodes
from symgraph.config import config
from symgraph.graph.basic import Constant, format_trace, toposort, user_frame


class MissingTestValue(AttributeError):
    """A variable has no test value (an AttributeError, as in Theano)."""


def _known(var):
    """The test value of ``var`` if it needs no computing, else raise MissingTestValue."""
    if 'test_value' in var.tag.__dict__:
        return var.tag.test_value
    if isinstance(var, Constant):
        return var.data
    container = getattr(var, 'container', None)
    if container is not None:
        return np.asarray(container.value)
    raise MissingTestValue('%s has no test value\nIt was created at:\n%s'
                           % (var, format_trace(var.creation_trace)))


def test_value(var):
    """The test value of ``var``, computing (and recording) those of the nodes between it
    and variables that have one; MissingTestValue names the first input that has none."""
    try:
        return _known(var)
    except MissingTestValue:
        if var.owner is None:
            raise
    have = {}

    def has_value(v):
        if v not in have:
            try:
                have[v] = _known(v)
            except MissingTestValue:
                if v.owner is None:
                    raise
                return False
        return True
    nodes = toposort([var], stop=_Stop(has_value))
    values = dict(have)
    for node in nodes:
        for inp in node.inputs:
            if inp not in values:
                values[inp] = _known(inp) if inp.owner is None else inp.tag.test_value
        _run(node, values)
    return var.tag.test_value


class _Stop:
    """``in``: whether the walk stops at a variable (it has a test value)."""

    def __init__(self, has_value):
        self.has_value = has_value

    def __contains__(self, var):
        return self.has_value(var)


def _run(node, values):
    run_nodes([node], values)
    for out in node.outputs:
        out.tag.test_value = np.asarray(values[out])


def compute_node(node):
    """Compute the test values of ``node``'s outputs (see the module docstring)."""
    action = config.compute_test_value
    values = {}
    for i, inp in enumerate(node.inputs):
        try:
            values[inp] = test_value(inp)
        except MissingTestValue as err:
            if action == 'ignore':
                return
            if action == 'warn':
                where = user_frame() or ('<unknown>', 0, '')
                warnings.warn_explicit('Warning, Cannot compute test value: input %i (%s) of '
                                       'Op %s missing default value' % (i, inp, node),
                                       UserWarning, where[0], where[1])
                return
            detail = str(err).split('\n', 1)[1] if '\n' in str(err) else ''
            raise ValueError('Cannot compute test value: input %i (%s) of Op %s missing '
                             'default value. %s\n%s' % (i, inp, node, str(err).split('\n')[0],
                                                        detail)) from None
    _run(node, values)
