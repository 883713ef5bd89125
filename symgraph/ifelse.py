"""``theano.ifelse.ifelse``: a lazy branch, lowered to ``lax.cond``.

Only the taken branch runs: the nodes that only a branch needs are computed inside it
(``Op.lazy_inputs``), where ``T.switch`` computes both sides. The node is printed
``if{}`` with the condition, the ``then`` values and the ``else`` values as its inputs,
as Theano prints it.
"""
import jax
import jax.numpy as jnp
from jax import lax

from symgraph.config import config
from symgraph.graph.basic import Apply, Op
from symgraph.tensor import elemwise as ew
from symgraph.tensor.var import as_tensor_variable

_NEUTRAL = (2 ** 62, -2 ** 62)  # the extremes of no index at all


class IfElse(Op):
    """``if{}``: the ``then`` values when the condition is non-zero, else the ``else``
    values; ``n_outs`` values each."""

    __props__ = ('n_outs', 'as_view', 'name')
    wants_lowering = True

    def __init__(self, n_outs, as_view=False, gpu=False, name=None):
        self.n_outs = n_outs
        self.as_view = as_view
        self.name = name

    def __str__(self):
        return 'if{%s}' % ','.join(([self.name] if self.name is not None else [])
                                    + (['inplace'] if self.as_view else []))

    def make_node(self, condition, *branches):
        condition = as_tensor_variable(condition)
        if condition.ndim != 0:
            raise TypeError('ifelse: the condition must be a scalar, got %s of type %s'
                            % (condition, condition.type))
        branches = [as_tensor_variable(v) for v in branches]
        if len(branches) != 2 * self.n_outs:
            raise TypeError('ifelse: %d values for %d outputs' % (len(branches), self.n_outs))
        then, other = branches[:self.n_outs], branches[self.n_outs:]
        for t, e in zip(then, other):
            if t.type != e.type:
                raise TypeError(
                    'The two branches should have identical types, but they are %s and %s '
                    'respectively. This error could be raised if for example you provided a '
                    'one element list on the `then` branch but a tensor on the `else` branch.'
                    % (t.type, e.type))
        return Apply(self, [condition] + branches, [t.type for t in then])

    def lazy_inputs(self, node):
        return range(1, len(node.inputs))

    def jax_impl(self, node, condition, *branches, lowering):
        then, other = branches[:self.n_outs], branches[self.n_outs:]
        outputs = node.outputs

        def run(thunks):
            """The branch's values, and the extremes of the indices it checks."""
            nested = lowering.nested()
            values = [jnp.asarray(thunk(nested), out.dtype) for thunk, out in zip(thunks, outputs)]
            return values, nested.index_checks

        # Each branch returns its values, the extremes of its own index checks, and
        # neutral ones for the other branch's (which did not run).
        checks = [run_checks(run, thunks) for thunks in (then, other)]
        neutral = [[(jnp.asarray(_NEUTRAL[0], 'int64'), jnp.asarray(_NEUTRAL[1], 'int64'))
                    for _ in found] for found in checks]

        def branch(position, thunks):
            def compute():
                values, found = run(thunks)
                mine = [(jnp.asarray(lo, 'int64'), jnp.asarray(hi, 'int64'))
                        for *_, lo, hi in found]
                extremes = [mine if k == position else neutral[k] for k in range(2)]
                return values, extremes
            return compute

        values, extremes = lax.cond(jnp.asarray(condition) != 0, branch(0, then),
                                    branch(1, other))
        for found, pairs in zip(checks, extremes):
            for (check_node, axis, size), (lo, hi) in zip(found, pairs):
                lowering.index_checks.append((check_node, axis, size, lo, hi))
        return tuple(values) if self.n_outs > 1 else values[0]

    def grad(self, node, output_grads):
        condition = node.inputs[0]
        then, other = node.inputs[1:1 + self.n_outs], node.inputs[1 + self.n_outs:]
        grads = [ew.zeros_like(out) if g is None else g
                 for g, out in zip(output_grads, node.outputs)]
        if_true = IfElse(self.n_outs, self.as_view, name=_grad_name(self.name, 'true'))
        if_false = IfElse(self.n_outs, self.as_view, name=_grad_name(self.name, 'false'))
        then_grads = if_true.make_node(condition, *(grads + [ew.zeros_like(t) for t in then]))
        else_grads = if_false.make_node(condition, *([ew.zeros_like(e) for e in other] + grads))
        return ([ew.cast(ew.zeros_like(condition), config.floatX)] + then_grads.outputs
                + else_grads.outputs)


def run_checks(run, thunks):
    """(node, axis, size) of each index check a branch makes, from a trace of it."""
    found = []

    def trace():
        _, checks = run(thunks)
        found[:] = [check[:3] for check in checks]
        return 0
    jax.eval_shape(trace)
    return found


def _grad_name(name, side):
    return None if name is None else '%s_grad_%s' % (name, side)


def ifelse(condition, then_branch, else_branch, name=None):
    """``then_branch`` if ``condition`` is non-zero, else ``else_branch``, computing only
    the one taken. Each branch is a variable or a list of variables of matching types."""
    single = not isinstance(then_branch, (list, tuple))
    then = [then_branch] if single else list(then_branch)
    other = [else_branch] if not isinstance(else_branch, (list, tuple)) else list(else_branch)
    if len(then) != len(other):
        raise ValueError('ifelse: the then branch has %d values and the else branch %d'
                         % (len(then), len(other)))
    op = IfElse(len(then), name=name)
    outputs = op.make_node(condition, *(then + other)).outputs
    return outputs[0] if single else list(outputs)
