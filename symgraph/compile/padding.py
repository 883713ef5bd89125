"""Length buckets: one program for many sequence lengths.

A loop over the words of a sentence has the sentence's length in its shapes, and XLA
compiles one program per shape: trained one sentence at a time, a tagger would compile a
program for every length it meets. Instead, a function whose loop takes its length from
the first axis of its inputs pads those inputs at the end to a *bucket* length (8, then
four steps per power of two: 10, 12, 14, 16, 20, 24, ...), and its program takes the true
length as an argument: lengths 17 to 20 share one program.

Padding must never change a result. The program is traced with a ``Padded`` context that
knows, for each value, which of its axes are padded and how many of their rows are real
(real rows always come first; most such lengths are known as ``scale * n + offset`` of the
true length ``n``), and which numbers were computed from such lengths (``x.shape[0]``,
used for a mean or a buffer size). Each op that meets a padded
axis has a rule below that keeps the padding out of the real rows: a loop stops changing
its states after the true number of steps, a sum leaves out padded rows, a product over a
padded axis zeroes them first, an index is checked against the true length, an increment
scatters nothing from padded rows, a reversal reverses the real rows only. An op without
a rule stops the tracing (``NotPaddable``), and the function goes back to one program per
length: slower to start, never wrong. Outputs come back cut to their true lengths.
"""
import jax
import jax.numpy as jnp
import numpy as np

from symgraph.config import config
from symgraph.graph.basic import Constant, ancestors
from symgraph.scan_module.op import Scan
from symgraph.tensor import nnet
from symgraph.tensor.basic import ARange, Alloc, Dot, Join, MakeVector, Rebroadcast
from symgraph.tensor.elemwise import (Cast, DimShuffle, Elemwise, scalar_add, scalar_maximum,
                                      scalar_minimum, scalar_mul, scalar_sub)
from symgraph.tensor.reduction import All, Any, CAReduce, MaxAndArgmax, Prod, Sum
from symgraph.tensor.shape import Reshape, Shape
from symgraph.tensor.subtensor import (AdvancedIncSubtensor, AdvancedIncSubtensor1,
                                       AdvancedSubtensor, AdvancedSubtensor1, AllocEmpty,
                                       IncSubtensor, ScalarFromTensor, Subtensor)

SMALLEST_BUCKET = 8


def bucket(length):
    """The padded length for ``length`` rows: 8 at least, then one of four steps per power
    of two (at most 25 % of the rows are padding)."""
    if length <= SMALLEST_BUCKET:
        return SMALLEST_BUCKET
    step = 1 << (int(length - 1).bit_length() - 3)
    return -(-length // step) * step


class NotPaddable(Exception):
    """An op met a padded axis that it has no rule for; the function compiles one program
    per length instead."""


class Length:
    """A true length known as ``scale * n + offset``, ``n`` being the true length of the
    padded inputs (at least 1). Lengths of the same form are equal whatever ``n`` is, so
    most checks and most arithmetic on lengths cost the program nothing."""

    __slots__ = ('scale', 'offset')

    def __init__(self, scale, offset):
        self.scale, self.offset = scale, offset

    def __eq__(self, other):
        return isinstance(other, Length) and (self.scale, self.offset) == \
            (other.scale, other.offset)

    def __hash__(self):
        return hash((self.scale, self.offset))

    def __add__(self, k):
        return Length(self.scale, self.offset + k)

    def __sub__(self, k):
        return Length(self.scale, self.offset - k)

    def times(self, k):
        return Length(self.scale * k, self.offset * k)

    def at_least(self, k):
        """Whether the length is at least ``k`` whatever ``n`` is."""
        return self.scale >= 0 and self.scale + self.offset >= k


class Padded:
    """What the tracing of a padded program knows about padding (see the module).

    A number computed from true lengths (``x.shape[0] + 1``) has two values: its true one,
    which the program computes and uses as data (a mean divides by it), and the padded one
    that the same expression gives for the padded shapes, known when tracing, which sizes
    buffers, loops and slices. Where it can, it also keeps the number's form (a ``Length``,
    an int, or a tuple of those for a shape), so that lengths computed from it compare and
    combine when tracing.
    """

    def __init__(self, true_length, padded_inputs):
        self.n = true_length  # traced int64
        self.axes = {var: {0: Length(1, 0)} for var in padded_inputs}  # var -> {axis: length}
        self.padded_value = {}  # number computed from true lengths -> its padded value
        self.forms = {}  # number computed from true lengths -> its form
        self._values = {}  # Length -> its traced value
        self._zeroed = {}  # index array -> its value with padded rows 0
        self.lowering = None  # the Lowering this belongs to

    def run(self, node, args, compute):
        """The outputs of ``node`` for the values ``args`` of its inputs; ``compute(args)``
        runs the op itself."""
        inputs = node.inputs
        if not any(var in self.axes or var in self.padded_value for var in inputs):
            return compute(args)
        rule = next((RULES[cls] for cls in type(node.op).__mro__ if cls in RULES), None)
        if rule is None:
            raise NotPaddable(node)
        padded_args = [self.padded_value.get(var, value) for var, value in zip(inputs, args)]
        result = rule(self, node, list(args), padded_args, compute)
        out = node.outputs[0]
        if len(node.outputs) == 1 and isinstance(result, jax.core.Tracer) and \
                out not in self.padded_value and out not in self.axes and out.ndim <= 1 and \
                out.dtype.startswith(('int', 'uint')) and \
                any(var in self.padded_value for var in inputs):
            self.padded_value[out] = compute(padded_args)
            form = _form_of(self, node, args)
            if form is not None:
                self.forms[out] = form
        return result

    # -- what rules use ------------------------------------------------------------------
    def of(self, var):
        return self.axes.get(var, {})

    def set(self, var, axes):
        if axes:
            self.axes[var] = dict(axes)

    def value(self, length):
        """The traced value of a length (a ``Length``, an int or a traced number)."""
        if not isinstance(length, Length):
            return length
        if length not in self._values:
            self._values[length] = self.n * length.scale + length.offset
        return self._values[length]

    def length(self, var, value):
        """The true value of the number ``var`` as a length: its form when known."""
        form = self.form(var)
        return form if form is not None and not isinstance(form, tuple) else \
            jnp.asarray(value, 'int64')

    def form(self, var):
        if var in self.forms:
            return self.forms[var]
        if isinstance(var, Constant) and var.ndim == 0 and var.dtype.startswith('int'):
            return int(var.data)
        return None

    def mask(self, var, value, fill):
        """``value`` (of ``var``) with its padded rows replaced by ``fill``."""
        axes = self.of(var)
        if not axes:
            return value
        value = jnp.asarray(value)
        return jnp.where(self.rows_mask(value.shape, axes), value,
                         jnp.asarray(fill, value.dtype))

    def rows_mask(self, shape, axes):
        """A boolean array broadcastable to ``shape``: True on the real rows of every
        padded axis."""
        keep = True
        for axis, true in axes.items():
            rows = jnp.arange(shape[axis]) < self.value(true)
            keep = keep & rows.reshape([-1 if d == axis else 1 for d in range(len(shape))])
        return keep

    def zero_padding(self, var, value):
        """The index array ``var`` with 0 in its padded rows, the same traced value for
        every reader (so that a gradient's reuse of an index is checked once)."""
        if var not in self._zeroed:
            self._zeroed[var] = self.mask(var, value, 0)
            self.lowering.stands_for(self._zeroed[var], value)
        return self._zeroed[var]

    def check(self, node, message, ok):
        """Require ``ok`` (True when tracing: nothing to check)."""
        if ok is not True:
            self.lowering.check_shape(node, message, ok)

    def agree(self, node, lengths):
        """The true lengths of one axis of several operands, after requiring them equal."""
        first = lengths[0]
        for other in lengths[1:]:
            if not same_length(first, other):
                self.check(node, 'the operands have different lengths',
                           self.value(first) == self.value(other))
        return first

    def check_index(self, node, axis, lo, hi, true):
        """Require entries from ``lo`` to ``hi`` to index ``true`` rows (unless
        ``check_indices`` is off)."""
        if self.lowering.check_indices:
            self.lowering.index_checks.append((node, axis, self.value(true), lo, hi))


def _known(value):
    """An int, or a tuple of ints, for a number known when tracing; else None."""
    if isinstance(value, (int, np.integer)) or \
            isinstance(value, np.ndarray) and value.dtype.kind in 'iu' and value.ndim <= 1:
        return int(value) if np.ndim(value) == 0 else tuple(int(v) for v in value)
    return None


def same_length(a, b):
    """Whether two lengths are equal whatever the true length (False: not known)."""
    known = (int, Length)
    return a is b or isinstance(a, known) and isinstance(b, known) and a == b


def _form_of(pad, node, args):
    """The form of a number computed by ``node`` from numbers of known forms (or known
    when tracing, as ``args`` are), or None."""
    op = node.op
    forms = [pad.form(var) if pad.form(var) is not None else _known(value)
             for var, value in zip(node.inputs, args)]
    if isinstance(op, ScalarFromTensor):
        return forms[0]
    if isinstance(op, MakeVector):
        return tuple(forms) if all(isinstance(f, (int, Length)) for f in forms) else None
    if isinstance(op, Subtensor) and isinstance(forms[0], tuple) and \
            isinstance(forms[1], int) and not isinstance(op.idx_list[0], slice):
        return forms[0][forms[1]]
    if isinstance(op, Elemwise) and node.outputs[0].ndim == 0 and \
            all(isinstance(f, (int, Length)) for f in forms):
        scalar = op.scalar_op
        if isinstance(scalar, Cast):
            return forms[0]
        a, b = (forms + [None])[:2]
        ints = [f for f in forms if isinstance(f, int)]
        if scalar is scalar_add and ints:
            return a + b if isinstance(a, Length) else b + a
        if scalar is scalar_sub and isinstance(b, int):
            return a - b
        if scalar in (scalar_minimum, scalar_maximum) and isinstance(a, Length) and \
                isinstance(b, Length) and a.scale == b.scale:
            pick = min if scalar is scalar_minimum else max
            return Length(a.scale, pick(a.offset, b.offset))
        if scalar is scalar_mul and ints:
            return a * b if not isinstance(a, Length) and not isinstance(b, Length) else \
                (a.times(b) if isinstance(a, Length) else b.times(a))
    return None


# -- numbers computed from lengths -------------------------------------------------------
# A rule takes (the Padded context, the node, the values of its inputs, the same with the
# padded values of numbers computed from lengths, compute) and returns the node's values.

def _shape(pad, node, args, padded_args, compute):
    (x,), (value,), out = node.inputs, args, node.outputs[0]
    axes = pad.of(x)
    pad.padded_value[out] = compute(args)
    form = [axes.get(d, n) for d, n in enumerate(np.shape(value))]
    if all(isinstance(f, (int, Length)) for f in form):
        pad.forms[out] = tuple(form)
    return jnp.stack([jnp.asarray(pad.value(f), 'int64') for f in form])


def _numbers(pad, node, args, padded_args, compute):
    """An op on numbers (a shape's entry, a sum of lengths): computed as it is."""
    if any(var in pad.axes for var in node.inputs):
        raise NotPaddable(node)
    return compute(args)


# -- ops row by row ----------------------------------------------------------------------

def _elemwise(pad, node, args, padded_args, compute):
    out = node.outputs[0]
    axes = {}
    for axis in range(out.ndim):
        lengths = [pad.of(var)[axis] for var in node.inputs if axis in pad.of(var)]
        if not lengths:
            continue
        if any(axis not in pad.of(var) and not var.broadcastable[axis] for var in node.inputs):
            raise NotPaddable(node)  # a padded axis against one that is not
        axes[axis] = pad.agree(node, lengths)
    pad.set(out, axes)
    return compute(args)


def _dimshuffle(pad, node, args, padded_args, compute):
    axes = pad.of(node.inputs[0])
    pad.set(node.outputs[0], {k: axes[d] for k, d in enumerate(node.op.new_order)
                              if d != 'x' and d in axes})
    return compute(args)


def _same_axes(pad, node, args, padded_args, compute):
    pad.set(node.outputs[0], pad.of(node.inputs[0]))
    return compute(args)


def _last_axis_rowwise(pad, node, args, padded_args, compute):
    """Softmax and its kin: each row on its own, along the last axis."""
    lengths = {}
    for var in node.inputs:
        for axis, true in pad.of(var).items():
            if axis == var.ndim - 1:
                raise NotPaddable(node)
            lengths.setdefault(axis, []).append(true)
    pad.set(node.outputs[0], {a: pad.agree(node, ls) for a, ls in lengths.items()})
    return compute(args)


_FILL = {Sum: 0, Prod: 1, Any: False, All: True}


def _reduction(pad, node, args, padded_args, compute):
    (x,), out = node.inputs, node.outputs[0]
    reduced = range(x.ndim) if node.op.axis is None else node.op.axis
    axes = pad.of(x)
    if any(a in axes for a in reduced):
        if type(node.op) not in _FILL:
            raise NotPaddable(node)
        args[0] = pad.mask(x, args[0], _FILL[type(node.op)])
    kept = [d for d in range(x.ndim) if d not in reduced]
    pad.set(out, {k: axes[d] for k, d in enumerate(kept) if d in axes})
    return compute(args)


def _max_and_argmax(pad, node, args, padded_args, compute):
    (x,) = node.inputs
    axes = pad.of(x)
    if any(a in axes for a in node.op.axis):
        dtype = np.dtype(x.dtype)
        lowest = -np.inf if dtype.kind == 'f' else np.iinfo(dtype).min
        args[0] = pad.mask(x, args[0], lowest)
    kept = [d for d in range(x.ndim) if d not in node.op.axis]
    for out in node.outputs:
        pad.set(out, {k: axes[d] for k, d in enumerate(kept) if d in axes})
    return compute(args)


def _dot(pad, node, args, padded_args, compute):
    x, y = node.inputs
    x_axes, y_axes = pad.of(x), pad.of(y)
    inner_x = x.ndim - 1
    if (inner_x in x_axes) != (0 in y_axes):
        raise NotPaddable(node)
    if inner_x in x_axes:  # padded rows of both sides contract to zero
        pad.agree(node, [x_axes[inner_x], y_axes[0]])
        args = [pad.mask(x, args[0], 0), pad.mask(y, args[1], 0)]
    axes = {d: n for d, n in x_axes.items() if d != inner_x}
    axes.update((x.ndim - 2 + d, n) for d, n in y_axes.items() if d != 0)
    pad.set(node.outputs[0], axes)
    return compute(args)


# -- arrays whose length is a computed number --------------------------------------------

def _arange(pad, node, args, padded_args, compute):
    start, stop, step = node.inputs
    if start in pad.padded_value or step in pad.padded_value or int(padded_args[2]) != 1:
        raise NotPaddable(node)
    value = compute(padded_args)
    if stop in pad.padded_value:
        pad.set(node.outputs[0], {0: _at_least_zero(pad, _minus(pad, pad.length(stop, args[1]),
                                                                 int(padded_args[0])))})
    return value


def _alloc(pad, node, args, padded_args, compute):
    first = 1 if isinstance(node.op, Alloc) else 0
    if first and node.inputs[0] in pad.axes:
        raise NotPaddable(node)
    dims = node.inputs[first:]
    pad.set(node.outputs[0], {d: pad.length(var, args[first + d])
                              for d, var in enumerate(dims) if var in pad.padded_value})
    return compute(args[:first] + padded_args[first:])


def _join(pad, node, args, padded_args, compute):
    """Joined along an axis that is not padded; padded axes must be padded in every part
    (shape vectors, joined as numbers, have none)."""
    axis, parts = int(padded_args[0]) % node.outputs[0].ndim, node.inputs[1:]
    padded = set().union(*(pad.of(var) for var in parts))
    if axis in padded or any(set(pad.of(var)) != padded for var in parts):
        raise NotPaddable(node)
    pad.set(node.outputs[0], {a: pad.agree(node, [pad.of(var)[a] for var in parts])
                              for a in padded})
    return compute(args)


def _reshape(pad, node, args, padded_args, compute):
    """A reshape that keeps the padded rows last: padded along the first axis only, in
    and out (``x.flatten()``, then back to (steps, batch, features))."""
    x, shape = node.inputs
    axes = pad.of(x)
    if set(axes) - {0} or shape in pad.padded_value and not axes:
        raise NotPaddable(node)
    value = compute([args[0], padded_args[1]])
    if axes:
        inner_in = int(np.prod(np.shape(args[0])[1:]))
        inner_out = int(np.prod(value.shape[1:]))
        if not inner_out:
            raise NotPaddable(node)
        true = axes[0]
        if isinstance(true, Length) and true.scale * inner_in % inner_out == 0 and \
                true.offset * inner_in % inner_out == 0:
            rows_out = true.times(inner_in)
            rows_out = Length(rows_out.scale // inner_out, rows_out.offset // inner_out)
        else:
            entries = pad.value(true) * inner_in
            pad.check(node, 'reshape: the true size does not fit the new shape',
                      entries % inner_out == 0)
            rows_out = entries // inner_out
        shape_form = pad.form(shape)
        if not (isinstance(shape_form, tuple) and (same_length(shape_form[0], rows_out) or
                                                   same_length(shape_form[0], -1))):
            rows = jnp.asarray(args[1], 'int64')[0]
            pad.check(node, 'reshape: the true size does not fit the new shape',
                      (rows == -1) | (rows == pad.value(rows_out)))
        pad.set(node.outputs[0], {0: rows_out})
    return value


# -- indexing ----------------------------------------------------------------------------

def _index_bounds(pad, node, x, args, padded_args, first_bound):
    """(padded axes of ``x[idx_list]``, real rows to reverse, the bounds to index with).

    An integer index into a padded axis counts from its true end when negative and is
    checked against its true length. A slice of a padded axis, or one that stops at a
    number computed from lengths, must start at a constant: its real rows then come first,
    and it is taken as its padded bounds say. ``[::-1]`` of a padded axis becomes a
    reversal of its real rows (done before indexing, the slice then taken forwards).
    """
    axes_in = pad.of(x)
    bounds = list(padded_args[first_bound:])
    positions = iter(range(first_bound, len(node.inputs)))
    axes_out, reversals, out_dim = {}, [], 0
    for dim, entry in enumerate(node.op.idx_list):
        padded = dim in axes_in
        if not isinstance(entry, slice):
            k = next(positions)
            if padded:
                true, index = axes_in[dim], jnp.asarray(args[k], 'int64')
                pad.check_index(node, dim, index, index, true)
                bounds[k - first_bound] = jnp.where(index < 0, index + pad.value(true), index)
            else:
                bounds[k - first_bound] = args[k]
            continue
        parts = [None if p is None else next(positions)
                 for p in (entry.start, entry.stop, entry.step)]
        computed = [k is not None and node.inputs[k] in pad.padded_value for k in parts]
        if not padded and not any(computed):
            out_dim += 1
            continue
        start, stop, step = [None if k is None else padded_args[k] for k in parts]
        constant_start = start is None or _is_number(start, None) and int(start) >= 0
        if computed[0] or computed[2] or not _is_number(step, 1, -1, None) or \
                not constant_start:
            raise NotPaddable(node)
        size = axes_in[dim] if padded else args[0].shape[dim]
        if step is not None and int(step) == -1:
            if not padded or start is not None or stop is not None:
                raise NotPaddable(node)
            reversals.append((dim, out_dim, size, parts[2] - first_bound))
            axes_out[out_dim] = size
        elif padded and stop is not None and not computed[1] and _is_number(stop, None) \
                and int(stop) >= 0:
            # A constant stop (the initial rows of a loop's buffer): as many rows padded or
            # not, if the true length reaches it.
            if not (isinstance(size, Length) and size.at_least(int(stop))):
                pad.check(node, 'a slice stops at %d, beyond the true length of a padded '
                          'axis (config.scan_buckets=False computes it unpadded)' % int(stop),
                          int(stop) <= pad.value(size))
        else:
            end = size if stop is None else _slice_end(pad, pad.length(node.inputs[parts[1]],
                                                                       args[parts[1]]), size)
            axes_out[out_dim] = _at_least_zero(pad, _minus(pad, end, 0 if start is None
                                                           else int(start)))
        out_dim += 1
    for dim in range(len(node.op.idx_list), x.ndim):
        if dim in axes_in:
            axes_out[out_dim] = axes_in[dim]
        out_dim += 1
    return axes_out, reversals, bounds


def _slice_end(pad, stop, size):
    """Where a slice stopping at ``stop`` ends on an axis of ``size`` rows."""
    if isinstance(stop, Length) and isinstance(size, Length) and stop.scale == size.scale \
            and stop.at_least(0):
        return stop if stop.offset <= size.offset else size
    if isinstance(stop, int) and isinstance(size, Length) and size.at_least(abs(stop)):
        return stop if stop >= 0 else size + stop  # (x[:-1]: one row less)
    stop, size = pad.value(stop), pad.value(size)
    return jnp.clip(jnp.where(stop < 0, stop + size, stop), 0, size)


def _minus(pad, length, k):
    return length - k if isinstance(length, (Length, int)) else pad.value(length) - k


def _at_least_zero(pad, length):
    if isinstance(length, Length) and length.at_least(0) or isinstance(length, int):
        return max(length, 0) if isinstance(length, int) else length
    return jnp.maximum(pad.value(length), 0)


def _is_number(value, *allowed):
    """Whether ``value`` is None or a number known when tracing, and among ``allowed``
    (any number if only None is allowed)."""
    if value is None:
        return None in allowed
    if not isinstance(value, (int, np.integer, np.ndarray)) or np.ndim(value) != 0:
        return False
    return allowed == (None,) or int(value) in allowed


def _reverse_real_rows(pad, value, reversals, bounds):
    """``value`` with the real rows of each reversed axis in reverse order, and the bounds
    with those slices' steps made forward."""
    value = jnp.asarray(value)
    for dim, true, step_position in reversals:
        rows = value.shape[dim]
        value = jnp.take(value, jnp.clip(pad.value(true) - 1 - jnp.arange(rows), 0, rows - 1),
                         axis=dim)
        bounds[step_position] = np.int64(1)
    return value


def _reversed_in_region(reversals, shift):
    """Reversals as (axis of the value set, true length, step position)."""
    return [(out_dim - shift, true, position) for _, out_dim, true, position in reversals]


def _subtensor(pad, node, args, padded_args, compute):
    x = node.inputs[0]
    if x.owner is not None and isinstance(x.owner.op, Shape) and \
            not isinstance(node.op.idx_list[0], slice) and _is_number(padded_args[1], None) \
            and int(padded_args[1]) not in pad.of(x.owner.inputs[0]):
        return compute(padded_args)  # the length of an axis that is not padded
    axes, reversals, bounds = _index_bounds(pad, node, x, args, padded_args, 1)
    value = args[0]
    if reversals:
        value = _reverse_real_rows(pad, value, [(d, t, p) for d, _, t, p in reversals], bounds)
    pad.set(node.outputs[0], axes)
    return compute([value] + bounds)


def _inc_subtensor(pad, node, args, padded_args, compute):
    x, y = node.inputs[:2]
    region, reversals, bounds = _index_bounds(pad, node, x, args, padded_args, 2)
    region_ndim = x.ndim - sum(not isinstance(e, slice) for e in node.op.idx_list)
    _require_values_fit(pad, node, y, args[1], region, region_ndim)
    value = args[1]
    if reversals:  # x[::-1] += y: x += y with its real rows reversed
        reversed_axes = _reversed_in_region(reversals, region_ndim - y.ndim)
        if any(axis not in pad.of(y) for axis, _, _ in reversed_axes):
            raise NotPaddable(node)
        value = _reverse_real_rows(pad, value, reversed_axes, bounds)
    if y in pad.axes:
        if node.op.set_instead_of_inc:  # padded rows of y leave x as it was
            value = jnp.asarray(value)
            old = Subtensor(node.op.idx_list).jax_impl(node, args[0], *bounds,
                                                       lowering=pad.lowering)
            value = jnp.where(pad.rows_mask(value.shape, pad.of(y)), value, old)
        else:
            value = pad.mask(y, value, 0)
    pad.set(node.outputs[0], pad.of(x))
    return compute([args[0], value] + bounds)


def _require_values_fit(pad, node, y, value, region_axes, region_ndim):
    """``y`` is written to a region: its padded axes must be the region's (aligned at the
    end, as broadcasting aligns them); a padded axis of the region needs a padded or
    broadcast axis of ``y``, or one as long as the region's true length
    (``buffer[:1] = initial_state``)."""
    shift = region_ndim - y.ndim
    y_axes = pad.of(y)
    if any(axis + shift not in region_axes for axis in y_axes):
        raise NotPaddable(node)
    for axis, true in region_axes.items():
        k = axis - shift
        if 0 <= k and k not in y_axes and not y.broadcastable[k]:
            pad.check(node, 'the value set has %d rows where the region set has another '
                      'number' % np.shape(value)[k], pad.value(true) == np.shape(value)[k])


def _index_arrays(pad, node, x, arrays, array_vars, dims):
    """Integer index arrays into ``x`` along ``dims``: padded entries become 0 (any row
    will do; nothing is kept from them), entries into a padded axis are checked against
    its true length and count from its true end when negative."""
    x_axes = pad.of(x)
    out = []
    for var, value, dim in zip(array_vars, arrays, dims):
        own = pad.of(var)
        if own and (var.ndim != 1 or set(own) != {0}):
            raise NotPaddable(node)
        if dim in x_axes:
            true = x_axes[dim]
            if own and _is_arange(value):  # arange(n) into n rows: in range if n fits
                if not same_length(own[0], true):
                    pad.check_index(node, dim, 0, pad.value(own[0]) - 1, true)
            else:
                live = jnp.asarray(value) if not own else pad.zero_padding(var, value)
                pad.check_index(node, dim, jnp.min(live), jnp.max(live), true)
                value = jnp.where(live < 0, live + pad.value(true), live)
        elif own and not _is_arange(value):
            value = pad.zero_padding(var, value)
        out.append(value)
    return out


def _is_arange(value):
    return isinstance(value, np.ndarray) and value.ndim == 1 and \
        np.array_equal(value, np.arange(len(value)))


def _advanced_subtensor1(pad, node, args, padded_args, compute):
    x, idx = node.inputs
    (index,) = _index_arrays(pad, node, x, [args[1]], [idx], [0])
    axes = {d: n for d, n in pad.of(x).items() if d > 0}
    if 0 in pad.of(idx):
        axes[0] = pad.of(idx)[0]
    pad.set(node.outputs[0], axes)
    return compute([args[0], index])


def _advanced_inc_subtensor1(pad, node, args, padded_args, compute):
    x, y, idx = node.inputs
    if node.op.set_instead_of_inc and (y in pad.axes or idx in pad.axes):
        raise NotPaddable(node)
    (index,) = _index_arrays(pad, node, x, [args[2]], [idx], [0])
    pad.set(node.outputs[0], pad.of(x))
    return compute([args[0], pad.mask(y, args[1], 0), index])


def _advanced_layout(pad, node, x, array_vars):
    """(indexed dims of the arrays, padded axes of ``x[...]``) by numpy's rule: the arrays'
    axis goes where the first array is when the arrays are adjacent, else first."""
    idx_list = node.op.idx_list
    dims = [d for d, e in enumerate(idx_list) if e == 'array']
    x_axes = pad.of(x)
    if any(e != 'array' and d in x_axes and e != slice(None) for d, e in enumerate(idx_list)) \
            or any(v.ndim != 1 for v in array_vars):
        raise NotPaddable(node)
    rest = [d for d in range(x.ndim) if d not in dims]
    adjacent = dims == list(range(dims[0], dims[-1] + 1))
    at = sum(1 for d in rest if d < dims[0]) if adjacent else 0
    axes = {k + (k >= at): x_axes[d] for k, d in enumerate(rest) if d in x_axes}
    index_lengths = [pad.of(v)[0] for v in array_vars if 0 in pad.of(v)]
    if index_lengths:
        axes[at] = pad.agree(node, index_lengths)
    return dims, axes


def _advanced_subtensor(pad, node, args, padded_args, compute):
    x, array_vars = node.inputs[0], node.inputs[1:]
    dims, axes = _advanced_layout(pad, node, x, array_vars)
    arrays = _index_arrays(pad, node, x, args[1:], array_vars, dims)
    pad.set(node.outputs[0], axes)
    return compute([args[0]] + arrays)


def _advanced_inc_subtensor(pad, node, args, padded_args, compute):
    x, y, array_vars = node.inputs[0], node.inputs[1], node.inputs[2:]
    if node.op.set_instead_of_inc and (y in pad.axes or any(v in pad.axes for v in array_vars)):
        raise NotPaddable(node)
    dims, _ = _advanced_layout(pad, node, x, array_vars)
    arrays = _index_arrays(pad, node, x, args[2:], array_vars, dims)
    pad.set(node.outputs[0], pad.of(x))
    return compute([args[0], pad.mask(y, args[1], 0)] + arrays)


# -- loops -------------------------------------------------------------------------------

def _covers(rows, steps):
    """Whether ``rows`` is at least ``steps`` whatever the true length."""
    if isinstance(rows, Length) and isinstance(steps, Length) and rows.scale == steps.scale:
        return rows.offset >= steps.offset
    return isinstance(rows, Length) and isinstance(steps, int) and rows.at_least(steps)


def _scan(pad, node, args, padded_args, compute):
    """A loop that runs its true number of steps; its per-step outputs have that many real
    rows."""
    op, info = node.op, node.op.info
    if info.as_while or any(var in pad.axes for var in op.outer_non_seqs(node)) or any(
            set(pad.of(var)) - {0} for var in op.outer_seqs(node) + op.outer_states(node)):
        raise NotPaddable(node)
    counted = node.inputs[0] in pad.padded_value
    steps = pad.length(node.inputs[0], args[0]) if counted else int(args[0])
    seqs_padded = any(0 in pad.of(seq) for seq in op.outer_seqs(node))
    if info.reverse and (counted or seqs_padded) and any(
            not same_length(pad.of(seq).get(0), steps) for seq in op.outer_seqs(node)):
        raise NotPaddable(node)  # it reads the last rows: they must be the real ones
    for seq in op.outer_seqs(node):
        rows = pad.of(seq).get(0)
        if rows is not None and not _covers(rows, steps):
            pad.check(node, 'scan: a sequence has fewer entries than the steps asked for',
                      pad.value(rows) >= pad.value(steps))
    if not counted:
        return compute(args)
    outs = op.jax_impl(node, *padded_args[:1], *args[1:], lowering=pad.lowering,
                       steps_taken=pad.value(steps))
    lags = [-min(taps) for taps in info.tap_array]
    for k, var in enumerate(node.outputs):
        if k not in info.last_only:
            pad.set(var, {0: steps + (lags[k] if k < len(lags) else 0)})
    return outs


RULES = {
    Shape: _shape,
    ScalarFromTensor: _numbers,
    MakeVector: _numbers,
    Elemwise: _elemwise,
    DimShuffle: _dimshuffle,
    Rebroadcast: _same_axes,
    Reshape: _reshape,
    Join: _join,
    CAReduce: _reduction,
    MaxAndArgmax: _max_and_argmax,
    Dot: _dot,
    nnet.Softmax: _last_axis_rowwise,
    nnet.LogSoftmax: _last_axis_rowwise,
    nnet.SoftmaxGrad: _last_axis_rowwise,
    ARange: _arange,
    Alloc: _alloc,
    AllocEmpty: _alloc,
    Subtensor: _subtensor,
    IncSubtensor: _inc_subtensor,
    AdvancedSubtensor1: _advanced_subtensor1,
    AdvancedIncSubtensor1: _advanced_inc_subtensor1,
    AdvancedSubtensor: _advanced_subtensor,
    AdvancedIncSubtensor: _advanced_inc_subtensor,
    Scan: _scan,
}


# -- the host side -----------------------------------------------------------------------

class Buckets:
    """Which inputs a call of a function pads, and to what length.

    The length is that of the first axis of the inputs whose shapes give the function's
    first loop its number of steps (the sentence); every input of that length (its tags)
    is padded with it, with zeros. Whether a group of inputs can be padded is decided once
    per group, by tracing the program.
    """

    def __init__(self, fn, drivers, candidates):
        self.fn = fn
        self.drivers = drivers  # positions of the inputs that the number of steps reads
        self.candidates = candidates  # positions of the inputs with a first axis
        self.accepted = {}  # positions padded together -> whether their program traces
        self.plans = {}  # shapes of the candidates -> (positions, bucket, length) or None

    @classmethod
    def of(cls, fn):
        """The buckets of ``fn``, or None when its loops take no length from its inputs'
        first axes (or ``config.scan_buckets`` is off, or under NanGuardMode, on a mesh,
        with the 'py' linker)."""
        if not config.scan_buckets or fn.on_mesh or fn.mode.nan_guard is not None or \
                fn.mode.linker == 'py':
            return None
        loops = [node for node in fn.nodes if isinstance(node.op, Scan)]
        if not loops or any(dim == 'steps' for _, dim, _, _ in fn.dynamic_slices):
            return None  # (a count that a program works out would see the padding)
        read = set(ancestors([loops[0].inputs[0]]))
        candidates = [k for k, var in enumerate(fn.input_vars) if var.ndim]
        drivers = [k for k in candidates if fn.input_vars[k] in read]
        return cls(fn, drivers, candidates) if drivers else None

    def plan(self, values):
        """(the positions of the inputs padded, the bucket length, the true length as an
        int64) for a call with ``values``, or None when it runs unpadded."""
        try:
            shapes = tuple([values[k].shape for k in self.candidates])
        except AttributeError:  # not arrays (trust_input)
            return None
        plan = self.plans.get(shapes, False)
        if plan is False:
            plan = self.plans[shapes] = self._plan(shapes, values)
        return plan

    @staticmethod
    def pad(values, plan):
        """``values`` (a list) with the inputs of ``plan`` padded with zeros."""
        positions, size, length = plan
        padded = list(values)
        if size != length:
            for k in positions:
                value = np.zeros((size,) + values[k].shape[1:], values[k].dtype)
                value[:length] = values[k]
                padded[k] = value
        return padded

    def _plan(self, shapes, values):
        by_position = dict(zip(self.candidates, shapes))
        lengths = {by_position[k][0] for k in self.drivers}
        if len(lengths) != 1 or min(lengths) < 1:
            return None
        (length,) = lengths
        positions = tuple(k for k in self.candidates if by_position[k][0] == length)
        size = bucket(length)
        if positions not in self.accepted:
            padded = [np.zeros((size,) + v.shape[1:], v.dtype) if k in positions else v
                      for k, v in enumerate(values)]
            self.accepted[positions] = self.fn.accepts_padding(padded, positions)
        return (positions, size, np.int64(length)) if self.accepted[positions] else None


def trim_outputs(outputs, true_lengths, trimmed):
    """The outputs of a padded program cut to their true lengths (``trimmed``: (output,
    axis) of each padded axis, in the order of ``true_lengths``)."""
    outputs = list(outputs)
    for (k, axis), true in zip(trimmed, np.asarray(true_lengths).tolist()):
        outputs[k] = np.asarray(outputs[k])[(slice(None),) * axis + (slice(0, true),)]
    return outputs
