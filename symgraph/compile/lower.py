"""Lowering: running a graph's nodes over their JAX implementations, with a context.

``run_nodes`` serves jit tracing, ``eval()`` and the 'py' mode alike. Ops that declare
``wants_lowering`` receive the ``Lowering`` as the keyword ``lowering``; it carries what an
op cannot know from its inputs alone:

* the lengths of slices whose bounds depend on the call's arguments, worked out on the
  host before the call (see compile/slices.py), since XLA needs every length when tracing;
* the index checks: an index that is only known inside the program cannot raise there,
  so each indexing op records the smallest and largest entry it uses; the program
  returns them with its results and the host raises Theano's ``IndexError`` for them,
  after the program has left every shared variable as it was.
"""
import jax.numpy as jnp
import numpy as np

from symgraph.compile.errors import describe_node, node_error
from symgraph.graph.basic import Constant, graph_inputs


class Lowering:
    """The context of one lowering: host-resolved slice lengths (and static inputs, keyed
    ``(node, ('input', k))``) and recorded index checks."""

    def __init__(self, slice_lengths=None, check_indices=True):
        self.slice_lengths = slice_lengths or {}
        self.check_indices = check_indices
        self.index_checks = []  # (node, axis, size, smallest entry, largest entry)

    def lower(self, inner, values):
        """The values of an inner graph's outputs for ``values`` of its inputs, lowered in
        this context, so that its index checks join the program's."""
        env = dict(zip(inner.inputs, values))
        env.update((var, var.data) for var in graph_inputs(inner.outputs)
                   if isinstance(var, Constant))
        run_nodes(inner.nodes, env, self)
        return [env[var] for var in inner.outputs]

    def nested(self):
        """A context for an inner graph run inside a loop: the same settings, and index
        checks of its own, which the loop carries out of its steps."""
        return Lowering(self.slice_lengths, self.check_indices)

    def slice_length(self, node, dim):
        return self.slice_lengths.get((node, dim))

    def check_index(self, node, axis, index, size):
        """Require every entry of the traced integer ``index`` to lie in [-size, size)."""
        index = jnp.asarray(index)
        if self.check_indices and index.size:
            self.index_checks.append((node, axis, size, jnp.min(index), jnp.max(index)))

    def checked(self):
        """(all indices in range, their packed extremes) as traced values, and the
        host-side description of each check; None when nothing was checked."""
        if not self.index_checks:
            return None, []
        ok = jnp.stack([(lo >= -size) & (hi < size)
                        for _, _, size, lo, hi in self.index_checks]).all()
        extremes = jnp.stack([jnp.asarray(v, 'int64') for *_, lo, hi in self.index_checks
                              for v in (lo, hi)])
        return (ok, extremes), [check[:3] for check in self.index_checks]


def raise_index_error(checks, extremes):
    """Theano's ``IndexError`` for the first failed check, naming its node."""
    extremes = np.asarray(extremes).reshape(-1, 2)
    for (node, axis, size), (lo, hi) in zip(checks, extremes):
        bad = hi if hi >= size else lo if lo < -size else None
        if bad is not None:
            raise IndexError('index %d is out of bounds for axis %d with size %d\n%s'
                             % (bad, axis, size, describe_node(node)))
    raise AssertionError('an index check failed but no index is out of range')


def run_nodes(nodes, values, lowering=None):
    """Run ``nodes`` in order, reading and filling the ``values`` dict {variable: array}."""
    lowering = lowering if lowering is not None else Lowering()
    for node in nodes:
        args = [values[i] for i in node.inputs]
        op = node.op
        for k in op.static_inputs(node):
            args[k] = lowering.slice_lengths.get((node, ('input', k)), args[k])
        try:
            result = op.jax_impl(node, *args, lowering=lowering) if op.wants_lowering \
                else op.jax_impl(node, *args)
        except Exception as err:
            raise node_error(node, args, err) from err
        outputs = result if len(node.outputs) > 1 else (result,)
        for var, value in zip(node.outputs, outputs):
            values[var] = value
    return values
