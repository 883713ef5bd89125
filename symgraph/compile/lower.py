"""Lowering: running a graph's nodes over their JAX implementations, with a context.

``run_nodes`` serves jit tracing, ``eval()`` and the 'py' mode alike. Ops that declare
``wants_lowering`` receive the ``Lowering`` as the keyword ``lowering``; it carries what an
op cannot know from its inputs alone:

* the lengths of slices whose bounds depend on the call's arguments, worked out on the
  host before the call (see compile/slices.py), since XLA needs every length when tracing;
* the index checks: an index that is only known inside the program cannot raise there,
  so each indexing op records the smallest and largest entry it uses; the program
  returns them with its results and the host raises Theano's ``IndexError`` for them,
  after the program has left every shared variable as it was. An index that is one of
  the function's inputs, into an axis of a size known when tracing, is checked on the
  host before the call instead (``host_inputs``): the program then neither reduces it
  nor guards its updates;
* under NanGuardMode, a flag per value computed (NaN, Inf, big), returned the same way;
* for a program traced with padded inputs (compile/padding.py), which axes are padded and
  the shape checks their true lengths need.
"""
import jax
import jax.numpy as jnp
import numpy as np

from symgraph.compile.errors import describe_node, node_error
from symgraph.graph.basic import Constant, graph_inputs, toposort


class Lowering:
    """The context of one lowering: host-resolved slice lengths (and static inputs, keyed
    ``(node, ('input', k))``) and recorded index checks."""

    def __init__(self, slice_lengths=None, check_indices=True, nan_guard=None, padded=None,
                 host_inputs=None):
        self.slice_lengths = slice_lengths or {}
        self.check_indices = check_indices
        self.index_checks = []  # (node, axis, size, smallest entry, largest entry)
        # id of the traced value of each input checked on the host -> (its position, the
        # value, kept alive so that its id stays its own)
        self.host_inputs = host_inputs or {}
        self.host_checks = []  # (input position, node, axis, size), see check_on_host
        self._checked = []  # (traced index, size) already checked
        self.shape_checks = []  # (node, message, traced bool)
        self.nan_guard = nan_guard  # (nan, inf, big) to check, or None
        self.guards = []  # (node or None for a graph input, variable, traced int32 flags)
        self.padded = padded
        if padded is not None:
            padded.lowering = self

    def lower(self, inner, values):
        """The values of an inner graph's outputs for ``values`` of its inputs, lowered in
        this context, so that its index checks join the program's."""
        env = dict(zip(inner.inputs, values))
        env.update((var, var.data) for var in graph_inputs(inner.outputs)
                   if isinstance(var, Constant))
        run_nodes(inner.nodes, env, self, keep=inner.outputs)
        return [env[var] for var in inner.outputs]

    def nested(self):
        """A context for an inner graph run inside a loop: the same settings, and index
        checks of its own, which the loop carries out of its steps."""
        return Lowering(self.slice_lengths, self.check_indices)

    def guard(self, node, var, value):
        """Under NanGuardMode, record the flags of ``value`` (the variable ``var``,
        computed by ``node``; None for an input of the graph): 1 NaN, 2 Inf, 4 big."""
        if self.nan_guard is None or not getattr(var.tag, 'nan_guard_mode_check', True):
            return
        value = jnp.asarray(value)
        if not (jnp.issubdtype(value.dtype, jnp.number) and value.size):
            return
        nan, inf, big = self.nan_guard
        inexact = jnp.issubdtype(value.dtype, jnp.inexact)
        flags = jnp.zeros((), 'int32')
        if nan and inexact:
            flags = flags | jnp.where(jnp.isnan(value).any(), 1, 0)
        if inf and inexact:
            flags = flags | jnp.where(jnp.isinf(value).any(), 2, 0)
        if big:  # as Theano's abs(value).max() > 1e10: an Inf is big too, a NaN is not
            flags = flags | jnp.where(jnp.abs(value).max() > 1e10, 4, 0)
        self.guards.append((node, var, flags))

    def guarded(self):
        """The NanGuardMode flags as one traced int32 vector and the (node, variable) of
        each; (None, []) when not guarding."""
        if self.nan_guard is None:
            return None, []
        if not self.guards:
            return jnp.zeros((0,), 'int32'), []
        return jnp.stack([flags for *_, flags in self.guards]), [g[:2] for g in self.guards]

    def slice_length(self, node, dim):
        return self.slice_lengths.get((node, dim))

    def check_index(self, node, axis, index, size):
        """Require every entry of the integer ``index`` to lie in [-size, size): checked on
        the host before the call when it is an input (``host_inputs``), now when it is
        known (``arange(n)``: no cost), else in the program."""
        if not self.check_indices or not np.size(index):
            return
        if id(index) in self.host_inputs and isinstance(size, (int, np.integer)):
            position, _ = self.host_inputs[id(index)]
            if not any(p == position and s == size for p, _, _, s in self.host_checks):
                self.host_checks.append((position, node, axis, int(size)))
            return
        if not isinstance(index, jax.core.Tracer):
            lo, hi = np.min(index), np.max(index)
            if -size <= lo and hi < size:
                return
        elif any(index is seen and size == seen_size for seen, seen_size in self._checked):
            return  # the same index into the same length (a gradient reuses its forward's)
        else:
            self._checked.append((index, size))
            lo, hi = jnp.min(index), jnp.max(index)
        self.index_checks.append((node, axis, size, lo, hi))

    def stands_for(self, value, index):
        """Declare the traced ``value`` an input's ``index`` on the host: its padded rows
        are zeros, which index any axis the input's own entries may index."""
        if id(index) in self.host_inputs:
            self.host_inputs[id(value)] = (self.host_inputs[id(index)][0], value)

    def check_shape(self, node, message, ok):
        """Require the traced boolean ``ok``; raise ValueError(message) after the call if
        it is False. Kept with ``check_indices`` off: an unpadded program would fail
        there, or compute something else."""
        self.shape_checks.append((node, message, ok))

    def checked(self):
        """The verdict of the checks as one traced int64 vector, ``[all passed, smallest,
        largest entry and size of each checked index..., each shape check...]`` (one
        output, one read on the host), and the host-side description of each check: (node,
        axis) of an index, (node, message) of a shape check; None when nothing was
        checked."""
        if not self.index_checks and not self.shape_checks:
            return None, []
        passed = [(lo >= -size) & (hi < size) for _, _, size, lo, hi in self.index_checks]
        passed += [ok for _, _, ok in self.shape_checks]
        verdict = jnp.stack([jnp.stack(passed).all().astype('int64')] + [
            jnp.asarray(v, 'int64') for _, _, size, lo, hi in self.index_checks
            for v in (lo, hi, size)] + [
            jnp.asarray(ok, 'int64') for _, _, ok in self.shape_checks])
        return verdict, [check[:2] for check in self.index_checks + self.shape_checks]


def raise_index_error(checks, verdict):
    """Theano's ``IndexError`` for the first failed index check of ``verdict`` (or the
    ValueError of a failed shape check), naming its node."""
    values = iter(np.asarray(verdict)[1:].tolist())
    for node, what in checks:
        if isinstance(what, str):
            if not next(values):
                raise ValueError('%s\n%s' % (what, describe_node(node)))
            continue
        _check_range(node, what, next(values), next(values), next(values))
    raise AssertionError('a check failed but no index is out of range')


def check_on_host(checks, values):
    """Raise Theano's ``IndexError`` for the first entry of an input out of its check's
    range (``checks``: the ``host_checks`` of a lowering; ``values``: the call's inputs)."""
    for position, node, axis, size in checks:
        index = values[position]
        if type(index) is not np.ndarray:
            index = np.asarray(index)
        if index.size > _SMALL:
            lo, hi = int(index.min()), int(index.max())
        elif index.ndim == 0:
            lo = hi = int(index)
        elif index.size:  # sorting a short list beats numpy's two reductions
            entries = (index if index.ndim == 1 else index.ravel()).tolist()
            entries.sort()
            lo, hi = entries[0], entries[-1]
        else:
            continue
        if lo < -size or hi >= size:
            _check_range(node, axis, lo, hi, size)


_SMALL = 64


def _check_range(node, axis, lo, hi, size):
    bad = hi if hi >= size else lo if lo < -size else None
    if bad is not None:
        raise IndexError('index %d is out of bounds for axis %d with size %d\n%s'
                         % (bad, axis, size, describe_node(node)))


def run_nodes(nodes, values, lowering=None, keep=None):
    """Run ``nodes`` in order, reading and filling the ``values`` dict {variable: array}.

    An op's lazy inputs (``Op.lazy_inputs``: ifelse's branches) reach its ``jax_impl`` as
    functions of a lowering context, which compute them when called. Given ``keep`` (the
    variables wanted afterwards), the nodes that only such inputs need are left to those
    functions; without it every node runs.
    """
    lowering = lowering if lowering is not None else Lowering()
    deferred = _deferred_nodes(nodes, keep) if keep is not None else ()
    for node in nodes:
        if node in deferred:
            continue
        op = node.op
        lazy = op.lazy_inputs(node)
        args = [_lazy_value(var, values) if k in lazy else values[var]
                for k, var in enumerate(node.inputs)]
        for k in op.static_inputs(node):
            args[k] = lowering.slice_lengths.get((node, ('input', k)), args[k])
        try:
            if lowering.padded is not None:
                result = lowering.padded.run(node, args,
                                             lambda args: _compute(node, args, lowering))
            else:
                result = _compute(node, args, lowering)
        except Exception as err:
            raise node_error(node, args, err) from err
        outputs = result if len(node.outputs) > 1 else (result,)
        for var, value in zip(node.outputs, outputs):
            values[var] = value
            if lowering.nan_guard is not None:
                lowering.guard(node, var, value)
    return values


def _compute(node, args, lowering):
    op = node.op
    return op.jax_impl(node, *args, lowering=lowering) if op.wants_lowering \
        else op.jax_impl(node, *args)


def _lazy_value(var, values):
    """A function (lowering) -> the value of ``var``, running what it needs then."""
    def compute(lowering):
        if var in values:
            return values[var]
        env = dict(values)
        run_nodes(toposort([var], stop=env), env, lowering, keep=[var])
        return env[var]
    return compute


def _deferred_nodes(nodes, keep):
    """The nodes whose every use is, directly or through other such nodes, one lazy input
    of one op: they run only if that input is asked for."""
    users = {}
    for node in nodes:
        lazy = set(node.op.lazy_inputs(node))
        for k, var in enumerate(node.inputs):
            users.setdefault(var, []).append((node, k in lazy))
    keep = set(keep)
    slot_of = {}  # deferred node -> (the op's node, its lazy input) it serves
    for node in reversed(nodes):
        slots = set()
        for var in node.outputs:
            if var in keep:
                slots.add(None)
            for user, lazy in users.get(var, ()):
                slots.add((user, var) if lazy else slot_of.get(user))
        if len(slots) == 1 and None not in slots:
            slot_of[node] = slots.pop()
    return slot_of
