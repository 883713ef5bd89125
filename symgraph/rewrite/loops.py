"""Rewrites of scan loops: the step's own graph is rewritten like any other graph, and
what it computes from the non-sequences alone (``W.T``, ``dot(W, c)``) is computed once,
before the loop, and passed in as a new non-sequence (Theano's scan "pushout").
"""
from symgraph.graph.basic import Constant, clone_replace, toposort
from symgraph.rewrite.engine import register
from symgraph.scan_module.op import Scan


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
