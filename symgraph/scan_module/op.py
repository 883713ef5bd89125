"""The Scan op: a loop over an inner graph, lowered to one ``lax.scan``.

Its inputs and outputs are laid out as Theano lays them out, so graphs print as Theano
prints them::

    inputs:  n_steps, sequences, mit-sot buffers, sit-sot buffers, nit-sot lengths,
             non-sequences
    inner:   one slice per sequence, one per tap of each mit-sot, one per sit-sot,
             one per non-sequence  ->  one new value per mit-sot and sit-sot, one per
             nit-sot, then the ``until`` condition if any
    outputs: the mit-sot and sit-sot buffers (initial rows, then one row per step), and
             the nit-sot arrays (one row per step)

A recurrent output's buffer is carried through ``lax.scan`` as a window of its last
``L`` rows (``L`` its longest tap); sequences are scanned over as they are.

The gradient is another Scan (``grad_of_<name>``), built as graph nodes: it runs backwards
over the sequences, the recorded states and the output gradients, carrying for each
recurrent output the gradients still owed to its last ``L`` rows and for each
non-sequence the sum of its gradients so far. Being a Scan itself, it has a gradient too.
"""
import collections

import jax
import jax.numpy as jnp
from jax import lax

from symgraph.compile.lower import Lowering
from symgraph.graph.basic import Apply, Op, format_trace
from symgraph.graph.inner import InnerGraph
from symgraph.tensor.type import FLOAT_DTYPES, TensorType

ScanInfo = collections.namedtuple('ScanInfo', [
    'tap_array',          # taps of each mit-sot, then (-1,) for each sit-sot
    'n_seqs', 'n_mit_sot', 'n_sit_sot', 'n_nit_sot',
    'truncate_gradient', 'name', 'as_while'])


class Scan(Op):
    """``for{cpu,<name>}``: ``n_steps`` applications of an inner graph (see the module)."""

    __props__ = ('inner', 'info')
    wants_lowering = True
    fold_constants = False

    def __init__(self, inputs, outputs, info):
        self.inner = InnerGraph(inputs, outputs)
        self.info = info
        self.n_taps = sum(len(taps) for taps in info.tap_array)
        self.n_states = info.n_mit_sot + info.n_sit_sot
        self.n_inner_non_seqs = len(inputs) - info.n_seqs - self.n_taps
        expected = self.n_states + info.n_nit_sot + int(info.as_while)
        if len(outputs) != expected:
            raise ValueError('Scan: %d inner outputs, expected %d' % (len(outputs), expected))

    def __str__(self):
        return '%s{cpu,%s}' % ('do_while' if self.info.as_while else 'for',
                               self.info.name or 'scan_fn')

    # -- where things are -------------------------------------------------------------
    def outer_seqs(self, node):
        return node.inputs[1:1 + self.info.n_seqs]

    def outer_states(self, node):
        start = 1 + self.info.n_seqs
        return node.inputs[start:start + self.n_states]

    def outer_non_seqs(self, node):
        return node.inputs[1 + self.info.n_seqs + self.n_states + self.info.n_nit_sot:]

    def inner_state_taps(self):
        """For each recurrent output, its inner input variables, one per tap."""
        position = self.info.n_seqs
        taps = []
        for tap_list in self.info.tap_array:
            taps.append(self.inner.inputs[position:position + len(tap_list)])
            position += len(tap_list)
        return taps

    def inner_to_outer(self, node):
        """{inner input: the outer input it reads} (how debugprint links the two)."""
        mapping = dict(zip(self.inner.inputs[:self.info.n_seqs], self.outer_seqs(node)))
        for inner_taps, outer in zip(self.inner_state_taps(), self.outer_states(node)):
            mapping.update((var, outer) for var in inner_taps)
        mapping.update(zip(self.inner.inputs[self.info.n_seqs + self.n_taps:],
                           self.outer_non_seqs(node)))
        return mapping

    # -- types --------------------------------------------------------------------------
    def make_node(self, n_steps, *inputs):
        info = self.info
        if len(inputs) != info.n_seqs + self.n_states + info.n_nit_sot + \
                self.n_inner_non_seqs:
            raise ValueError('%s: wrong number of inputs (%d)' % (self, len(inputs) + 1))
        inputs = list(inputs)
        seqs = inputs[:info.n_seqs]
        for inner, outer in zip(self.inner.inputs, seqs):
            _expect(outer.type.dtype == inner.type.dtype and
                    outer.broadcastable[1:] == inner.broadcastable, self,
                    'sequence %s of type %s gives slices of another type than the step '
                    'reads (%s)' % (outer, outer.type, inner.type))
        outputs = []
        states = inputs[info.n_seqs:info.n_seqs + self.n_states]
        inner_outs = self.inner.outputs
        for k, (outer, inner_taps) in enumerate(zip(states, self.inner_state_taps())):
            _check_state(self, k, outer, inner_taps[0], inner_outs[k])
            outputs.append(outer.type)
        for inner_out in inner_outs[self.n_states:self.n_states + info.n_nit_sot]:
            outputs.append(TensorType(inner_out.dtype, (False,) + inner_out.broadcastable))
        node = Apply(self, [n_steps] + inputs, outputs)
        return node

    def static_inputs(self, node):
        return (0,)

    # -- lowering -----------------------------------------------------------------------
    def jax_impl(self, node, n_steps, *values, lowering):
        info = self.info
        n_steps = int(n_steps)
        if n_steps < 0:
            raise ValueError('scan: n_steps is %d; it must be at least 0' % n_steps)
        seqs = values[:info.n_seqs]
        for outer, seq in zip(self.outer_seqs(node), seqs):
            if seq.shape[0] < n_steps:
                raise ValueError('scan: the sequence %s has %d entries, fewer than the %d '
                                 'steps asked for' % (outer, seq.shape[0], n_steps))
        states = values[info.n_seqs:info.n_seqs + self.n_states]
        non_seqs = values[info.n_seqs + self.n_states + info.n_nit_sot:]
        lags = [-min(taps) for taps in info.tap_array]
        windows = tuple(state[:lag] for state, lag in zip(states, lags))
        inner = self.inner
        step_checks = []

        def step(carry, seq_slices):
            windows, extremes = carry
            tap_values = [window[lag + tap] for window, lag, taps in
                          zip(windows, lags, info.tap_array) for tap in taps]
            step_lowering = Lowering(lowering.slice_lengths, lowering.check_indices)
            outs = step_lowering.lower(inner, list(seq_slices) + tap_values + list(non_seqs))
            step_checks[:] = step_lowering.index_checks
            new_windows = tuple(
                jnp.concatenate([window[1:], jnp.asarray(out, window.dtype)[None]])
                if lag > 1 else jnp.asarray(out, window.dtype)[None]
                for window, lag, out in zip(windows, lags, outs))
            found = [(lo, hi) for _, _, _, lo, hi in step_checks]
            extremes = tuple((jnp.minimum(a, jnp.asarray(lo, a.dtype)),
                              jnp.maximum(b, jnp.asarray(hi, b.dtype)))
                             for (a, b), (lo, hi) in zip(extremes, found)) \
                if extremes is not None else None
            ys = tuple(jnp.asarray(out, var.dtype) for out, var in
                       zip(outs[:self.n_states + info.n_nit_sot], node.outputs))
            return (new_windows, extremes), ys

        # A first trace finds the index checks of the step, so that their extremes can be
        # carried from step to step (XLA values cannot leave the loop any other way).
        slices = tuple(seq[0] for seq in seqs)
        jax.eval_shape(lambda w, s: step((w, None), s), windows, slices) \
            if n_steps and lowering.check_indices else None
        extremes = tuple((jnp.asarray(2 ** 62, 'int64'), jnp.asarray(-2 ** 62, 'int64'))
                         for _ in step_checks)
        (_, extremes), ys = lax.scan(step, (windows, extremes),
                                     tuple(seq[:n_steps] for seq in seqs), length=n_steps)
        for (check_node, axis, size, _, _), (lo, hi) in zip(step_checks, extremes):
            lowering.index_checks.append((check_node, axis, size, lo, hi))
        results = [jnp.concatenate([state[:lag], y]) for state, lag, y in
                   zip(states, lags, ys)]
        results += list(ys[self.n_states:])
        return tuple(results) if len(results) > 1 else results[0]

    # -- gradient -----------------------------------------------------------------------
    def grad(self, node, output_grads):
        from symgraph.scan_module.grad import scan_grad  # builds Scans: above this module
        return scan_grad(node, output_grads)


def _expect(condition, op, message):
    if not condition:
        raise TypeError('%s: %s' % (op, message))


def _check_state(op, k, outer, inner_in, inner_out):
    """The classic scan error, said plainly: a step output whose type is not the type of
    the state it replaces."""
    state = outer.type
    wanted = TensorType(state.dtype, state.broadcastable[1:])
    if inner_out.type == wanted:
        return
    fixes = []
    if inner_out.dtype != wanted.dtype:
        fixes.append('cast one to the other (e.g. T.cast(new_value, %r))' % wanted.dtype)
    if inner_out.broadcastable != wanted.broadcastable:
        fixes.append('make the broadcastable patterns agree (e.g. T.unbroadcast or '
                     'T.addbroadcast on the initial value, or T.patternbroadcast(new_value, '
                     '%s))' % (wanted.broadcastable,))
    raise TypeError(
        'scan: output %d of the step function has type %s (broadcastable %s), but its '
        'initial state (outputs_info[%d]) has type %s (broadcastable %s); %s.\n'
        'The step output was created at:\n%s'
        % (k, inner_out.type, inner_out.broadcastable, k, wanted, wanted.broadcastable,
           ' and '.join(fixes), format_trace(inner_out.creation_trace)))


def is_float(var):
    return var.dtype in FLOAT_DTYPES
