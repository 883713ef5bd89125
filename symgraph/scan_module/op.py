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
``L`` rows (``L`` its longest tap); sequences are scanned over as they are. A buffer of
which the rest of the graph reads only the last rows (``info.last_only``, set by the
rewrite ``scan_keep_last_rows``) is that final window, not one row per step. A loop
marked ``info.reverse`` (set by the rewrite ``scan_read_backwards`` on a loop over
reversed sequences) reads the last ``n_steps`` rows of each sequence from the last back,
as ``lax.scan(reverse=True)``, and writes its nit-sots in the order of those rows.

The gradient is another Scan (``grad_of_<name>``), built as graph nodes: it runs backwards
over the sequences, the recorded states and the output gradients, carrying for each
recurrent output the gradients still owed to its last ``L`` rows and for each
non-sequence the sum of its gradients so far. Being a Scan itself, it has a gradient too.
The values of the step that the backward step reads (a gate, a pre-activation) are not
computed again: the forward loop records them as extra outputs (``info.n_stash``), and
the rewrite ``scan_merge_stashed`` lets the cost read the same loop.
"""
import collections

import jax
import jax.numpy as jnp
from jax import lax

from symgraph.config import change_flags
from symgraph.gradient import backpropagate
from symgraph.graph.basic import Apply, Op, clone_replace, format_trace, toposort
from symgraph.graph.inner import InnerGraph
from symgraph.tensor import elemwise as ew
from symgraph.tensor.basic import Rebroadcast, patternbroadcast, stack, unbroadcast
from symgraph.tensor.subtensor import AllocEmpty, Subtensor, inc_subtensor, set_subtensor
from symgraph.tensor.type import FLOAT_DTYPES, TensorType

ScanInfo = collections.namedtuple('ScanInfo', [
    'tap_array',          # taps of each mit-sot, then (-1,) for each sit-sot
    'n_seqs', 'n_mit_sot', 'n_sit_sot', 'n_nit_sot',
    'truncate_gradient', 'name', 'as_while',
    'last_only',          # recurrent outputs whose buffer keeps only its last L rows
    'n_stash',            # of the nit-sots, the last ones are values kept for a gradient
    'reverse',            # sequences read from their last row back, nit-sots in their order
], defaults=((), 0, False))


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
            check_state(outer, inner_outs[k], 'recurrent output %d' % k,
                        'its initial state')
            outputs.append(outer.type)
        for inner_out in inner_outs[self.n_states:self.n_states + info.n_nit_sot]:
            outputs.append(TensorType(inner_out.dtype, (False,) + inner_out.broadcastable))
        node = Apply(self, [n_steps] + inputs, outputs)
        return node

    def static_inputs(self, node):
        return (0,)

    # -- lowering -----------------------------------------------------------------------
    def count_steps(self, node, values, lowering):
        """How many steps a loop with an ``until`` condition runs (at most ``n_steps``;
        the step that makes the condition true is the last), carrying only the states."""
        info = self.info
        n_steps, values = values[0], values[1:]
        seqs = values[:info.n_seqs]
        states = values[info.n_seqs:info.n_seqs + self.n_states]
        non_seqs = values[info.n_seqs + self.n_states + info.n_nit_sot:]
        lags = [-min(taps) for taps in info.tap_array]

        def keep_going(carry):
            i, _, stop = carry
            return (i < n_steps) & jnp.logical_not(stop)

        def step(carry):
            i, windows, _ = carry
            slices = [lax.dynamic_index_in_dim(seq, i, keepdims=False) for seq in seqs]
            outs, windows = self._step(windows, slices, non_seqs, lowering.nested())
            return i + 1, windows, jnp.asarray(outs[-1]) != 0

        start = (jnp.asarray(0, 'int64'), self._windows(states, lags), jnp.asarray(False))
        return lax.while_loop(keep_going, step, start)[0]

    def _step(self, windows, seq_slices, non_seqs, step_lowering):
        """One step: (the inner graph's outputs, the states' new windows)."""
        info = self.info
        lags = [-min(taps) for taps in info.tap_array]
        tap_values = [window if lag == 1 else window[lag + tap] for window, lag, taps in
                      zip(windows, lags, info.tap_array) for tap in taps]
        outs = step_lowering.lower(self.inner, list(seq_slices) + tap_values + list(non_seqs))
        new_windows = tuple(
            jnp.concatenate([window[1:], jnp.asarray(out, window.dtype)[None]])
            if lag > 1 else jnp.asarray(out, window.dtype)
            for window, lag, out in zip(windows, lags, outs))
        return outs, new_windows

    @staticmethod
    def _windows(states, lags):
        """The last ``lag`` rows of each state's initial buffer, carried from step to step.
        A window of one row is that row itself: XLA updates a loop's carried value in
        place only where the step reads and writes it element by element, which a
        reshape to and from a leading axis of one would prevent (a copy per step)."""
        return tuple(state[0] if lag == 1 else state[:lag] for state, lag in zip(states, lags))

    def jax_impl(self, node, n_steps, *values, lowering, steps_taken=None):
        """``steps_taken`` (traced), when given, is how many of the ``n_steps`` steps run
        (a program shared by several lengths, see compile/padding.py): the outputs keep
        ``n_steps`` rows, of which the first ``steps_taken`` are written."""
        info = self.info
        if info.as_while:  # as many steps as the condition lets run, counted before
            steps_run = lowering.slice_length(node, 'steps')
            if steps_run is None:  # computing with concrete values (eval, the 'py' mode)
                steps_run = self.count_steps(node, (n_steps,) + values, lowering)
            n_steps = steps_run
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
        windows = self._windows(states, lags)
        step_checks = []

        def step(carry, seq_slices):
            windows, extremes = carry
            step_lowering = lowering.nested()
            outs, new_windows = self._step(windows, seq_slices, non_seqs, step_lowering)
            step_checks[:] = step_lowering.index_checks
            found = [(lo, hi) for _, _, _, lo, hi in step_checks]
            extremes = tuple((jnp.minimum(a, jnp.asarray(lo, a.dtype)),
                              jnp.maximum(b, jnp.asarray(hi, b.dtype)))
                             for (a, b), (lo, hi) in zip(extremes, found)) \
                if extremes is not None else None
            ys = tuple(jnp.asarray(out, var.dtype) for k, (out, var) in
                       enumerate(zip(outs[:self.n_states + info.n_nit_sot], node.outputs))
                       if k not in info.last_only)
            return (new_windows, extremes), ys

        # A first trace finds the index checks of the step (so that their extremes can be
        # carried from step to step: XLA values cannot leave the loop any other way) and
        # the shapes of its outputs.
        slices = tuple(jax.ShapeDtypeStruct(seq.shape[1:], seq.dtype) for seq in seqs)
        _, shapes = jax.eval_shape(lambda w, s: step((w, None), s), windows, slices)
        if n_steps == 0:  # nothing to loop over (XLA mishandles empty loops)
            ys = tuple(jnp.zeros((0,) + out.shape, out.dtype) for out in shapes)
            step_checks, extremes = [], ()
        else:
            extremes = tuple((jnp.asarray(2 ** 62, 'int64'), jnp.asarray(-2 ** 62, 'int64'))
                             for _ in step_checks)
            if steps_taken is None:
                rows = tuple(seq[seq.shape[0] - n_steps:] if info.reverse else seq[:n_steps]
                             for seq in seqs)
                (windows, extremes), ys = lax.scan(step, (windows, extremes), rows,
                                                   length=n_steps, reverse=info.reverse)
            else:
                windows, extremes, ys = self._steps_taken(
                    step, windows, extremes, seqs, shapes, n_steps, steps_taken)
        for (check_node, axis, size, _, _), (lo, hi) in zip(step_checks, extremes):
            lowering.index_checks.append((check_node, axis, size, lo, hi))
        ys = iter(ys)
        results = []
        for k, (state, lag, window) in enumerate(zip(states, lags, windows)):
            if k in info.last_only:
                results.append(window[None] if lag == 1 else window)
            else:  # (XLA aborts on a concatenation with an empty array)
                y = next(ys)[::-1] if info.reverse else next(ys)  # rows in step order
                results.append(jnp.concatenate([state[:lag], y]) if n_steps else state[:lag])
        results += list(ys)
        return tuple(results) if len(results) > 1 else results[0]

    def _steps_taken(self, step, windows, extremes, seqs, shapes, n_steps, steps_taken):
        """The loop of ``jax_impl`` run ``steps_taken`` times (traced, at most ``n_steps``)
        as a ``lax.while_loop``, reading the sequences' first rows (from the last of them
        back when reversed): the later rows of the ``n_steps``-row outputs stay zeros,
        and the steps not taken cost nothing."""
        reverse = self.info.reverse

        def body(carry):
            windows, extremes, t, ys = carry
            # (t is never negative: no wrapping of negative positions, one kernel less
            # per step)
            rows = tuple(lax.dynamic_index_in_dim(seq, t, keepdims=False,
                                                  allow_negative_indices=False)
                         for seq in seqs)
            (windows, extremes), outs = step((windows, extremes), rows)
            ys = tuple(lax.dynamic_update_index_in_dim(y, out, t, 0,
                                                       allow_negative_indices=False)
                       for y, out in zip(ys, outs))
            return windows, extremes, t - 1 if reverse else t + 1, ys

        ys = tuple(jnp.zeros((n_steps,) + out.shape, out.dtype) for out in shapes)
        first = steps_taken - 1 if reverse else jnp.zeros((), steps_taken.dtype)
        windows, extremes, _, ys = lax.while_loop(
            lambda carry: carry[2] >= 0 if reverse else carry[2] < steps_taken, body,
            (windows, extremes, first, ys))
        return windows, extremes, ys

    # -- gradient -----------------------------------------------------------------------
    def grad(self, node, output_grads):
        if self.info.last_only or self.info.reverse:  # rewrites run after differentiation
            raise NotImplementedError('%s: no gradient once rewritten for running' % self)
        with change_flags(compute_test_value='off'):  # its inner graphs have no test values
            return scan_grad(node, output_grads)


def _expect(condition, op, message):
    if not condition:
        raise TypeError('%s: %s' % (op, message))


def check_state(outer, inner_out, what, initial):
    """The classic scan error, said plainly: a step output (``what``) whose type is not
    the type of the state it replaces (``initial``, its buffer ``outer``)."""
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
        'scan: %s of the step function has type %s (broadcastable %s), but %s has type %s '
        '(broadcastable %s); %s.\nThe step output was created at:\n%s'
        % (what, inner_out.type, inner_out.broadcastable, initial, wanted,
           wanted.broadcastable, ' and '.join(fixes), format_trace(inner_out.creation_trace)))


def _is_float(var):
    return var.dtype in FLOAT_DTYPES


def pad_left(var):
    """``unbroadcast(shape_padleft(var), 0)``: a state as a one-row buffer."""
    return unbroadcast(ew.DimShuffle(var.broadcastable, ['x'] + list(range(var.ndim)))(var), 0)


def expand_empty(var, size):
    """``var`` followed by ``size`` rows to be written (scan_utils.expand_empty)."""
    shapes = [var.shape[d] for d in range(var.ndim)]
    empty = AllocEmpty(var.dtype)(*([size + shapes[0]] + shapes[1:]))
    return set_subtensor(empty[:shapes[0]], var)


def _reversed_rows(var, start=None, stop=None):
    """``var[start:stop][::-1]``: a forward sequence as the backward loop reads it."""
    if start is not None or stop is not None:
        var = var[start:stop]
    return var[::-1]


def _values_to_stash(op, gradients):
    """The values of ``op``'s step that the graph of ``gradients`` reads and that change
    from step to step (they depend on a sequence or a state), in the step's order; none for
    a step running loops of its own, whose lengths must stay readable from the step."""
    if any(isinstance(node.op, Scan) for node in op.inner.nodes):
        return []
    step_inputs = set(op.inner.inputs[:op.info.n_seqs + op.n_taps])
    varying, step_nodes = set(step_inputs), set(op.inner.nodes)
    for node in op.inner.nodes:
        if any(var in varying for var in node.inputs):
            varying.update(node.outputs)
    read = set()
    for node in toposort(list(gradients), stop=step_inputs):
        if node not in step_nodes:
            read.update(_viewed(var) for var in node.inputs
                        if var in varying and var.owner in step_nodes)
    return [var for node in op.inner.nodes for var in node.outputs if var in read]


def _step_values_reused(op, gradients):
    """``gradients`` ({variable: gradient}) with every node that computes again what a
    node of ``op``'s step computes (the same op on the same inputs: the gradient of a
    sigmoid takes the sigmoid of its input) replaced by the step's, so that the backward
    step reads the forward step's value instead of computing it again."""
    step_inputs = set(op.inner.inputs)
    step_nodes = {}
    for node in op.inner.nodes:
        step_nodes.setdefault((node.op, tuple(node.inputs)), node)
    twins = {}
    for node in toposort(list(gradients.values()), stop=step_inputs):
        key = (node.op, tuple(twins.get(var, var) for var in node.inputs))
        twin = step_nodes.get(key)
        if twin is not None and twin is not node:
            twins.update(zip(node.outputs, twin.outputs))
    if not twins:
        return gradients
    return dict(zip(gradients, clone_replace(list(gradients.values()), twins)))


_VIEWS = (ew.DimShuffle, Subtensor, Rebroadcast)


def _viewed(var):
    """The value ``var`` is a view of (``var`` itself if it is not a view): the backward
    step takes views of a recorded value again rather than recording each."""
    while var.owner is not None and isinstance(var.owner.op, _VIEWS):
        var = var.owner.inputs[0]
    return var


def _with_stash(node, stash):
    """The Scan ``node`` also recording, one row per step, the step's values ``stash``."""
    op, info = node.op, node.op.info
    n_outs = op.n_states + info.n_nit_sot
    outputs = op.inner.outputs
    recording = Scan(op.inner.inputs, outputs[:n_outs] + list(stash) + outputs[n_outs:],
                     info._replace(n_nit_sot=info.n_nit_sot + len(stash),
                                   n_stash=info.n_stash + len(stash)))
    first_non_seq = len(node.inputs) - len(op.outer_non_seqs(node))
    recorded = recording.make_node(*(node.inputs[:first_non_seq] + [node.inputs[0]] * len(stash)
                                     + node.inputs[first_non_seq:]))
    recorded.trace = node.trace
    return recorded


def without_stash(node):
    """(the Scan op and outer inputs ``node`` would have without its recorded values), for
    a Scan that records some (``info.n_stash``)."""
    op, info = node.op, node.op.info
    n_kept = op.n_states + info.n_nit_sot - info.n_stash
    outputs = op.inner.outputs
    plain = Scan(op.inner.inputs, outputs[:n_kept] + outputs[n_kept + info.n_stash:],
                 info._replace(n_nit_sot=info.n_nit_sot - info.n_stash, n_stash=0))
    first_length = 1 + info.n_seqs + op.n_states + info.n_nit_sot - info.n_stash
    inputs = node.inputs[:first_length] + node.inputs[first_length + info.n_stash:]
    return plain, inputs


def scan_grad(node, output_grads):
    """The gradients of a Scan's inputs, computed by a backward Scan (see the module)."""
    op, info = node.op, node.op.info
    inner = op.inner
    n_states, n_nit_sot = op.n_states, info.n_nit_sot
    n_steps = node.inputs[0]
    outer_seqs, outer_states = op.outer_seqs(node), op.outer_states(node)
    outer_non_seqs = op.outer_non_seqs(node)
    inner_seqs = inner.inputs[:info.n_seqs]
    inner_taps = op.inner_state_taps()
    inner_non_seqs = inner.inputs[info.n_seqs + op.n_taps:]
    state_grads = output_grads[:n_states]
    nit_sot_grads = output_grads[n_states:]
    lags = [-min(taps) for taps in info.tap_array]
    if info.as_while:  # the steps that ran: the length of the outputs
        if not node.outputs:
            return [None] * len(node.inputs)
        n_steps = node.outputs[0].shape[0] - (lags[0] if n_states else 0)
    truncate = info.truncate_gradient
    n_back = n_steps if truncate is None or truncate < 0 else ew.minimum(n_steps, truncate)

    # The backward step's inputs: what the forward step read at step t, the gradients
    # of what it wrote, the gradients still owed to each state's last rows, and the sums
    # of the non-sequences' gradients so far.
    back_seqs, back_seq_inner = [], []
    for outer, var in zip(outer_seqs, inner_seqs):
        back_seqs.append(_reversed_rows(outer, None, n_steps) if info.as_while
                         else _reversed_rows(outer))
        back_seq_inner.append(var)
    for buffer, taps, variables, lag in zip(node.outputs[:n_states], info.tap_array,
                                            inner_taps, lags):
        for tap, var in zip(taps, variables):
            back_seqs.append(_reversed_rows(buffer, lag + tap, lag + tap + n_steps))
            back_seq_inner.append(var)
    seeds = {}
    for k, (out, g) in enumerate(zip(inner.outputs[n_states:n_states + n_nit_sot],
                                     nit_sot_grads)):
        if g is not None and _is_float(out):
            row = out.type(name='g_' + (out.name or 'y%d' % k) + '[t]')
            back_seqs.append(_reversed_rows(g))
            back_seq_inner.append(row)
            seeds[out] = row
    owed, owed_inner, owed_out = [], [], []
    for j, (buffer, g, lag, out) in enumerate(zip(outer_states, state_grads, lags,
                                                  inner.outputs[:n_states])):
        if not _is_float(out):
            continue
        window_init = expand_empty(pad_left(ew.zeros_like(buffer[:lag])), n_back)
        window = TensorType(out.dtype, window_init.broadcastable[1:])(name='owed%d[t-1]' % j)
        total = window[lag - 1]
        if g is not None:
            row = out.type(name='g_state%d[t]' % j)
            back_seqs.append(_reversed_rows(g, lag, lag + n_steps))
            back_seq_inner.append(row)
            total = total + row
        seeds[out] = total
        owed.append((j, window_init, window))
    float_non_seqs = [(outer, var) for outer, var in zip(outer_non_seqs, inner_non_seqs)
                      if _is_float(var)]
    wrt = [v for v in inner_seqs if _is_float(v)] + \
        [v for variables in inner_taps for v in variables if _is_float(v)] + \
        [var for _, var in float_non_seqs]
    grads = backpropagate(seeds, wrt) if seeds else {}
    if not info.as_while:
        grads = _step_values_reused(op, grads)
        stash = _values_to_stash(op, grads.values())
        # A value the step writes (its new state, its output row) is read back from the
        # loop's output rather than recorded twice.
        written = {out: k for k, out in enumerate(inner.outputs[:n_states + n_nit_sot])}
        for var in [var for var in stash if var in written]:
            k = written[var]
            buffer = node.outputs[k]
            back_seqs.append(_reversed_rows(buffer, lags[k], lags[k] + n_steps)
                             if k < n_states else _reversed_rows(buffer))
            back_seq_inner.append(var)
        stash = [var for var in stash if var not in written]
        if stash:
            recorded = _with_stash(node, stash)
            back_seqs = clone_replace(back_seqs, dict(zip(node.outputs, recorded.outputs)))
            back_seqs.extend(_reversed_rows(out) for out in recorded.outputs[-len(stash):])
            back_seq_inner.extend(stash)

    def grad_of(var):
        g = grads.get(var)
        return ew.zeros_like(var) if g is None else g

    # Outputs: the new owed gradients (rows shift by one; the step's taps add theirs),
    # the new sums, and one gradient row per sequence.
    for j, window_init, window in owed:
        lag = lags[j]
        by_tap = dict(zip(info.tap_array[j], inner_taps[j]))
        rows = [grad_of(by_tap[r - lag]) if r - lag in by_tap else None for r in range(lag)]
        rows = [row if r == 0 else (window[r - 1] if row is None else window[r - 1] + row)
                for r, row in enumerate(rows)]
        rows[0] = ew.zeros_like(window[0]) if rows[0] is None else rows[0]
        owed_out.append(patternbroadcast(stack(rows), window.broadcastable))
        owed_inner.append(window)
    sums, sums_inner, sums_out = [], [], []
    for outer, var in float_non_seqs:
        if var not in grads:
            continue
        total = var.type(name='g_' + (var.name or 'non_seq') + '[t-1]')
        sums.append((outer, expand_empty(pad_left(ew.zeros_like(outer)), n_back)))
        sums_inner.append(total)
        sums_out.append(total + grads[var])
    seq_outs = [(k, grads[var]) for k, var in enumerate(inner_seqs) if var in grads]

    back_info = ScanInfo(tap_array=((-1,),) * (len(owed) + len(sums)), n_seqs=len(back_seqs),
                         n_mit_sot=0, n_sit_sot=len(owed) + len(sums),
                         n_nit_sot=len(seq_outs), truncate_gradient=-1,
                         name='grad_of_' + (info.name or 'scan_fn'), as_while=False)
    back_op = Scan(back_seq_inner + owed_inner + sums_inner + list(inner_non_seqs),
                   owed_out + sums_out + [g for _, g in seq_outs], back_info)
    back = back_op.make_node(*([n_back] + [seq[:n_back] for seq in back_seqs]
                               + [init for _, init, _ in owed] + [init for _, init in sums]
                               + [n_back] * len(seq_outs) + list(outer_non_seqs)))
    back.trace = node.trace
    results = iter(back.outputs)

    input_grads = [None] * len(node.inputs)
    first_state = 1 + info.n_seqs
    for j, _, _ in owed:
        lag, buffer = lags[j], outer_states[j]
        owed_final = next(results)[-1]
        if n_back is n_steps:
            g = inc_subtensor(ew.zeros_like(buffer)[:lag], owed_final)
        else:  # owed to the rows before the truncated steps, of which only the first count
            start = n_steps - n_back
            g = inc_subtensor(ew.zeros_like(buffer)[start:start + lag], owed_final)
            g = set_subtensor(g[lag:], ew.zeros_like(g[lag:]))
        if state_grads[j] is not None:
            g = inc_subtensor(g[:lag], state_grads[j][:lag])
        input_grads[first_state + j] = g
    first_non_seq = len(node.inputs) - len(outer_non_seqs)
    for outer, _ in sums:
        input_grads[first_non_seq + outer_non_seqs.index(outer)] = next(results)[-1]
    for k, g_rows in seq_outs:
        g_rows = next(results)[::-1]
        outer = outer_seqs[k]
        rows = slice(None, n_steps) if n_back is n_steps else slice(n_steps - n_back, n_steps)
        input_grads[1 + k] = inc_subtensor(ew.zeros_like(outer)[rows], g_rows)
    return input_grads
