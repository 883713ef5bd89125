"""Symbolic gradients: finite differences for every differentiable op, hand-derived values
where finite differences cannot decide (ties, zeros, repeated indices), the LXMLS Day 5
backpropagation, deep chains, the gradient-shaping ops, jacobian/hessian/Lop/Rop, and
the errors grad raises.

Random cases come from a fixed seed; ``SYMGRAPH_TEST_CASES`` (default 1) sets how many per
parametrized case and ``SYMGRAPH_TEST_SEED`` changes the seed.
"""
import os
import sys
import warnings
import zlib

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph import gradient
from symgraph.gradient import DisconnectedInputError, GradientError, verify_grad
from symgraph.graph.basic import Apply, Op

N_CASES = int(os.environ.get('SYMGRAPH_TEST_CASES', '1'))
SEED = int(os.environ.get('SYMGRAPH_TEST_SEED', '1234'))


def rng_for(*key):
    return np.random.RandomState((zlib.crc32(repr(key).encode()) + SEED) % 2 ** 32)


# ---------------------------------------------------------------------------------------
# verify_grad for every differentiable op
# ---------------------------------------------------------------------------------------
# Inputs are described by a shape (letters m, n, k are random lengths, 1 is 1) and a
# generator: U uniform, A uniform away from zero with random signs, G a grid of values
# 0.5 apart (offset so that kinks stay far from every value), D distinct grid values.

def U(shape, lo=-2.0, hi=2.0):
    return lambda rng, dims: rng.uniform(lo, hi, size=_shape(shape, dims))


def A(shape, lo=0.3, hi=2.0):
    def make(rng, dims):
        size = _shape(shape, dims)
        return rng.uniform(lo, hi, size=size) * rng.choice([-1.0, 1.0], size=size)
    return make


def G(shape, offset=0.25):
    return lambda rng, dims: rng.choice(np.arange(-4, 4) * 0.5 + offset,
                                        size=_shape(shape, dims))


def D(shape, offset=0.1):
    """Distinct values 0.5 apart (no ties for max and min)."""
    def make(rng, dims):
        size = _shape(shape, dims)
        return (rng.permutation(int(np.prod(size))) * 0.5 - 2 + offset).reshape(size)
    return make


def _shape(shape, dims):
    return tuple(int(c) if c.isdigit() else dims[c] for c in shape)


def P(shape):
    """Rows of probabilities (each row sums to 1)."""
    def make(rng, dims):
        p = rng.uniform(0.2, 1.0, size=_shape(shape, dims))
        return p / p.sum(axis=-1, keepdims=True)
    return make


def _pairs(a):
    """Constant-free integer targets, one per row, valid for any number of columns >= 2."""
    return T.arange(a.shape[0]) % 2


DIFFERENTIABLE = {
    # elementwise arithmetic, with broadcast patterns
    'add': (lambda a, b: a + b, [U('mn'), U('mn')]),
    'add_row': (lambda a, b: a + T.addbroadcast(b, 0), [U('mn'), U('1n')]),
    'sub_col': (lambda a, b: a - T.addbroadcast(b, 1), [U('mn'), U('m1')]),
    'mul_vector': (lambda a, b: a * b, [U('mn'), U('n')]),
    'mul_scalar': (lambda a, b: a * b, [U('mn'), U('')]),
    'mul_3d_pattern': (lambda a, b: a * T.addbroadcast(b, 0, 2), [U('mnk'), U('1n1')]),
    'true_div': (lambda a, b: a / b, [U('mn'), A('mn', 0.5, 2)]),
    'true_div_col': (lambda a, b: a / T.addbroadcast(b, 1), [U('mn'), A('m1', 0.5, 2)]),
    'rtrue_div': (lambda a: 2.0 / a, [A('mn', 0.5, 2)]),
    'pow': (lambda a, b: a ** b, [U('mn', 0.5, 2), U('mn')]),
    'pow_const': (lambda a: a ** 3 + 2 ** a, [U('mn')]),
    'neg': (lambda a: -a, [U('mn')]),
    'abs': (lambda a: abs(a), [A('mn')]),
    'exp': (T.exp, [U('mn')]),
    'log': (T.log, [U('mn', 0.5, 3)]),
    'log1p': (T.log1p, [U('mn', -0.5, 2)]),
    'sqrt': (T.sqrt, [U('mn', 0.5, 3)]),
    'sqr': (T.sqr, [U('mn')]),
    'tanh': (T.tanh, [U('mn')]),
    'erf': (T.erf, [U('mn')]),
    'sigmoid': (T.nnet.sigmoid, [U('mn', -4, 4)]),
    'softplus': (T.nnet.softplus, [U('mn', -4, 4)]),
    'relu': (T.nnet.relu, [A('mn')]),
    'maximum': (T.maximum, [G('mn', 0.1), G('mn', 0.35)]),
    'minimum_scalar': (lambda a, b: T.minimum(a, b), [G('mn', 0.1), G('', 0.35)]),
    'clip': (lambda a: T.clip(a, -1, 1), [G('mn')]),
    'clip_symbolic': (T.clip, [G('mn'), U('', -1.1, -0.9), U('', 0.9, 1.1)]),
    'switch': (lambda a, b: T.switch(a > 0, a * 2, b), [A('mn'), U('mn')]),
    'xlogx': (T.xlogx.xlogx, [U('mn', 0.5, 2)]),
    'xlogy0': (T.xlogx.xlogy0, [U('mn', 0.5, 2), U('mn', 0.5, 2)]),
    'mod': (lambda a, b: a % b, [U('mn', 2.2, 2.8), U('mn', 1.5, 1.7)]),
    'cast': (lambda a: T.cast(a, 'float64') * a, [U('mn')]),
    'fill': (lambda a, b: T.fill(a, b) * a, [U('mn'), U('')]),
    # reductions
    'sum': (lambda a: a.sum(), [U('mnk')]),
    'sum_axis': (lambda a: a.sum(axis=1), [U('mnk')]),
    'sum_axes_keepdims': (lambda a: T.sum(a, axis=(0, 2), keepdims=True), [U('mnk')]),
    'prod': (lambda a: a.prod(), [A('mn', 0.5, 1.5)]),
    'prod_axis': (lambda a: T.prod(a, axis=0), [A('mnk', 0.5, 1.5)]),
    'mean': (T.mean, [U('mnk')]),
    'mean_axis': (lambda a: a.mean(axis=-1), [U('mn')]),
    'max': (T.max, [D('mnk')]),
    'max_axis': (lambda a: T.max(a, axis=1), [D('mnk')]),
    'min_axis': (lambda a: a.min(axis=0, keepdims=True), [D('mn')]),
    'var': (lambda a: T.var(a, axis=0), [U('mn')]),
    'std': (T.std, [U('mn')]),
    'var_ddof': (lambda a: T.var(a, ddof=1), [U('mn')]),
    # products
    'dot_mm': (T.dot, [U('mn'), U('nk')]),
    'dot_mv': (T.dot, [U('mn'), U('n')]),
    'dot_vm': (T.dot, [U('m'), U('mn')]),
    'dot_vv': (T.dot, [U('n'), U('n')]),
    'dot_3d': (T.dot, [U('mnk'), U('kn')]),
    'tensordot': (lambda a, b: T.tensordot(a, b, [[0, 2], [1, 0]]), [U('mnk'), U('km')]),
    'outer': (T.outer, [U('m'), U('n')]),
    # shapes
    'reshape': (lambda a: a.reshape((a.shape[0] * a.shape[1], -1)), [U('mnk')]),
    'flatten': (lambda a: a.flatten(2), [U('mnk')]),
    'dimshuffle': (lambda a: a.dimshuffle(1, 'x', 0), [U('mn')]),
    'dimshuffle_drop': (lambda a: T.addbroadcast(a, 1).dimshuffle(0), [U('m1')]),
    'transpose': (lambda a: a.T * T.arange(a.shape[0]), [U('mn')]),
    'concatenate': (lambda a, b: T.concatenate([a, b, a]), [U('mn'), U('kn')]),
    'concatenate_axis1': (lambda a, b: T.concatenate([a, b], axis=1), [U('mn'), U('mk')]),
    'stack': (lambda a, b: T.stack([a, b], axis=1), [U('mn'), U('mn')]),
    'stack_scalars': (lambda a, b: T.stack([a, b, a * b]), [U(''), U('')]),
    'alloc': (lambda a: T.alloc(a, 3, a.shape[0], a.shape[1]), [U('mn')]),
    'alloc_row': (lambda a: T.alloc(T.addbroadcast(a, 0), 4, a.shape[1]), [U('1n')]),
    # indexing
    'subtensor': (lambda a: a[1:, ::-1] * a[-1], [U('mn')]),
    'subtensor_int': (lambda a: a[0, -1] * a[1], [U('mn')]),
    'advanced_rows': (lambda a: a[[0, 1, 0, 0]], [U('mn')]),
    'advanced_cols': (lambda a: a[:, [1, 0, 1]], [U('mn')]),
    'advanced_pair': (lambda a: a[[0, 1, 1, 0], [1, 0, 1, 1]], [U('mn')]),
    'advanced_arange': (lambda a: a[_pairs(a), T.arange(a.shape[0])], [U('mm')]),
    'set_subtensor': (lambda a, b: T.set_subtensor(a[:1], b) ** 2, [U('mn'), U('1n')]),
    'inc_subtensor': (lambda a, b: T.inc_subtensor(a[:, 1], b) ** 2, [U('mn'), U('')]),
    'set_advanced': (lambda a, b: T.set_subtensor(a[[1, 0]], b) * a, [U('mn'), U('2n')]),
    'inc_advanced_repeated': (lambda a, b: T.inc_subtensor(a[[0, 0, 1]], b) ** 2,
                              [U('mn'), U('3n')]),
    'inc_advanced_cols': (lambda a, b: T.inc_subtensor(a[:, [0, 0]], b) ** 2,
                          [U('mn'), U('m2')]),
    # nnet
    'softmax': (T.nnet.softmax, [U('mn')]),
    'softmax_columns': (lambda a: T.nnet.softmax(a.T).T, [U('mn')]),
    'log_softmax': (T.nnet.log_softmax, [U('mn')]),
    'categorical_crossentropy_int': (
        lambda a: T.nnet.categorical_crossentropy(T.nnet.softmax(a), _pairs(a)), [U('mn')]),
    'categorical_crossentropy_onehot': (
        lambda a, b: T.nnet.categorical_crossentropy(T.nnet.softmax(a), b), [U('mn'), P('mn')]),
    'categorical_crossentropy_probs': (
        lambda p: T.nnet.categorical_crossentropy(p, _pairs(p)), [P('mn')]),
    'binary_crossentropy': (lambda a, t: T.nnet.binary_crossentropy(T.nnet.sigmoid(a), t),
                            [U('mn'), U('mn', 0.05, 0.95)]),
    'binary_crossentropy_probs': (T.nnet.binary_crossentropy,
                                  [U('mn', 0.2, 0.8), U('mn', 0.05, 0.95)]),
}

# float32 finite differences are coarse; these tolerances are verify_grad's defaults for
# float32 (1e-2), loosened where the function's curvature makes eps=3e-3 too large.
FLOAT32_TOL = {'pow': 3e-2, 'pow_const': 3e-2, 'exp': 2e-2, 'prod': 2e-2, 'prod_axis': 2e-2}


@pytest.mark.parametrize('case', range(N_CASES))
@pytest.mark.parametrize('dtype', ['float64', 'float32'])
@pytest.mark.parametrize('name', sorted(DIFFERENTIABLE))
def test_verify_grad(name, dtype, case):
    fun, makers = DIFFERENTIABLE[name]
    rng = rng_for(name, dtype, case)
    dims = dict(m=int(rng.randint(2, 4)), n=int(rng.randint(2, 4)), k=int(rng.randint(2, 4)))
    pt = [np.asarray(make(rng, dims), dtype=dtype) for make in makers]
    tol = FLOAT32_TOL.get(name) if dtype == 'float32' else None
    verify_grad(fun, pt, n_tests=1, rng=rng, abs_tol=tol, rel_tol=tol)


class _BrokenSquare(Op):
    """x ** 2 with the gradient of x ** 3 (deliberately wrong)."""

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return Apply(self, [x], [x.type])

    def jax_impl(self, node, x):
        return x ** 2

    def grad(self, node, output_grads):
        (x,), (g,) = node.inputs, output_grads
        return [g * 3 * x ** 2]


class _ForgetsBroadcast(Op):
    """x * 2, whose gradient forgets a factor only on the last element (subtly wrong)."""

    def make_node(self, x):
        x = T.as_tensor_variable(x)
        return Apply(self, [x], [x.type])

    def jax_impl(self, node, x):
        return x * 2

    def grad(self, node, output_grads):
        (g,) = output_grads
        return [T.set_subtensor((g * 2)[-1], g[-1])]


@pytest.mark.parametrize('dtype', ['float64', 'float32'])
def test_verify_grad_fails_on_a_wrong_gradient(dtype):
    rng = rng_for('broken', dtype)
    pt = [rng.uniform(0.5, 2, size=(3, 2)).astype(dtype)]
    with pytest.raises(GradientError) as err:
        verify_grad(_BrokenSquare(), pt, rng=rng)
    assert 'input 0' in str(err.value) and 'finite differences' in str(err.value)
    with pytest.raises(GradientError):
        verify_grad(lambda v: _ForgetsBroadcast()(v), [rng.randn(4).astype(dtype)], rng=rng)
    verify_grad(lambda v: v ** 2, pt, rng=rng)  # the correct one passes


# ---------------------------------------------------------------------------------------
# Hand-derived gradients where finite differences are not defined
# ---------------------------------------------------------------------------------------

def _grad_value(cost, wrt, givens):
    return T.grad(cost, wrt).eval(givens)


def test_max_and_min_with_ties_give_every_tied_element_the_gradient():
    """Theano 1.0.5 (checked with the oracle): d max / dx = 1 at every maximal element."""
    x = T.matrix('x')
    v = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    np.testing.assert_array_equal(_grad_value(T.max(x), x, {x: v}),
                                  [[0, 1, 1], [0, 0, 0]])
    np.testing.assert_array_equal(_grad_value(T.max(x, axis=1).sum(), x, {x: v}),
                                  [[0, 1, 1], [1, 1, 0]])
    np.testing.assert_array_equal(_grad_value(T.max(x, axis=0).sum(), x, {x: v}),
                                  [[0, 1, 1], [1, 0, 0]])
    np.testing.assert_array_equal(_grad_value(T.min(x), x, {x: -v}),
                                  [[0, 1, 1], [0, 0, 0]])
    np.testing.assert_array_equal(_grad_value(T.min(x, axis=0).sum(), x, {x: v}),
                                  [[1, 0, 0], [0, 1, 1]])
    w = T.matrix('w')  # weighted, through keepdims
    wv = np.array([[1.0], [10.0]])
    cost = (T.max(x, axis=1, keepdims=True) * w).sum()
    np.testing.assert_array_equal(_grad_value(cost, x, {x: v, w: wv}),
                                  [[0, 1, 1], [10, 10, 0]])
    np.testing.assert_array_equal(_grad_value(T.maximum(x, 2.0).sum(), x, {x: v}),
                                  [[0, 1, 1], [1, 1, 0]])


@pytest.mark.parametrize('values,expected', [
    ([2.0, 3.0, 4.0], [12.0, 8.0, 6.0]),
    ([2.0, 0.0, 4.0], [0.0, 8.0, 0.0]),    # one zero: only the zero gets a gradient
    ([0.0, 3.0, 0.0], [0.0, 0.0, 0.0]),    # two zeros: nothing does
    ([0.0, 0.0, 0.0], [0.0, 0.0, 0.0]),
    ([-1.5, 0.0, 2.0], [0.0, -3.0, 0.0]),
])
def test_prod_gradient_with_zeros(values, expected):
    u = T.vector('u')
    np.testing.assert_array_equal(_grad_value(T.prod(u), u, {u: np.array(values)}), expected)
    f = theano.function([u], T.grad(T.prod(u), u))
    np.testing.assert_array_equal(f(np.array(values)), expected)


def test_prod_gradient_with_zeros_along_an_axis():
    x = T.matrix('x')
    v = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(_grad_value(T.prod(x, axis=1).sum(), x, {x: v}),
                                  [[6, 0, 0], [0, 0, 0], [6, 3, 2]])
    np.testing.assert_array_equal(_grad_value(T.prod(x, axis=0).sum(), x, {x: v}),
                                  [[0, 0, 15], [0, 4, 9], [0, 0, 15]])


def test_advanced_indexing_gradient_accumulates_repeated_indices():
    x = T.vector('x')
    m = T.matrix('m')
    idx = T.ivector('idx')
    iv = np.array([0, 0, 2, 0], dtype='int32')
    weights = np.arange(4.0)
    cost = (x[idx] * weights).sum()
    np.testing.assert_array_equal(_grad_value(cost, x, {x: np.zeros(3), idx: iv}),
                                  [0 + 1 + 3, 0, 2])
    f = theano.function([x, idx], T.grad(cost, x))
    np.testing.assert_array_equal(f(np.zeros(3), iv), [4, 0, 2])
    # rows, columns and pairs
    mv = np.zeros((3, 2))
    np.testing.assert_array_equal(_grad_value(m[idx].sum(), m, {m: mv, idx: iv}),
                                  [[3, 3], [0, 0], [1, 1]])
    cols = np.array([1, 1, 0], dtype='int32')
    np.testing.assert_array_equal(_grad_value((m[:, idx] * np.arange(3.0)).sum(), m,
                                              {m: mv, idx: cols}),
                                  [[2, 1], [2, 1], [2, 1]])
    jdx = T.ivector('jdx')
    rows, cols = np.array([0, 2, 0], dtype='int32'), np.array([1, 0, 1], dtype='int32')
    np.testing.assert_array_equal(_grad_value(m[idx, jdx].sum(), m, {m: mv, idx: rows,
                                                                     jdx: cols}),
                                  [[0, 2], [0, 0], [1, 0]])


def test_set_and_inc_subtensor_gradients():
    x, y = T.matrix('x'), T.vector('y')
    xv, yv = np.arange(6.0).reshape(2, 3), np.array([10.0, 20.0, 30.0])
    weights = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    g = {x: xv, y: yv}
    # set: the overwritten part of x gets no gradient; y gets the gradient of that part.
    out = (T.set_subtensor(x[1], y) * weights).sum()
    np.testing.assert_array_equal(_grad_value(out, x, g), [[1, 2, 3], [0, 0, 0]])
    np.testing.assert_array_equal(_grad_value(out, y, g), [4, 5, 6])
    # inc: x gets the whole gradient; y the gradient of the part.
    out = (T.inc_subtensor(x[:, 1:], y[:2]) * weights).sum()
    np.testing.assert_array_equal(_grad_value(out, x, g), weights)
    np.testing.assert_array_equal(_grad_value(out, y, g), [2 + 5, 3 + 6, 0])
    # a scalar increment broadcast over the part gets the sum
    s = T.scalar('s')
    out = (T.inc_subtensor(x[0], s) * weights).sum()
    np.testing.assert_array_equal(_grad_value(out, s, {x: xv, s: 1.0}), 6)
    # advanced, with repeated indices: x[idx] += y accumulates, so y's gradient repeats
    idx = T.ivector('idx')
    iv = np.array([1, 1, 0], dtype='int32')
    z = T.matrix('z')
    zv = np.ones((3, 3))
    out = (T.inc_subtensor(x[idx], z) * weights).sum()
    np.testing.assert_array_equal(_grad_value(out, z, {x: xv, z: zv, idx: iv}),
                                  weights[iv])
    out = (T.set_subtensor(x[idx[1:]], z[1:]) * weights).sum()
    np.testing.assert_array_equal(_grad_value(out, x, {x: xv, z: zv, idx: iv}),
                                  [[0, 0, 0], [0, 0, 0]])


def np_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_softmax_log_softmax_and_crossentropy_gradients():
    rng = rng_for('softmax-grads')
    z = T.matrix('z')
    w = T.matrix('w')
    y = T.ivector('y')
    zv, wv = rng.randn(4, 3), rng.randn(4, 3)
    yv = np.array([2, 0, 1, 2], dtype='int32')
    s = np_softmax(zv)
    g = {z: zv, w: wv, y: yv}
    # d/dz sum(w * softmax(z)) = s * (w - sum(w * s, row))
    np.testing.assert_allclose(_grad_value((T.nnet.softmax(z) * w).sum(), z, g),
                               s * (wv - (wv * s).sum(1, keepdims=True)), rtol=1e-10)
    # d/dz sum(w * log_softmax(z)) = w - s * sum(w, row)
    np.testing.assert_allclose(_grad_value((T.nnet.log_softmax(z) * w).sum(), z, g),
                               wv - s * wv.sum(1, keepdims=True), rtol=1e-10)
    # d/dz mean(crossentropy(softmax(z), y)) = (s - onehot(y)) / n
    onehot = np.eye(3)[yv]
    expected = (s - onehot) / 4
    cost = T.mean(T.nnet.categorical_crossentropy(T.nnet.softmax(z), y))
    np.testing.assert_allclose(_grad_value(cost, z, g), expected, rtol=1e-10)
    t = T.matrix('t')
    cost = T.mean(T.nnet.categorical_crossentropy(T.nnet.softmax(z), t))
    np.testing.assert_allclose(_grad_value(cost, z, {z: zv, t: onehot}), expected, rtol=1e-10)
    # the hand-written form
    cost = -T.mean(T.log(T.nnet.softmax(z))[T.arange(y.shape[0]), y])
    np.testing.assert_allclose(_grad_value(cost, z, g), expected, rtol=1e-10)
    # binary crossentropy of a sigmoid: (sigmoid(a) - t) / n
    a, tt = T.vector('a'), T.vector('tt')
    av, tv = rng.randn(5), rng.rand(5)
    cost = T.mean(T.nnet.binary_crossentropy(T.nnet.sigmoid(a), tt))
    np.testing.assert_allclose(_grad_value(cost, a, {a: av, tt: tv}),
                               (1 / (1 + np.exp(-av)) - tv) / 5, rtol=1e-8)


def test_piecewise_constant_ops_have_zero_gradient():
    """floor, round, sgn, // are connected with derivative 0, as in Theano 1.0.5."""
    u = T.vector('u')
    v = np.array([4.5, -1.3])
    for out in [T.floor(u), T.ceil(u), T.round(u), T.sgn(u), u // 2]:
        np.testing.assert_array_equal(_grad_value(out.sum(), u, {u: v}), [0, 0])
    np.testing.assert_array_equal(_grad_value((T.floor(u) * u).sum(), u, {u: v}), [4, -2])
    np.testing.assert_array_equal(_grad_value((u % 2).sum(), u, {u: v}), [1, 1])


def test_gradient_dtypes_follow_the_variables():
    x32 = T.fvector('x32')
    x64 = T.dvector('x64')
    cost = T.sum(T.cast(x64, 'float32') * x32)
    g32, g64 = T.grad(cost, [x32, x64])
    assert g32.dtype == 'float32' and g64.dtype == 'float64'
    v32, v64 = np.array([1, 2], dtype='float32'), np.array([3.0, 4.0])
    np.testing.assert_array_equal(g32.eval({x32: v32, x64: v64}), v64.astype('float32'))
    np.testing.assert_array_equal(g64.eval({x32: v32, x64: v64}), v32)
    col = T.col('col')
    g = T.grad(T.sum(col * T.matrix('m')), col)
    assert g.type == col.type


# ---------------------------------------------------------------------------------------
# LXMLS Day 5
# ---------------------------------------------------------------------------------------

def _lxmls_setup(rng):
    n_in, n_hidden, n_out, batch = 4, 5, 3, 6
    W1v = rng.randn(n_hidden, n_in) * 0.5
    b1v = rng.randn(n_hidden, 1) * 0.1
    W2v = rng.randn(n_out, n_hidden) * 0.5
    b2v = rng.randn(n_out, 1) * 0.1
    xv = rng.randn(n_in, batch)
    yv = rng.randint(0, n_out, size=batch).astype('int32')
    return W1v, b1v, W2v, b2v, xv, yv


def _lxmls_graph(W1v, b1v, W2v, b2v):
    W1 = theano.shared(W1v, name='W1', borrow=True)
    b1 = theano.shared(b1v, name='b1', borrow=True, broadcastable=(False, True))
    W2 = theano.shared(W2v, name='W2', borrow=True)
    b2 = theano.shared(b2v, name='b2', borrow=True, broadcastable=(False, True))
    x = T.matrix('x')
    y = T.ivector('y')
    z1 = T.dot(W1, x) + b1
    h = T.nnet.sigmoid(z1)
    z2 = T.dot(W2, h) + b2
    p_y = T.nnet.softmax(z2.T).T
    F = -T.mean(T.log(p_y[y, T.arange(y.shape[0])]))
    F.name = 'F'
    return (W1, b1, W2, b2), x, y, F


def _numpy_backprop(W1v, b1v, W2v, b2v, xv, yv):
    """Hand-written backpropagation of the LXMLS cost (one example per column)."""
    batch = xv.shape[1]
    z1 = W1v @ xv + b1v
    h = 1 / (1 + np.exp(-z1))
    z2 = W2v @ h + b2v
    p = np.exp(z2 - z2.max(axis=0))
    p /= p.sum(axis=0)
    cost = -np.mean(np.log(p[yv, np.arange(batch)]))
    delta2 = p.copy()
    delta2[yv, np.arange(batch)] -= 1
    delta2 /= batch
    gW2 = delta2 @ h.T
    gb2 = delta2.sum(axis=1, keepdims=True)
    delta1 = (W2v.T @ delta2) * h * (1 - h)
    gW1 = delta1 @ xv.T
    gb1 = delta1.sum(axis=1, keepdims=True)
    return cost, [gW1, gb1, gW2, gb2]


def test_lxmls_day5_gradients_match_numpy_backprop_and_finite_differences():
    rng = rng_for('lxmls')
    W1v, b1v, W2v, b2v, xv, yv = _lxmls_setup(rng)
    params, x, y, F = _lxmls_graph(W1v, b1v, W2v, b2v)
    grads = [T.grad(F, p) for p in params]
    assert [g.name for g in grads] == ['(dF/dW1)', '(dF/db1)', '(dF/dW2)', '(dF/db2)']
    for g, p in zip(grads, params):
        assert g.type == p.type  # the bias gradients are columns, like the biases
    cost, expected = _numpy_backprop(W1v, b1v, W2v, b2v, xv, yv)
    f = theano.function([x, y], [F] + grads)
    got = f(xv, yv)
    np.testing.assert_allclose(got[0], cost, rtol=1e-10)
    for g, e in zip(got[1:], expected):
        np.testing.assert_allclose(g, e, rtol=1e-8, atol=1e-12)
    # eval agrees with the compiled function
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(g.eval({x: xv, y: yv}), e, rtol=1e-8, atol=1e-12)

    # finite differences of the cost in every parameter entry
    def cost_at(values):
        return _numpy_backprop(*values, xv, yv)[0]
    eps = 1e-6
    values = [W1v, b1v, W2v, b2v]
    for k in range(4):
        numeric = np.zeros_like(values[k])
        for j in range(values[k].size):
            plus = [v.copy() for v in values]
            minus = [v.copy() for v in values]
            plus[k].flat[j] += eps
            minus[k].flat[j] -= eps
            numeric.flat[j] = (cost_at(plus) - cost_at(minus)) / (2 * eps)
        np.testing.assert_allclose(got[1 + k], numeric, rtol=1e-5, atol=1e-9)
    # and symgraph's own finite-difference check on the same cost as a function of W1, b1
    verify_grad(lambda w1, b1: _lxmls_cost_of(w1, T.addbroadcast(b1, 1), W2v, b2v, xv, yv),
                [W1v, b1v], rng=rng)


def _lxmls_cost_of(W1, b1, W2v, b2v, xv, yv):
    h = T.nnet.sigmoid(T.dot(W1, xv) + b1)
    p_y = T.nnet.softmax((T.dot(W2v, h) + b2v).T).T
    return -T.mean(T.log(p_y[yv, T.arange(yv.shape[0])]))


def test_lxmls_sgd_step_uses_the_gradients():
    rng = rng_for('lxmls-sgd')
    W1v, b1v, W2v, b2v, xv, yv = _lxmls_setup(rng)
    params, x, y, F = _lxmls_graph(W1v, b1v, W2v, b2v)
    lr = 0.5
    updates = [(p, p - lr * T.grad(F, p)) for p in params]
    train = theano.function([x, y], F, updates=updates)
    _, expected = _numpy_backprop(W1v, b1v, W2v, b2v, xv, yv)
    train(xv, yv)
    for p, old, g in zip(params, [W1v, b1v, W2v, b2v], expected):
        np.testing.assert_allclose(p.get_value(), old - lr * g, rtol=1e-8, atol=1e-12)


# ---------------------------------------------------------------------------------------
# Deep graphs
# ---------------------------------------------------------------------------------------

def _tanh_chain(depth):
    x0, w = T.vector('x0'), T.scalar('w')
    x = x0
    for _ in range(depth):
        x = T.tanh(x * w + 0.1)
    return x0, w, T.sum(x ** 2)


def _numpy_tanh_chain(depth, xv, wv):
    """Cost and hand-written backpropagation of the same chain."""
    acts = [xv]
    for _ in range(depth):
        acts.append(np.tanh(acts[-1] * wv + 0.1))
    g, gw = 2 * acts[-1], 0.0
    for k in range(depth, 0, -1):
        local = g * (1 - acts[k] ** 2)
        gw += np.sum(local * acts[k - 1])
        g = local * wv
    return np.sum(acts[-1] ** 2), g, gw


def test_gradient_of_a_thousand_layer_chain():
    """Built, differentiated and compiled under Python's default recursion limit.

    The function runs node by node (mode='py'): XLA's CPU fusion pass takes minutes on a
    1,000-layer unrolled chain, and does so for ``jax.jit(jax.grad(f))`` too; the jitted
    path is checked on a shorter chain below.
    """
    depth = 1000
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        x0, w, cost = _tanh_chain(depth)
        gx, gw = T.grad(cost, [x0, w])
        f = theano.function([x0, w], [cost, gx, gw], mode='py')
    finally:
        sys.setrecursionlimit(limit)
    xv, wv = np.array([0.3, -0.2]), 1.05
    c, gxv, gwv = f(xv, wv)
    c_np, gx_np, gw_np = _numpy_tanh_chain(depth, xv, wv)
    np.testing.assert_allclose(c, c_np, rtol=1e-12)
    np.testing.assert_allclose(gxv, gx_np, rtol=1e-8, atol=1e-300)
    np.testing.assert_allclose(gwv, gw_np, rtol=1e-8)
    eps = 1e-6
    numeric_w = (f(xv, wv + eps)[0] - f(xv, wv - eps)[0]) / (2 * eps)
    np.testing.assert_allclose(gwv, numeric_w, rtol=1e-5)
    d = np.array([eps, 0.0])
    numeric_x = (f(xv + d, wv)[0] - f(xv - d, wv)[0]) / (2 * eps)
    np.testing.assert_allclose(gxv[0], numeric_x, rtol=1e-4, atol=1e-9)


def test_gradient_of_a_chain_jitted():
    depth = 40
    x0, w, cost = _tanh_chain(depth)
    f = theano.function([x0, w], [cost] + T.grad(cost, [x0, w]))
    xv, wv = np.array([0.3, -0.2]), 1.05
    for got, want in zip(f(xv, wv), _numpy_tanh_chain(depth, xv, wv)):
        np.testing.assert_allclose(got, want, rtol=1e-10)
    eps = 1e-6
    numeric_w = (f(xv, wv + eps)[0] - f(xv, wv - eps)[0]) / (2 * eps)
    np.testing.assert_allclose(f(xv, wv)[2], numeric_w, rtol=1e-5)


# ---------------------------------------------------------------------------------------
# Names and gradient-shaping ops
# ---------------------------------------------------------------------------------------

def test_gradient_names():
    W = theano.shared(np.ones((2, 2)), name='W')
    x = T.matrix('x')
    cost = T.sum(T.dot(x, W) ** 2)
    cost.name = 'cost'
    assert T.grad(cost, W).name == '(dcost/dW)'
    assert [g.name for g in T.grad(cost, [W, x])] == ['(dcost/dW)', '(dcost/dx)']
    unnamed = T.sum(T.dot(x, W))
    assert T.grad(unnamed, W).name is None
    assert T.grad(cost, W, add_names=False).name is None


def test_disconnected_grad_zero_grad_consider_constant():
    u = T.vector('u')
    v = np.array([1.0, -2.0, 3.0])
    g = {u: v}
    # zero_grad: connected, gradient zero through it
    np.testing.assert_array_equal(_grad_value(gradient.zero_grad(u).sum() + (u ** 2).sum(),
                                              u, g), 2 * v)
    np.testing.assert_array_equal(_grad_value(gradient.zero_grad(u).sum(), u, g), 0 * v)
    # disconnected_grad: no gradient flows, and alone it disconnects
    np.testing.assert_array_equal(_grad_value((gradient.disconnected_grad(u) * u).sum(), u, g),
                                  v)
    with pytest.raises(DisconnectedInputError):
        T.grad(gradient.disconnected_grad(u).sum(), u)
    # consider_constant(): deprecated in Theano, where it acts like zero_grad
    np.testing.assert_array_equal(_grad_value((gradient.consider_constant(u) * u).sum(), u, g),
                                  v)
    np.testing.assert_array_equal(_grad_value(gradient.consider_constant(u).sum(), u, g), 0 * v)
    # consider_constant= of grad: the variable is a constant; nothing flows through it
    w = u * 2
    np.testing.assert_array_equal(
        T.grad((w * u).sum(), u, consider_constant=[w]).eval(g), 2 * v)
    with pytest.raises(DisconnectedInputError):
        T.grad(w.sum(), u, consider_constant=[w])
    # the forward values are untouched
    np.testing.assert_array_equal(gradient.zero_grad(u).eval(g), v)
    np.testing.assert_array_equal(gradient.disconnected_grad(u * 2).eval(g), 2 * v)


def test_grad_clip():
    u = T.vector('u')
    v = np.array([1.0, -2.0, 3.0])
    clipped = gradient.grad_clip(u, -1.0, 1.0)
    np.testing.assert_array_equal(clipped.eval({u: v}), v)
    np.testing.assert_array_equal(_grad_value((clipped * 3).sum(), u, {u: v}), [1, 1, 1])
    np.testing.assert_array_equal(_grad_value((gradient.grad_clip(u ** 2, -1.5, 1.5)).sum(), u,
                                              {u: v}), [2, -4, 6])
    np.testing.assert_array_equal(_grad_value((gradient.grad_clip(u, -1.5, 1.5) ** 2).sum(), u,
                                              {u: v}), [1.5, -1.5, 1.5])
    with pytest.raises(ValueError, match='lower bound'):
        gradient.grad_clip(u, 1.0, -1.0)


def test_known_grads():
    u = T.vector('u')
    s = T.vector('s')
    v, sv = np.array([1.0, -2.0, 3.0]), np.array([1.0, 2.0, 3.0])
    w = u * 2
    # start from a known gradient of an intermediate, with or without a cost
    np.testing.assert_array_equal(T.grad(None, u, known_grads={w: s}).eval({u: v, s: sv}),
                                  2 * sv)
    np.testing.assert_array_equal(
        T.grad((u ** 2).sum(), u, known_grads={w: s}).eval({u: v, s: sv}), 2 * v + 2 * sv)
    np.testing.assert_array_equal(
        T.grad(None, u, known_grads={w: np.ones(3)}).eval({u: v}), [2, 2, 2])
    with pytest.raises(ValueError, match='known_grads'):
        T.grad(None, u)


@pytest.mark.parametrize('bad', ['matrix', 'ivector', 'scalar'])
def test_known_grads_of_a_mismatched_type(bad):
    u = T.vector('u')
    w = u * 2
    wrong = {'matrix': T.matrix('gm'), 'ivector': T.ivector('gi'), 'scalar': 2.0}[bad]
    with pytest.raises(TypeError) as err:
        T.grad(None, u, known_grads={w: wrong})
    msg = str(err.value)
    assert 'known_grads' in msg and 'TensorType(float64, vector)' in msg
    assert str(T.as_tensor_variable(wrong).type) in msg


# ---------------------------------------------------------------------------------------
# jacobian, hessian, Lop, Rop
# ---------------------------------------------------------------------------------------

def test_jacobian_against_numpy():
    uv = np.array([1.0, -2.0, 3.0])
    u = theano.shared(uv, name='u')  # shared: its length is known, as jacobian needs
    M = np.arange(6.0).reshape(2, 3)
    J = gradient.jacobian(T.dot(M, u ** 2), u)
    np.testing.assert_allclose(J.eval(), M * 2 * uv)
    A = theano.shared(np.ones((2, 2)), name='A')
    Jl = gradient.jacobian(T.tanh(u), [u, A], disconnected_inputs='ignore')
    np.testing.assert_allclose(Jl[0].eval(), np.diag(1 - np.tanh(uv) ** 2))
    np.testing.assert_allclose(Jl[1].eval(), np.zeros((3, 2, 2)))
    np.testing.assert_allclose(gradient.jacobian((u ** 3).sum(), u).eval(), 3 * uv ** 2)
    # A vector of unknown length: one row per step of a scan, as in Theano.
    x = T.vector('x')
    J, H = gradient.jacobian(x ** 2 * x.sum(), x), gradient.hessian((x ** 3).sum(), x)
    xv = np.array([1.0, 2.0, 3.0])
    jv, hv = theano.function([x], [J, H])(xv)
    np.testing.assert_allclose(jv, np.diag(2 * xv * xv.sum()) + (xv ** 2)[:, None])
    np.testing.assert_allclose(hv, np.diag(6 * xv))


def test_hessian_against_numpy():
    uv = np.array([0.5, -1.0, 2.0])
    u = theano.shared(uv, name='u')
    Q = np.array([[2.0, 1.0, 0.0], [1.0, 3.0, -1.0], [0.0, -1.0, 4.0]])
    cost = 0.5 * T.dot(u, T.dot(Q, u)) + T.sum(u ** 3)
    np.testing.assert_allclose(gradient.hessian(cost, u).eval(), Q + np.diag(6 * uv))


def test_lop_and_rop_against_numpy():
    rng = rng_for('lop-rop')
    M = T.matrix('M')
    u = T.vector('u')
    s2, s3 = T.vector('s2'), T.vector('s3')
    Mv, uv = rng.randn(2, 3), rng.randn(3)
    s2v, s3v = rng.randn(2), rng.randn(3)
    f = T.tanh(T.dot(M, u))
    d = 1 - np.tanh(Mv @ uv) ** 2  # df/d(Mu)
    g = {M: Mv, u: uv, s2: s2v, s3: s3v}
    # Lop: v^T J
    np.testing.assert_allclose(gradient.Lop(f, u, s2).eval(g), Mv.T @ (s2v * d), rtol=1e-10)
    np.testing.assert_allclose(gradient.Lop(f, M, s2).eval(g), np.outer(s2v * d, uv),
                               rtol=1e-10)
    # Rop: J v
    np.testing.assert_allclose(gradient.Rop(f, u, s3).eval(g), d * (Mv @ s3v), rtol=1e-10)
    Dv = rng.randn(2, 3)
    D = T.matrix('D')
    np.testing.assert_allclose(gradient.Rop(f, M, D).eval({M: Mv, u: uv, D: Dv}),
                               d * (Dv @ uv), rtol=1e-10)
    both = gradient.Rop(f, [M, u], [D, s3]).eval({M: Mv, u: uv, D: Dv, s3: s3v})
    np.testing.assert_allclose(both, d * (Dv @ uv + Mv @ s3v), rtol=1e-10)
    fn = theano.function([M, u, s3], gradient.Rop(f, u, s3))
    np.testing.assert_allclose(fn(Mv, uv, s3v), d * (Mv @ s3v), rtol=1e-10)


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------

def test_non_scalar_cost():
    x = T.vector('x')
    with pytest.raises(TypeError) as err:
        T.grad(x * 2, x)
    msg = str(err.value)
    assert 'cost must be a scalar' in msg  # Theano's phrase
    assert 'TensorType(float64, vector)' in msg
    assert 'T.grad(x * 2, x)' in msg  # the line that made the cost


def test_wrt_not_in_the_graph():
    x = T.vector('x')
    y = T.vector('y_unused')
    with pytest.raises(DisconnectedInputError) as err:
        T.grad(x.sum(), y)
    msg = str(err.value)
    assert ('grad method was asked to compute the gradient with respect to a variable that is '
            'not part of the computational graph of the cost, or is used only by a '
            'non-differentiable operator: y_unused') in msg
    assert "y = T.vector('y_unused')" in msg and "disconnected_inputs='ignore'" in msg
    assert isinstance(err.value, ValueError)
    # ignore: zeros of the variable's type, no warning
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        g = T.grad(x.sum(), y, disconnected_inputs='ignore')
    assert g.type == y.type
    np.testing.assert_array_equal(g.eval({y: np.ones(3)}), np.zeros(3))
    # warn: the same zeros and a UserWarning with the message
    with pytest.warns(UserWarning, match='not part of the computational graph.*y_unused'):
        g = T.grad(x.sum(), [x, y], disconnected_inputs='warn')
    np.testing.assert_array_equal(g[1].eval({y: np.ones(2)}), np.zeros(2))
    np.testing.assert_array_equal(g[0].eval({x: np.ones(2)}), np.ones(2))
    assert T.grad(x.sum(), y, disconnected_inputs='ignore', return_disconnected='None') is None
    with pytest.raises(ValueError, match='disconnected_inputs'):
        T.grad(x.sum(), y, disconnected_inputs='foo')


def test_wrt_only_through_a_discrete_op():
    """As in Theano 1.0.5: integer results (argmax, integer casts, comparisons) pass a zero
    gradient, while a shape disconnects its variable."""
    x = T.vector('x')
    for cost in [T.argmax(x) * 1.0, T.cast(x, 'int32').sum() * 1.0, T.sum(T.lt(x, 0)) * 1.0]:
        np.testing.assert_array_equal(T.grad(cost, x).eval({x: np.array([1.5, -2.0])}),
                                      [0, 0])
    with pytest.raises(DisconnectedInputError, match='non-differentiable'):
        T.grad(x.shape[0] * 1.0, x)


def test_wrt_that_is_not_a_variable():
    x = T.vector('x')
    with pytest.raises(TypeError) as err:
        T.grad(x.sum(), 3)
    assert "Expected Variable, got 3 of type <class 'int'>" in str(err.value)  # Theano's
    with pytest.raises(TypeError, match='Expected Variable'):
        T.grad(x.sum(), [x, np.ones(2)])


def test_integer_wrt():
    iv = T.ivector('iv')
    x = T.vector('x')
    with pytest.raises(TypeError) as err:
        T.grad((iv * x).sum(), iv)
    msg = str(err.value)
    assert 'iv' in msg and 'TensorType(int32, vector)' in msg and 'no gradient' in msg
    assert "iv = T.ivector('iv')" in msg
    # integer inputs elsewhere in the graph are fine
    np.testing.assert_array_equal(
        T.grad((iv * x).sum(), x).eval({iv: np.array([2, 3], dtype='int32'), x: np.ones(2)}),
        [2, 3])


def test_grad_returns_the_container_it_was_given():
    x = T.vector('x')
    cost = (x ** 2).sum()
    assert isinstance(T.grad(cost, [x]), list)
    assert isinstance(T.grad(cost, (x,)), tuple)
    assert not isinstance(T.grad(cost, x), (list, tuple))
