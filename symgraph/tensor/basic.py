"""Variable constructors, shape ops, allocation, joining and ``dot``."""
import functools

import jax.numpy as jnp
import numpy as np

from symgraph.config import config
from symgraph.graph.basic import Apply, Op, user_frame
from symgraph.tensor import elemwise as ew
from symgraph.tensor.shape import Reshape, Shape, reshape, shape  # noqa: F401 (T.basic.*)
from symgraph.tensor.type import DISCRETE_DTYPES, TensorType, check_dtype, upcast, user_line
from symgraph.tensor.var import TensorConstant, TensorVariable, as_tensor_variable, constant


# ---------------------------------------------------------------------------------------
# Constructors: T.matrix('x'), T.ivector('y'), T.TensorType(dtype, pattern)('b')...
# ---------------------------------------------------------------------------------------

_PATTERNS = dict(scalar=(), vector=(False,), row=(True, False), col=(False, True),
                 matrix=(False, False), tensor3=(False,) * 3, tensor4=(False,) * 4,
                 tensor5=(False,) * 5)
_PREFIXES = dict(b='int8', w='int16', i='int32', l='int64', f='float32', d='float64',
                 c='complex64', z='complex128')


def _constructor(kind, fixed_dtype=None):
    pattern = _PATTERNS[kind]

    def make(name=None, dtype=None):
        dtype = fixed_dtype or check_dtype(config.floatX if dtype is None else dtype,
                                           'dtype for %s %s' % (kind, name or '(unnamed)'))
        return TensorVariable(TensorType(dtype, pattern), name=name, trace=user_frame())

    make.__name__ = kind if fixed_dtype is None else _prefix_of(fixed_dtype) + kind
    make.__doc__ = 'A symbolic %s%s input.' % (
        '%s ' % fixed_dtype if fixed_dtype else '', kind)
    return make


def _prefix_of(dtype):
    return {v: k for k, v in _PREFIXES.items()}[dtype]


CONSTRUCTORS = {}
for _kind in _PATTERNS:
    CONSTRUCTORS[_kind] = _constructor(_kind)
    for _prefix, _dtype in _PREFIXES.items():
        CONSTRUCTORS[_prefix + _kind] = _constructor(_kind, _dtype)


def tensor(dtype=None, broadcastable=None, name=None):
    """A symbolic input of any rank: ``tensor('float32', (False, True), 'b')``."""
    dtype = check_dtype(config.floatX if dtype is None else dtype,
                        'dtype for tensor %s' % (name or '(unnamed)'))
    return TensorVariable(TensorType(dtype, broadcastable), name=name, trace=user_frame())


# ---------------------------------------------------------------------------------------
# Shape ops built on shape.py: flatten, broadcast patterns, asserted shapes
# ---------------------------------------------------------------------------------------

def flatten(x, ndim=1, outdim=None):
    """Keep the first ``ndim - 1`` dimensions and merge the rest (a Reshape, as in Theano)."""
    x = as_tensor_variable(x)
    outdim = outdim or ndim
    if outdim < 1 or (outdim > 1 and outdim > x.ndim):
        raise ValueError('flatten: ndim=%d is invalid for %s with %d dimensions'
                         % (outdim, x, x.ndim))
    dims = tuple(shape(x)[:outdim - 1]) + (-1,) if outdim > 1 else (-1,)
    out = reshape(x, dims)
    keep = x.broadcastable[:outdim - 1] + (all(x.broadcastable[outdim - 1:]),)
    return addbroadcast(out, *[d for d in range(outdim) if keep[d]])


class Rebroadcast(Op):
    """Set which dimensions are broadcastable (checked when the graph runs)."""

    __props__ = ('axis',)

    def __init__(self, *axis):
        self.axis = tuple(sorted(axis))

    def __str__(self):
        """Theano's text: per dimension up to the last one changed, 1 (broadcastable),
        0 (not) or ? (unchanged)."""
        changes = dict(self.axis)
        return 'Rebroadcast{%s}' % ','.join(
            str(int(changes[d])) if d in changes else '?'
            for d in range(max(changes, default=-1) + 1))

    def make_node(self, x):
        x = as_tensor_variable(x)
        bcast = list(x.broadcastable)
        for dim, value in self.axis:
            bcast[dim] = value
        return Apply(self, [x], [TensorType(x.dtype, bcast)])

    def jax_impl(self, node, x):
        for dim, value in self.axis:
            if value and x.shape[dim] != 1:
                raise ValueError('Rebroadcast: dimension %d of %s has length %d, expected 1'
                                 % (dim, node.inputs[0], x.shape[dim]))
        return x

    def grad(self, node, output_grads):
        x = node.inputs[0]
        return [patternbroadcast(output_grads[0], x.broadcastable)]


def patternbroadcast(x, broadcastable):
    x = as_tensor_variable(x)
    changes = tuple((d, bool(b)) for d, b in enumerate(broadcastable) if x.broadcastable[d] != b)
    return Rebroadcast(*changes)(x) if changes else x


class SpecifyShape(Op):
    """``x`` unchanged, with its shape asserted. A graph whose structure was built for a
    shape known then (a jacobian's rows, one per entry) refuses a value of another shape
    instead of computing the wrong thing. Shapes are known when a program is traced, so
    the check costs nothing when it runs."""

    def make_node(self, x, shape):
        x = as_tensor_variable(x)
        shape = as_tensor_variable(shape, ndim=1)
        if not isinstance(shape, TensorConstant) or shape.dtype not in DISCRETE_DTYPES:
            raise TypeError('specify_shape needs a shape of constant integers, got %s of type %s'
                            % (shape, shape.type))
        if len(shape.data) != x.ndim:
            raise TypeError('specify_shape: %s has %d dimensions, but the shape %s has %d '
                            'entries' % (x, x.ndim, tuple(shape.data), len(shape.data)))
        node = Apply(self, [x, shape], [x.type])
        node.outputs[0].static_shape = tuple(int(n) for n in shape.data)
        return node

    def jax_impl(self, node, x, shape):
        for dim, (length, expected) in enumerate(zip(x.shape, shape)):
            if length != expected:
                raise AssertionError('SpecifyShape: dim %d of input has shape %d, expected %d.'
                                     % (dim, length, expected))
        return x

    def grad(self, node, output_grads):
        return [output_grads[0], None]


def specify_shape(x, shape):
    """``x``, asserted to have the constant ``shape`` whenever the graph runs."""
    return SpecifyShape()(x, constant(np.asarray(shape, dtype='int64')))


def unbroadcast(x, *axes):
    x = as_tensor_variable(x)
    changes = tuple((a, False) for a in axes if x.broadcastable[a])
    return Rebroadcast(*changes)(x) if changes else x


def addbroadcast(x, *axes):
    x = as_tensor_variable(x)
    changes = tuple((a, True) for a in axes if not x.broadcastable[a])
    return Rebroadcast(*changes)(x) if changes else x


# ---------------------------------------------------------------------------------------
# Allocation
# ---------------------------------------------------------------------------------------

def _static_int(var):
    """The value of a constant integer scalar, or None when symbolic."""
    if isinstance(var, TensorConstant) and var.ndim == 0 and var.dtype in DISCRETE_DTYPES:
        return int(var.data)
    return None


class Alloc(Op):
    """Broadcast a value to a shape given as scalar inputs."""

    #: Its value is an array made from a few numbers: cheaper to build in the program
    #: than to store as a constant.
    fold_constants = False

    def make_node(self, value, *shape_entries):
        value = as_tensor_variable(value)
        dims = [as_tensor_variable(s) for s in shape_entries]
        for s in dims:
            if s.ndim != 0 or s.dtype not in DISCRETE_DTYPES:
                raise TypeError('alloc: shape entries must be integer scalars, got %s of type %s'
                                % (s, s.type))
        if len(dims) < value.ndim:
            raise TypeError('alloc: the value %s has %d dimensions, more than the %d requested'
                            % (value, value.ndim, len(dims)))
        bcast = [_static_int(s) == 1 for s in dims]
        node = Apply(self, [value] + dims, [TensorType(value.dtype, bcast)])
        node.outputs[0].static_shape = tuple(_static_int(s) for s in dims)
        return node

    def static_inputs(self, node):
        return range(1, len(node.inputs))

    def jax_impl(self, node, value, *dims):
        return jnp.broadcast_to(value, tuple(int(d) for d in dims))

    def grad(self, node, output_grads):
        value = node.inputs[0]
        g = ew.sum_broadcast(output_grads[0], value.broadcastable, keepdims=False)
        if value.ndim:
            g = patternbroadcast(reshape(g, shape(value), ndim=value.ndim), value.broadcastable)
        return [g] + [None] * (len(node.inputs) - 1)


_alloc = Alloc()


def alloc(value, *shape_entries):
    return _alloc(value, *shape_entries)


def _shape_entries(shp):
    if isinstance(shp, (int, np.integer)) or (isinstance(shp, TensorVariable) and shp.ndim == 0):
        return [shp]
    if isinstance(shp, TensorVariable):
        return [shp[i] for i in range(shp.static_shape[0])]
    return list(shp)


def zeros(shape, dtype=None):
    return alloc(constant(0, dtype=dtype or config.floatX), *_shape_entries(shape))


def ones(shape, dtype=None):
    return alloc(constant(1, dtype=dtype or config.floatX), *_shape_entries(shape))


class Eye(Op):
    """An n x m matrix with ones on diagonal k."""

    __props__ = ('dtype',)

    #: Its value is an array made from a few numbers: cheaper to build in the program
    #: than to store as a constant.
    fold_constants = False

    def __init__(self, dtype):
        self.dtype = dtype

    def make_node(self, n, m, k):
        n, m, k = (as_tensor_variable(v) for v in (n, m, k))
        return Apply(self, [n, m, k], [TensorType(self.dtype, (False, False))])

    def jax_impl(self, node, n, m, k):
        return jnp.eye(int(n), int(m), int(k), dtype=self.dtype)

    def grad(self, node, output_grads):
        return [None, None, None]


def eye(n, m=None, k=0, dtype=None):
    return Eye(check_dtype(dtype or config.floatX))(n, n if m is None else m, k)


def identity_like(x):
    x = as_tensor_variable(x)
    return eye(shape(x)[0], shape(x)[1], 0, x.dtype)


_HOST_ARANGE_MAX = 4096  # longer ranges are made in the program rather than stored in it


class ARange(Op):
    """``arange(start, stop, step)``; the bounds must be known when the graph is traced."""

    __props__ = ('dtype',)

    #: Its value is an array made from a few numbers: cheaper to build in the program
    #: than to store as a constant.
    fold_constants = False

    def __init__(self, dtype):
        self.dtype = dtype

    def make_node(self, start, stop, step):
        start, stop, step = (as_tensor_variable(v) for v in (start, stop, step))
        for v in (start, stop, step):
            if v.ndim != 0:
                raise TypeError('arange bounds must be scalars, got %s of type %s' % (v, v.type))
        node = Apply(self, [start, stop, step], [TensorType(self.dtype, (False,))])
        bounds = [_static_int(v) for v in (start, stop, step)]
        if None not in bounds:
            node.outputs[0].static_shape = (len(range(*bounds)),)
        return node

    def jax_impl(self, node, start, stop, step):
        try:
            bounds = [np.asarray(v).item() for v in (start, stop, step)]
        except Exception:
            raise TypeError('arange: the bounds of %s depend on a function input, so the length '
                            'of its result is not known when the function is compiled; make '
                            'them depend on shapes or constants only' % node.outputs[0]) from None
        start, stop, step = bounds
        if np.ceil((stop - start) / step) <= _HOST_ARANGE_MAX:  # indexing checks it now
            return np.arange(*bounds, dtype=self.dtype)
        return jnp.arange(*bounds, dtype=self.dtype)

    def grad(self, node, output_grads):
        return [None, None, None]


def arange(start, stop=None, step=1, dtype=None):
    """Theano's arange: integer bounds give int64, as in ``T.arange(y.shape[0])``."""
    if stop is None:
        start, stop = 0, start
    start, stop, step = (as_tensor_variable(v) for v in (start, stop, step))
    if dtype is None:
        dtype = upcast(start.dtype, stop.dtype, step.dtype)
        if dtype in ('int8', 'int16', 'int32', 'bool'):
            dtype = 'int64'
        elif dtype.startswith('uint'):
            dtype = 'uint64'
    return ARange(check_dtype(dtype))(start, stop, step)


# ---------------------------------------------------------------------------------------
# Joining
# ---------------------------------------------------------------------------------------

class Join(Op):
    """Concatenate tensors along an axis (the axis is the first input, as in Theano)."""

    def make_node(self, axis, *tensors):
        axis = as_tensor_variable(axis)
        tensors = [as_tensor_variable(t) for t in tensors]
        if not tensors:
            raise ValueError('join needs at least one tensor')
        ndim = tensors[0].ndim
        for t in tensors:
            if t.ndim != ndim:
                raise TypeError('Join() can only join tensors with the same number of dimensions: '
                                '%s of type %s has %d, but %s of type %s has %d.%s'
                                % (tensors[0], tensors[0].type, ndim, t, t.type, t.ndim,
                                   user_line('The join was made')))
        ax = _static_int(axis)
        if ax is None:
            raise TypeError('join: the axis must be a constant integer')
        ax %= ndim
        dtype = upcast(*[t.dtype for t in tensors])
        # As in Theano: joined tensors must have equal lengths off the axis, so one
        # broadcastable input (of length 1) makes that dimension broadcastable.
        bcast = [any(t.broadcastable[d] for t in tensors) and d != ax for d in range(ndim)]
        return Apply(self, [axis] + tensors, [TensorType(dtype, bcast)])

    def jax_impl(self, node, axis, *values):
        dtype = node.outputs[0].dtype
        ax = int(axis) % values[0].ndim
        for var, value in zip(node.inputs[2:], values[1:]):
            if value.shape[:ax] + value.shape[ax + 1:] != \
                    values[0].shape[:ax] + values[0].shape[ax + 1:]:
                raise ValueError('join along axis %d: %s has shape %s but %s has shape %s; all '
                                 'other dimensions must match'
                                 % (ax, node.inputs[1], values[0].shape, var, value.shape))
        return jnp.concatenate([v.astype(dtype) for v in values], axis=ax)

    def grad(self, node, output_grads):
        axis, tensors = node.inputs[0], node.inputs[1:]
        (gout,) = output_grads
        pieces = Split(len(tensors), _static_int(axis) % gout.ndim)(
            gout, *[shape(t)[_static_int(axis) % gout.ndim] for t in tensors])
        pieces = pieces if len(tensors) > 1 else [pieces]
        return [None] + [patternbroadcast(ew.cast(g, t.dtype), t.broadcastable)
                         for g, t in zip(pieces, tensors)]


_join = Join()


class Split(Op):
    """Cut ``x`` along ``axis`` into pieces of the given lengths: Join's gradient, as in
    Theano. The lengths are shapes, so they are known when the graph is traced."""

    __props__ = ('n_splits', 'axis')

    def __init__(self, n_splits, axis):
        self.n_splits, self.axis = n_splits, axis

    def make_node(self, x, *lengths):
        x = as_tensor_variable(x)
        lengths = [as_tensor_variable(n) for n in lengths]
        if len(lengths) != self.n_splits:
            raise TypeError('%s needs %d lengths, got %d' % (self, self.n_splits, len(lengths)))
        bcast = list(x.broadcastable)
        bcast[self.axis] = False
        return Apply(self, [x] + lengths, [TensorType(x.dtype, bcast)] * self.n_splits)

    def jax_impl(self, node, x, *lengths):
        lengths = [int(n) for n in lengths]
        if sum(lengths) != x.shape[self.axis]:
            raise ValueError('Split: lengths %s do not add up to %d, the length of axis %d of %s'
                             % (lengths, x.shape[self.axis], self.axis, node.inputs[0]))
        pieces = tuple(jnp.split(x, np.cumsum(lengths)[:-1], axis=self.axis))
        return pieces if self.n_splits > 1 else pieces[0]

    def grad(self, node, output_grads):
        pieces = [g if g is not None else ew.zeros_like(out)
                  for g, out in zip(output_grads, node.outputs)]
        return [join(self.axis, *pieces)] + [None] * self.n_splits


def join(axis, *tensors):
    """Concatenate ``tensors`` along ``axis``; a single tensor is returned as it is."""
    return tensors[0] if len(tensors) == 1 else _join(axis, *tensors)


def concatenate(tensors, axis=0):
    return join(axis, *tensors)


class MakeVector(Op):
    """A vector from scalars (cast to one dtype), as ``stack`` builds it for scalars."""

    __props__ = ('dtype',)

    def __init__(self, dtype):
        self.dtype = dtype

    def make_node(self, *scalars):
        scalars = [as_tensor_variable(s) for s in scalars]
        for s in scalars:
            if s.ndim != 0:
                raise TypeError('MakeVector takes scalars; %s has %d dimensions' % (s, s.ndim))
        scalars = [ew.cast(s, self.dtype) for s in scalars]
        node = Apply(self, scalars, [TensorType(self.dtype, (False,))])
        node.outputs[0].static_shape = (len(scalars),)
        return node

    def jax_impl(self, node, *values):
        if all(isinstance(v, (np.ndarray, np.generic)) for v in values):
            return np.array(values, dtype=self.dtype)
        return jnp.stack([jnp.asarray(v, dtype=self.dtype) for v in values])

    def host_impl(self, node):
        """A vector of numbers worked out on the host (a shape given entry by entry)."""
        return lambda *values: np.array(values, dtype=self.dtype)

    def grad(self, node, output_grads):
        (gout,) = output_grads
        return [ew.cast(gout[i], s.dtype) if s.dtype not in DISCRETE_DTYPES else None
                for i, s in enumerate(node.inputs)]


def stack(tensors, axis=0):
    """Stack tensors along a new axis (scalars become a vector through MakeVector)."""
    tensors = [as_tensor_variable(t) for t in tensors]
    if all(t.ndim == 0 for t in tensors):  # whatever the axis, as in Theano
        return MakeVector(upcast(*[t.dtype for t in tensors]))(*tensors)
    axis = axis % (tensors[0].ndim + 1)
    expanded = [ew.DimShuffle(t.broadcastable,
                              list(range(axis)) + ['x'] + list(range(axis, t.ndim)))(t)
                for t in tensors]
    return join(axis, *expanded)


# ---------------------------------------------------------------------------------------
# dot
# ---------------------------------------------------------------------------------------

class Dot(Op):
    """Matrix/vector products with Theano's semantics for every 1-d/2-d combination."""

    def __str__(self):
        return 'dot'

    def pformat(self, node, parts):
        return '(%s \\dot %s)' % tuple(parts)

    def make_node(self, x, y):
        x, y = as_tensor_variable(x), as_tensor_variable(y)
        if x.ndim not in (1, 2) or y.ndim not in (1, 2):
            raise TypeError('dot takes vectors and matrices; got %s (%dd) and %s (%dd)'
                            % (x, x.ndim, y, y.ndim))
        inner_x, inner_y = x.static_shape[-1], y.static_shape[0]
        if inner_x is not None and inner_y is not None and inner_x != inner_y:
            raise ValueError(
                'dot: shapes are not aligned: %s of type %s has shape %s and %s of type %s has '
                'shape %s; the last dimension of the first (%d) must equal the first dimension '
                'of the second (%d).%s' % (x, x.type, _shape_str(x), y, y.type, _shape_str(y),
                                           inner_x, inner_y, user_line('The product was made')))
        bcast = x.broadcastable[:-1] + y.broadcastable[1:]
        node = Apply(self, [x, y], [TensorType(upcast(x.dtype, y.dtype), bcast)])
        node.outputs[0].static_shape = x.static_shape[:-1] + y.static_shape[1:]
        return node

    def jax_impl(self, node, x, y):
        if x.shape[-1] != y.shape[0]:
            raise ValueError('shapes %s and %s not aligned: %d (dim %d) != %d (dim 0)'
                             % (x.shape, y.shape, x.shape[-1], x.ndim - 1, y.shape[0]))
        dtype = node.outputs[0].dtype
        return jnp.dot(x.astype(dtype), y.astype(dtype))

    def grad(self, node, output_grads):
        x, y = node.inputs
        (gz,) = output_grads
        if gz.ndim == 0:
            gx, gy = ew.mul(gz, y), ew.mul(gz, x)
        elif x.ndim == 1:
            gx, gy = dot(gz, y.T), outer(x, gz)
        elif y.ndim == 1:
            gx, gy = outer(gz, y), dot(x.T, gz)
        else:
            gx, gy = dot(gz, y.T), dot(x.T, gz)
        return [patternbroadcast(ew.cast(gx, x.dtype), x.broadcastable),
                patternbroadcast(ew.cast(gy, y.dtype), y.broadcastable)]


def _shape_str(var):
    """'(20, ?)': the statically known shape, with ? for unknown lengths."""
    return ew.shape_text(var.static_shape)


_dot = Dot()


def dot(x, y):
    """``T.dot``: 1-d/2-d products as Dot; higher ranks as ``tensordot`` over the last/first axes."""
    x, y = as_tensor_variable(x), as_tensor_variable(y)
    if x.ndim == 0 or y.ndim == 0:
        return ew.mul(x, y)
    if x.ndim <= 2 and y.ndim <= 2:
        return _dot(x, y)
    return tensordot(x, y, [[x.ndim - 1], [max(y.ndim - 2, 0)]])


def outer(x, y):
    """Outer product of two vectors."""
    return _dot(ew.dimshuffle(x, (0, 'x')), ew.dimshuffle(y, ('x', 0)))


def tensordot(a, b, axes=2):
    """Contract ``a`` and ``b`` over the given axes by reshaping to one matrix product."""
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    if isinstance(axes, int):
        axes = [list(range(a.ndim - axes, a.ndim)), list(range(axes))]
    a_axes, b_axes = [list(ax) if isinstance(ax, (list, tuple)) else [ax] for ax in axes]
    a_keep = [d for d in range(a.ndim) if d not in a_axes]
    b_keep = [d for d in range(b.ndim) if d not in b_axes]
    at = ew.dimshuffle(a, a_keep + a_axes)
    bt = ew.dimshuffle(b, b_axes + b_keep)
    a_shape, b_shape = shape(at), shape(bt)
    a2 = reshape(at, [_prod_of(a_shape, range(len(a_keep))),
                      _prod_of(a_shape, range(len(a_keep), a.ndim))], ndim=2)
    b2 = reshape(bt, [_prod_of(b_shape, range(len(b_axes))),
                      _prod_of(b_shape, range(len(b_axes), b.ndim))], ndim=2)
    out_shape = [a_shape[d] for d in range(len(a_keep))] + \
        [b_shape[d] for d in range(len(b_axes), b.ndim)]
    return reshape(_dot(a2, b2), out_shape, ndim=len(out_shape))


def _prod_of(shape_var, dims):
    return functools.reduce(ew.mul, [shape_var[d] for d in dims], constant(1, dtype='int64'))

