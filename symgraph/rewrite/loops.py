"""Rewrites of scan loops: the step's own graph is rewritten like any other graph, and
what it computes from the non-sequences alone (``W.T``, ``dot(W, c)``) is computed once,
before the loop, and passed in as a new non-sequence (Theano's scan "pushout"); a loop
that records values for its gradient replaces the same loop without them; a recurrent
output of which only the last rows are read keeps only those (Theano's "save_mem"); a
loop over reversed sequences (a gradient's backward loop) reads them in place.
"""
import collections

from symgraph.graph.basic import Constant, clone_replace, toposort
from symgraph.rewrite.engine import WHOLE_GRAPH, register
from symgraph.scan_module.op import Scan, without_stash
from symgraph.tensor.subtensor import ScalarFromTensor, Subtensor


@register('fast_run', 'fast_compile', 'stabilize', tracks=(Scan,))
def scan_inner_graph(node, ctx):
    """Rewrite a scan's step graph, and hoist its loop-invariant part out of the loop."""
    op = node.op
    inner = op.inner
    outputs = ctx.rewrite_inner(inner.outputs)
    inputs, outputs, outer_new = _push_out_invariants(op, node, list(inner.inputs), outputs)
    new_op = Scan(inputs, outputs, op.info)
    if new_op == op and not outer_new:
        return None
    new_node = new_op.make_node(*(node.inputs + outer_new))
    new_node.trace = node.trace
    return new_node.outputs


def _push_out_invariants(op, node, inputs, outputs):
    """(inner inputs, inner outputs, new outer non-sequences): each value of the step that
    depends only on non-sequences and constants, and is used by the rest of the step,
    becomes a non-sequence computed outside. Values of constants alone stay, so that a
    step rewritten twice (a cost's, and its gradient's stabilized copy) stays one step."""
    non_seqs = inputs[op.info.n_seqs + op.n_taps:]
    outer_of = dict(zip(non_seqs, op.outer_non_seqs(node)))
    invariant, constant = set(non_seqs), set()

    def is_constant(var):
        return isinstance(var, Constant) or var in constant

    nodes = toposort(outputs)
    for inner_node in nodes:
        if inner_node.op.calls_host:
            continue
        if all(is_constant(i) for i in inner_node.inputs):
            constant.update(inner_node.outputs)  # left to constant folding, in the step
        elif all(is_constant(i) or i in invariant for i in inner_node.inputs):
            invariant.update(inner_node.outputs)
    hoisted = []
    for inner_node in nodes:
        if any(o in invariant for o in inner_node.outputs):
            continue
        hoisted.extend(i for i in inner_node.inputs if i in invariant and i.owner is not None
                       and i not in hoisted)
    hoisted.extend(o for o in outputs if o in invariant and o.owner is not None
                   and o not in hoisted)
    if not hoisted:
        return inputs, outputs, []
    fresh = [var.type(name=var.name) for var in hoisted]
    outputs = clone_replace(outputs, dict(zip(hoisted, fresh)))
    outer_new = clone_replace(hoisted, outer_of)
    return inputs + fresh, outputs, outer_new


@register('fast_run', tracks=WHOLE_GRAPH)
def scan_merge_stashed(outputs, ctx):
    """A loop and the same loop recording values for its gradient run once: what read the
    first reads the second."""
    nodes = toposort(outputs)
    recording = {}
    for node in nodes:
        if isinstance(node.op, Scan) and node.op.info.n_stash:
            plain, inputs = without_stash(node)
            recording.setdefault((plain, tuple(inputs)), node)
    replace = {}
    for node in nodes:
        twin = recording.get((node.op, tuple(node.inputs))) if isinstance(node.op, Scan) \
            else None
        if twin is not None and all(ctx.can_replace_through(out) for out in node.outputs):
            replace.update(zip(node.outputs, twin.outputs))
    if not replace:
        return outputs
    # The recording loops may read merged loops too: merge again until none is left.
    return scan_merge_stashed(clone_replace(outputs, replace), ctx)


@register('fast_run', tracks=WHOLE_GRAPH)
def scan_keep_last_rows(outputs, ctx):
    """Recurrent outputs read only as ``buffer[-k]`` (k within the window) keep only their
    final window instead of one row per step: a gradient's running sums, ``h[-1]``."""
    nodes = toposort(outputs)
    readers = collections.defaultdict(list)
    for node in nodes:
        for var in node.inputs:
            readers[var].append(node)
    for var in outputs:
        readers[var].append(None)
    memo = {}
    for node in nodes:
        inputs = [memo.get(var, var) for var in node.inputs]
        last_only = _last_rows_read(node, readers, ctx) if isinstance(node.op, Scan) else ()
        if last_only:
            op = node.op
            info = op.info._replace(last_only=tuple(sorted(op.info.last_only + last_only)))
            new_node = Scan(op.inner.inputs, op.inner.outputs, info).make_node(*inputs)
            new_node.trace = node.trace
        elif any(new is not old for new, old in zip(inputs, node.inputs)):
            new_node = node.clone_with_new_inputs(inputs)
        else:
            continue
        for old, new in zip(node.outputs, new_node.outputs):
            new.name = old.name
            memo[old] = new
    return [memo.get(var, var) for var in outputs]


@register('fast_run', tracks=WHOLE_GRAPH)
def scan_read_backwards(outputs, ctx):
    """A loop over reversed sequences reads them in place, last row first, rather than
    reversed copies: ``lax.scan(reverse=True)``, as ``jax.grad`` runs a backward loop."""
    memo = {}
    for node in toposort(outputs):
        inputs = [memo.get(var, var) for var in node.inputs]
        if _reversed(node.outputs[0]) is not None and inputs[0] is not node.inputs[0] and \
                _reversed(inputs[0]) is not None:  # a reversal of a reversal made here
            memo[node.outputs[0]] = _reversed(inputs[0])
            continue
        sources = _read_backwards(node, inputs, ctx) if isinstance(node.op, Scan) else None
        if sources is not None:
            op = node.op
            new_node = Scan(op.inner.inputs, op.inner.outputs, op.info._replace(
                reverse=True)).make_node(*(inputs[:1] + sources + inputs[1 + op.info.n_seqs:]))
            new_node.trace = node.trace
            news = [new if k < op.n_states else new[::-1]
                    for k, new in enumerate(new_node.outputs)]
        elif any(new is not old for new, old in zip(inputs, node.inputs)):
            news = node.clone_with_new_inputs(inputs).outputs
        else:
            continue
        for old, new in zip(node.outputs, news):
            new.name = old.name
            memo[old] = new
    return [memo.get(var, var) for var in outputs]


def _reversed(var):
    """``u`` when ``var`` is ``u[::-1]``, else None."""
    node = var.owner
    if node is None or not isinstance(node.op, Subtensor) or len(node.op.idx_list) != 1:
        return None
    entry = node.op.idx_list[0]
    if not isinstance(entry, slice) or entry.start is not None or entry.stop is not None \
            or entry.step is None or not isinstance(node.inputs[1], Constant) or \
            int(node.inputs[1].data) != -1:
        return None
    return node.inputs[0]


def _read_backwards(node, inputs, ctx):
    """For a Scan ``node`` (with ``inputs``) whose every sequence is ``u[::-1]`` or
    ``u[::-1][:n_steps]``, the ``u``s; else None. Its recurrent outputs must be read
    only at their end, so that only its per-step outputs come out in another order."""
    op, info = node.op, node.op.info
    if info.as_while or info.reverse or not info.n_seqs or \
            len(info.last_only) != op.n_states or \
            not all(ctx.can_replace_through(out) for out in node.outputs):
        return None
    sources = []
    for seq in inputs[1:1 + info.n_seqs]:
        cut = seq.owner
        entry = cut.op.idx_list[0] if cut is not None and isinstance(cut.op, Subtensor) \
            and len(cut.op.idx_list) == 1 else None
        if isinstance(entry, slice) and entry.start is None and entry.step is None and \
                entry.stop is not None and _is_steps(cut.inputs[1], inputs[0]):
            seq = cut.inputs[0]
        source = _reversed(seq)
        if source is None:
            return None
        sources.append(source)
    return sources


def _is_steps(var, n_steps):
    """Whether ``var`` is the loop's number of steps (or that number as an index)."""
    return var is n_steps or var.owner is not None and \
        isinstance(var.owner.op, ScalarFromTensor) and var.owner.inputs[0] is n_steps


def _last_rows_read(node, readers, ctx):
    """The recurrent outputs of a Scan ``node`` read only through constant indices into
    their last window (of ``L`` rows, ``L`` the longest tap), or not read at all."""
    op = node.op
    found = []
    for k, (buffer, taps) in enumerate(zip(node.outputs[:op.n_states], op.info.tap_array)):
        window = -min(taps)
        if k in op.info.last_only or not ctx.can_replace_through(buffer):
            continue
        if all(_reads_row(reader, buffer, window) for reader in readers[buffer]):
            found.append(k)
    return tuple(found)


def _reads_row(reader, buffer, window):
    """Whether ``reader`` is ``buffer[-k, ...]`` with 1 <= k <= ``window``."""
    if reader is None or not isinstance(reader.op, Subtensor) or \
            reader.inputs[0] is not buffer or isinstance(reader.op.idx_list[0], slice):
        return False
    index = reader.inputs[1]
    return isinstance(index, Constant) and -window <= int(index.data) <= -1
