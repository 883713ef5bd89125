"""Indexing: basic slicing (Subtensor), integer-array indexing (AdvancedSubtensor[1]) and
their set/increment counterparts.

Basic indices become scalar inputs of the Subtensor node, so ``X[i*bs:(i+1)*bs]`` is one
node whose bounds are computed from ``i``. Under ``jax.jit`` a slice's length must be known
when tracing; when its bounds depend on a function input, the compiler works the length out
on the host for each call and hands it over through the lowering context (see
compile/lower.py), while the start stays a traced value, so one compiled program serves
every index. An index known only inside the program is checked through the same context:
XLA would clamp it, where Theano raises ``IndexError``.
"""
import jax
import jax.numpy as jnp
import numpy as np

from symgraph.graph.basic import Apply, Op
from symgraph.tensor import elemwise as ew
from symgraph.tensor.basic import _static_int, addbroadcast, concatenate, counted_length, \
    patternbroadcast
from symgraph.tensor.shape import Shape, reshape
from symgraph.tensor.type import (DISCRETE_DTYPES, INT_DTYPES, IndexScalarType, TensorType,
                                  user_line)
from symgraph.tensor.var import TensorConstant, TensorVariable, as_tensor_variable, constant

class ScalarConstant(TensorConstant):
    """An index constant, printed ``Constant{0}`` as Theano prints scalar constants."""

    def __str__(self):
        return self.name if self.name is not None else 'Constant{%s}' % self.data


class ScalarFromTensor(Op):
    """Marks a symbolic 0-d tensor used as an index (printed as in Theano)."""

    def make_node(self, x):
        return Apply(self, [x], [IndexScalarType(x.dtype)])

    def jax_impl(self, node, x):
        return x

    def host_impl(self, node):
        return _identity

    def grad(self, node, output_grads):
        return [None]


def _identity(value):
    return value


_scalar_from_tensor = ScalarFromTensor()


def _index_input(value, position_desc):
    """An index entry as a 0-d integer graph input (Python ints become Constant{...})."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError('Boolean scalar %r cannot be used as an index (%s)' % (value, position_desc))
    if isinstance(value, (int, np.integer)):
        return ScalarConstant(IndexScalarType('int64'), np.asarray(value, dtype='int64'))
    if isinstance(value, TensorVariable):
        if value.ndim != 0 or value.dtype not in INT_DTYPES:
            raise TypeError('Index %s of type %s cannot be used as a slice bound or scalar index '
                            '(%s): expected an integer scalar' % (value, value.type, position_desc))
        if isinstance(value, TensorConstant):
            return ScalarConstant(IndexScalarType(value.dtype), value.data)
        return _scalar_from_tensor(value)
    raise TypeError('Invalid index %r (%s): expected an integer, a slice, None, or an integer '
                    'array' % (value, position_desc))


def _is_concrete(value):
    return not isinstance(value, jax.core.Tracer)


def _constant_value(bound):
    """The value of a constant index input, else None."""
    return bound.data.item() if isinstance(bound, TensorConstant) else None


def _normalize_start(start, n, step):
    """Python's slice rule for a traced start (and step): negative counts from the end,
    then clamp."""
    start = jnp.where(start < 0, start + n, start)
    return jnp.clip(start, jnp.where(step > 0, 0, -1), jnp.where(step > 0, n, n - 1))


class Subtensor(Op):
    """Basic indexing with integers and slices: ``x[2]``, ``x[:, j*bs:(j+1)*bs]``.

    ``idx_list`` holds, per indexed dimension, either an index dtype (an integer index) or
    a slice whose parts are None or the dtype of the input providing them.
    """

    __props__ = ('idx_list',)
    wants_lowering = True

    def __init__(self, idx_list):
        self.idx_list = tuple(idx_list)

    def __str__(self):
        parts = []
        for entry in self.idx_list:
            if isinstance(entry, slice):
                parts.append(':'.join('' if p is None else str(p)
                                      for p in (entry.start, entry.stop, entry.step)))
            else:
                parts.append(str(entry))
        return '%s{%s}' % (type(self).__name__, ', '.join(parts))

    def pformat(self, node, parts):
        values = iter(parts[1:])
        entries = []
        for entry in self.idx_list:
            if isinstance(entry, slice):
                entries.append(':'.join('' if p is None else next(values) for p in
                                        (entry.start, entry.stop, entry.step)).rstrip(':') or ':')
            else:
                entries.append(next(values))
        return '%s[%s]' % (parts[0], ', '.join(entries))

    def host_impl(self, node):
        """Reading one entry of a shape (a tuple on the host)."""
        if len(self.idx_list) == 1 and not isinstance(self.idx_list[0], slice) and \
                node.inputs[0].ndim == 1:
            return _entry
        return None

    def _slices(self, bounds):
        """(dimension, [start, stop, step]) of each slice, with its bound inputs or None."""
        values = iter(bounds)
        for dim, entry in enumerate(self.idx_list):
            if isinstance(entry, slice):
                yield dim, [None if p is None else next(values)
                            for p in (entry.start, entry.stop, entry.step)]
            else:
                next(values)

    def out_type(self, x, bounds):
        """Theano's rule: a slice keeps a broadcastable dimension broadcastable only when it
        starts at None or a constant 0 and stops at None or a constant beyond its start
        (``row[1:]`` and ``row[:i]`` may be empty, so they are not broadcastable)."""
        bcast = []
        for dim, (start, stop, _) in self._slices(bounds):
            start = 0 if start is None else _constant_value(start)
            bcast.append(x.broadcastable[dim] and start == 0 and (
                stop is None or _constant_value(stop) is not None and
                _constant_value(stop) > start))
        bcast.extend(x.broadcastable[len(self.idx_list):])
        return TensorType(x.dtype, bcast)

    def make_node(self, x, *bounds):
        x = as_tensor_variable(x)
        if len(self.idx_list) > x.ndim:
            raise IndexError('too many indices for %s: it has %d dimensions, indexed with %d'
                             % (x, x.ndim, len(self.idx_list)))
        out_type = self.out_type(x, bounds)
        node = Apply(self, [x] + list(bounds), [out_type])
        node.outputs[0].static_shape = self._static_shape(x, bounds, out_type)
        return node

    def _static_shape(self, x, bounds, out_type):
        shape = []
        for (dim, parts), bcast in zip(self._slices(bounds), out_type.broadcastable):
            n = x.static_shape[dim]
            consts = [_constant_value(p) for p in parts]
            if n is not None and all(c is not None or p is None for c, p in zip(consts, parts)):
                shape.append(len(range(n)[slice(*consts)]))
            else:
                shape.append(1 if bcast else None)
        return tuple(shape) + x.static_shape[len(self.idx_list):]

    def python_index(self, node, x, bounds, lowering):
        """The index as Python/JAX objects, with traced slices resolved through their length."""
        values = iter(bounds)
        index = []
        for dim, entry in enumerate(self.idx_list):
            if not isinstance(entry, slice):
                value = next(values)
                _check_bounds(node, value, x.shape[dim], dim, lowering)
                if _is_concrete(value):
                    value = int(value)
                else:
                    value = jnp.where(value < 0, value + x.shape[dim], value)
                index.append(value)
                continue
            parts = [None if p is None else next(values) for p in
                     (entry.start, entry.stop, entry.step)]
            if all(p is None or _is_concrete(p) for p in parts):
                index.append(slice(*[None if p is None else int(p) for p in parts]))
                continue
            step = 1 if parts[2] is None else parts[2]
            step = int(step) if _is_concrete(step) else step
            length = lowering.slice_length(node, dim) if lowering is not None else None
            if length is None:
                raise TypeError('The slice bounds of %s depend on a function input and its '
                                'length was not worked out when compiling' % node.outputs[0])
            n = x.shape[dim]
            start = jnp.where(step > 0, 0, n - 1) if parts[0] is None else \
                _normalize_start(parts[0], n, step)
            index.append(('dynamic', start, length, step))
        return index

    def jax_impl(self, node, x, *bounds, lowering=None):
        return apply_index(x, self.python_index(node, x, bounds, lowering))

    def grad(self, node, output_grads):
        x, bounds = node.inputs[0], node.inputs[1:]
        g = IncSubtensor(self.idx_list, set_instead_of_inc=False)(
            ew.zeros_like(x), output_grads[0], *bounds)
        return [g] + [None] * len(bounds)


def _span(start, length, step):
    """(first index, size) of the block of entries a slice with a known constant step visits."""
    span = (length - 1) * abs(step) + 1 if length else 0
    return (start if step > 0 else start - span + 1), span


def _dynamic_slice(x, dim, start, length, step):
    if not _is_concrete(step):  # a traced step: gather the entries
        return jnp.take(x, start + jnp.arange(length) * step, axis=dim)
    lo, span = _span(start, length, step)
    piece = jax.lax.dynamic_slice_in_dim(x, lo, span, axis=dim)
    if step == 1:
        return piece
    index = [slice(None)] * x.ndim
    index[dim] = slice(None, None, step)
    return piece[tuple(index)]


def _is_dynamic(entry):
    return isinstance(entry, tuple) and entry[0] == 'dynamic'


def apply_index(x, index):
    """x[index] where entries may be ('dynamic', start, length, step) for traced slices."""
    static = []
    for dim, entry in enumerate(index):
        if _is_dynamic(entry):
            _, start, length, step = entry
            x = _dynamic_slice(x, dim, start, length, step)
            static.append(slice(None))
        else:
            static.append(entry)
    if not all(_is_concrete(e) for e in static):
        x = jnp.asarray(x)  # a numpy constant cannot be indexed by a traced integer
    return x[tuple(static)]


def _index_update(x, index, y, set_instead_of_inc):
    """Set or add ``y`` into ``x[index]`` (index entries as produced by python_index).

    Traced slices with constant steps are handled by cutting out the box they span,
    updating it (with a strided slice), and writing it back with ``dynamic_update_slice``;
    a traced step scatters into the entries it picks.
    """
    x = jnp.asarray(x)  # eval() hands numpy inputs, which have no .at
    dynamic = {d: e[1:] for d, e in enumerate(index) if _is_dynamic(e)}
    if not dynamic and _unit_steps(index):
        return _update_box(x, index, y, set_instead_of_inc)
    if not dynamic:
        ref = x.at[tuple(index)]
    elif not all(_is_concrete(step) for _, _, step in dynamic.values()):
        ref = x.at[_scatter_index(x, index)]
    else:
        starts, sizes, inner = [], [], []
        for d in range(x.ndim):
            if d in dynamic:
                start, length, step = dynamic[d]
                lo, span = _span(start, length, step)
                starts.append(lo)
                sizes.append(span)
                inner.append(slice(None, None, step))
            else:
                starts.append(0)
                sizes.append(x.shape[d])
                inner.append(index[d] if d < len(index) else slice(None))
        dtype = jnp.result_type(*starts)  # dynamic_slice wants one index dtype
        starts = [jnp.asarray(s, dtype) for s in starts]
        box = jax.lax.dynamic_slice(x, starts, sizes)
        ref = box.at[tuple(inner)]
        box = ref.set(y) if set_instead_of_inc else ref.add(y)
        return jax.lax.dynamic_update_slice(x, box, starts)
    return ref.set(y) if set_instead_of_inc else ref.add(y)


def _unit_steps(index):
    """Whether a static index is made of integers and slices of step 1."""
    return all(isinstance(e, slice) and e.step in (None, 1) or
               isinstance(e, (int, np.integer)) for e in index)


def _update_box(x, index, y, set_instead_of_inc):
    """Set or add ``y`` into the box a static index of unit steps spans, with slicing and
    ``dynamic_update_slice`` rather than a scatter (XLA's simplifier aborts the process on
    a scatter over a whole axis followed by a reversal)."""
    starts, box_index, kept = [], [], []
    for d in range(x.ndim):
        entry = index[d] if d < len(index) else slice(None)
        if isinstance(entry, slice):
            start, stop, _ = entry.indices(x.shape[d])
            starts.append(start)
            box_index.append(slice(start, max(start, stop)))
            kept.append(d)
        else:
            position = int(entry) % x.shape[d] if x.shape[d] else int(entry)
            starts.append(position)
            box_index.append(slice(position, position + 1))
    box = x[tuple(box_index)]
    y = jnp.broadcast_to(jnp.asarray(y, x.dtype) if set_instead_of_inc else jnp.asarray(y),
                         tuple(box.shape[d] for d in kept))
    y = jnp.reshape(y, box.shape)
    box = y if set_instead_of_inc else (box + y).astype(x.dtype)
    if box.shape == x.shape:
        return box
    return jax.lax.dynamic_update_slice(x, box, [np.int64(s) for s in starts])


def _scatter_index(x, index):
    """``index`` as integer arrays, each non-scalar one along its own axis, so that
    ``x[result]`` has the entries and the shape of ``x[index]``."""
    arrays = []
    for d, entry in enumerate(index):
        if _is_dynamic(entry):
            _, start, length, step = entry
            arrays.append(start + jnp.arange(length) * step)
        elif isinstance(entry, slice):
            arrays.append(np.arange(x.shape[d])[entry])
        else:
            arrays.append(entry)
    n_axes = sum(np.ndim(a) for a in arrays)
    axis, result = 0, []
    for a in arrays:
        if np.ndim(a):
            result.append(a.reshape((1,) * axis + (-1,) + (1,) * (n_axes - axis - 1)))
            axis += 1
        else:
            result.append(a)
    return tuple(result)


def _entry(shape, i):
    return shape[i]


class IncSubtensor(Op):
    """``set_subtensor``/``inc_subtensor`` of a basic index: printed ``IncSubtensor{Set;::}``."""

    __props__ = ('idx_list', 'set_instead_of_inc')
    wants_lowering = True

    def __init__(self, idx_list, set_instead_of_inc):
        self.idx_list = tuple(idx_list)
        self.set_instead_of_inc = set_instead_of_inc

    def __str__(self):
        inner = str(Subtensor(self.idx_list))[len('Subtensor{'):-1]
        return 'IncSubtensor{%s;%s}' % ('Set' if self.set_instead_of_inc else 'Inc', inner)

    def make_node(self, x, y, *bounds):
        x, y = as_tensor_variable(x), as_tensor_variable(y)
        _check_increment(x, y, Subtensor(self.idx_list).out_type(x, bounds), self)
        return Apply(self, [x, y] + list(bounds), [x.type])

    def jax_impl(self, node, x, y, *bounds, lowering=None):
        values = (x, y) + bounds
        if all(isinstance(v, (np.ndarray, np.generic)) for v in values):
            # Shapes (irfft's lengths): kept known when the program is traced.
            with jax.ensure_compile_time_eval():
                return np.asarray(self._update(node, x, y, bounds, lowering))
        return self._update(node, x, y, bounds, lowering)

    def _update(self, node, x, y, bounds, lowering):
        index = Subtensor(self.idx_list).python_index(node, x, bounds, lowering)
        return _index_update(x, index, y.astype(x.dtype), self.set_instead_of_inc)

    def grad(self, node, output_grads):
        y, bounds = node.inputs[1], node.inputs[2:]
        (gout,) = output_grads
        if self.set_instead_of_inc:
            gx = IncSubtensor(self.idx_list, True)(gout, ew.zeros_like(y), *bounds)
        else:
            gx = gout
        gy = _sum_to(Subtensor(self.idx_list)(gout, *bounds), y)
        return [gx, gy] + [None] * len(bounds)


def _check_increment(x, y, target, op):
    """Setting casts ``y`` to the dtype of ``x`` as numpy assignment does (float into int
    truncates); adding may not downcast, as numpy's ``+=`` may not."""
    if y.ndim > target.ndim:
        raise TypeError('%s: the value %s has %d dimensions, more than the %d of the indexed '
                        'part of %s' % (op, y, y.ndim, target.ndim, x))
    if not op.set_instead_of_inc and not np.can_cast(y.dtype, x.dtype, 'same_kind'):
        raise TypeError('%s: cannot add values of dtype %s to %s of dtype %s (set_subtensor '
                        'would cast them)' % (op, y.dtype, x, x.dtype))


def _sum_to(g, y):
    """Sum ``g`` over the dimensions along which ``y`` was broadcast to it."""
    g = patternbroadcast(ew.sum_broadcast(g, y.broadcastable), y.broadcastable)
    return g if g.dtype == y.dtype else ew.cast(g, y.dtype)


class AdvancedSubtensor1(Op):
    """``x[ivector]``: rows picked by an integer vector (gradient: scatter-add)."""

    wants_lowering = True

    def make_node(self, x, idx):
        x, idx = as_tensor_variable(x), as_tensor_variable(idx)
        _check_int_index(idx)
        return Apply(self, [x, idx], [_take_type(x, idx)])

    def jax_impl(self, node, x, idx, lowering=None):
        _check_bounds(node, idx, x.shape[0], 0, lowering)
        return jnp.asarray(x)[idx]

    def grad(self, node, output_grads):
        x, idx = node.inputs
        return [AdvancedIncSubtensor1(False)(ew.zeros_like(x), output_grads[0], idx), None]


class AdvancedIncSubtensor1(Op):
    """Set/increment ``x[ivector]``; repeated indices accumulate when incrementing."""

    __props__ = ('set_instead_of_inc',)
    wants_lowering = True

    def __init__(self, set_instead_of_inc):
        self.set_instead_of_inc = set_instead_of_inc

    def __str__(self):
        return 'AdvancedIncSubtensor1{no_inplace,%s}' % ('set' if self.set_instead_of_inc
                                                         else 'inc')

    def make_node(self, x, y, idx):
        x, y, idx = (as_tensor_variable(v) for v in (x, y, idx))
        _check_int_index(idx)
        _check_increment(x, y, _take_type(x, idx), self)
        return Apply(self, [x, y, idx], [x.type])

    def jax_impl(self, node, x, y, idx, lowering=None):
        _check_bounds(node, idx, x.shape[0], 0, lowering)
        ref = jnp.asarray(x).at[idx]
        y = y.astype(x.dtype)
        return ref.set(y) if self.set_instead_of_inc else ref.add(y)

    def grad(self, node, output_grads):
        x, y, idx = node.inputs
        (gout,) = output_grads
        gx = AdvancedIncSubtensor1(True)(gout, ew.zeros_like(y), idx) \
            if self.set_instead_of_inc else gout
        return [gx, _sum_to(AdvancedSubtensor1()(gout, idx), y), None]


def _take_type(x, idx):
    """The rows picked by ``idx`` are broadcastable when ``idx`` is (a constant ``[k]``)."""
    return TensorType(x.dtype, idx.broadcastable[:1] + x.broadcastable[1:])


def _check_int_index(idx):
    if idx.dtype not in DISCRETE_DTYPES or idx.dtype == 'bool':
        raise TypeError('Expected an integer index array, got %s of type %s: indices must be '
                        'integers.%s' % (idx, idx.type, user_line('The index was used')))


def _check_bounds(node, value, length, dim, lowering):
    """Raise IndexError for out-of-range entries of an index known now (a constant, or any
    value under eval()); have the program check one known only when it runs. JAX would
    silently clamp either."""
    if not _is_concrete(value):
        if lowering is not None:
            lowering.check_index(node, dim, value, length)
    elif np.size(value):
        value = np.asarray(value)
        lo, hi = int(value.min()), int(value.max())
        if lo < -length or hi >= length:
            raise IndexError('index %d is out of bounds for axis %d with size %d'
                             % (hi if hi >= length else lo, dim, length))


class AdvancedSubtensor(Op):
    """Numpy-style integer-array indexing mixed with constant slices: ``p[y, T.arange(n)]``.

    ``idx_list`` marks each indexed dimension as 'array' (an input) or a constant slice.
    """

    __props__ = ('idx_list',)
    wants_lowering = True

    def __init__(self, idx_list):
        self.idx_list = tuple(idx_list)

    def __str__(self):
        return 'AdvancedSubtensor'

    def out_type(self, x, arrays):
        return _advanced_out_type(x, self.idx_list, arrays)

    def make_node(self, x, *arrays):
        x = as_tensor_variable(x)
        arrays = [as_tensor_variable(a) for a in arrays]
        for a in arrays:
            _check_int_index(a)
        return Apply(self, [x] + arrays, [self.out_type(x, arrays)])

    def numpy_index(self, node, x, arrays, lowering):
        values = iter(arrays)
        index = []
        for dim, entry in enumerate(self.idx_list):
            if entry == 'array':
                value = next(values)
                _check_bounds(node, value, x.shape[dim], dim, lowering)
                index.append(value)
            else:
                index.append(entry)
        return tuple(index)

    def jax_impl(self, node, x, *arrays, lowering=None):
        return jnp.asarray(x)[self.numpy_index(node, x, arrays, lowering)]

    def grad(self, node, output_grads):
        x, arrays = node.inputs[0], node.inputs[1:]
        g = AdvancedIncSubtensor(self.idx_list, False)(ew.zeros_like(x), output_grads[0], *arrays)
        return [g] + [None] * len(arrays)


def _advanced_out_type(x, idx_list, arrays):
    """Theano's rule: index x, with a length-1 dimension where it is broadcastable and
    length 2 elsewhere, by arrays of 2s (so index arrays never give broadcastable
    dimensions) and full slices; the length-1 dimensions of the result are broadcastable."""
    values = iter(arrays)
    fake_index = tuple(np.zeros((2,) * next(values).ndim, int) if entry == 'array'
                       else slice(None) for entry in idx_list)
    shape = np.empty([1 if b else 2 for b in x.broadcastable])[fake_index].shape
    return TensorType(x.dtype, [n == 1 for n in shape])


class AdvancedIncSubtensor(Op):
    """Set/increment ``x[arrays...]``; repeated positions accumulate when incrementing."""

    __props__ = ('idx_list', 'set_instead_of_inc')
    wants_lowering = True

    def __init__(self, idx_list, set_instead_of_inc):
        self.idx_list = tuple(idx_list)
        self.set_instead_of_inc = set_instead_of_inc

    def __str__(self):
        return 'AdvancedIncSubtensor{inplace=False,  set_instead_of_inc=%s}' % \
            self.set_instead_of_inc

    def make_node(self, x, y, *arrays):
        x, y = as_tensor_variable(x), as_tensor_variable(y)
        arrays = [as_tensor_variable(a) for a in arrays]
        _check_increment(x, y, _advanced_out_type(x, self.idx_list, arrays), self)
        return Apply(self, [x, y] + arrays, [x.type])

    def jax_impl(self, node, x, y, *arrays, lowering=None):
        index = AdvancedSubtensor(self.idx_list).numpy_index(node, x, arrays, lowering)
        ref = jnp.asarray(x).at[index]
        y = y.astype(x.dtype)
        return ref.set(y) if self.set_instead_of_inc else ref.add(y)

    def grad(self, node, output_grads):
        y, arrays = node.inputs[1], node.inputs[2:]
        (gout,) = output_grads
        gx = AdvancedIncSubtensor(self.idx_list, True)(gout, ew.zeros_like(y), *arrays) \
            if self.set_instead_of_inc else gout
        gy = _sum_to(AdvancedSubtensor(self.idx_list)(gout, *arrays), y)
        return [gx, gy] + [None] * len(arrays)


# ---------------------------------------------------------------------------------------
# Boolean masks: v[v > 0.2], m[m > 0], m[:, keep]
# ---------------------------------------------------------------------------------------

def _mask_dims(idx_list):
    """(position in the inputs after x, first dimension, number of dimensions) of the mask."""
    dim = arrays = 0
    for entry in idx_list:
        if isinstance(entry, tuple):
            return arrays, dim, entry[1]
        if entry == 'array':
            arrays += 1
        dim += 1
    raise AssertionError('no mask in %s' % (idx_list,))


def _boolean_out_type(x, idx_list, arrays):
    """numpy's rule: the k dimensions a k-d mask covers become one (the selected entries,
    never broadcastable); the rest as for integer arrays."""
    _, first, k = _mask_dims(idx_list)
    fake_x = [1 if b else 2 for b in x.broadcastable]
    fake_x[first:first + k] = [2]
    values = iter(arrays)
    fake_index = []
    for entry in idx_list:
        value = next(values) if entry == 'array' or isinstance(entry, tuple) else None
        if isinstance(entry, tuple):
            fake_index.append(np.zeros(2, int))
        elif entry == 'array':
            fake_index.append(np.zeros((2,) * value.ndim, int))
        else:
            fake_index.append(entry)
    out_shape = np.empty(fake_x)[tuple(fake_index)].shape
    return TensorType(x.dtype, [n == 1 for n in out_shape])


def _boolean_index(op, node, x, arrays, lowering):
    """The index with the mask replaced by its nonzero positions (as many as it selects,
    counted before the call), integer arrays checked."""
    position, first, k = _mask_dims(op.idx_list)
    mask = arrays[position]
    if tuple(mask.shape) != tuple(x.shape[first:first + k]):
        raise IndexError('boolean index did not match indexed array along dimension %d; '
                         'dimension is %s but corresponding boolean dimension is %s'
                         % (first, x.shape[first:first + k], mask.shape))
    n = counted_length(node, lowering, np.count_nonzero, [mask])
    values = iter(arrays)
    index, dim = [], 0
    for entry in op.idx_list:
        if isinstance(entry, tuple):
            next(values)
            index.extend(jnp.nonzero(mask, size=n))
            dim += k
            continue
        if entry == 'array':
            value = next(values)
            _check_bounds(node, value, x.shape[dim], dim, lowering)
            index.append(value)
        else:
            index.append(entry)
        dim += 1
    return tuple(index)


def _count_mask(op, values):
    return jnp.count_nonzero(values[_mask_dims(op.idx_list)[0]])


def _check_boolean_index(idx_list, x, arrays):
    _, first, k = _mask_dims(idx_list)
    for entry, a in zip([e for e in idx_list if e == 'array' or isinstance(e, tuple)], arrays):
        if isinstance(entry, tuple):
            if a.dtype != 'bool' or a.ndim != entry[1]:
                raise TypeError('%s is not a %d-d boolean mask' % (a, entry[1]))
            for d in range(k):
                lengths = (a.static_shape[d], x.static_shape[first + d])
                if None not in lengths and lengths[0] != lengths[1]:
                    raise IndexError('boolean index did not match indexed array along '
                                     'dimension %d; dimension is %d but corresponding boolean '
                                     'dimension is %d.%s' % (first + d, lengths[1], lengths[0],
                                                             user_line('The index was used')))
        else:
            _check_int_index(a)


class AdvancedBooleanSubtensor(Op):
    """``x[mask]``: the entries where a boolean mask holds (with integer arrays and
    constant slices beside it, as numpy allows). How many there are is known only from
    the mask's values: a compiled function counts them before each call (see
    ``basic.counted_length``), and each distinct count compiles a program of its own."""

    __props__ = ('idx_list',)
    wants_lowering = True
    counted_before_call = True

    def __init__(self, idx_list):
        self.idx_list = tuple(idx_list)

    def __str__(self):
        return 'AdvancedBooleanSubtensor'

    def make_node(self, x, *arrays):
        x = as_tensor_variable(x)
        arrays = [as_tensor_variable(a) for a in arrays]
        _check_boolean_index(self.idx_list, x, arrays)
        return Apply(self, [x] + arrays, [_boolean_out_type(x, self.idx_list, arrays)])

    def count_steps(self, node, values, lowering):
        return _count_mask(self, values[1:])

    def jax_impl(self, node, x, *arrays, lowering=None):
        return jnp.asarray(x)[_boolean_index(self, node, x, arrays, lowering)]

    def grad(self, node, output_grads):
        x, arrays = node.inputs[0], node.inputs[1:]
        g = AdvancedBooleanIncSubtensor(self.idx_list, False)(ew.zeros_like(x),
                                                              output_grads[0], *arrays)
        return [g] + [None] * len(arrays)


class AdvancedBooleanIncSubtensor(Op):
    """Set or increment ``x[mask]``. A leading mask with a value that does not hold one
    entry per selected position (``set_subtensor(v[v < 0], 0)``) is a ``where``, which
    needs no count; otherwise the selected positions are counted before the call, as for
    AdvancedBooleanSubtensor."""

    __props__ = ('idx_list', 'set_instead_of_inc')
    wants_lowering = True

    def __init__(self, idx_list, set_instead_of_inc):
        self.idx_list = tuple(idx_list)
        self.set_instead_of_inc = set_instead_of_inc

    def __str__(self):
        return 'AdvancedBooleanIncSubtensor{inplace=False,  set_instead_of_inc=%s}' % \
            self.set_instead_of_inc

    def make_node(self, x, y, *arrays):
        x, y = as_tensor_variable(x), as_tensor_variable(y)
        arrays = [as_tensor_variable(a) for a in arrays]
        _check_boolean_index(self.idx_list, x, arrays)
        _check_increment(x, y, _boolean_out_type(x, self.idx_list, arrays), self)
        return Apply(self, [x, y] + arrays, [x.type])

    def _is_where(self, node):
        """A leading mask (then whole dimensions) and a value broadcast over the selected
        positions."""
        x, y = node.inputs[:2]
        if not isinstance(self.idx_list[0], tuple) or any(
                e != slice(None) for e in self.idx_list[1:]):
            return False
        k = self.idx_list[0][1]
        return y.ndim <= x.ndim - k or y.broadcastable[y.ndim - (x.ndim - k) - 1]

    def counted_before_call(self, node):
        return not self._is_where(node)

    def count_steps(self, node, values, lowering):
        return _count_mask(self, values[2:])

    def jax_impl(self, node, x, y, *arrays, lowering=None):
        x = jnp.asarray(x)
        y = jnp.asarray(y).astype(x.dtype)
        if self._is_where(node):
            mask = arrays[0]
            if tuple(mask.shape) != tuple(x.shape[:mask.ndim]):
                raise IndexError('boolean index did not match indexed array along dimension '
                                 '0; dimension is %s but corresponding boolean dimension is '
                                 '%s' % (x.shape[:mask.ndim], mask.shape))
            rest = x.shape[mask.ndim:]
            if y.ndim > len(rest):  # a length-1 axis for the selected positions
                y = jnp.reshape(y, y.shape[y.ndim - len(rest):])
            where = jnp.reshape(mask, mask.shape + (1,) * len(rest))
            if self.set_instead_of_inc:
                return jnp.where(where, jnp.broadcast_to(y, rest), x)
            return x + jnp.where(where, jnp.broadcast_to(y, rest), jnp.zeros((), x.dtype))
        ref = x.at[_boolean_index(self, node, x, arrays, lowering)]
        return ref.set(y) if self.set_instead_of_inc else ref.add(y)

    def grad(self, node, output_grads):
        y, arrays = node.inputs[1], node.inputs[2:]
        (gout,) = output_grads
        gx = AdvancedBooleanIncSubtensor(self.idx_list, True)(gout, ew.zeros_like(y), *arrays) \
            if self.set_instead_of_inc else gout
        gy = _sum_to(AdvancedBooleanSubtensor(self.idx_list)(gout, *arrays), y)
        return [gx, gy] + [None] * len(arrays)


def _boolean_getitem(x, index):
    """``x[index]`` for an index holding one symbolic boolean array."""
    idx_list, arrays = [], []
    for e in index:
        if isinstance(e, TensorVariable) and e.dtype == 'bool' and e.ndim > 0:
            idx_list.append(('mask', e.ndim))
            arrays.append(e)
        elif _is_array_index(e):
            idx_list.append('array')
            arrays.append(as_tensor_variable(e))
        elif isinstance(e, (int, np.integer)) or (isinstance(e, TensorVariable) and e.ndim == 0):
            idx_list.append('array')
            arrays.append(as_tensor_variable(e) if isinstance(e, TensorVariable)
                          else constant(e, dtype='int64'))
        elif isinstance(e, slice) and all(p is None or isinstance(p, (int, np.integer))
                                          for p in (e.start, e.stop, e.step)):
            idx_list.append(e)
        else:
            raise TypeError('Boolean indexing of %s mixes the mask with the symbolic slice %r; '
                            'slice bounds next to a mask must be constants' % (x, e))
    return AdvancedBooleanSubtensor(idx_list)(x, *arrays)


# ---------------------------------------------------------------------------------------
# x[...] and set_subtensor / inc_subtensor
# ---------------------------------------------------------------------------------------

def _is_array_index(entry):
    if isinstance(entry, TensorVariable):
        return entry.ndim > 0
    if isinstance(entry, (list, np.ndarray)):
        return True
    return False


def getitem(x, index):
    """``x[index]`` with Theano's rules: basic, advanced, and ``None`` for new axes. A list
    holding a slice is read as a tuple (old numpy's rule, kept by Theano)."""
    if isinstance(index, list) and any(isinstance(e, slice) for e in index):
        index = tuple(index)
    elif not isinstance(index, tuple):
        index = (index,)
    if any(e is Ellipsis for e in index):
        pos = index.index(Ellipsis)
        missing = x.ndim - (len(index) - 1 - sum(e is None for e in index))
        index = index[:pos] + (slice(None),) * missing + index[pos + 1:]
    if any(e is None for e in index):
        pattern, dim = [], 0
        new_index = []
        for e in index:
            if e is None:
                pattern.append('x')
                new_index.append(slice(None))
            else:
                pattern.append(dim)
                new_index.append(e)
                dim += 1
        pattern.extend(range(dim, x.ndim))
        x = ew.DimShuffle(x.broadcastable, pattern)(x)
        if all(e == slice(None) for e in new_index):
            return x
        index = tuple(new_index)
    masks = [e for e in index if isinstance(e, TensorVariable) and e.dtype == 'bool' and
             not isinstance(e, TensorConstant)]
    if masks:
        if len(masks) > 1 or masks[0].ndim == 0:
            raise NotImplementedError(
                'Indexing %s with %s: symgraph indexes with one boolean array of at least '
                'one dimension at a time (x[mask]); combine masks with & and |.%s'
                % (x, ', '.join(str(m) for m in masks), user_line('The index was used')))
        used = sum(e.ndim if e is masks[0] else 1 for e in index)
        if used > x.ndim:
            raise IndexError('too many indices for %s: it has %d dimensions, indexed with %d'
                             % (x, x.ndim, used))
        return _boolean_getitem(x, index)
    for pos, e in enumerate(index):
        _check_index_entry(x, e, pos)
    if len(index) > x.ndim:
        raise IndexError('too many indices for %s: it has %d dimensions, indexed with %d'
                         % (x, x.ndim, len(index)))
    if any(_is_array_index(e) for e in index):
        return _advanced_getitem(x, index)
    idx_list, inputs = _basic_index(index)
    return Subtensor(idx_list)(x, *inputs)  # x[:] too, as in Theano: Subtensor{::}


def _check_index_entry(x, entry, pos):
    what = 'position %d of the index of %s of type %s' % (pos, x, x.type)
    if isinstance(entry, (float, np.floating)):
        raise TypeError('Expected an integer, got the float %r as an index (%s).%s'
                        % (entry, what, user_line('The index was used')))
    if isinstance(entry, TensorVariable) and entry.dtype not in INT_DTYPES:
        if entry.dtype == 'bool' and isinstance(entry, TensorConstant):
            return
        raise TypeError('Expected an integer, got %s of type %s as an index (%s); cast it with '
                        "T.cast(%s, 'int64') if it holds whole numbers.%s"
                        % (entry, entry.type, what, entry, user_line('The index was used')))
    if isinstance(entry, slice):
        for part in (entry.start, entry.stop, entry.step):
            if isinstance(part, (float, np.floating)) or (
                    isinstance(part, TensorVariable) and part.dtype not in INT_DTYPES):
                raise TypeError('Expected an integer, got %s%s as a slice bound (%s).%s'
                                % (part, ' of type %s' % part.type
                                   if isinstance(part, TensorVariable) else '', what,
                                   user_line('The index was used')))


def _basic_index(index):
    idx_list, inputs = [], []
    for pos, e in enumerate(index):
        if isinstance(e, slice):
            parts = []
            for p in (e.start, e.stop, e.step):
                if p is None:
                    parts.append(None)
                else:
                    var = _index_input(p, 'slice bound')
                    inputs.append(var)
                    parts.append(var.dtype)
            idx_list.append(slice(*parts))
        else:
            var = _index_input(e, 'position %d' % pos)
            inputs.append(var)
            idx_list.append(var.dtype)
    return idx_list, inputs


def _advanced_getitem(x, index):
    arrays, idx_list = [], []
    for e in index:
        if _is_array_index(e) or isinstance(e, (int, np.integer)) or (
                isinstance(e, TensorVariable) and e.ndim == 0):
            arr = as_tensor_variable(e) if not isinstance(e, (int, np.integer)) else \
                constant(e, dtype='int64')
            if isinstance(arr, TensorConstant) and arr.dtype == 'bool':
                arr = constant(np.nonzero(arr.data)[0], dtype='int64')
            arrays.append(arr)
            idx_list.append('array')
        elif isinstance(e, slice) and all(p is None or isinstance(p, (int, np.integer))
                                          for p in (e.start, e.stop, e.step)):
            idx_list.append(e)
        else:
            raise TypeError('Advanced indexing of %s mixes integer arrays with the symbolic '
                            'slice %r; slice bounds next to an index array must be constants'
                            % (x, e))
    if len(arrays) == 1 and arrays[0].ndim == 1 and \
            all(e == 'array' or e == slice(None) for e in idx_list):
        return take(x, arrays[0], idx_list.index('array'))
    return AdvancedSubtensor(idx_list)(x, *arrays)


def take(x, indices, axis=None, mode='raise'):
    """Entries of ``x`` at ``indices`` along ``axis`` (of the flattened ``x`` when ``axis``
    is None), as numpy's ``take``: AdvancedSubtensor1 on a swapped view, indices of more
    than one dimension flattened and the result reshaped. ``mode`` 'clip' or 'wrap' maps
    out-of-range indices into range first."""
    x = as_tensor_variable(x)
    indices = as_tensor_variable(indices)
    if indices.ndim != 1:
        lead = [] if axis is None else [x.shape[:axis % x.ndim]]
        tail = [] if axis is None else [x.shape[axis % x.ndim + 1:]]
        shape = concatenate(lead + [indices.shape] + tail)
        ndim = indices.ndim if axis is None else x.ndim + indices.ndim - 1
        return reshape(take(x, indices.flatten(), axis, mode), shape, ndim=ndim)
    if axis is None:
        x, axis = reshape(x, constant(np.asarray([-1], dtype='int64')), ndim=1), 0
    axis = axis % x.ndim
    if mode == 'clip':
        indices = ew.clip(indices, 0, x.shape[axis] - 1)
    elif mode == 'wrap':
        indices = indices % x.shape[axis]
    if axis == 0:
        return AdvancedSubtensor1()(x, indices)
    swap = list(range(x.ndim))
    swap[0], swap[axis] = axis, 0
    picked = AdvancedSubtensor1()(ew.DimShuffle(x.broadcastable, swap)(x), indices)
    return ew.DimShuffle(picked.broadcastable, swap)(picked)


_INDEXING_OPS = (Subtensor, AdvancedSubtensor1, AdvancedSubtensor, AdvancedBooleanSubtensor)


def _inc_or_set(x, y, set_instead_of_inc):
    y = as_tensor_variable(y)
    if isinstance(x, TensorVariable) and y.ndim <= x.ndim:
        # As in Theano: y must have length 1 where the indexed part is broadcastable.
        offset = x.ndim - y.ndim
        y = addbroadcast(y, *[d for d in range(y.ndim)
                              if x.broadcastable[offset + d] and not y.broadcastable[d]])
    owner = getattr(x, 'owner', None)
    if owner is not None and isinstance(owner.op, ew.DimShuffle) and not owner.op.drop and \
            'x' not in owner.op.new_order and owner.inputs[0].owner is not None and \
            isinstance(owner.inputs[0].owner.op, _INDEXING_OPS):
        return _inc_or_set_permuted(x, y, set_instead_of_inc)
    if owner is None or not isinstance(owner.op, _INDEXING_OPS):
        raise TypeError('%s_subtensor: x must be the result of a subtensor operation (an '
                        'indexed variable such as x[1:3] or x[ivec]), but %s of type %s is not.%s'
                        % ('set' if set_instead_of_inc else 'inc', x,
                           getattr(x, 'type', type(x).__name__), user_line('The call was made')))
    op = owner.op
    base, rest = owner.inputs[0], owner.inputs[1:]
    if isinstance(op, Subtensor):
        return IncSubtensor(op.idx_list, set_instead_of_inc)(base, y, *rest)
    if isinstance(op, AdvancedSubtensor1):
        return AdvancedIncSubtensor1(set_instead_of_inc)(base, y, *rest)
    if isinstance(op, AdvancedBooleanSubtensor):
        return AdvancedBooleanIncSubtensor(op.idx_list, set_instead_of_inc)(base, y, *rest)
    return AdvancedIncSubtensor(op.idx_list, set_instead_of_inc)(base, y, *rest)


def _inc_or_set_permuted(x, y, set_instead_of_inc):
    """``x[:, ivec]`` is built as ``x.T[ivec].T`` (as in Theano): set or increment the inner
    part with ``y`` permuted the same way, then permute the result back."""
    inner = x.owner.inputs[0]
    order = x.owner.op.new_order
    offset = x.ndim - y.ndim
    y_order = [order.index(j) - offset if order.index(j) >= offset else 'x'
               for j in range(inner.ndim)]
    result = _inc_or_set(inner, ew.DimShuffle(y.broadcastable, y_order)(y), set_instead_of_inc)
    return ew.DimShuffle(result.broadcastable, order)(result)


def set_subtensor(x, y):
    """The whole array of which ``x`` is a part, with that part replaced by ``y``."""
    return _inc_or_set(x, y, True)


def inc_subtensor(x, y):
    """The whole array of which ``x`` is a part, with ``y`` added to that part."""
    return _inc_or_set(x, y, False)


def _known_length(var):
    """A constant, or ``x.shape[i]`` of a broadcastable dimension (1): as Theano's
    get_scalar_constant_value sees through them; else None."""
    value = _static_int(var)
    if value is None and var.owner is not None and isinstance(var.owner.op, Subtensor):
        source, index = var.owner.inputs[0], var.owner.inputs[1:]
        if source.owner is not None and isinstance(source.owner.op, Shape) and len(index) == 1:
            dim = _static_int(index[0])
            measured = source.owner.inputs[0]
            if dim is not None and measured.broadcastable[dim]:
                value = 1
    return value


class AllocEmpty(Op):
    """An array of a shape given as scalar inputs whose values do not matter: scan's
    output buffers, filled before they are read. Zeros, so results never depend on
    memory left over from elsewhere."""

    __props__ = ('dtype',)
    fold_constants = False

    def __init__(self, dtype):
        self.dtype = dtype

    def __str__(self):
        return "AllocEmpty{dtype='%s'}" % self.dtype

    def static_inputs(self, node):
        return range(len(node.inputs))

    def make_node(self, *shape_entries):
        dims = [as_tensor_variable(s) for s in shape_entries]
        for s in dims:
            if s.ndim != 0 or s.dtype not in DISCRETE_DTYPES:
                raise TypeError('AllocEmpty: shape entries must be integer scalars, got %s of '
                                'type %s' % (s, s.type))
        known = [_known_length(s) for s in dims]
        node = Apply(self, dims, [TensorType(self.dtype, [n == 1 for n in known])])
        node.outputs[0].static_shape = tuple(known)
        return node

    def jax_impl(self, node, *dims):
        return jnp.zeros(tuple(int(d) for d in dims), self.dtype)

    def grad(self, node, output_grads):
        return [None] * len(node.inputs)
