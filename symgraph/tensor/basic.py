"""Variable constructors, shape ops, allocation, joining and ``dot``."""
import builtins
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from symgraph.config import config
from symgraph.graph.basic import Apply, Op, user_frame
from symgraph.tensor import elemwise as ew, reduction
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


def _constructor(kind):
    pattern = _PATTERNS[kind]

    def make(name=None, dtype=None):
        dtype = check_dtype(config.floatX if dtype is None else dtype,
                            'dtype for %s %s' % (kind, name or '(unnamed)'))
        return TensorVariable(TensorType(dtype, pattern), name=name, trace=user_frame())

    make.__name__ = kind
    make.__doc__ = 'A symbolic %s input of dtype floatX, or of the dtype given.' % kind
    return make


# T.matrix(name, dtype) is a function; T.dmatrix, with its dtype fixed, is the type itself,
# as in Theano: T.dmatrix('x').type is T.dmatrix.
CONSTRUCTORS = {}
for _kind in _PATTERNS:
    CONSTRUCTORS[_kind] = _constructor(_kind)
    for _prefix, _dtype in _PREFIXES.items():
        CONSTRUCTORS[_prefix + _kind] = TensorType(_dtype, _PATTERNS[_kind])


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
    the check costs nothing when it runs; a shape computed from the call's arguments
    (``specify_shape(x, (n, 3))`` for an input ``n``) is worked out before the call."""

    def make_node(self, x, shape):
        x = as_tensor_variable(x)
        shape = as_tensor_variable(shape, ndim=1)
        if shape.dtype not in DISCRETE_DTYPES or shape.dtype == 'bool':
            raise TypeError('specify_shape needs a shape of integers, got %s of type %s'
                            % (shape, shape.type))
        if shape.static_shape[0] is None:
            raise TypeError('specify_shape: the shape %s must have a known number of '
                            'entries' % shape)
        if shape.static_shape[0] != x.ndim:
            raise TypeError('specify_shape: %s has %d dimensions, but the shape %s has %d '
                            'entries' % (x, x.ndim, shape, shape.static_shape[0]))
        node = Apply(self, [x, shape], [x.type])
        if isinstance(shape, TensorConstant):
            node.outputs[0].static_shape = tuple(int(n) for n in shape.data)
        return node

    def static_inputs(self, node):
        return () if isinstance(node.inputs[1], TensorConstant) else (1,)

    def jax_impl(self, node, x, shape):
        for dim, (length, expected) in enumerate(zip(x.shape, np.asarray(shape))):
            if length != expected:
                raise AssertionError('SpecifyShape: dim %d of input has shape %d, expected %d.'
                                     % (dim, length, expected))
        return x

    def grad(self, node, output_grads):
        return [output_grads[0], None]


def specify_shape(x, shape):
    """``x``, asserted to have ``shape`` (constants, or integer scalars) whenever the graph
    runs."""
    if isinstance(shape, (list, tuple)) and all(isinstance(n, (int, np.integer)) for n in shape):
        shape = constant(np.asarray(shape, dtype='int64'))
    return SpecifyShape()(x, shape)


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
    """``arange(start, stop, step)``; the bounds must be known when the program is traced
    (numbers from the function's inputs are: one program per length)."""

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

    def static_inputs(self, node):
        return range(3)  # bounds from function inputs are worked out before the call

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
        if all(isinstance(v, (np.ndarray, np.generic)) for v in values):  # shapes: stay known
            return np.concatenate([np.asarray(v, dtype) for v in values], axis=ax)
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
    entries_are_inputs = True  # (reshape reads the entries known to be 1)

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


def stack(*tensors, **kwargs):
    """Stack tensors along a new axis (scalars become a vector through MakeVector):
    ``stack([a, b], axis=0)``, or Theano's older ``stack(a, b, c)``."""
    axis = kwargs.pop('axis', 0)
    if 'tensors' in kwargs:
        tensors = (kwargs.pop('tensors'),)
    if kwargs:
        raise TypeError('stack() got unexpected keyword arguments %s' % sorted(kwargs))
    if not tensors:
        raise TypeError('stack() needs the tensors to stack')
    if isinstance(tensors[0], (list, tuple)):
        if len(tensors) > 2:
            raise TypeError('stack(tensors, axis) takes a list of tensors and an axis')
        tensors, axis = tensors[0], tensors[1] if len(tensors) == 2 else axis
    else:
        warnings.warn('stack(*tensors) interface is deprecated, use stack(tensors, axis=0) '
                      'instead.', DeprecationWarning, stacklevel=2)
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
    """Contract ``a`` and ``b`` over ``axes``: an int (the last ``axes`` dimensions of ``a``
    with the first of ``b``) or two lists of axes. Built as Theano builds it: the summed
    axes moved together, both reshaped to matrices, one ``dot``, and a reshape back."""
    return _tensordot_as_dot(as_tensor_variable(a), as_tensor_variable(b), axes, dot,
                             batched=False)


def _tensordot_as_dot(a, b, axes, dot, batched):
    """Theano's reduction of a tensor product to a matrix (or batched matrix) product."""
    if not np.isscalar(axes) and len(axes) != 2:
        raise ValueError('Axes should be an integer or a list/tuple of len 2 (%s was '
                         'provided)' % str(axes))
    if np.isscalar(axes):
        axes = int(axes)
        for name, operand in (('a', a), ('b', b)):
            if axes > operand.ndim:
                raise ValueError('axes can not be larger than the dimension of %s (%s.ndim=%i, '
                                 'axes=%i)' % (name, name, operand.ndim, axes))
            if batched and axes == operand.ndim:
                raise ValueError('axes to sum over must not include the batch axis of %s '
                                 '(%s.ndim=%i, axes=%i)' % (name, name, operand.ndim, axes))
        batch_axes = 1 if batched else 0
        a_outaxes = slice(0, a.ndim - axes)
        b_outaxes = slice(batch_axes + axes, b.ndim)
        outshape = join(0, shape(a)[a_outaxes], shape(b)[b_outaxes])
        outbcast = a.broadcastable[a_outaxes] + b.broadcastable[b_outaxes]
        outndim = len(outbcast)
        a_shape, b_shape = [1, 1], [1, 1]
        for i in range(axes):
            a_shape[1] = ew.mul(a_shape[1], shape(a)[-(i + 1)])
            b_shape[0] = ew.mul(b_shape[0], shape(b)[batch_axes + i])
        for i in range(a.ndim - axes - batch_axes):
            a_shape[0] = ew.mul(a_shape[0], shape(a)[batch_axes + i])
        for i in range(b.ndim - axes - batch_axes):
            b_shape[1] = ew.mul(b_shape[1], shape(b)[-(i + 1)])
        if batched:
            a_shape.insert(0, shape(a)[0])
            b_shape.insert(0, shape(b)[0])
        out = dot(reshape(a, a_shape), reshape(b, b_shape))
        return patternbroadcast(reshape(out, outshape, ndim=outndim), outbcast)
    axes = [list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else [ax] for ax in axes]
    if len(axes[0]) != len(axes[1]):
        raise ValueError('Axes elements must have the same length.')
    for i, (name, operand) in enumerate((('a', a), ('b', b))):
        if len(axes[i]) > operand.ndim:
            raise ValueError('axes[%i] should be array_like with length less than the '
                             'dimensions of %s (%s.ndim=%i, len(axes[0])=%i).'
                             % (i, name, name, operand.ndim, len(axes[i])))
        if len(axes[i]) > 0 and np.max(axes[i]) >= operand.ndim:
            raise ValueError('axes[%i] contains dimensions greater than or equal to %s.ndim '
                             '(%s.ndim=%i, max(axes[0])=%i).'
                             % (i, name, name, operand.ndim, np.max(np.array(axes[i]))))
        if batched and 0 in axes[i]:
            raise ValueError('axes to sum over must not contain the batch axis (axes[%i]=%s)'
                             % (i, axes[i]))
    axes = [[int(d) % operand.ndim for d in ax] for ax, operand in zip(axes, (a, b))]
    batch_axes = [0] if batched else []
    other_axes = [[d for d in range(operand.ndim) if d not in axes[i] and d not in batch_axes]
                  for i, operand in enumerate((a, b))]
    a_shuffled = ew.dimshuffle(a, batch_axes + other_axes[0] + axes[0])
    b_shuffled = ew.dimshuffle(b, batch_axes + axes[1] + other_axes[1])
    return _tensordot_as_dot(a_shuffled, b_shuffled, len(axes[0]), dot=dot, batched=batched)



class BatchedDot(Op):
    """``out[i] = dot(x[i], y[i])`` for matrices and 3-d tensors (the batch axis first)."""

    def make_node(self, x, y):
        x, y = as_tensor_variable(x), as_tensor_variable(y)
        for v in (x, y):
            if v.ndim not in (2, 3):
                raise TypeError('theano.tensor.blas.BatchedDot: inputs must have 2 or 3 '
                                'dimensions; %s has %d' % (v, v.ndim))
        dtype = upcast(x.dtype, y.dtype)
        bcast = (x.broadcastable[0] or y.broadcastable[0],) + x.broadcastable[1:-1] + \
            y.broadcastable[2:]
        return Apply(self, [ew.cast(x, dtype), ew.cast(y, dtype)], [TensorType(dtype, bcast)])

    def jax_impl(self, node, x, y):
        if x.shape[0] != y.shape[0]:
            raise ValueError('BatchedDot: the batch sizes of %s (%d) and %s (%d) differ'
                             % (node.inputs[0], x.shape[0], node.inputs[1], y.shape[0]))
        if x.shape[-1] != y.shape[1]:
            raise ValueError('BatchedDot: shapes %s and %s not aligned' % (x.shape, y.shape))
        return jnp.einsum('bi...,bi...->b...' if x.ndim == y.ndim == 2 else
                          'bij,bj->bi' if y.ndim == 2 else
                          'bi,bij->bj' if x.ndim == 2 else 'bij,bjk->bik', x, y)

    def grad(self, node, output_grads):
        x, y = node.inputs
        (gz,) = output_grads
        if gz.ndim == 1:
            gx, gy = ew.dimshuffle(gz, (0, 'x')) * y, ew.dimshuffle(gz, (0, 'x')) * x
        elif x.ndim == 2:  # y 3-d
            gx = batched_dot(gz, ew.dimshuffle(y, (0, 2, 1)))
            gy = ew.dimshuffle(x, (0, 1, 'x')) * ew.dimshuffle(gz, (0, 'x', 1))
        elif y.ndim == 2:  # x 3-d
            gx = ew.dimshuffle(gz, (0, 1, 'x')) * ew.dimshuffle(y, (0, 'x', 1))
            gy = batched_dot(ew.dimshuffle(x, (0, 2, 1)), gz)
        else:
            gx = batched_dot(gz, ew.dimshuffle(y, (0, 2, 1)))
            gy = batched_dot(ew.dimshuffle(x, (0, 2, 1)), gz)
        return [patternbroadcast(gx, x.broadcastable), patternbroadcast(gy, y.broadcastable)]


def batched_dot(a, b):
    """``batched_dot(a, b)[i] = dot(a[i], b[i])``: an elementwise product when one is a
    vector, BatchedDot for matrices and 3-d tensors, ``batched_tensordot`` beyond."""
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    if a.ndim == 0:
        raise TypeError('a must have at least one (batch) axis')
    if b.ndim == 0:
        raise TypeError('b must have at least one (batch) axis')
    if a.ndim == 1:
        return ew.dimshuffle(a, [0] + ['x'] * (b.ndim - 1)) * b
    if b.ndim == 1:
        return a * ew.dimshuffle(b, [0] + ['x'] * (a.ndim - 1))
    if a.ndim > 3 or b.ndim > 3:
        return batched_tensordot(a, b, [[a.ndim - 1], [builtins.max(1, b.ndim - 2)]])
    return BatchedDot()(a, b)


def batched_tensordot(x, y, axes=2):
    """``tensordot`` of ``x[i]`` and ``y[i]`` for each i of the first (batch) axis; an int
    ``axes`` sums the last ``axes`` dimensions of ``x`` with the first of ``y`` after its
    batch axis."""
    return _tensordot_as_dot(as_tensor_variable(x), as_tensor_variable(y), axes,
                             dot=batched_dot, batched=True)


class Choose(Op):
    """numpy's ``choose``: ``choices[a[i]][i]`` for each position i (broadcast)."""

    __props__ = ('mode',)
    wants_lowering = True

    def __init__(self, mode='raise'):
        if mode not in ('raise', 'wrap', 'clip'):
            raise ValueError("choose: mode must be 'raise', 'wrap' or 'clip', not %r" % mode)
        self.mode = mode

    def make_node(self, a, choices):
        a = as_tensor_variable(a)
        if a.dtype not in DISCRETE_DTYPES:
            raise TypeError('choose first argument must have an [u]int* dtype. Got %s.'
                            % a.dtype)
        if isinstance(choices, (list, tuple)):
            choices = stack(list(choices))
        choices = as_tensor_variable(choices)
        out_ndim = builtins.max(a.ndim, choices.ndim - 1)
        a = shape_padleft(a, out_ndim - a.ndim)
        if choices.ndim - 1 != out_ndim:
            choices = ew.dimshuffle(choices, [0] + ['x'] * (out_ndim - choices.ndim + 1) +
                                    list(range(1, choices.ndim)))
        bcast = [b1 and b2 for b1, b2 in zip(a.broadcastable, choices.broadcastable[1:])]
        return Apply(self, [a, choices], [TensorType(choices.dtype, bcast)])

    def jax_impl(self, node, a, choices, lowering=None):
        n = choices.shape[0]
        if self.mode == 'raise':
            if isinstance(a, jax.core.Tracer):
                if lowering is not None:
                    lowering.check_index(node, 0, jnp.where(a < 0, n, a), n)
            elif np.size(a) and (np.min(a) < 0 or np.max(a) >= n):
                raise ValueError('invalid entry in choice array: %s has entries outside '
                                 '[0, %d)' % (node.inputs[0], n))
        return jnp.choose(a, choices, mode='wrap' if self.mode == 'wrap' else 'clip')

    def grad(self, node, output_grads):
        return [None, ew.grad_not_implemented(self, 1, node.inputs[1])]


def choose(a, choices, out=None, mode='raise'):
    """numpy's ``choose``: ``choices`` a list of tensors or one tensor whose first axis
    holds the choices."""
    if out is not None:
        raise TypeError('choose: out is not supported')
    return Choose(mode)(a, choices)


# ---------------------------------------------------------------------------------------
# Plural constructors, stacklists, where: Theano's conveniences
# ---------------------------------------------------------------------------------------

def _multi(make, name):
    """Theano's plural constructors: ``dscalars('x', 'y')`` gives [x, y]; one name gives one
    variable, a string of several letters one variable per letter (``dscalars('xy')``), an
    int that many unnamed ones."""
    def make_many(*names):
        if names and isinstance(names[0], (int, np.integer)):
            return [make() for _ in range(names[0])]
        if len(names) == 1:
            names = names[0]
        if len(names) == 1:
            return make(names)
        return [make(name) for name in names]
    make_many.__name__ = name + ('es' if name.endswith('x') else 's')
    make_many.__doc__ = 'Several %s variables, one per name.' % name
    return make_many


for _kind in ('scalar', 'vector', 'matrix', 'row', 'col', 'tensor3', 'tensor4', 'tensor5'):
    for _prefix in ('', 'f', 'd', 'i', 'l'):
        _many = _multi(CONSTRUCTORS[_prefix + _kind], _prefix + _kind)
        CONSTRUCTORS[_many.__name__.replace('matrixes', 'matrices')] = _many


def stacklists(arg):
    """A tensor from nested lists of variables: ``stacklists([[a, b], [c, d]])`` is a 2x2
    matrix of the scalars a, b, c, d (Theano's: nested ``stack`` calls)."""
    if isinstance(arg, (tuple, list)):
        return stack(list(map(stacklists, arg)))
    return arg


def where(condition, then, otherwise):
    """``switch``: ``then`` where ``condition`` is nonzero, ``otherwise`` elsewhere."""
    return ew.switch(condition, then, otherwise)


# ---------------------------------------------------------------------------------------
# Elementwise tests built as Theano builds them
# ---------------------------------------------------------------------------------------

def isnan(a):
    """Where ``a`` is NaN; an integer is never NaN, so integers give ``alloc(False)``."""
    a = as_tensor_variable(a)
    if a.dtype in DISCRETE_DTYPES:
        return alloc(np.asarray(False), *[shape(a)[i] for i in range(a.ndim)])
    return ew.isnan_(a)


def isinf(a):
    """Where ``a`` is infinite; integers give ``alloc(False)``."""
    a = as_tensor_variable(a)
    if a.dtype in DISCRETE_DTYPES:
        return alloc(np.asarray(False), *[shape(a)[i] for i in range(a.ndim)])
    return ew.isinf_(a)


def isclose(a, b, rtol=1.e-5, atol=1.e-8, equal_nan=False):
    """numpy's ``isclose``: ``|a - b| <= atol + rtol * |b|``, infinities of one sign equal,
    NaNs equal only with ``equal_nan``."""
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    close_prelim = ew.le(abs(a - b), atol + rtol * abs(b))
    a_nan, b_nan = isnan(a), isnan(b)
    a_inf, b_inf = isinf(a), isinf(b)
    nans_or_infs = ew.or_(ew.or_(a_nan, b_nan), ew.or_(a_inf, b_inf))
    close = ew.and_(close_prelim, ew.invert(nans_or_infs))
    inf_eq = ew.and_(ew.and_(a_inf, b_inf), ew.eq(a_inf * ew.sgn(a), b_inf * ew.sgn(b)))
    close_with_infs = ew.or_(close, inf_eq)
    if equal_nan:
        return ew.or_(close_with_infs, ew.and_(a_nan, b_nan))
    return close_with_infs


def allclose(a, b, rtol=1.e-5, atol=1.e-8, equal_nan=False):
    """Whether every entry of ``a`` is close to ``b`` (``all(isclose(...))``)."""
    return reduction.all(isclose(a, b, rtol, atol, equal_nan))


# ---------------------------------------------------------------------------------------
# Results whose length depends on values: nonzero and the like
# ---------------------------------------------------------------------------------------

def counted_length(node, lowering, count, values):
    """The length of a result that depends on values (nonzero's, a mask's, unique's).

    XLA needs every length when it traces a program, so a compiled function works it out
    before the call, with a small program of its own (compile/slices.py asks the op,
    which sets ``counted_before_call``, for ``count_steps``), and hands it over through
    the lowering context. With values known now (``eval()``, constant folding) it is
    counted here. Each distinct length compiles a program of its own (``f.stats``).
    """
    length = lowering.slice_length(node, 'steps') if lowering is not None else None
    if length is not None:
        return int(length)
    if any(isinstance(v, jax.core.Tracer) for v in values):
        raise TypeError(
            'The length of %s depends on the values of its inputs, which are only known '
            'when the program runs, and it was not worked out before the call (inside a '
            'loop step each step could give another length: compute it outside the '
            'scan)' % node.outputs[0])
    with jax.ensure_compile_time_eval():
        return int(count(*[np.asarray(v) for v in values]))


class Nonzero(Op):
    """The indices of the nonzero entries of ``a``, as an int64 matrix of ``a.ndim`` rows
    (numpy's ``vstack(nonzero(a))``); its length is counted before the call."""

    wants_lowering = True
    counted_before_call = True

    def make_node(self, a):
        a = as_tensor_variable(a)
        if a.ndim == 0:
            raise ValueError('Nonzero only supports non-scalar arrays.')
        node = Apply(self, [a], [TensorType('int64', (False, False))])
        node.outputs[0].static_shape = (a.ndim, None)
        return node

    def count_steps(self, node, values, lowering):
        return jnp.count_nonzero(values[0])

    def jax_impl(self, node, a, lowering=None):
        n = counted_length(node, lowering, np.count_nonzero, [a])
        return jnp.stack(jnp.nonzero(a, size=n)).astype('int64').reshape(a.ndim, n)

    def grad(self, node, output_grads):
        return [None]


def nonzero(a, return_matrix=False):
    """The indices of the nonzero entries of ``a``: a tuple of one int64 vector per
    dimension, or with ``return_matrix`` the matrix of those rows."""
    matrix = Nonzero()(a)
    if return_matrix:
        return matrix
    return tuple(matrix[i] for i in range(max(matrix.owner.inputs[0].ndim, 1)))


def flatnonzero(a):
    """The indices of the nonzero entries of ``a.flatten()``."""
    a = as_tensor_variable(a)
    if a.ndim == 0:
        raise ValueError('Nonzero only supports non-scalar arrays.')
    return nonzero(flatten(a), return_matrix=True)[0]


def nonzero_values(a):
    """The nonzero entries of ``a``, flattened."""
    a = as_tensor_variable(a)
    return flatten(a)[flatnonzero(a)]


# ---------------------------------------------------------------------------------------
# Padding, tiling, rolling and grids, built from dimshuffle, alloc, reshape and join as in
# Theano
# ---------------------------------------------------------------------------------------

def shape_padleft(t, n_ones=1):
    """``t`` with ``n_ones`` broadcastable dimensions added in front."""
    t = as_tensor_variable(t)
    return ew.DimShuffle(t.broadcastable, ['x'] * n_ones + list(range(t.ndim)))(t)


def shape_padright(t, n_ones=1):
    """``t`` with ``n_ones`` broadcastable dimensions added at the end."""
    t = as_tensor_variable(t)
    return ew.DimShuffle(t.broadcastable, list(range(t.ndim)) + ['x'] * n_ones)(t)


def shape_padaxis(t, axis):
    """``t`` with a broadcastable dimension inserted at ``axis``."""
    t = as_tensor_variable(t)
    ndim = t.ndim + 1
    if not -ndim <= axis < ndim:
        raise IndexError('axis {0} is out of bounds [-{1}, {1})'.format(axis, ndim))
    pattern = list(range(t.ndim))
    pattern.insert(axis % ndim, 'x')
    return ew.DimShuffle(t.broadcastable, pattern)(t)


def swapaxes(y, axis1, axis2):
    """``y`` with two dimensions exchanged."""
    y = as_tensor_variable(y)
    order = list(range(y.ndim))
    order[axis1], order[axis2] = order[axis2], order[axis1]
    return ew.dimshuffle(y, order)


def tile(x, reps, ndim=None):
    """numpy's ``tile``: ``reps`` an int, a list of ints or integer scalars, or an integer
    vector (then ``ndim`` is needed)."""
    x = as_tensor_variable(x)
    if ndim is not None and ndim < x.ndim:
        raise ValueError('ndim should be equal or larger than x.ndim')
    if not isinstance(reps, (list, tuple)):
        reps_tensor = as_tensor_variable(reps)
        if reps_tensor.dtype not in DISCRETE_DTYPES:
            raise ValueError('elements of reps must be integer dtype')
        if reps_tensor.ndim == 0:
            reps = [reps]
        elif reps_tensor.ndim == 1:
            if ndim is None:
                raise ValueError('if reps is tensor.vector, you should specify the ndim')
            length = reps_tensor.static_shape[0]
            if length is None:
                raise ValueError('tile: the length of reps %s must be known when the graph '
                                 'is built' % reps_tensor)
            if length > ndim:
                raise ValueError('len(reps) should be equal or less than ndim')
            reps = [1] * (ndim - length) + [reps_tensor[i] for i in range(length)]
        else:
            raise ValueError('the dimension of reps should not exceed 1')
    else:
        if ndim is not None and len(reps) > ndim:
            raise ValueError('len(reps) should be equal or less than ndim')
        if not all(isinstance(r, (int, np.integer)) or (
                isinstance(r, TensorVariable) and r.dtype in DISCRETE_DTYPES) for r in reps):
            raise ValueError('elements of reps must be scalars of integer dtype')
    reps = list(reps)
    ndim = ndim if ndim is not None else builtins.max(len(reps), x.ndim)
    reps = [1] * (ndim - len(reps)) + reps
    shp = [1] * (ndim - x.ndim) + [shape(x)[i] for i in range(x.ndim)]
    y = alloc(x, *(reps + shp))
    y = ew.dimshuffle(y, list(np.arange(ndim * 2).reshape(2, ndim).T.flatten()))
    return reshape(y, [sh * reps[i] for i, sh in enumerate(shp)], ndim=ndim)


def roll(x, shift, axis=None):
    """numpy's ``roll``: entries shifted ``shift`` places along ``axis`` (the flattened
    array when None), those pushed off the end coming back at the start."""
    x = as_tensor_variable(x)
    if axis is None:
        if x.ndim > 1:
            return reshape(roll(flatten(x), shift, axis=0), shape(x), ndim=x.ndim)
        axis = 0
    if axis < 0:
        axis += x.ndim
    shift = ew.mod(shift, shape(x)[axis])
    front = [slice(None)] * axis + [slice(-shift, None)] + [slice(None)] * (x.ndim - axis - 1)
    end = [slice(None)] * axis + [slice(0, -shift)] + [slice(None)] * (x.ndim - axis - 1)
    return join(axis, x[tuple(front)], x[tuple(end)])


class _NdGrid:
    """``mgrid[0:3, 0:2]`` and ``ogrid[...]``: numpy's dense and open grids, of aranges."""

    def __init__(self, sparse=False):
        self.sparse = sparse

    def __getitem__(self, slices):
        slices = slices if isinstance(slices, tuple) else (slices,)
        ndim = len(slices)
        for sl in slices:
            if isinstance(sl.step, complex):
                raise NotImplementedError('Not implemented for slices whose step is complex')
        ranges = [arange(sl.start or 0, sl.stop, sl.step or 1) for sl in slices]
        shapes = [tuple([1] * j + [shape(r)[0]] + [1] * (ndim - 1 - j))
                  for j, r in enumerate(ranges)]
        ranges = [reshape(r, shp, ndim=ndim) for r, shp in zip(ranges, shapes)]
        if self.sparse:
            return ranges
        ones = [ew.ones_like(r) for r in ranges]
        grids = []
        for i in range(ndim):
            grid = 1
            for j in range(ndim):
                grid = grid * (ranges[j] if j == i else ones[j])
            grids.append(grid)
        return grids


mgrid = _NdGrid()
ogrid = _NdGrid(sparse=True)


# ---------------------------------------------------------------------------------------
# Triangles and diagonals
# ---------------------------------------------------------------------------------------

class Tri(Op):
    """An N x M matrix with ones at and below diagonal k (numpy's ``tri``)."""

    __props__ = ('dtype',)
    fold_constants = False

    def __init__(self, dtype):
        self.dtype = dtype

    def make_node(self, n, m, k):
        n, m, k = (as_tensor_variable(v) for v in (n, m, k))
        for v in (n, m, k):
            if v.ndim != 0 or v.dtype not in DISCRETE_DTYPES:
                raise TypeError('tri: N, M and k must be integer scalars, got %s of type %s'
                                % (v, v.type))
        node = Apply(self, [n, m, k], [TensorType(self.dtype, (False, False))])
        node.outputs[0].static_shape = (_static_int(n), _static_int(m))
        return node

    def static_inputs(self, node):
        return (0, 1, 2)

    def jax_impl(self, node, n, m, k):
        return jnp.tri(int(n), int(m), int(k), dtype=self.dtype)

    def grad(self, node, output_grads):
        return [None, None, None]


def tri(N, M=None, k=0, dtype=None):
    """An array with ones at and below the given diagonal and zeros elsewhere."""
    return Tri(check_dtype(dtype or config.floatX))(N, N if M is None else M, k)


def tril(m, k=0):
    """``m`` with the entries above diagonal ``k`` zeroed."""
    m = as_tensor_variable(m)
    return m * tri(shape(m)[0], shape(m)[1], k=k, dtype=m.dtype)


def triu(m, k=0):
    """``m`` with the entries below diagonal ``k`` zeroed."""
    m = as_tensor_variable(m)
    return m * (1 - tri(shape(m)[0], shape(m)[1], k=k - 1, dtype=m.dtype))


# ---------------------------------------------------------------------------------------
# Theano's shorthands, built from the ops above as Theano builds them
# ---------------------------------------------------------------------------------------

as_tensor = as_tensor_variable


def smallest(*args):
    """The elementwise smallest of the arguments (Python's ``min``)."""
    if len(args) == 2:
        return ew.switch(args[0] < args[1], args[0], args[1])
    return reduction.min(stack(list(args)), axis=0)


def largest(*args):
    """The elementwise largest of the arguments (Python's ``max``)."""
    if len(args) == 2:
        return ew.switch(args[0] > args[1], args[0], args[1])
    return reduction.max(stack(list(args)), axis=0)


def _stack_matrices(args, axis):
    if len(args) < 2 or any(as_tensor_variable(a).ndim != 2 for a in args):
        raise TypeError('%s_stack takes two or more matrices, got %s'
                        % ('horizontal' if axis else 'vertical',
                           ', '.join(str(as_tensor_variable(a).type) for a in args)))
    return concatenate(args, axis=axis)


def horizontal_stack(*args):
    """Matrices side by side (``concatenate(args, axis=1)``)."""
    return _stack_matrices(args, 1)


def vertical_stack(*args):
    """Matrices one above the other (``concatenate(args, axis=0)``)."""
    return _stack_matrices(args, 0)


def ptp(a, axis=None):
    """Range of values, maximum minus minimum, along ``axis``."""
    a = as_tensor_variable(a)
    return reduction.max(a, axis) - reduction.min(a, axis)


def power(x, y):
    return as_tensor_variable(x) ** y


def iround(a, mode=None):
    """``round(a, mode)`` as int64."""
    return ew.cast(ew.round(a, mode or 'half_to_even'), 'int64')


def ceil_intdiv(a, b):
    """``ceil(a / b)`` for integers, without going through floats."""
    div = ew.int_div(a, b)
    return ew.cast(ew.neq(a % b, 0), div.dtype) + div


def split(x, splits_size, n_splits, axis=0):
    """``x`` cut along ``axis`` into ``n_splits`` pieces of the lengths in the vector
    ``splits_size``."""
    splits_size = as_tensor_variable(splits_size)
    axis = _static_int(as_tensor_variable(axis))
    if axis is None:
        raise TypeError('split: the axis must be a constant integer')
    pieces = Split(n_splits, axis % as_tensor_variable(x).ndim)(
        x, *[splits_size[i] for i in range(n_splits)])
    return pieces if n_splits > 1 else [pieces]
