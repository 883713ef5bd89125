"""Theano 1.0.5's typing and value rules, written again in numpy, for differential tests.

A graph is described as plain nested tuples (see ``random_graphs.py`` for the grammar), so
that the same description can be built with symgraph, with real Theano (for the goldens)
and evaluated here. ``Evaluator(inputs)(expr)`` returns a ``Ref``: the value (a numpy array
of exactly the dtype Theano gives the result) and the broadcastable pattern Theano gives it.

The rules, checked against Theano 1.0.5 (floatX=float64 unless said otherwise):

* dtypes: ``upcast`` is ``theano.scalar.upcast`` (numpy promotion of the dtypes, folded left,
  kept at float32 when floatX is float32 and no float64 takes part); Python scalars are
  autocast to the smallest of int8..int64 that holds them, floats to float32 when exact
  (``x + 1.5`` stays float32, ``x + 0.1`` becomes float64), or to floatX when it is float32;
  int / int true division gives floatX; ``//``, ``%`` and ``**`` never give bool (int8
  instead); exp/log/tanh/sqrt/floor/ceil upgrade int8/int16/uint8/bool to float32 and wider
  integers to float64; sum/prod accumulate integers in int64 (unsigned in uint64) and float32
  in float64; the mean of integers is float64; comparisons give bool; ``-`` of bools and
  ``sub`` giving bool are refused.
* broadcasting is explicit: an input with fewer dimensions is padded on the left with
  broadcastable dimensions, and only a dimension whose broadcastable flag is True may be
  stretched (a non-broadcastable dimension of length 1 against one of length 3 is a
  ValueError). A result dimension is broadcastable when it is broadcastable in every input.
* indexing: a slice of a broadcastable dimension stays broadcastable only when its start is
  None or 0 and its stop is None or a constant larger than the start (``x[0:1]``, ``x[:]``,
  ``x[::-1]``; not ``x[1:]``, ``x[:-1]``, symbolic bounds); a non-broadcastable dimension
  never becomes broadcastable by slicing. ``x[v]`` and ``x[:, v]`` with one index vector
  (``take``) give the index vector's flag (a constant list ``[k]`` is broadcastable, an
  input vector is not); several index arrays (AdvancedSubtensor) give non-broadcastable
  dimensions for the arrays and keep the input's flags for the slices.
* join/concatenate: a dimension other than the axis is broadcastable if it is in any input;
  the axis never is. ``stack`` of scalars is a vector (not broadcastable); ``stack`` of
  tensors joins them padded with a broadcastable axis (so stacking one tensor gives a
  broadcastable axis).
* reductions drop the reduced dimensions, or keep them as broadcastable with keepdims.
* dot keeps the flags of the free dimensions; reshape to a constant shape makes exactly the
  entries equal to 1 broadcastable.

Failures come in two kinds: ``Invalid`` (Theano refuses to build the node) and
``RuntimeFailure`` (the compiled function raises ``kind``, e.g. IndexError). ``Unsafe`` marks
inputs for which Theano's behaviour is undefined (C undefined behaviour such as integer
division by zero or casting NaN to int): the random graph generator never produces those.
"""
import numpy as np

FLOAT_DTYPES = ('float16', 'float32', 'float64')
SIGNED_DTYPES = ('int8', 'int16', 'int32', 'int64')
UNSIGNED_DTYPES = ('uint8', 'uint16', 'uint32', 'uint64')
INT_DTYPES = SIGNED_DTYPES + UNSIGNED_DTYPES
DISCRETE_DTYPES = ('bool',) + INT_DTYPES


class Invalid(Exception):
    """Theano refuses to build this node (TypeError/ValueError at graph construction)."""


class RuntimeFailure(Exception):
    """The compiled function raises ``kind`` (the name of a builtin exception class)."""

    def __init__(self, kind, message):
        Exception.__init__(self, '%s: %s' % (kind, message))
        self.kind = kind


class Unsafe(Exception):
    """Theano's result is undefined here (C undefined behaviour); never generated."""


# ---------------------------------------------------------------------------------------
# dtype rules
# ---------------------------------------------------------------------------------------

def upcast(*dtypes, floatX='float64'):
    """theano.scalar.upcast."""
    keep_float32 = floatX == 'float32'
    result = None
    for dt in dtypes:
        dt = np.dtype(dt).name
        if dt == 'float64':
            keep_float32 = False
        result = dt if result is None else np.promote_types(result, dt).name
    if result == 'float64' and keep_float32:
        return 'float32'
    return result


def autocast_dtype(value, floatX='float64'):
    """The dtype Theano gives the constant made from the Python scalar ``value``."""
    if isinstance(value, (bool, np.bool_)):
        raise Invalid('Python bools are not autocast')
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.ndarray):
        if isinstance(value, np.integer):
            return np.asarray(value).dtype.name
        for dt in SIGNED_DTYPES:
            info = np.iinfo(dt)
            if info.min <= value <= info.max:
                return dt
        return 'uint64'
    if isinstance(value, np.floating):
        return np.asarray(value).dtype.name
    if isinstance(value, float):
        if floatX != 'float64':
            return floatX
        with np.errstate(all='ignore'):
            exact = float(np.float32(value)) == value  # NaN never is; inf is
        return 'float32' if exact else 'float64'
    raise Invalid('not a Python scalar: %r' % (value,))


def upgrade_to_float(dtype):
    """theano.scalar.upgrade_to_float: the dtype of exp(x), log(x), ..."""
    return {'bool': 'float32', 'int8': 'float32', 'int16': 'float32', 'uint8': 'float32',
            'uint16': 'float32', 'int32': 'float64', 'int64': 'float64',
            'uint32': 'float64', 'uint64': 'float64'}.get(dtype, dtype)


def reduction_dtype(op, dtype):
    """Output dtype of T.sum/prod/mean/max/min for an input of ``dtype`` (floatX float64)."""
    if op in ('max', 'min'):
        return dtype
    if op == 'mean':
        return dtype if dtype in FLOAT_DTYPES else 'float64'
    if dtype in ('bool',) + SIGNED_DTYPES:
        return 'int64'
    if dtype in UNSIGNED_DTYPES:
        return 'uint64'
    return dtype


UNARY_FLOAT = ('exp', 'log', 'tanh', 'sqrt', 'floor', 'ceil')
UNARY_SAME = ('neg', 'abs')
UNARY = UNARY_FLOAT + UNARY_SAME
ARITH = ('add', 'sub', 'mul', 'true_div', 'int_div', 'mod', 'pow', 'maximum', 'minimum')
COMPARE = ('eq', 'neq', 'lt', 'le', 'gt', 'ge')
BINARY = ARITH + COMPARE
REDUCTIONS = ('sum', 'prod', 'mean', 'max', 'min')
# elemwise ops whose floating-point result is rounded (the others are exact)
ROUNDED = ('exp', 'log', 'tanh', 'sqrt', 'add', 'sub', 'mul', 'true_div', 'mod', 'pow')


def elemwise_dtype(op, dtypes, floatX='float64'):
    if op in UNARY_FLOAT:
        return upgrade_to_float(dtypes[0])
    if op == 'neg':
        if dtypes[0] == 'bool':
            raise Invalid('neg: bool input not supported')
        return dtypes[0]
    if op == 'abs':
        return dtypes[0]
    if op in COMPARE:
        return 'bool'
    if op == 'switch':
        return upcast(*dtypes[1:], floatX=floatX)
    out = upcast(*dtypes, floatX=floatX)
    if op == 'true_div' and all(d in DISCRETE_DTYPES for d in dtypes):
        return floatX
    if op == 'pow' and out == 'bool':  # upcast_out_min8; // and % of booleans stay bool
        return 'int8'
    if op == 'sub' and out == 'bool':
        raise Invalid('sub: bool output not supported')
    return out


def eps(dtype):
    return float(np.finfo(dtype).eps) if dtype in FLOAT_DTYPES else 0.0


# ---------------------------------------------------------------------------------------
# Values with Theano's types
# ---------------------------------------------------------------------------------------

class Ref:
    """A value of a graph node as Theano computes it: ``value`` (numpy array of the result's
    dtype) and ``bcast`` (its broadcastable pattern)."""
    __slots__ = ('value', 'bcast')

    def __init__(self, value, bcast):
        self.value = value
        self.bcast = tuple(bool(b) for b in bcast)
        assert value.ndim == len(self.bcast), (value.shape, bcast)

    @property
    def dtype(self):
        return self.value.dtype.name

    @property
    def ndim(self):
        return self.value.ndim

    @property
    def shape(self):
        return self.value.shape

    def __repr__(self):
        return 'Ref(%s %s %s)' % (self.dtype, self.bcast, self.value.shape)


def _pad(ref, ndim):
    """Theano's implicit DimShuffle('x', ..., 0, 1, ...) of an elemwise input."""
    k = ndim - ref.ndim
    return Ref(ref.value.reshape((1,) * k + ref.value.shape), (True,) * k + ref.bcast)


def _broadcast(refs):
    """Output shape and pattern of an elemwise node; ValueError where Theano raises one."""
    ndim = max(r.ndim for r in refs)
    refs = [_pad(r, ndim) for r in refs]
    shape, bcast = [], []
    for d in range(ndim):
        lengths = set(r.shape[d] for r in refs if not r.bcast[d])
        if len(lengths) > 1:
            raise RuntimeFailure('ValueError', 'Input dimension mis-match on dimension %d: %s'
                                 % (d, sorted(lengths)))
        shape.append(lengths.pop() if lengths else 1)
        bcast.append(all(r.bcast[d] for r in refs))
    return refs, tuple(shape), tuple(bcast)


def _check_int_range(value, dtype):
    info = np.iinfo(dtype)
    if np.any(value < info.min) or np.any(value > info.max):
        raise Unsafe('integer result out of the range of %s' % dtype)


def elemwise_value(op, arrays, out_dtype):
    """Theano's scalar op ``op`` on numpy arrays already broadcast to a common shape."""
    with np.errstate(all='ignore'):
        if op in COMPARE:
            common = upcast(*[a.dtype for a in arrays])
            a, b = [x.astype(common) for x in arrays]
            return getattr(np, {'eq': 'equal', 'neq': 'not_equal', 'lt': 'less',
                                'le': 'less_equal', 'gt': 'greater',
                                'ge': 'greater_equal'}[op])(a, b)
        if op == 'switch':
            cond, a, b = arrays
            return np.where(cond != 0, a.astype(out_dtype), b.astype(out_dtype))
        xs = [x.astype(out_dtype) for x in arrays]
        integer = out_dtype in INT_DTYPES
        if op == 'neg':
            if out_dtype in UNSIGNED_DTYPES:
                # Theano's optimizer moves the negation of unsigned integers around (into
                # sums, ...), where the wrap-around gives other results
                raise Unsafe('negation of unsigned integers')
            return np.negative(xs[0])
        if op == 'abs':
            return xs[0] if out_dtype == 'bool' else np.abs(xs[0])
        if op in UNARY_FLOAT:
            return getattr(np, op)(xs[0])
        a, b = xs
        if op == 'add':
            return np.logical_or(a, b) if out_dtype == 'bool' else a + b
        if op == 'mul':
            return np.logical_and(a, b) if out_dtype == 'bool' else a * b
        if op == 'sub':
            return a - b
        if op == 'maximum':
            return np.maximum(a, b)
        if op == 'minimum':
            return np.minimum(a, b)
        if op == 'true_div':
            return np.true_divide(a, b)
        if op in ('int_div', 'mod'):
            if out_dtype == 'bool':
                if not np.all(b):
                    raise Unsafe('integer division by zero (a C crash in Theano)')
                return a if op == 'int_div' else np.zeros_like(a)
            if integer:
                if np.any(b == 0):
                    raise Unsafe('integer division by zero (a C crash in Theano)')
                if out_dtype in SIGNED_DTYPES and np.any(
                        (a == np.iinfo(out_dtype).min) & (b == -1)):
                    raise Unsafe('integer overflow in division')
                return np.floor_divide(a, b) if op == 'int_div' else np.mod(a, b)
            if op == 'int_div':  # Theano's C code, by the signs of x and y
                inexact = np.fmod(np.abs(a), np.abs(b)) != 0
                opposite = -np.floor(np.abs(a) / np.abs(b)) - inexact.astype(out_dtype)
                return np.where((b == 0) | ((a < 0) == (b < 0)), np.floor(a / b), opposite)
            # Theano's C code: fmod of the magnitudes moved to the sign of y, +0 for a zero
            # result unless x and y are both negative
            both_negative = -np.fmod(-a, -b)
            y_negative = np.fmod(a, -b)
            y_negative = y_negative + np.where(y_negative != 0, b, 0).astype(out_dtype)
            x_negative = np.fmod(-a, b)
            x_negative = -x_negative + np.where(x_negative != 0, b, 0).astype(out_dtype)
            return np.where(b == 0, np.fmod(a, b),
                            np.where(b < 0, np.where(a < 0, both_negative, y_negative),
                                     np.where(a < 0, x_negative, np.fmod(a, b))))
        if op == 'pow':
            if integer:
                if np.any(b < 0):
                    raise Unsafe('integer power with a negative exponent')
                exact = np.asarray(np.power(a.astype(object), b.astype(object)), dtype=object)
                _check_int_range(exact, out_dtype)
                return exact.astype(out_dtype)
            return np.power(a, b)
    raise Invalid('unknown elemwise op %r' % op)


def _ieee_dot(x, y):
    """dot as IEEE sums of products, added left to right (-0.0 stays -0.0), as XLA computes
    it. BLAS, under numpy's dot and Theano's, skips zeros: inf * 0 gives 0 there for some
    shapes and NaN for others; symgraph decides for IEEE."""
    x2 = x if x.ndim == 2 else x[None, :]
    y2 = y if y.ndim == 2 else y[:, None]
    products = x2[:, :, None] * y2[None, :, :]
    total = np.zeros((x2.shape[0], y2.shape[1]), dtype=products.dtype)
    if products.shape[1]:
        total = products[:, 0]
        for k in range(1, products.shape[1]):
            total = total + products[:, k]
    if x.ndim == 1:
        total = total[0]
    return total if y.ndim == 2 else total[..., 0]


def cast_value(value, dtype):
    """T.cast; casts whose result C leaves undefined raise Unsafe."""
    src = value.dtype.name
    if dtype == 'bool':
        return value != 0
    if src in FLOAT_DTYPES and dtype in INT_DTYPES:
        if not np.all(np.isfinite(value)):
            raise Unsafe('casting NaN or inf to an integer')
        with np.errstate(all='ignore'):
            trunc = np.trunc(value.astype('float64'))
        info = np.iinfo(dtype)
        if np.any(trunc < info.min) or np.any(trunc > info.max):
            raise Unsafe('casting a float out of the range of %s' % dtype)
    with np.errstate(all='ignore'):
        return value.astype(dtype)


# ---------------------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------------------

def _slice_bcast(start, stop):
    """Theano's Subtensor rule for a slice of a broadcastable dimension. ``start``/``stop``
    are None, Python ints (constants) or the string 'sym' (symbolic)."""
    if start == 'sym' or (start is not None and start != 0):
        return False
    start = 0
    return stop is None or (stop != 'sym' and stop > start)


def _check_index(i, n):
    if not -n <= i < n:
        raise RuntimeFailure('IndexError', 'index %d out of bounds for length %d' % (i, n))


def _subnormal(value):
    """Where a float array is subnormal (non-zero, smaller than the smallest normal)."""
    if value.dtype.name not in FLOAT_DTYPES:
        return np.zeros(value.shape, bool)
    magnitude = np.abs(value)
    return (magnitude > 0) & (magnitude < np.finfo(value.dtype).tiny)


class Evaluator:
    """Evaluates graph descriptions with Theano's rules.

    ``inputs`` maps input names to ``(dtype, broadcastable, value)``; it may grow after the
    evaluator is made (the generator adds inputs as it goes). ``noise`` = ``(rng, scale)``
    multiplies every rounded floating-point result by ``1 + scale * eps * U(-1, 1)``
    (elementwise, also each term of a sum or dot): a perturbed run, whose spread from the
    exact one bounds how much legitimate rounding differences can move a result.
    ``flush_subnormals`` makes every float result below the smallest normal number a zero
    of its sign, as XLA's CPU runtime does (see has_subnormals).
    """

    def __init__(self, inputs, floatX='float64', noise=None, flush_subnormals=False):
        self.inputs = inputs
        self.floatX = floatX
        self.noise = noise
        self.flush_subnormals = flush_subnormals
        self.memo = {}

    def has_subnormals(self):
        """Whether a float value met so far is subnormal: XLA's CPU runtime flushes them
        to zero (README, compatibility), so a graph that meets one is compared with a
        run that flushes them too."""
        return any(_subnormal(ref.value).any() for ref in self.memo.values())

    # -- helpers ---------------------------------------------------------------------------
    def _round(self, value, precision=None, ulps=1.0):
        """Perturb a rounded float result (perturbed runs only); ``precision`` is the dtype
        the arithmetic is done in, when narrower than the result's; ``ulps`` scales the
        perturbation for results computed in several rounded steps."""
        if self.noise is None or value.dtype.name not in FLOAT_DTYPES or value.size == 0:
            return value
        rng, scale = self.noise
        u = rng.uniform(-1.0, 1.0, size=value.shape)
        rel = min(scale * ulps * eps(precision or value.dtype.name), 0.5)
        with np.errstate(all='ignore'):
            return np.asarray(value * (1.0 + rel * u), dtype=value.dtype)

    def __call__(self, expr):
        try:
            return self.memo[expr]
        except KeyError:
            pass
        ref = self._eval(expr)
        if self.flush_subnormals and _subnormal(ref.value).any():
            flushed = np.where(_subnormal(ref.value), np.copysign(0, ref.value), ref.value)
            ref = Ref(np.asarray(flushed, dtype=ref.value.dtype), ref.bcast)
        self.memo[expr] = ref
        return ref

    def scalar_index(self, entry):
        """An integer index entry: (value, is_symbolic)."""
        if isinstance(entry, (int, np.integer)):
            return int(entry), False
        ref = self(entry)
        if ref.ndim != 0 or ref.dtype not in INT_DTYPES:
            raise Invalid('index %r is not an integer scalar' % (entry,))
        return int(ref.value), True

    # -- the ops -----------------------------------------------------------------------------
    def _eval(self, expr):
        op = expr[0]
        method = getattr(self, 'op_' + op, None)
        if method is not None:
            return method(*expr[1:])
        if op in UNARY or op in BINARY or op == 'switch':
            return self.elemwise(op, expr[1:])
        if op in REDUCTIONS:
            return self.reduce(op, *expr[1:])
        raise Invalid('unknown op %r' % (op,))

    def op_in(self, name):
        dtype, bcast, value = self.inputs[name]
        value = np.asarray(value, dtype=dtype)
        for d, b in enumerate(bcast):
            if b and value.shape[d] != 1:
                raise RuntimeFailure('TypeError', 'non-unit length on a broadcastable dim')
        return Ref(value, bcast)

    def op_scalar(self, value):
        return Ref(np.asarray(value, dtype=autocast_dtype(value, self.floatX)), ())

    def op_array(self, flat, shape, dtype):
        value = np.asarray(flat, dtype=dtype).reshape(shape)
        return Ref(value, [n == 1 for n in value.shape])  # as T.constant

    def elemwise(self, op, args):
        refs = [self(a) for a in args]
        if all(isinstance(a, tuple) and a[0] == 'scalar' for a in args):
            raise Invalid('elemwise of Python scalars only')
        if op == 'switch' and refs[0].dtype in FLOAT_DTYPES:
            pass  # a float condition is allowed (nonzero is true)
        out_dtype = elemwise_dtype(op, [r.dtype for r in refs], self.floatX)
        padded, shape, bcast = _broadcast(refs)
        arrays = [np.broadcast_to(r.value, shape) for r in padded]
        if op == 'int_div' and out_dtype in FLOAT_DTYPES and self.noise is not None:
            # floor(x / y): the rounding is in the quotient
            quotient = elemwise_value('true_div', arrays, out_dtype)
            with np.errstate(all='ignore'):
                value = np.floor(self._round(np.asarray(quotient, dtype=out_dtype)))
            return Ref(np.asarray(value, dtype=out_dtype), bcast)
        value = np.asarray(elemwise_value(op, arrays, out_dtype), dtype=out_dtype)
        if op in ROUNDED:
            # Theano's C code computes int64 + float32 in float32 (C's usual arithmetic
            # conversions) and only then stores the float64 result: allow for that.
            dtypes = [r.dtype for r in refs]
            narrow = 'float32' if len(refs) > 1 and 'float32' in dtypes and \
                'float64' not in dtypes else None
            if op == 'pow' and value.size:
                # x ** k with a constant k is computed by repeated multiplication: an error
                # of about |k| ulps
                k = np.max(np.abs(arrays[1].astype('float64')), initial=1.0)
                value = self._round(value, narrow, min(max(k, 1.0), 1e6))
            else:
                value = self._round(value, narrow)
        return Ref(value, bcast)

    def op_cast(self, a, dtype):
        ref = self(a)
        return Ref(cast_value(ref.value, dtype), ref.bcast)

    def reduce(self, op, a, axis, keepdims):
        ref = self(a)
        x = ref.value
        if axis is None:
            axes = tuple(range(x.ndim))
        else:
            axes = (axis,) if isinstance(axis, int) else tuple(axis)
            axes = tuple(d + x.ndim if d < 0 else d for d in axes)
            if any(not 0 <= d < x.ndim for d in axes) or len(set(axes)) != len(axes):
                raise Invalid('bad reduction axis %r for ndim %d' % (axis, x.ndim))
        out_dtype = reduction_dtype(op, ref.dtype)
        with np.errstate(all='ignore'):
            if op in ('max', 'min'):
                if any(x.shape[d] == 0 for d in axes):
                    raise RuntimeFailure('ValueError', '%s of an empty axis' % op)
                value = (np.max if op == 'max' else np.min)(x, axis=axes, keepdims=keepdims)
            else:
                sum_dtype = reduction_dtype('sum', ref.dtype)
                acc = 'float64' if sum_dtype in FLOAT_DTYPES else sum_dtype
                terms = self._round(x.astype(acc)) if self.noise is not None else x.astype(acc)
                if op == 'prod':
                    value = np.prod(terms, axis=axes, keepdims=keepdims)
                else:
                    value = np.sum(terms, axis=axes, keepdims=keepdims)
                value = value.astype(sum_dtype)
                if op == 'mean':  # sum, then divided by each length in turn (Theano's mean)
                    div_dtype = 'float32' if value.dtype.name == 'float32' else 'float64'
                    value = value.astype(upcast(value.dtype.name, div_dtype))
                    for d in axes:
                        value = np.true_divide(value, np.asarray(x.shape[d], dtype=div_dtype))
                value = self._round(np.asarray(value, dtype=out_dtype))
        value = np.asarray(value, dtype=out_dtype)
        if keepdims:
            bcast = [True if d in axes else b for d, b in enumerate(ref.bcast)]
        else:
            bcast = [b for d, b in enumerate(ref.bcast) if d not in axes]
        return Ref(value, bcast)

    def op_dot(self, a, b):
        x, y = self(a), self(b)
        if x.ndim not in (1, 2) or y.ndim not in (1, 2):
            raise Invalid('dot of ndim %d and %d' % (x.ndim, y.ndim))
        if 'bool' in (x.dtype, y.dtype):
            raise Invalid('dot of bools')
        out_dtype = upcast(x.dtype, y.dtype, floatX=self.floatX)
        if x.shape[-1] != y.shape[0]:
            raise RuntimeFailure('ValueError', 'dot: shapes %s and %s not aligned'
                                 % (x.shape, y.shape))
        xv = x.value.astype(out_dtype)
        if self.noise is not None:
            xv = self._round(xv)
        with np.errstate(all='ignore'):
            value = self._round(np.asarray(_ieee_dot(xv, y.value.astype(out_dtype)),
                                           dtype=out_dtype))
        bcast = x.bcast[:-1] + y.bcast[1:]
        return Ref(value, bcast)

    def op_dimshuffle(self, a, pattern):
        ref = self(a)
        kept = [p for p in pattern if p != 'x']
        if len(set(kept)) != len(kept) or any(not 0 <= p < ref.ndim for p in kept):
            raise Invalid('bad dimshuffle pattern %r' % (pattern,))
        for d in range(ref.ndim):
            if d not in kept and not ref.bcast[d]:
                raise Invalid('You cannot drop a non-broadcastable dimension.')
        dropped = tuple(d for d in range(ref.ndim) if d not in kept)
        value = np.squeeze(ref.value, axis=dropped) if dropped else ref.value
        remaining = [d for d in range(ref.ndim) if d in kept]
        value = np.transpose(value, [remaining.index(p) for p in kept])
        value = value.reshape([1 if p == 'x' else ref.shape[p] for p in pattern])
        bcast = [True if p == 'x' else ref.bcast[p] for p in pattern]
        return Ref(np.array(value), bcast)

    def op_reshape(self, a, shape):
        ref = self(a)
        try:
            value = ref.value.reshape(shape)
        except ValueError as err:
            raise RuntimeFailure('ValueError', str(err))
        return Ref(value, [s == 1 for s in shape])

    def op_shape_i(self, a, k):
        return Ref(np.asarray(self(a).shape[k], dtype='int64'), ())

    # -- indexing ----------------------------------------------------------------------------
    def _is_array_entry(self, entry):
        if isinstance(entry, tuple) and entry[0] == 'list':
            return True
        if isinstance(entry, tuple) and entry[0] not in ('slice',):
            return self(entry).ndim > 0
        return False

    def _array_entry(self, entry):
        if entry[0] == 'list':
            value = np.asarray(entry[1], dtype='int64')
            return value, (len(entry[1]) == 1,)
        ref = self(entry)
        if ref.dtype not in INT_DTYPES:
            raise Invalid('index array of dtype %s' % ref.dtype)
        return ref.value, ref.bcast

    def index_plan(self, x, idx):
        """How Theano reads ``x[idx]``: returns (numpy index, out bcast, kind)."""
        idx = tuple(idx)
        if len(idx) > x.ndim:
            raise Invalid('too many indices')
        arrays = [k for k, e in enumerate(idx) if self._is_array_entry(e)]
        np_index = []
        if not arrays:
            bcast = []
            for d, entry in enumerate(idx):
                n = x.shape[d]
                if isinstance(entry, tuple) and entry[0] == 'slice':
                    parts, kinds = [], []
                    for p in entry[1:]:
                        if p is None:
                            parts.append(None)
                            kinds.append(None)
                        else:
                            v, sym = self.scalar_index(p)
                            parts.append(v)
                            kinds.append('sym' if sym else v)
                    if parts[2] == 0:
                        raise RuntimeFailure('ValueError', 'slice step cannot be zero')
                    np_index.append(slice(*parts))
                    bcast.append(x.bcast[d] and _slice_bcast(kinds[0], kinds[1]))
                else:
                    v, _ = self.scalar_index(entry)
                    _check_index(v, n)
                    np_index.append(v)
            bcast += list(x.bcast[len(idx):])
            return tuple(np_index), tuple(bcast), 'basic'
        full = lambda e: e == ('slice', None, None, None)  # noqa: E731
        if len(arrays) == 1 and all(full(e) for k, e in enumerate(idx) if k != arrays[0]):
            # x.take(v, axis): AdvancedSubtensor1 (through dimshuffles for axis > 0)
            axis = arrays[0]
            value, vbcast = self._array_entry(idx[axis])
            if value.ndim != 1:
                raise Invalid('only vector index arrays are generated')
            for i in value.ravel():
                _check_index(int(i), x.shape[axis])
            np_index = [slice(None)] * axis + [value]
            bcast = x.bcast[:axis] + vbcast + x.bcast[axis + 1:]
            return tuple(np_index), tuple(bcast), 'take'
        # AdvancedSubtensor: Theano's adv_index_broadcastable_pattern
        fake = []
        for d, entry in enumerate(idx):
            n = x.shape[d]
            if isinstance(entry, tuple) and entry[0] == 'slice':
                if entry[1] is not None and entry[2] is None and entry[3] is not None:
                    # Theano's SliceConstant calls int(stop) when the step is a constant:
                    # x[-2::2, v] fails to compile ("int() argument must be ... not
                    # 'NoneType'")
                    raise Invalid('Theano cannot compile x[a::c, v]')
                parts = [None if p is None else self.scalar_index(p)[0] for p in entry[1:]]
                if parts[2] == 0:
                    raise RuntimeFailure('ValueError', 'slice step cannot be zero')
                np_index.append(slice(*parts))
                fake.append(slice(None))
            elif self._is_array_entry(entry):
                value, _ = self._array_entry(entry)
                for i in value.ravel():
                    _check_index(int(i), n)
                np_index.append(value)
                fake.append(np.zeros((2,) * value.ndim, dtype=int))
            else:
                v, _ = self.scalar_index(entry)
                _check_index(v, n)
                np_index.append(v)
                fake.append(0)
        fake_shape = [1 if b else 2 for b in x.bcast]
        try:
            np.broadcast(*[a for a in np_index if isinstance(a, np.ndarray)])
        except ValueError as err:
            raise RuntimeFailure('IndexError', 'shape mismatch: %s' % err)
        bcast = tuple(n == 1 for n in np.empty(fake_shape)[tuple(fake)].shape)
        return tuple(np_index), bcast, 'advanced'

    def op_getitem(self, a, idx):
        x = self(a)
        np_index, bcast, _ = self.index_plan(x, idx)
        value = np.array(x.value[np_index])
        return Ref(value, bcast)

    def _update(self, a, idx, b, set_instead_of_inc):
        x, y = self(a), self(b)
        np_index, sub_bcast, kind = self.index_plan(x, idx)
        target_shape = x.value[np_index].shape
        if y.ndim > len(target_shape):
            raise Invalid('set/inc_subtensor: y has more dimensions than x[idx]')
        pad = len(target_shape) - y.ndim
        for d in range(y.ndim):
            n, m = target_shape[pad + d], y.shape[d]
            if sub_bcast[pad + d] and not y.bcast[d] and m != 1:
                # inc_subtensor makes y broadcastable where x[idx] is; Rebroadcast checks
                raise RuntimeFailure('ValueError', 'Rebroadcast: y has length %d on a '
                                     'broadcastable dimension of x[idx]' % m)
            if m != n and not (m == 1 and y.bcast[d]):
                # Theano lets numpy stretch a non-broadcastable length-1 dimension of y
                # here (and raises a ValueError for other lengths); never generated.
                raise Unsafe('y of shape %s into x[idx] of shape %s'
                             % (y.shape, target_shape))
        if kind == 'take' and 0 < y.ndim < x.ndim:
            # Theano's inc_subtensor(x[:, v], y) transposes y with a pattern computed from
            # x's; it builds a bad DimShuffle ("new_order[0] is 2, but the input only has 1
            # axes") unless every entry of that pattern is one of y's dimensions.
            axis = [k for k, e in enumerate(idx) if self._is_array_entry(e)][0]
            x_order = list(range(x.ndim))
            x_order[0], x_order[axis] = axis, 0
            offset = x.ndim - y.ndim
            if any(v - offset >= 0 and i >= y.ndim for i, v in enumerate(x_order)):
                raise Invalid('Theano cannot transpose y for inc_subtensor(x[:, v], y)')
        if upcast(x.dtype, y.dtype) != x.dtype:
            raise Unsafe('set/inc_subtensor with a value of wider dtype %s into %s'
                         % (y.dtype, x.dtype))
        out = x.value.copy()
        yv = y.value.astype(x.dtype)
        with np.errstate(all='ignore'):
            if set_instead_of_inc:
                if kind != 'basic':
                    flat = np.arange(out.size).reshape(out.shape)[np_index]
                    if len(np.unique(flat)) != flat.size:
                        raise Unsafe('set_subtensor with repeated indices: order undefined')
                out[np_index] = yv
            elif out.dtype == np.bool_:
                raise Unsafe('inc_subtensor of bools')
            elif kind == 'basic':
                out[np_index] += yv
                out = self._round(out)
            else:  # repeated indices accumulate
                np.add.at(out, np_index, np.broadcast_to(yv, target_shape))
                out = self._round(out)
        return Ref(out, x.bcast)

    def op_set_subtensor(self, a, idx, b):
        return self._update(a, idx, b, True)

    def op_inc_subtensor(self, a, idx, b):
        return self._update(a, idx, b, False)

    # -- joining -------------------------------------------------------------------------------
    def _join(self, axis, refs):
        if len(refs) == 1:
            return refs[0]
        ndim = refs[0].ndim
        if any(r.ndim != ndim for r in refs):
            raise Invalid('Join() can only join tensors with the same number of dimensions.')
        if ndim == 0 or not -ndim <= axis < ndim:
            raise Invalid('join axis %d out of range for ndim %d' % (axis, ndim))
        axis = axis % ndim
        for d in range(ndim):
            if d != axis and len(set(r.shape[d] for r in refs)) > 1:
                raise RuntimeFailure('ValueError', 'join: shapes differ on dimension %d' % d)
        dtype = upcast(*[r.dtype for r in refs])
        value = np.concatenate([r.value.astype(dtype) for r in refs], axis=axis)
        bcast = [d != axis and any(r.bcast[d] for r in refs) for d in range(ndim)]
        return Ref(value, bcast)

    def op_join(self, axis, parts):
        return self._join(axis, [self(p) for p in parts])

    def op_concatenate(self, parts, axis):
        return self._join(axis, [self(p) for p in parts])

    def op_stack(self, parts, axis):
        refs = [self(p) for p in parts]
        if all(r.ndim == 0 for r in refs):  # MakeVector
            dtype = upcast(*[r.dtype for r in refs])
            return Ref(np.asarray([r.value for r in refs], dtype=dtype), (False,))
        ndim = refs[0].ndim + 1
        if not -ndim <= axis < ndim:
            raise Invalid('stack axis out of range')
        axis = axis % ndim
        padded = [Ref(np.expand_dims(r.value, axis), r.bcast[:axis] + (True,) + r.bcast[axis:])
                  for r in refs]
        return self._join(axis, padded)


def evaluate(inputs, exprs, floatX='float64'):
    """Values of the output descriptions ``exprs`` (a list of Refs)."""
    ev = Evaluator(inputs, floatX)
    return [ev(e) for e in exprs]
