"""Every op of the vocabulary against numpy: values, dtypes and broadcast patterns.

Values are computed with ``var.eval()`` (the node-by-node interpreter) and, for a
representative subset, with a compiled ``symgraph.function`` (one jitted program); both must
agree with numpy. Each value's dtype must be the dtype its variable declares, and its
length must be 1 on every dimension the type calls broadcastable.

Random cases come from a fixed seed; ``SYMGRAPH_TEST_CASES`` (default 1) sets how many per
parametrized case and ``SYMGRAPH_TEST_SEED`` changes the seed. Shapes are drawn from small
lengths so that JAX's per-shape kernel cache keeps the file fast.
"""
import functools
import math
import os
import zlib

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T

N_CASES = int(os.environ.get('SYMGRAPH_TEST_CASES', '1'))
SEED = int(os.environ.get('SYMGRAPH_TEST_SEED', '1234'))
CASES = range(N_CASES)

FLOATS = ['float32', 'float64']
INTS = ['int8', 'int32', 'int64']
F, B = False, True


def rng_for(*key):
    """A RandomState fixed by the seed and the test's own parameters."""
    return np.random.RandomState((zlib.crc32(repr(key).encode()) + SEED) % 2 ** 32)


def shape_for(pattern, rng, lo=1, hi=3):
    return tuple(1 if b else int(rng.randint(lo, hi + 1)) for b in pattern)


def rand(rng, shape, dtype, lo=-3.0, hi=3.0):
    if np.dtype(dtype).kind in 'iu':
        return rng.randint(int(lo), int(hi) + 1, size=shape).astype(dtype)
    if dtype == 'bool':
        return rng.rand(*shape) < 0.5
    return rng.uniform(lo, hi, size=shape).astype(dtype)


def tol(dtype):
    return dict(rtol=1e-5, atol=1e-6) if dtype in ('float32', 'float16') else \
        dict(rtol=1e-10, atol=1e-12)


def var(dtype, pattern, name=None):
    return T.TensorType(dtype, pattern)(name)


def check(out, givens, expected, dtype=None, **tolerance):
    """``out.eval(givens)`` equals ``expected`` and is consistent with ``out``'s type."""
    value = out.eval(givens)
    expected = np.asarray(expected)
    assert value.dtype == np.dtype(out.dtype), (value.dtype, out.dtype)
    assert value.ndim == out.ndim, (value.shape, out.type)
    for d, b in enumerate(out.broadcastable):
        assert not b or value.shape[d] == 1, (value.shape, out.type)
    if dtype is not None:
        assert out.dtype == dtype, (out.dtype, dtype)
    assert value.shape == expected.shape, (value.shape, expected.shape)
    if value.dtype.kind == 'f' or expected.dtype.kind == 'f':
        np.testing.assert_allclose(value, expected, **(tolerance or tol(value.dtype.name)))
    else:
        np.testing.assert_array_equal(value, expected)
    return value


# Theano's dtype for the float-valued unary ops (exp, log, sqrt, ...): checked with Theano 1.0.5.
FLOAT_OUT = dict(bool='float32', int8='float32', uint8='float32', int16='float32',
                 int32='float64', int64='float64', float32='float32', float64='float64')


# ---------------------------------------------------------------------------------------
# Elementwise unary ops
# ---------------------------------------------------------------------------------------

UNARY = {
    # name: (symgraph function, numpy function, input range, float-valued output)
    'exp': (T.exp, np.exp, (-3, 3), True),
    'log': (T.log, np.log, (0.1, 5), True),
    'log1p': (T.log1p, np.log1p, (-0.9, 5), True),
    'sqrt': (T.sqrt, np.sqrt, (0, 5), True),
    'tanh': (T.tanh, np.tanh, (-3, 3), True),
    'erf': (T.erf, np.vectorize(math.erf), (-3, 3), True),
    'floor': (T.floor, np.floor, (-4, 4), True),
    'ceil': (T.ceil, np.ceil, (-4, 4), True),
    'sqr': (T.sqr, np.square, (-4, 4), False),
    'abs': (abs, np.abs, (-4, 4), False),
    'sgn': (T.sgn, np.sign, (-4, 4), False),
    'neg': (lambda x: -x, np.negative, (-4, 4), False),
    'round': (T.round, np.round, (-4, 4), False),
    'sigmoid': (T.nnet.sigmoid, lambda x: 1 / (1 + np.exp(-x.astype('float64'))), (-6, 6), True),
    'softplus': (T.nnet.softplus, lambda x: np.log1p(np.exp(x.astype('float64'))), (-6, 6),
                 True),
}

PATTERNS_1 = [(), (F,), (F, F), (B, F), (F, B), (F, B, F)]


@pytest.mark.parametrize('case', CASES)
@pytest.mark.parametrize('dtype', FLOATS + ['int8', 'int32'])
@pytest.mark.parametrize('name', sorted(UNARY))
def test_unary(name, dtype, case):
    fn, ref, (lo, hi), float_out = UNARY[name]
    if dtype in INTS and name == 'round':
        with pytest.raises(TypeError, match='round works on floats only'):
            fn(var(dtype, (F,), 'x'))  # Theano rejects round() of integers too
        return
    if dtype in INTS:
        lo = max(lo, 1) if name in ('log', 'sqrt', 'log1p') else lo
        lo, hi = int(np.ceil(lo)), int(np.floor(hi))
    rng = rng_for(name, dtype, case)
    pattern = PATTERNS_1[rng.randint(len(PATTERNS_1))]
    x = var(dtype, pattern, 'x')
    value = rand(rng, shape_for(pattern, rng), dtype, lo, hi)
    expected_dtype = FLOAT_OUT[dtype] if float_out else dtype
    out = fn(x)
    assert out.broadcastable == pattern
    source = value.astype(expected_dtype) if float_out else value
    check(out, {x: value}, ref(source).astype(expected_dtype), dtype=expected_dtype,
          **(dict(rtol=1e-5, atol=1e-6) if expected_dtype == 'float32' or dtype == 'float32'
             else {}))


def test_round_ties():
    x = T.vector('x')
    ties = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -0.4, 0.6])
    check(T.round(x), {x: ties}, np.round(ties))  # half to even, as numpy and Theano 1.0
    check(T.round(x, mode='half_to_even'), {x: ties}, np.round(ties))
    away = np.sign(ties) * np.floor(np.abs(ties) + 0.5)
    check(T.round(x, mode='half_away_from_zero'), {x: ties}, away)
    with pytest.raises(ValueError, match='half_away_from_zero'):
        T.round(x, mode='up')


def test_floor_ceil_of_integers_are_float():
    iv = T.ivector('iv')
    v = np.array([-3, 0, 7], dtype='int32')
    check(T.floor(iv), {iv: v}, v.astype('float64'), dtype='float64')
    b = T.bvector('b')
    check(T.ceil(b), {b: v.astype('int8')}, v.astype('float32'), dtype='float32')


def test_xlogx_and_xlogy0_are_zero_at_zero():
    x, y = T.vector('x'), T.vector('y')
    xv = np.array([0.0, 0.5, 1.0, 2.0, 0.0])
    yv = np.array([0.0, 3.0, 0.25, 2.0, 5.0])
    with np.errstate(divide='ignore', invalid='ignore'):
        check(T.xlogx.xlogx(x), {x: xv}, np.where(xv == 0, 0, xv * np.log(xv)))
        check(T.xlogx.xlogy0(x, y), {x: xv, y: yv}, np.where(xv == 0, 0, xv * np.log(yv)))
    xf = T.fmatrix('xf')
    v = np.abs(np.random.RandomState(0).randn(2, 3)).astype('float32')
    v[0, 1] = 0
    check(T.xlogx.xlogx(xf), {xf: v}, np.where(v == 0, 0, v * np.log(np.where(v == 0, 1, v))),
          dtype='float32')


# ---------------------------------------------------------------------------------------
# Elementwise binary ops and operators, with broadcast patterns
# ---------------------------------------------------------------------------------------

PATTERNS_2 = [
    ((F, F), (F, F)), ((F, F), (B, F)), ((F, F), (F, B)), ((F, B), (B, F)),
    ((F,), (F, F)), ((F, F), ()), ((), (F,)), ((F, F, F), (B, F, B)), ((B, B), (F, F)),
]


def _nonzero(rng, shape, dtype, lo, hi):
    v = rand(rng, shape, dtype, lo, hi)
    if v.dtype.kind == 'f':
        return np.where(np.abs(v) < 0.5, v + np.sign(v + 1e-3) * 0.5, v).astype(dtype)
    return np.where(v == 0, 1, v).astype(dtype)


BINARY = {
    # name: (symgraph function, numpy function, (lo, hi) of x, generator of y)
    'add': (lambda a, b: a + b, np.add),
    'sub': (lambda a, b: a - b, np.subtract),
    'mul': (lambda a, b: a * b, np.multiply),
    'truediv': (lambda a, b: a / b, None),
    'floordiv': (lambda a, b: a // b, np.floor_divide),
    'mod': (lambda a, b: a % b, np.mod),
    'pow': (lambda a, b: a ** b, np.power),
    'maximum': (T.maximum, np.maximum),
    'minimum': (T.minimum, np.minimum),
}


def _binary_inputs(name, dtype, rng, sa, sb):
    if name == 'pow':
        if dtype in INTS:
            return rand(rng, sa, dtype, 0, 3), rand(rng, sb, dtype, 0, 3)
        return rand(rng, sa, dtype, 0.5, 2), rand(rng, sb, dtype, -2, 2)
    a = rand(rng, sa, dtype, -5, 5)
    if name in ('truediv', 'floordiv', 'mod'):
        return a, _nonzero(rng, sb, dtype, -4, 4)
    return a, rand(rng, sb, dtype, -5, 5)


@pytest.mark.parametrize('case', CASES)
@pytest.mark.parametrize('dtype', FLOATS + ['int32'])
@pytest.mark.parametrize('name', sorted(BINARY))
def test_binary(name, dtype, case):
    fn, ref = BINARY[name]
    rng = rng_for(name, dtype, case)
    pa, pb = PATTERNS_2[rng.randint(len(PATTERNS_2))]
    ndim = max(len(pa), len(pb))
    base = shape_for((F,) * ndim, rng)
    sa = tuple(1 if b else n for b, n in zip(pa, base[ndim - len(pa):]))
    sb = tuple(1 if b else n for b, n in zip(pb, base[ndim - len(pb):]))
    a, b = var(dtype, pa, 'a'), var(dtype, pb, 'b')
    av, bv = _binary_inputs(name, dtype, rng, sa, sb)
    out = fn(a, b)
    if name == 'truediv':
        expected = np.true_divide(av, bv).astype(dtype if dtype in FLOATS else 'float64')
    else:
        expected = ref(av, bv)
    expected_bcast = tuple(all(p[d - (ndim - len(p))] if d >= ndim - len(p) else True
                               for p in (pa, pb)) for d in range(ndim))
    assert out.broadcastable == expected_bcast
    check(out, {a: av, b: bv}, expected, dtype=expected.dtype.name)


def test_tensor_functions_are_the_operators():
    a, b = T.matrix('a'), T.row('b')
    av, bv = np.array([[1.5, -2.0, 3.0], [4.0, 5.0, -6.5]]), np.array([[2.0, -4.0, 0.5]])
    g = {a: av, b: bv}
    for fn, ref in [(T.add, np.add), (T.sub, np.subtract), (T.mul, np.multiply),
                    (T.true_div, np.true_divide), (T.true_divide, np.true_divide),
                    (T.int_div, np.floor_divide), (T.floor_div, np.floor_divide),
                    (T.mod, np.mod), (T.maximum, np.maximum), (T.minimum, np.minimum)]:
        check(fn(a, b), g, ref(av, bv))
    check(T.pow(abs(a), b), g, np.abs(av) ** bv)
    check(T.neg(a), g, -av)
    check(T.abs_(a), g, np.abs(av))


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int8'])
def test_reflected_operators_with_python_scalars(dtype):
    rng = rng_for('reflected', dtype)
    x = T.TensorType(dtype, (F, F))('x')
    v = _nonzero(rng, (3, 4), dtype, 1, 3)
    v = np.abs(v).astype(dtype)
    py = 3 if dtype in INTS else 3.0
    for out, expected in [(py + x, py + v), (py - x, py - v), (py * x, py * v),
                          (py // x, py // v), (py % x, py % v), (x ** 2, v ** 2),
                          (2 ** x, 2 ** v), (-x, -v), (x - py, v - py), (x % py, v % py)]:
        check(out, {x: v}, expected.astype(dtype), dtype=dtype)
    check(py / x, {x: v}, (py / v).astype(FLOAT_OUT[dtype] if dtype in INTS else dtype),
          **tol('float32'))


def test_true_div_of_integers_is_floatx():
    a, b = T.ivector('a'), T.ivector('b')
    av, bv = np.array([1, -7, 9], dtype='int32'), np.array([2, 2, -4], dtype='int32')
    check(a / b, {a: av, b: bv}, av / bv, dtype='float64')
    theano.config.floatX = 'float32'
    check(a / b, {a: av, b: bv}, (av / bv).astype('float32'), dtype='float32')


@pytest.mark.parametrize('dtype', ['int8', 'int32', 'int64'])
def test_integer_floor_div_and_mod_follow_python_signs(dtype):
    a, b = T.TensorType(dtype, (F,))('a'), T.TensorType(dtype, (F,))('b')
    av = np.array([-7, -7, 7, 7, -1, 0, 6], dtype=dtype)
    bv = np.array([2, -2, 2, -2, 3, 5, -3], dtype=dtype)
    check(a // b, {a: av, b: bv}, av // bv, dtype=dtype)
    check(a % b, {a: av, b: bv}, av % bv, dtype=dtype)


def test_float_floor_div_and_mod():
    a, b = T.vector('a'), T.vector('b')
    av, bv = np.array([-7.5, 7.5, -0.5, 5.0]), np.array([2.0, -2.0, 3.0, 2.5])
    check(a // b, {a: av, b: bv}, av // bv)
    check(a % b, {a: av, b: bv}, av % bv)


def test_clip():
    rng = rng_for('clip')
    for dtype in FLOATS + INTS:
        x = T.TensorType(dtype, (F, F))('x')
        v = rand(rng, (3, 4), dtype, -5, 5)
        lo, hi = (-2, 3) if dtype in INTS else (-1.5, 2.5)
        check(T.clip(x, lo, hi), {x: v}, np.clip(v, lo, hi), dtype=dtype)
        check(x.clip(lo, hi), {x: v}, np.clip(v, lo, hi), dtype=dtype)
    # Symbolic and broadcast bounds.
    x, lo, hi = T.matrix('x'), T.row('lo'), T.col('hi')
    v, lv, hv = rng.randn(3, 4), -rng.rand(1, 4), rng.rand(3, 1)
    check(T.clip(x, lo, hi), {x: v, lo: lv, hi: hv}, np.clip(v, lv, hv))


@pytest.mark.parametrize('case', CASES)
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int32', 'int8'])
def test_comparisons_are_bool(dtype, case):
    rng = rng_for('cmp', dtype, case)
    pa, pb = PATTERNS_2[rng.randint(len(PATTERNS_2))]
    ndim = max(len(pa), len(pb))
    base = shape_for((F,) * ndim, rng, 2, 4)
    sa = tuple(1 if b else n for b, n in zip(pa, base[ndim - len(pa):]))
    sb = tuple(1 if b else n for b, n in zip(pb, base[ndim - len(pb):]))
    a, b = var(dtype, pa, 'a'), var(dtype, pb, 'b')
    # Small integers (also as floats) so that ties happen.
    av = rng.randint(-2, 3, size=sa).astype(dtype)
    bv = rng.randint(-2, 3, size=sb).astype(dtype)
    givens = {a: av, b: bv}
    for out, expected in [(T.eq(a, b), av == bv), (T.neq(a, b), av != bv),
                          (T.lt(a, b), av < bv), (T.le(a, b), av <= bv),
                          (T.gt(a, b), av > bv), (T.ge(a, b), av >= bv),
                          (a < b, av < bv), (a <= b, av <= bv), (a > b, av > bv),
                          (a >= b, av >= bv), (a > 0, av > 0), (1 <= a, 1 <= av)]:
        check(out, givens, expected, dtype='bool')


def test_comparison_results_combine_as_numbers():
    x, y = T.ivector('x'), T.ivector('y')
    xv, yv = np.array([1, 2, 3, 4], dtype='int32'), np.array([1, 0, 3, 0], dtype='int32')
    check(T.mean(T.neq(x, y)), {x: xv, y: yv}, np.mean(xv != yv), dtype='float64')
    check(T.sum(T.eq(x, y)), {x: xv, y: yv}, np.sum(xv == yv), dtype='int64')
    check((x > 1) * x, {x: xv}, (xv > 1) * xv, dtype='int32')
    check(T.and_(x > 1, x < 4), {x: xv}, (xv > 1) & (xv < 4), dtype='bool')
    check(T.or_(x < 2, x > 3), {x: xv}, (xv < 2) | (xv > 3), dtype='bool')


def test_switch():
    rng = rng_for('switch')
    cond, a, b = T.bmatrix('c'), T.matrix('a'), T.row('b')
    cv = rng.randint(0, 2, size=(3, 4)).astype('int8')
    av, bv = rng.randn(3, 4), rng.randn(1, 4)
    check(T.switch(cond, a, b), {cond: cv, a: av, b: bv}, np.where(cv, av, bv), dtype='float64')
    x = T.fvector('x')
    xv = rng.randn(5).astype('float32')
    check(T.switch(x > 0, x, 0), {x: xv}, np.where(xv > 0, xv, 0).astype('float32'),
          dtype='float32')
    check(T.switch(T.lt(x, 0), -x, x * 2), {x: xv}, np.where(xv < 0, -xv, xv * 2),
          dtype='float32')
    # A scalar condition chooses a whole array.
    s = T.iscalar('s')
    check(T.switch(s, a, 1.5), {s: np.int32(0), a: av}, np.full((3, 4), 1.5))
    check(T.switch(s, a, 1.5), {s: np.int32(3), a: av}, av)


@pytest.mark.parametrize('src,dst', [('float64', 'int32'), ('float32', 'int64'),
                                     ('float64', 'float32'), ('int32', 'float32'),
                                     ('int64', 'float64'), ('int32', 'int8'),
                                     ('float64', 'uint8'), ('int32', 'bool'),
                                     ('bool', 'float64')])
def test_cast_and_astype(src, dst):
    rng = rng_for('cast', src, dst)
    x = T.TensorType(src, (F, F))('x')
    lo = 0 if dst.startswith('u') else -100
    v = rand(rng, (3, 4), src, lo, 100)
    if src.startswith('float'):
        v[0, :2] = [2.7, -2.7] if lo < 0 else [2.7, 0.5]  # truncation towards zero
    if src == 'int32' and dst == 'int8':
        v[0, 0] = 300  # wraps around, as numpy and C do
    expected = v.astype(dst)
    check(T.cast(x, dst), {x: v}, expected, dtype=dst)
    check(x.astype(dst), {x: v}, expected, dtype=dst)


def test_cast_to_own_dtype_is_identity():
    x = T.matrix('x')
    assert T.cast(x, 'float64') is x
    with pytest.raises(TypeError, match='flaot32'):
        T.cast(x, 'flaot32')


# ---------------------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------------------

AXES = [None, 0, 1, -1, (0, 2), (1,), [0, 1, 2], (-1, 0)]

REDUCTIONS = {
    # name: (symgraph function, numpy function, dtype rule)
    'sum': (T.sum, np.sum, lambda d: 'int64' if d in INTS else d),
    'prod': (T.prod, np.prod, lambda d: 'int64' if d in INTS else d),
    'mean': (T.mean, np.mean, lambda d: FLOAT_OUT[d] if d in INTS and d != 'int8' else
             ('float64' if d in INTS else d)),
    'max': (T.max, np.max, lambda d: d),
    'min': (T.min, np.min, lambda d: d),
    'var': (T.var, np.var, lambda d: 'float64' if d in INTS else d),
    'std': (T.std, np.std, lambda d: 'float64' if d in INTS else d),
}


def test_reduction_methods():
    x = T.tensor3('x')
    v = np.random.RandomState(5).randn(2, 3, 2)
    for name in ['sum', 'prod', 'mean', 'max', 'min', 'var', 'std']:
        for kw in [{}, dict(axis=1), dict(axis=(0, 2), keepdims=True)]:
            check(getattr(x, name)(**kw), {x: v}, getattr(np, name)(v, **kw))


@pytest.mark.parametrize('case', CASES)
@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int32'])
@pytest.mark.parametrize('name', sorted(REDUCTIONS))
def test_reduction(name, dtype, case):
    fn, ref, rule = REDUCTIONS[name]
    rng = rng_for(name, dtype, case)
    axis = AXES[rng.randint(len(AXES))]
    keepdims = bool(rng.rand() < 0.5)
    pattern = (F, rng.rand() < 0.3, F)
    x = var(dtype, pattern, 'x')
    lo, hi = (0.5, 1.5) if name == 'prod' else (-5, 5)
    v = rand(rng, shape_for(pattern, rng, 2, 3), dtype, lo, hi)
    out = fn(x, axis=axis, keepdims=keepdims)
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    expected = np.asarray(ref(v, axis=np_axis, keepdims=keepdims))
    check(out, {x: v}, expected.astype(rule(dtype)), dtype=rule(dtype),
          **(tol('float32') if 'float32' in (dtype, rule(dtype)) else {}))
    if keepdims:
        reduced = range(3) if axis is None else [a % 3 for a in np.atleast_1d(axis)]
        assert all(out.broadcastable[d] for d in reduced)


@pytest.mark.parametrize('case', CASES)
@pytest.mark.parametrize('fn', ['argmax', 'argmin'])
def test_argmax_argmin(fn, case):
    rng = rng_for(fn, case)
    x = T.imatrix('x')
    v = rng.randint(-2, 3, size=shape_for((F, F), rng, 2, 5)).astype('int32')  # with ties
    ref = getattr(np, fn)
    for axis in [None, 0, 1, -1]:
        check(getattr(T, fn)(x, axis=axis), {x: v}, ref(v, axis=axis), dtype='int64')
        check(getattr(x, fn)(axis=axis), {x: v}, ref(v, axis=axis), dtype='int64')
        if axis is not None:
            check(getattr(T, fn)(x, axis=axis, keepdims=True), {x: v},
                  np.expand_dims(ref(v, axis=axis), axis), dtype='int64')


def test_max_and_argmax_over_several_axes():
    x = T.tensor3('x')
    v = np.random.RandomState(3).randn(2, 3, 4)
    mx, arg = T.max_and_argmax(x, axis=(0, 2))
    check(mx, {x: v}, v.max(axis=(0, 2)))
    flat = v.transpose(1, 0, 2).reshape(3, -1)
    check(arg, {x: v}, flat.argmax(axis=1))


def test_reduction_of_integers_accumulates_wide():
    b = T.bvector('b')
    v = np.full(100, 100, dtype='int8')
    check(T.sum(b), {b: v}, 10000, dtype='int64')
    check(T.prod(b[:3]), {b: v}, 100 ** 3, dtype='int64')
    check(T.max(b), {b: v}, 100, dtype='int8')


def test_prod_with_zeros_and_negative_values():
    x = T.matrix('x')
    v = np.array([[0.0, 2.0, -3.0], [1.5, -2.0, 4.0]])
    for axis in [None, 0, 1]:
        check(T.prod(x, axis=axis), {x: v}, np.prod(v, axis=axis))


def test_var_std_with_ddof():
    x = T.matrix('x')
    v = np.random.RandomState(7).randn(4, 5)
    for axis in [None, 0, 1]:
        check(T.var(x, axis=axis, ddof=1), {x: v}, np.var(v, axis=axis, ddof=1))
        check(T.std(x, axis=axis, ddof=1), {x: v}, np.std(v, axis=axis, ddof=1))


def test_mean_serves_every_batch_size():
    x = T.matrix('x')
    f = theano.function([x], T.mean(x, axis=0))
    for n in (1, 5, 7):
        v = np.arange(n * 3, dtype='float64').reshape(n, 3)
        np.testing.assert_allclose(f(v), v.mean(axis=0))


def test_reduction_errors():
    x = T.matrix('x')
    with pytest.raises(ValueError, match='out of range'):
        T.sum(x, axis=2)
    with pytest.raises(TypeError, match='axis'):
        T.sum(x, axis=0.5)


# ---------------------------------------------------------------------------------------
# dot
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('case', CASES)
@pytest.mark.parametrize('dtype', FLOATS)
@pytest.mark.parametrize('nd', [(1, 1), (1, 2), (2, 1), (2, 2), (3, 2), (2, 3), (3, 3),
                                (1, 3), (3, 1), (0, 2), (2, 0)])
def test_dot(nd, dtype, case):
    rng = rng_for('dot', nd, dtype, case)
    na, nb = nd
    k = int(rng.randint(1, 5))
    sa = shape_for((F,) * (na - 1), rng) + (k,) if na else ()
    sb = ((k,) + shape_for((F,) * (nb - 1), rng) if nb < 2 else
          shape_for((F,) * (nb - 2), rng) + (k,) + shape_for((F,), rng)) if nb else ()
    a, b = var(dtype, (F,) * na, 'a'), var(dtype, (F,) * nb, 'b')
    av, bv = rand(rng, sa, dtype, -3, 3), rand(rng, sb, dtype, -3, 3)
    expected = np.dot(av, bv)
    check(T.dot(a, b), {a: av, b: bv}, expected, dtype=dtype, **tol(dtype))
    if na:
        check(a.dot(b), {a: av, b: bv}, expected, dtype=dtype, **tol(dtype))


def test_dot_of_integers():
    a, b = T.imatrix('a'), T.ivector('b')
    av, bv = np.arange(6, dtype='int32').reshape(2, 3) - 2, np.array([3, -1, 2], dtype='int32')
    check(T.dot(a, b), {a: av, b: bv}, np.dot(av, bv), dtype='int32')
    check(T.dot(b, a.T), {a: av, b: bv}, np.dot(bv, av.T), dtype='int32')
    check(T.dot(a, a.T), {a: av}, np.dot(av, av.T), dtype='int32')


def test_dot_with_broadcastable_and_mixed_dtypes():
    rng = rng_for('dot-mixed')
    w, x, b = T.fmatrix('W'), T.dmatrix('x'), T.TensorType('float32', (F, B))('b')
    wv, xv, bv = (rng.randn(3, 4).astype('float32'), rng.randn(4, 5),
                  rng.randn(3, 1).astype('float32'))
    check(T.dot(w, x) + b, {w: wv, x: xv, b: bv}, np.dot(wv, xv) + bv, dtype='float64')
    r = T.row('r')
    out = T.dot(r, x)
    assert out.broadcastable == (True, False)
    check(out, {r: xv[:1, :4], x: xv}, np.dot(xv[:1, :4], xv))


@pytest.mark.parametrize('axes,b_shape', [
    (2, (4, 2, 3)), (1, (2, 3, 5)), (0, (1, 2, 2)), ([[1], [0]], (4, 3, 2)),
    ([[0, 2], [1, 2]], (4, 3, 2)), ([[2], [1]], (4, 2, 3)), ([2, 0], (2, 1, 3))])
def test_tensordot(axes, b_shape):
    rng = rng_for('tensordot', str(axes))
    a, b = T.tensor3('a'), T.tensor3('b')
    av, bv = rng.randn(3, 4, 2), rng.randn(*b_shape)
    check(T.tensordot(a, b, axes), {a: av, b: bv}, np.tensordot(av, bv, axes))


def test_outer():
    u, v = T.vector('u'), T.vector('v')
    uv, vv = np.arange(3.0), np.arange(4.0) - 1
    check(T.outer(u, v), {u: uv, v: vv}, np.outer(uv, vv))


# ---------------------------------------------------------------------------------------
# Shapes: shape, reshape, flatten, dimshuffle, transpose
# ---------------------------------------------------------------------------------------

def test_shape():
    x = T.tensor3('x')
    v = np.zeros((2, 3, 4))
    check(x.shape, {x: v}, np.array(v.shape), dtype='int64')
    check(T.shape(x), {x: v}, np.array(v.shape), dtype='int64')
    check(x.shape[1], {x: v}, 3, dtype='int64')
    check(x.shape[-1], {x: v}, 4, dtype='int64')
    check(x.size, {x: v}, 24)
    assert x.ndim == 3 and x.dtype == 'float64'


@pytest.mark.parametrize('case', CASES)
def test_reshape(case):
    rng = rng_for('reshape', case)
    x = T.tensor3('x')
    s = shape_for((F, F, F), rng)
    v = rng.randn(*s)
    n = v.size
    check(x.reshape((n,)), {x: v}, v.reshape(n))
    check(T.reshape(x, (s[0], -1)), {x: v}, v.reshape(s[0], -1))
    check(x.reshape((-1, s[2])), {x: v}, v.reshape(-1, s[2]))
    check(x.reshape((1, n)), {x: v}, v.reshape(1, n))
    assert x.reshape((1, n)).broadcastable == (True, False)
    check(x.reshape(n), {x: v}, v.reshape(n))
    # Symbolic shapes: entries computed from x.shape, and a whole shape vector with ndim=.
    check(x.reshape((x.shape[0] * x.shape[1], x.shape[2])), {x: v}, v.reshape(-1, s[2]))
    check(x.reshape((x.shape[2], -1)), {x: v}, v.reshape(s[2], -1))
    check(T.reshape(x, x.shape[::-1], ndim=3), {x: v}, v.reshape(s[::-1]))
    with pytest.raises(ValueError):
        x.reshape((n + 1,)).eval({x: v})


def test_reshape_with_a_symbolic_shape_input():
    x, shp = T.vector('x'), T.lvector('shp')
    v = np.arange(6.0)
    check(T.reshape(x, shp, ndim=2), {x: v, shp: np.array([2, 3])}, v.reshape(2, 3))
    check(T.reshape(x, shp, ndim=2), {x: v, shp: np.array([3, -1])}, v.reshape(3, 2))
    # Compiled, a shape read from an input's *value* is worked out before the call (one
    # program per distinct shape), as Theano computes it when it runs.
    f = theano.function([x, shp], T.reshape(x, shp, ndim=2))
    np.testing.assert_array_equal(f(v, np.array([2, 3])), v.reshape(2, 3))
    np.testing.assert_array_equal(f(v, np.array([3, -1])), v.reshape(3, 2))


def test_compiled_shape_arithmetic_stays_static():
    x = T.tensor3('x')
    v = np.random.RandomState(0).randn(2, 3, 4)
    f = theano.function([x], [x.reshape((x.shape[0] * x.shape[1], x.shape[2])),
                              T.zeros((x.shape[1] + 1, 2)), T.arange(x.shape[0] * 2),
                              T.alloc(1.0, x.size), x.reshape((x.shape[0], -1)).mean(axis=0)])
    expected = [v.reshape(6, 4), np.zeros((4, 2)), np.arange(4), np.ones(24),
                v.reshape(2, -1).mean(axis=0)]
    for got, want in zip(f(v), expected):
        np.testing.assert_allclose(got, want)


@pytest.mark.parametrize('ndim', [1, 2, 3, 4])
def test_flatten(ndim):
    x = T.tensor4('x')
    v = np.random.RandomState(ndim).randn(2, 3, 1, 4)
    check(x.flatten(ndim), {x: v}, v.reshape(v.shape[:ndim - 1] + (-1,)))
    check(T.flatten(x, ndim), {x: v}, v.reshape(v.shape[:ndim - 1] + (-1,)))


def test_flatten_default_and_broadcastable():
    m = T.matrix('m')
    v = np.arange(6.0).reshape(2, 3)
    check(m.flatten(), {m: v}, v.ravel())
    check(T.flatten(m), {m: v}, v.ravel())
    r = T.row('r')
    assert r.flatten(2).broadcastable == (True, False)
    check(r.flatten(2), {r: v[:1]}, v[:1])


@pytest.mark.parametrize('pattern,np_fn', [
    ((1, 0), lambda v: v.T),
    ((0, 'x', 1), lambda v: v[:, None, :]),
    (('x', 0, 1), lambda v: v[None]),
    ((1, 'x', 0, 'x'), lambda v: v.T[:, None, :, None]),
    ((0, 1), lambda v: v),
])
def test_dimshuffle(pattern, np_fn):
    x = T.matrix('x')
    v = np.arange(6.0).reshape(2, 3)
    out = x.dimshuffle(*pattern)
    check(out, {x: v}, np_fn(v))
    check(x.dimshuffle(pattern), {x: v}, np_fn(v))
    assert out.broadcastable == tuple(p == 'x' for p in pattern)


def test_dimshuffle_drops_broadcastable_dimensions():
    c = T.col('c')
    v = np.arange(3.0).reshape(3, 1)
    check(c.dimshuffle(0), {c: v}, v[:, 0])
    check(c.dimshuffle('x', 0), {c: v}, v.T)
    check(c.dimshuffle(1, 0), {c: v}, v.T)
    t = T.TensorType('float64', (B, F, B))('t')
    tv = np.arange(4.0).reshape(1, 4, 1)
    check(t.dimshuffle(1), {t: tv}, tv.ravel())
    check(t.dimshuffle(2, 1, 0), {t: tv}, tv.transpose(2, 1, 0))
    check(t.dimshuffle('x', 1, 'x'), {t: tv}, tv.reshape(1, 4, 1))
    with pytest.raises(ValueError, match='non-broadcastable'):
        t.dimshuffle(0)


def test_transpose():
    x = T.tensor3('x')
    v = np.arange(24.0).reshape(2, 3, 4)
    check(x.T, {x: v}, v.T)
    check(x.transpose(), {x: v}, v.transpose())
    check(x.transpose(1, 0, 2), {x: v}, v.transpose(1, 0, 2))
    check(x.transpose((2, 0, 1)), {x: v}, v.transpose(2, 0, 1))
    check(T.transpose(x, (0, 2, 1)), {x: v}, v.transpose(0, 2, 1))
    m = T.col('m')
    assert m.T.broadcastable == (True, False)
    w = T.matrix('W')
    assert w.T.name == 'W.T'


# ---------------------------------------------------------------------------------------
# Joining and allocation
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('case', CASES)
def test_concatenate_and_join(case):
    rng = rng_for('concat', case)
    a, b, c = T.matrix('a'), T.matrix('b'), T.fmatrix('c')
    n, m = shape_for((F, F), rng)
    av, bv, cv = rng.randn(n, m), rng.randn(n + 1, m), rng.randn(n, m + 2).astype('float32')
    check(T.concatenate([a, b]), {a: av, b: bv}, np.concatenate([av, bv]))
    check(T.concatenate([a, b], axis=0), {a: av, b: bv}, np.concatenate([av, bv]))
    check(T.concatenate([a, c], axis=1), {a: av, c: cv}, np.concatenate([av, cv], axis=1),
          dtype='float64')
    check(T.concatenate([a, c, a], axis=-1), {a: av, c: cv},
          np.concatenate([av, cv, av], axis=-1))
    check(T.join(0, a, b, a), {a: av, b: bv}, np.concatenate([av, bv, av]))
    check(T.join(1, c, c), {c: cv}, np.concatenate([cv, cv], axis=1), dtype='float32')
    with pytest.raises(ValueError):
        T.concatenate([a, b], axis=1).eval({a: av, b: bv})


def test_join_of_rows_is_not_broadcastable_on_the_axis():
    r1, r2 = T.row('r1'), T.row('r2')
    out = T.concatenate([r1, r2])
    assert out.broadcastable == (False, False)
    check(out, {r1: np.ones((1, 3)), r2: np.zeros((1, 3))}, np.r_[np.ones((1, 3)),
                                                                  np.zeros((1, 3))])
    assert T.concatenate([r1, r2], axis=1).broadcastable == (True, False)


def test_stack():
    rng = rng_for('stack')
    a, b = T.matrix('a'), T.matrix('b')
    av, bv = rng.randn(2, 3), rng.randn(2, 3)
    check(T.stack([a, b]), {a: av, b: bv}, np.stack([av, bv]))
    check(T.stack([a, b], axis=1), {a: av, b: bv}, np.stack([av, bv], axis=1))
    check(T.stack([a, b], axis=2), {a: av, b: bv}, np.stack([av, bv], axis=2))
    check(T.stack([a, b], axis=-1), {a: av, b: bv}, np.stack([av, bv], axis=-1))
    s, i = T.scalar('s'), T.iscalar('i')
    check(T.stack([s, i, 2]), {s: 1.5, i: np.int32(3)}, np.array([1.5, 3, 2]), dtype='float64')
    u, v = T.ivector('u'), T.ivector('v')
    uv, vv = np.arange(3, dtype='int32'), np.arange(3, 6, dtype='int32')
    check(T.stack([u, v]), {u: uv, v: vv}, np.stack([uv, vv]), dtype='int32')


@pytest.mark.parametrize('args', [(5,), (2, 7), (7, 2, -1), (1, 10, 3), (0,), (-3, 3),
                                  (0.0, 1.0, 0.25), (5, 0, -2)])
def test_arange(args):
    out = T.arange(*args)
    expected = np.arange(*args)
    check(out, {}, expected.astype(out.dtype))
    if all(isinstance(a, int) for a in args):
        assert out.dtype == 'int64'


def test_arange_with_symbolic_bounds():
    y = T.ivector('y')
    n = T.lscalar('n')
    yv = np.array([2, 0, 1, 1], dtype='int32')
    check(T.arange(y.shape[0]), {y: yv}, np.arange(4), dtype='int64')
    check(T.arange(1, y.shape[0], 2), {y: yv}, np.arange(1, 4, 2))
    check(T.arange(n), {n: np.int64(3)}, np.arange(3))
    check(T.arange(n, 0, -1), {n: np.int64(3)}, np.arange(3, 0, -1))
    f = theano.function([y], T.arange(y.shape[0]) * 2)
    np.testing.assert_array_equal(f(yv), np.arange(4) * 2)
    np.testing.assert_array_equal(f(yv[:2]), np.arange(2) * 2)


def test_arange_of_function_inputs():
    """Bounds given as inputs are worked out before the call: one program per length."""
    n, m = T.lscalar('n'), T.lscalar('m')
    f = theano.function([n, m], T.arange(n, m, 2) ** 2)
    for a, b in [(1, 8), (0, 3), (1, 8)]:
        np.testing.assert_array_equal(f(a, b), np.arange(a, b, 2) ** 2)
    assert f.stats.programs == 2
    squares, _ = theano.scan(lambda i: i ** 2, sequences=T.arange(n))  # LXMLS Day 6, 6.2
    g = theano.function([n], squares)
    np.testing.assert_array_equal(g(10), np.arange(10) ** 2)


def test_alloc_zeros_ones():
    rng = rng_for('alloc')
    x = T.matrix('x')
    n = T.lscalar('n')
    v = rng.randn(2, 3)
    check(T.alloc(1.5, 2, 3), {}, np.full((2, 3), 1.5))
    check(T.alloc(T.constant(np.arange(3.0)), 2, 3), {}, np.broadcast_to(np.arange(3.0), (2, 3)))
    check(T.alloc(x, 4, 2, 3), {x: v}, np.broadcast_to(v, (4, 2, 3)))
    check(T.alloc(0.0, n, x.shape[1]), {n: np.int64(4), x: v}, np.zeros((4, 3)))
    assert T.alloc(0.0, 1, n).broadcastable == (True, False)
    check(T.zeros((2, 3)), {}, np.zeros((2, 3)), dtype='float64')
    check(T.ones((4,), dtype='int32'), {}, np.ones(4, dtype='int32'), dtype='int32')
    check(T.zeros(x.shape), {x: v}, np.zeros_like(v))
    check(T.ones((x.shape[1], 2), dtype='float32'), {x: v}, np.ones((3, 2), 'float32'))
    check(T.zeros(n, dtype='int8'), {n: np.int64(3)}, np.zeros(3, 'int8'))


def test_zeros_like_ones_like_fill():
    rng = rng_for('like')
    x, i = T.fmatrix('x'), T.ivector('i')
    v, iv = rng.randn(2, 3).astype('float32'), np.array([4, 5, 6], dtype='int32')
    check(T.zeros_like(x), {x: v}, np.zeros_like(v), dtype='float32')
    check(T.ones_like(x), {x: v}, np.ones_like(v), dtype='float32')
    check(T.ones_like(i), {i: iv}, np.ones_like(iv), dtype='int32')
    check(T.zeros_like(i, dtype='float64'), {i: iv}, np.zeros(3), dtype='float64')
    check(T.fill(x, 3.0), {x: v}, np.full_like(v, 3.0), dtype='float32')
    check(T.fill(i, 7), {i: iv}, np.full(3, 7))
    s = T.scalar('s')
    check(T.fill(x, s), {x: v, s: 2.5}, np.full((2, 3), 2.5), dtype='float64')


@pytest.mark.parametrize('args', [(3,), (2, 4, 1), (4, 3, -1)])
def test_eye(args):
    check(T.eye(*args), {}, np.eye(*args), dtype='float64')
    n = T.lscalar('n')
    check(T.eye(n, dtype='int32'), {n: np.int64(args[0])}, np.eye(args[0], dtype='int32'),
          dtype='int32')


# ---------------------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------------------

BASIC_INDICES = [
    (2,), (-1,), (0, -2), (slice(1, 3),), (slice(None, None, -1),), (slice(-2, None),),
    (slice(None, -1),), (slice(None, None, 2),), (slice(4, 0, -2),), (slice(-1, -4, -1),),
    (slice(1, None), 2), (-1, slice(None, None, -2)), (slice(None), slice(1, -1)),
    (slice(10, 20),), (slice(-20, 2),), (Ellipsis, 1), (slice(None, None, 3), slice(-1, None)),
]


@pytest.mark.parametrize('index', BASIC_INDICES, ids=str)
def test_basic_indexing(index):
    x = T.matrix('x')
    v = np.arange(20.0).reshape(5, 4)
    check(x[index if len(index) > 1 else index[0]], {x: v}, v[index])


def test_indexing_with_symbolic_scalars():
    x = T.matrix('x')
    i, j = T.lscalar('i'), T.iscalar('j')
    v = np.arange(20.0).reshape(5, 4)
    givens = {x: v, i: np.int64(1), j: np.int32(3)}
    check(x[i], givens, v[1])
    check(x[i, j], givens, v[1, 3])
    check(x[-i], givens, v[-1])
    check(x[i:j], givens, v[1:3])
    check(x[:, i:], givens, v[:, 1:])
    check(x[j:i:-1], givens, v[3:1:-1])
    check(x[-j:], givens, v[-3:])
    check(x[::i + 1], givens, v[::2])


def test_compiled_slices_with_symbolic_bounds_and_steps():
    x = T.vector('x')
    s, i = T.lscalar('s'), T.lscalar('i')
    f = theano.function([x, s, i], [x[::s], x[i::s], x[::-s], x[i::-s], x[:i + 5:s], x[-i:],
                                     x[:-i], x[i], x[-i], x[i:i + 3] * 2])
    v = np.arange(10.0)
    for sv, iv in [(3, 2), (1, 0), (4, 9)]:
        expected = [v[::sv], v[iv::sv], v[::-sv], v[iv::-sv], v[:iv + 5:sv], v[-iv:], v[:-iv],
                    v[iv], v[-iv], v[iv:iv + 3] * 2]
        for k, (got, want) in enumerate(zip(f(v, sv, iv), expected)):
            np.testing.assert_array_equal(got, want, err_msg='output %d, s=%d, i=%d'
                                          % (k, sv, iv))


@pytest.mark.parametrize('i', [0, 1, 2])
def test_minibatch_slices_with_a_short_last_batch(i):
    X, y = T.matrix('X'), T.ivector('y')
    index = T.lscalar('index')
    bs = 3
    xv = np.arange(21.0).reshape(7, 3)
    yv = np.arange(7, dtype='int32')
    rows = X[index * bs:(index + 1) * bs]
    check(rows, {X: xv, index: np.int64(i)}, xv[i * bs:(i + 1) * bs])
    cols = X.T[:, index * bs:(index + 1) * bs]
    check(cols, {X: xv, index: np.int64(i)}, xv.T[:, i * bs:(i + 1) * bs])
    check(y[index * bs:(index + 1) * bs], {y: yv, index: np.int64(i)}, yv[i * bs:(i + 1) * bs])


@functools.lru_cache(maxsize=None)
def _minibatch_functions():
    data = theano.shared(np.arange(21.0).reshape(7, 3), name='data')
    labels = theano.shared(np.arange(7, dtype='int32'), name='labels')
    index = T.lscalar('index')
    x, y = T.matrix('x'), T.ivector('y')
    bs = 3
    f = theano.function([index], [x.sum(axis=1), y * 2],
                        givens={x: data[index * bs:(index + 1) * bs],
                                y: labels[index * bs:(index + 1) * bs]})
    X = T.matrix('X')
    g = theano.function([X, index], X[:, index * bs:(index + 1) * bs])
    return f, g


@pytest.mark.parametrize('i', [0, 1, 2, 3])
def test_compiled_minibatch_slices(i):
    f, g = _minibatch_functions()
    xv = np.arange(21.0).reshape(7, 3)
    s, y2 = f(i)
    np.testing.assert_allclose(s, xv[3 * i:3 * i + 3].sum(axis=1))
    np.testing.assert_array_equal(y2, np.arange(7)[3 * i:3 * i + 3] * 2)
    np.testing.assert_allclose(g(xv.T, i), xv.T[:, 3 * i:3 * i + 3])


def test_newaxis():
    x = T.vector('x')
    m = T.matrix('m')
    v, mv = np.arange(3.0), np.arange(6.0).reshape(2, 3)
    check(x[None, :], {x: v}, v[None, :])
    check(x[:, None], {x: v}, v[:, None])
    check(x[None], {x: v}, v[None])
    assert x[None, :].broadcastable == (True, False)
    check(m[:, None, 1:], {m: mv}, mv[:, None, 1:])
    check(m[None, 1], {m: mv}, mv[None, 1])
    check(m[1, None], {m: mv}, mv[1, None])


@pytest.mark.parametrize('case', CASES)
def test_advanced_indexing(case):
    rng = rng_for('advanced', case)
    n, m = shape_for((F, F), rng, 2, 5)
    x = T.matrix('x')
    iv = T.ivector('iv')
    lv = T.lvector('lv')
    xv = rng.randn(n, m)
    rows = rng.randint(0, n, size=6).astype('int32')  # repeated indices on purpose
    cols = rng.randint(-m, m, size=6).astype('int64')  # negative ones too
    check(x[iv], {x: xv, iv: rows}, xv[rows])
    check(x[:, lv], {x: xv, lv: cols}, xv[:, cols])
    check(x[iv, lv], {x: xv, iv: rows, lv: cols}, xv[rows, cols])
    check(x[iv][:, lv], {x: xv, iv: rows, lv: cols}, xv[rows][:, cols])
    check(x[[0, -1, 0]], {x: xv}, xv[[0, -1, 0]])
    check(x[np.array([1, 0])], {x: xv}, xv[[1, 0]])
    check(x[iv, 1], {x: xv, iv: rows}, xv[rows, 1])
    check(x[1:, lv], {x: xv, lv: cols}, xv[1:, cols])
    t = T.tensor3('t')
    tv = rng.randn(3, n, m)
    check(t[:, iv], {t: tv, iv: rows}, tv[:, rows])
    check(t[iv, :, lv], {t: tv, iv: rows % 3, lv: cols}, tv[rows % 3, :, cols])
    check(t[:, iv, lv], {t: tv, iv: rows, lv: cols}, tv[:, rows, cols])


def test_advanced_indexing_with_an_index_matrix():
    emb = T.matrix('emb')
    idx = T.imatrix('idx')
    ev = np.arange(12.0).reshape(6, 2)
    iv = np.array([[0, 5, 5], [1, 2, 0]], dtype='int32')
    check(emb[idx], {emb: ev, idx: iv}, ev[iv])
    check(emb[idx.flatten()], {emb: ev, idx: iv}, ev[iv.ravel()])
    check(emb[idx].reshape((idx.shape[0], -1)), {emb: ev, idx: iv}, ev[iv].reshape(2, -1))


def test_lxmls_pair_index():
    """``p[y, T.arange(n)]``: one class per column, as in LXMLS's cost."""
    rng = rng_for('pair')
    p = T.matrix('p')
    y = T.ivector('y')
    pv = rng.rand(4, 6)
    yv = rng.randint(0, 4, size=6).astype('int32')
    out = p[y, T.arange(y.shape[0])]
    check(out, {p: pv, y: yv}, pv[yv, np.arange(6)])
    check(T.log(p.T)[T.arange(y.shape[0]), y], {p: pv, y: yv}, np.log(pv.T)[np.arange(6), yv])


def test_boolean_constant_mask():
    x = T.vector('x')
    v = np.arange(4.0)
    mask = np.array([True, False, True, True])
    check(x[mask], {x: v}, v[mask])


def test_index_out_of_bounds():
    x = T.vector('x')
    with pytest.raises(IndexError):
        x[5].eval({x: np.zeros(3)})
    with pytest.raises(IndexError):
        x[[0, 3]].eval({x: np.zeros(3)})


# ---------------------------------------------------------------------------------------
# set_subtensor / inc_subtensor
# ---------------------------------------------------------------------------------------

def _np_set(v, index, y):
    out = v.copy()
    out[index] = y
    return out


def _np_inc(v, index, y):
    out = v.copy()
    np.add.at(out, index, y)
    return out


@pytest.mark.parametrize('index', [(1,), (slice(1, 3),), (slice(None), 2),
                                   (slice(None, None, -2),), (-1, slice(1, None)),
                                   (slice(None), slice(None, None, 2))], ids=str)
@pytest.mark.parametrize('ybcast', [False, True])
def test_set_and_inc_subtensor_on_basic_indices(index, ybcast):
    rng = rng_for('setinc', str(index), ybcast)
    x = T.matrix('x')
    xv = rng.randn(4, 5)
    target = xv[index]
    yv = rng.randn(*target.shape)
    y = var('float64', (F,) * target.ndim, 'y')
    if ybcast:  # a scalar value broadcast into the part
        y, yv = T.scalar('y'), np.float64(2.5)
    sub = x[index if len(index) > 1 else index[0]]
    check(T.set_subtensor(sub, y), {x: xv, y: yv}, _np_set(xv, index, yv))
    check(T.inc_subtensor(sub, y), {x: xv, y: yv}, _np_inc(xv, index, yv))


def test_set_inc_subtensor_with_symbolic_bounds():
    x = T.matrix('x')
    i = T.lscalar('i')
    xv = np.arange(12.0).reshape(4, 3)
    for iv in [0, 1, 2]:
        part = x[i:i + 2]
        yv = np.ones((len(xv[iv:iv + 2]), 3))
        y = T.matrix('y')
        check(T.set_subtensor(part, y), {x: xv, y: yv, i: np.int64(iv)},
              _np_set(xv, np.s_[iv:iv + 2], yv))
        check(T.inc_subtensor(part, 10.0), {x: xv, i: np.int64(iv)},
              _np_inc(xv, np.s_[iv:iv + 2], 10.0))
        check(T.inc_subtensor(x[:, i], 1.0), {x: xv, i: np.int64(iv)},
              _np_inc(xv, np.s_[:, iv], 1.0))


def test_set_inc_subtensor_with_advanced_indices():
    rng = rng_for('adv-setinc')
    x = T.matrix('x')
    idx = T.ivector('idx')
    xv = rng.randn(5, 3)
    iv = np.array([0, 3, 0, 0, 4], dtype='int32')  # repeated: increments must accumulate
    y = T.matrix('y')
    yv = rng.randn(5, 3)
    check(T.inc_subtensor(x[idx], y), {x: xv, idx: iv, y: yv}, _np_inc(xv, iv, yv))
    check(T.inc_subtensor(x[idx], 1.0), {x: xv, idx: iv}, _np_inc(xv, iv, 1.0))
    unique = np.array([4, 1, 2], dtype='int32')
    check(T.set_subtensor(x[idx], y[:3]), {x: xv, idx: unique, y: yv},
          _np_set(xv, unique, yv[:3]))
    check(T.set_subtensor(x[idx], 0), {x: xv, idx: iv}, _np_set(xv, iv, 0))
    # x[:, ivec]
    cols = np.array([2, 0, 2], dtype='int32')
    z = T.matrix('z')
    zv = rng.randn(5, 3)
    check(T.inc_subtensor(x[:, idx], z), {x: xv, idx: cols, z: zv},
          _np_inc(xv, np.s_[:, cols], zv))
    check(T.set_subtensor(x[:, idx], 1 - x[:, idx]), {x: xv, idx: cols[:2]},
          _np_set(xv, np.s_[:, cols[:2]], 1 - xv[:, cols[:2]]))
    # pair indices x[ivec, ivec]
    r, c = np.array([0, 1, 0], dtype='int32'), np.array([2, 2, 2], dtype='int32')
    jdx = T.ivector('jdx')
    w = T.vector('w')
    wv = np.array([1.0, 2.0, 3.0])
    check(T.inc_subtensor(x[idx, jdx], w), {x: xv, idx: r, jdx: c, w: wv},
          _np_inc(xv, (r, c), wv))
    check(T.set_subtensor(x[idx, jdx], w), {x: xv, idx: r[1:], jdx: c[1:], w: wv[1:]},
          _np_set(xv, (r[1:], c[1:]), wv[1:]))


def test_set_subtensor_keeps_the_type_and_casts_the_value():
    x = T.fmatrix('x')
    xv = np.zeros((2, 3), dtype='float32')
    out = T.set_subtensor(x[0], 1)
    assert out.type == x.type
    check(out, {x: xv}, _np_set(xv, 0, 1), dtype='float32')
    i = T.ivector('i')
    check(T.inc_subtensor(i[1:], 2), {i: np.zeros(3, 'int32')}, np.array([0, 2, 2]),
          dtype='int32')


def test_set_subtensor_needs_an_indexed_variable():
    x = T.vector('x')
    with pytest.raises(TypeError, match='subtensor'):
        T.set_subtensor(x * 2, 0)


# ---------------------------------------------------------------------------------------
# nnet
# ---------------------------------------------------------------------------------------

def np_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize('case', CASES)
@pytest.mark.parametrize('dtype', FLOATS)
def test_softmax_and_log_softmax(dtype, case):
    rng = rng_for('softmax', dtype, case)
    x = T.TensorType(dtype, (F, F))('x')
    v = (rng.randn(*shape_for((F, F), rng, 1, 5)) * 3).astype(dtype)
    check(T.nnet.softmax(x), {x: v}, np_softmax(v.astype('float64')).astype(dtype), dtype=dtype,
          **tol('float32'))
    check(T.nnet.softmax(x.T).T, {x: v}, np_softmax(v.T.astype('float64')).T, dtype=dtype,
          **tol('float32'))
    check(T.nnet.log_softmax(x), {x: v}, np.log(np_softmax(v.astype('float64'))), dtype=dtype,
          **tol('float32'))
    check(T.nnet.logsoftmax(x), {x: v}, np.log(np_softmax(v.astype('float64'))), dtype=dtype,
          **tol('float32'))


def test_softmax_is_stable_for_large_inputs():
    x = T.matrix('x')
    v = np.array([[1000.0, 0.0, -1000.0], [1e4, 1e4, 1e4]])
    check(T.nnet.softmax(x), {x: v}, np_softmax(v))
    check(T.nnet.log_softmax(x), {x: v}, v - v.max(1, keepdims=True) - np.log(
        np.exp(v - v.max(1, keepdims=True)).sum(1, keepdims=True)))


def test_softmax_of_a_vector_is_a_row():
    """As Theano 1.0.5: a vector is padded to a (1, n) row, with Theano's warning that
    later releases would return a vector."""
    x = T.vector('x')
    v = np.array([1.0, 2.0, 3.0])
    with pytest.warns(UserWarning, match='DEPRECATION: If x is a vector, Softmax'):
        out = T.nnet.softmax(x)
    assert out.broadcastable == (True, False)
    check(out, {x: v}, np_softmax(v[None]))
    with pytest.warns(UserWarning, match='LogSoftmax will not automatically pad'):
        check(T.nnet.log_softmax(x), {x: v}, np.log(np_softmax(v[None])))


@pytest.mark.parametrize('dtype', FLOATS)
def test_sigmoid_softplus_relu(dtype):
    rng = rng_for('nnet-elem', dtype)
    x = T.TensorType(dtype, (F, F))('x')
    v = (rng.randn(3, 4) * 4).astype(dtype)
    v[0, :3] = [0.0, 50.0, -50.0]
    v64 = v.astype('float64')
    check(T.nnet.sigmoid(x), {x: v}, 1 / (1 + np.exp(-v64)), dtype=dtype, **tol(dtype))
    check(T.nnet.softplus(x), {x: v}, np.logaddexp(0, v64), dtype=dtype, **tol(dtype))
    check(T.nnet.relu(x), {x: v}, np.maximum(v, 0), dtype=dtype)
    # 0.55 and 0.45 are not float32 numbers, so under floatX=float64 they upcast (as in Theano).
    check(T.nnet.relu(x, alpha=0.1), {x: v}, np.where(v > 0, v64, 0.1 * v64),
          dtype='float64', **tol(dtype))
    check(T.nnet.relu(x, alpha=0.5), {x: v}, np.where(v > 0, v64, 0.5 * v64), dtype=dtype,
          **tol(dtype))


def test_categorical_crossentropy():
    rng = rng_for('cce')
    p = T.matrix('p')
    y = T.ivector('y')
    onehot = T.matrix('onehot')
    pv = np_softmax(rng.randn(5, 4))
    yv = rng.randint(0, 4, size=5).astype('int32')
    ohv = np.eye(4)[yv]
    expected = -np.log(pv[np.arange(5), yv])
    check(T.nnet.categorical_crossentropy(p, y), {p: pv, y: yv}, expected)
    check(T.nnet.categorical_crossentropy(p, onehot), {p: pv, onehot: ohv}, expected)
    soft = np_softmax(rng.randn(5, 4))
    check(T.nnet.categorical_crossentropy(p, onehot), {p: pv, onehot: soft},
          -(soft * np.log(pv)).sum(axis=1))
    check(T.nnet.categorical_crossentropy(T.nnet.softmax(p), y), {p: pv, y: yv},
          -np.log(np_softmax(pv)[np.arange(5), yv]))


def test_binary_crossentropy():
    rng = rng_for('bce')
    o, t = T.matrix('o'), T.matrix('t')
    ov, tv = rng.uniform(0.05, 0.95, size=(3, 4)), (rng.rand(3, 4) > 0.5).astype('float64')
    expected = -(tv * np.log(ov) + (1 - tv) * np.log(1 - ov))
    check(T.nnet.binary_crossentropy(o, t), {o: ov, t: tv}, expected)
    f = T.fvector('f')
    fv = np.array([0.2, 0.7], dtype='float32')
    check(T.nnet.binary_crossentropy(f, f), {f: fv},
          -(fv * np.log(fv) + (1 - fv) * np.log(1 - fv)), dtype='float32', **tol('float32'))


# ---------------------------------------------------------------------------------------
# The compiled path agrees with eval and numpy
# ---------------------------------------------------------------------------------------

def _compiled_cases():
    """(expression builder, numpy reference) over inputs a (matrix), r (row), c (col),
    i (int vector of row indices), n (int scalar)."""
    return [
        (lambda a, r, c, i, n: T.exp(a) * r + c, lambda a, r, c, i, n: np.exp(a) * r + c),
        (lambda a, r, c, i, n: T.log1p(abs(a)) - T.sqrt(abs(r)) / (1 + c ** 2),
         lambda a, r, c, i, n: np.log1p(abs(a)) - np.sqrt(abs(r)) / (1 + c ** 2)),
        (lambda a, r, c, i, n: T.maximum(a, r) // 0.5 % 3,
         lambda a, r, c, i, n: np.maximum(a, r) // 0.5 % 3),
        (lambda a, r, c, i, n: T.switch(a > c, a, r), lambda a, r, c, i, n: np.where(a > c, a, r)),
        (lambda a, r, c, i, n: T.clip(a, -1, 1).sum(axis=0),
         lambda a, r, c, i, n: np.clip(a, -1, 1).sum(axis=0)),
        (lambda a, r, c, i, n: a.mean(axis=1, keepdims=True) + a.var(),
         lambda a, r, c, i, n: a.mean(axis=1, keepdims=True) + a.var()),
        (lambda a, r, c, i, n: T.max(a, axis=0) - T.min(a) + T.prod(a, axis=1).sum(),
         lambda a, r, c, i, n: a.max(0) - a.min() + a.prod(1).sum()),
        (lambda a, r, c, i, n: T.argmax(a, axis=1), lambda a, r, c, i, n: a.argmax(1)),
        (lambda a, r, c, i, n: T.dot(a.T, a) + T.dot(r, a.T).sum(),
         lambda a, r, c, i, n: a.T @ a + (r @ a.T).sum()),
        (lambda a, r, c, i, n: a.reshape((-1,))[::2], lambda a, r, c, i, n: a.reshape(-1)[::2]),
        (lambda a, r, c, i, n: T.concatenate([a, r, a[-1:]]),
         lambda a, r, c, i, n: np.concatenate([a, r, a[-1:]])),
        (lambda a, r, c, i, n: a[i], lambda a, r, c, i, n: a[i]),
        (lambda a, r, c, i, n: a[i, T.arange(i.shape[0]) % a.shape[1]],
         lambda a, r, c, i, n: a[i, np.arange(len(i)) % a.shape[1]]),
        (lambda a, r, c, i, n: T.inc_subtensor(a[i], 1.0),
         lambda a, r, c, i, n: _np_inc(a, i, 1.0)),
        (lambda a, r, c, i, n: T.set_subtensor(a[n:], 0.0),
         lambda a, r, c, i, n: _np_set(a, np.s_[n:], 0.0)),
        (lambda a, r, c, i, n: a[:n + 1].sum(axis=0), lambda a, r, c, i, n: a[:n + 1].sum(0)),
        (lambda a, r, c, i, n: T.nnet.softmax(a) + T.nnet.sigmoid(c),
         lambda a, r, c, i, n: np_softmax(a) + 1 / (1 + np.exp(-c))),
        (lambda a, r, c, i, n: T.nnet.categorical_crossentropy(T.nnet.softmax(a.T),
                                                               i[:a.shape[1]] % a.shape[0]),
         lambda a, r, c, i, n: -np.log(np_softmax(a.T)[np.arange(a.shape[1]),
                                                      i[:a.shape[1]] % a.shape[0]])),
        (lambda a, r, c, i, n: T.cast(a * 10, 'int32') + T.zeros_like(i).sum(),
         lambda a, r, c, i, n: (a * 10).astype('int32')),
        (lambda a, r, c, i, n: T.alloc(c, a.shape[0], 2) * T.ones_like(c),
         lambda a, r, c, i, n: np.broadcast_to(c, (a.shape[0], 2)) * 1),
        (lambda a, r, c, i, n: T.stack([a.sum(), n]) + T.eye(2)[0],
         lambda a, r, c, i, n: np.array([a.sum(), n]) + np.eye(2)[0]),
        (lambda a, r, c, i, n: a.flatten(2).dimshuffle(1, 'x', 0),
         lambda a, r, c, i, n: a.T[:, None, :]),
    ]


@functools.lru_cache(maxsize=None)
def _compiled(dtype):
    a = T.TensorType(dtype, (F, F))('a')
    r = T.TensorType(dtype, (B, F))('r')
    c = T.TensorType(dtype, (F, B))('c')
    i, n = T.ivector('i'), T.lscalar('n')
    inputs = (a, r, c, i, n)
    outputs = [build(*inputs) for build, _ in _compiled_cases()]
    return inputs, outputs, theano.function(list(inputs), outputs)


@pytest.mark.parametrize('case', CASES)
@pytest.mark.parametrize('dtype', FLOATS)
def test_compiled_function_agrees_with_eval_and_numpy(dtype, case):
    """Every case against numpy; one also against eval (which is slow to warm up)."""
    rng = rng_for('compiled', dtype, case)
    inputs, outputs, fn = _compiled(dtype)
    n_rows, n_cols = int(rng.randint(2, 5)), int(rng.randint(2, 5))
    values = (rand(rng, (n_rows, n_cols), dtype), rand(rng, (1, n_cols), dtype),
              rand(rng, (n_rows, 1), dtype),
              rng.randint(0, n_rows, size=n_cols + 2).astype('int32'),
              np.int64(rng.randint(0, n_rows)))
    compiled = fn(*values)
    with_eval = case == 0 and dtype == 'float64'
    evaluated = [o.eval(dict(zip(inputs, values))) for o in outputs] if with_eval else compiled
    for k, ((_, ref), out, got, ev) in enumerate(zip(_compiled_cases(), outputs, compiled,
                                                     evaluated)):
        assert got.dtype == np.dtype(out.dtype), (k, got.dtype, out.type)
        assert ev.dtype == got.dtype, k
        expected = ref(*[v.astype('float64') if v.dtype.kind == 'f' else v for v in values])
        np.testing.assert_allclose(got, ev, err_msg='output %d: compiled != eval' % k,
                                   **tol(dtype))
        np.testing.assert_allclose(got, expected, err_msg='output %d: != numpy' % k,
                                   **(dict(rtol=2e-4, atol=2e-4) if dtype == 'float32'
                                      else tol(dtype)))
