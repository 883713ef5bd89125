"""The rest of Theano's tensor vocabulary against numpy/scipy and Theano 1.0.5.

* The elementwise math functions (sin ... rad2deg, isnan, isclose...): output dtype and
  printed name for every input dtype as Theano gives them (goldens/extra_ops.json), values
  against numpy/scipy in one compiled function per dtype, gradients by ``verify_grad``.
* The snippets of goldens/extra_cases.py (any/all, nonzero, sort, T.extra_ops, tile, roll,
  grids, triangles, diagonals, batched_dot, tensordot, boolean masks, T.nlinalg,
  T.slinalg, T.fft...): each output's type, the debugprint text and the values Theano
  1.0.5 gives (regenerate with goldens/make_extra_goldens.py).
* Lengths that depend on values (masks, nonzero, bincount, unique, repeat by a vector)
  inside compiled functions, counted before each call.
* Gradients of the new ops by ``verify_grad``, grouped so that each group compiles once.
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import pytest
import scipy.special as sp

import symgraph as theano
import symgraph.tensor as T
from symgraph.gradient import verify_grad
from symgraph.tensor.elemwise import NullTypeGradError
from symgraph.testing import GradientError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'goldens'))
import extra_cases  # noqa: E402

with open(os.path.join(HERE, 'goldens', 'extra_ops.json'), encoding='utf-8') as _f:
    GOLDEN = json.load(_f)

E, N, S, F = T.extra_ops, T.nlinalg, T.slinalg, T.fft


# ---------------------------------------------------------------------------------------
# Elementwise math
# ---------------------------------------------------------------------------------------

# Where symgraph answers and Theano raises: isclose of booleans subtracts them, which
# Theano refuses ("bool output not supported"); symgraph's numpy-style sub allows it.
MATH_DIFFERENCES = {('isclose', 'bool'), ('allclose', 'bool')}


@pytest.mark.parametrize('name,arity', extra_cases.MATH)
def test_math_dtype_and_printed_name_match_theano(name, arity):
    for dtype, expected in GOLDEN['math_dtypes'][name].items():
        x = T.TensorType(dtype, (False,))('x')
        if expected[0] == 'error':
            if (name, dtype) not in MATH_DIFFERENCES:
                with pytest.raises(Exception):
                    getattr(T, name)(*[x] * arity)
            continue
        out = getattr(T, name)(*[x] * arity)
        assert [out.dtype, str(out.owner.op)] == expected, (name, dtype)


def _erfcinv(x):
    return sp.erfcinv(x)


# name: (symgraph function, reference on float64, (lo, hi) of the inputs drawn)
UNARY = {
    'sin': (T.sin, np.sin, (-3, 3)), 'cos': (T.cos, np.cos, (-3, 3)),
    'tan': (T.tan, np.tan, (-1.2, 1.2)), 'arcsin': (T.arcsin, np.arcsin, (-0.9, 0.9)),
    'arccos': (T.arccos, np.arccos, (-0.9, 0.9)), 'arctan': (T.arctan, np.arctan, (-3, 3)),
    'sinh': (T.sinh, np.sinh, (-3, 3)), 'cosh': (T.cosh, np.cosh, (-3, 3)),
    'arcsinh': (T.arcsinh, np.arcsinh, (-3, 3)), 'arccosh': (T.arccosh, np.arccosh, (1.1, 4)),
    'arctanh': (T.arctanh, np.arctanh, (-0.9, 0.9)),
    'erfc': (T.erfc, sp.erfc, (-2, 2)), 'erfinv': (T.erfinv, sp.erfinv, (-0.9, 0.9)),
    'erfcx': (T.erfcx, sp.erfcx, (-2, 4)), 'erfcinv': (T.erfcinv, _erfcinv, (0.1, 1.9)),
    'gamma': (T.gamma, sp.gamma, (0.2, 4)), 'gammaln': (T.gammaln, sp.gammaln, (0.2, 4)),
    'psi': (T.psi, sp.digamma, (0.2, 4)),
    'tri_gamma': (T.tri_gamma, lambda x: sp.polygamma(1, x), (0.2, 4)),
    'expm1': (T.expm1, np.expm1, (-2, 2)), 'log2': (T.log2, np.log2, (0.1, 5)),
    'log10': (T.log10, np.log10, (0.1, 5)), 'exp2': (T.exp2, np.exp2, (-3, 3)),
    'inv': (T.inv, np.reciprocal, (0.5, 3)), 'deg2rad': (T.deg2rad, np.deg2rad, (-90, 90)),
    'rad2deg': (T.rad2deg, np.rad2deg, (-3, 3)),
}
INT_DOMAINS = {'arcsin': (-1, 1), 'arccos': (-1, 1), 'arctanh': (0, 0), 'erfinv': (0, 0),
               'erfcinv': (1, 1), 'arccosh': (1, 4), 'gamma': (1, 4), 'gammaln': (1, 4),
               'psi': (1, 4), 'tri_gamma': (1, 4), 'log2': (1, 5), 'log10': (1, 5),
               'inv': (1, 3), 'tan': (-1, 1)}
FLOAT_OUT = dict(int8='float32', int32='float64', float32='float32', float64='float64')


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'int8', 'int32'])
def test_math_values(dtype):
    """All unary functions of the table in one compiled program, and arctan2, isnan,
    isinf, isclose, allclose, against numpy/scipy."""
    rng = np.random.RandomState(7)
    names = sorted(UNARY)
    inputs, values, outputs, expected = [], [], [], []
    for name in names:
        fn, ref, (lo, hi) = UNARY[name]
        x = T.TensorType(dtype, (False, False))(name)
        if dtype.startswith('int'):
            lo, hi = INT_DOMAINS.get(name, (int(math.ceil(lo)), int(math.floor(hi))))
            value = rng.randint(lo, hi + 1, size=(2, 3)).astype(dtype)
        else:
            value = rng.uniform(lo, hi, size=(2, 3)).astype(dtype)
        inputs.append(x)
        values.append(value)
        outputs.append(fn(x))
        expected.append(ref(value.astype('float64')).astype(FLOAT_OUT[dtype]))
    y, z = T.TensorType(dtype, (False,))('y'), T.TensorType(dtype, (False,))('z')
    yv = np.array([1, -2, 3, 0], dtype=dtype)
    zv = np.array([2, 2, -3, 0], dtype=dtype)
    inputs += [y, z]
    values += [yv, zv]
    outputs += [T.arctan2(y, z), T.isnan(y / z), T.isinf(y / z), T.isclose(y, z),
                T.allclose(y, y), T.sqr(y)]
    with np.errstate(divide='ignore', invalid='ignore'):
        ratio = (yv / zv).astype(outputs[-5].owner.inputs[0].dtype)
    expected += [np.arctan2(yv.astype('float64'), zv).astype(FLOAT_OUT[dtype]),
                 np.isnan(ratio), np.isinf(ratio), np.isclose(yv, zv), np.bool_(True),
                 np.square(yv)]
    results = theano.function(inputs, outputs)(*values)
    loose = dtype in ('float32', 'int8')
    for name, out, got, want in zip(names + ['arctan2', 'isnan', 'isinf', 'isclose',
                                             'allclose', 'sqr'], outputs, results, expected):
        assert got.dtype == np.dtype(out.dtype) == np.asarray(want).dtype, name
        np.testing.assert_allclose(got, want, rtol=2e-5 if loose else 1e-10,
                                   atol=1e-5 if loose else 1e-12, err_msg=name)


def _check_grads(group, rng=None):
    """``verify_grad`` of several functions at once (one compiled pair for the group):
    ``group`` maps a name to (function of its inputs, [input values]); a failure names the
    function."""
    names, fns, points, counts = [], [], [], []
    for name, (fn, pts) in group.items():
        names.append(name)
        fns.append(fn)
        points.extend(np.asarray(p, dtype='float64') for p in pts)
        counts.append(len(pts))
    starts = np.cumsum([0] + counts)

    def joined(*xs):
        return T.concatenate([T.flatten(fn(*xs[a:b])) for fn, a, b in
                              zip(fns, starts[:-1], starts[1:])])
    try:
        verify_grad(joined, points, n_tests=1, rng=rng or np.random.RandomState(3))
    except GradientError as err:
        k = int(str(err).split('input ')[1].split(' ')[0])
        raise GradientError('%s: %s' % (names[int(np.searchsorted(starts, k, 'right')) - 1],
                                        err)) from None


def test_math_gradients():
    rng = np.random.RandomState(11)
    group = {}
    for name, (fn, _, (lo, hi)) in UNARY.items():
        if name == 'tri_gamma':
            continue
        margin = (hi - lo) * 0.05
        group[name] = (fn, [rng.uniform(lo + margin, hi - margin, size=(2, 2))])
    group['arctan2'] = (T.arctan2, [rng.uniform(0.5, 2, (2, 2)), rng.uniform(-2, -0.5, (2, 2))])
    _check_grads(group)


def test_undefined_gradients_raise_theanos_error():
    x, m, v = T.vector('x'), T.matrix('m'), T.vector('v')
    with pytest.raises(NullTypeGradError, match='input 0 .x. of the Elemwise{tri_gamma} op is '
                                                'not implemented'):
        T.grad(T.tri_gamma(x).sum(), x)
    with pytest.raises(NullTypeGradError, match='SVD'):
        T.grad(N.svd(m, compute_uv=False).sum(), m)
    with pytest.raises(NullTypeGradError, match='RepeatOp'):
        T.grad(T.repeat(v, T.lvector('n')).sum(), v)
    # An input whose gradient is undefined costs nothing when it is not asked for.
    g = T.grad(E.fill_diagonal_offset(m, v.sum(), 1).sum(), v)
    assert g.eval({m: np.ones((2, 3)), v: np.ones(2)}).tolist() == [2.0, 2.0]


# ---------------------------------------------------------------------------------------
# The snippets Theano 1.0.5 ran
# ---------------------------------------------------------------------------------------

def _run(code):
    ns = {'theano': theano, 'T': T, 'np': np, 'E': E, 'N': N, 'S': S, 'F': F}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        exec(compile(code, '<case>', 'exec'), ns)
    outs = ns['out'] if isinstance(ns['out'], list) else [ns['out']]
    return outs, ns['given']


# debugprint texts that differ from Theano's, with the reason; the first line of each
# output (its op) still matches.
DEBUGPRINT_DIFFERENCES = {
    'choose': 'a list of choices is stacked into one tensor (Theano makes a typed list)',
    'mask_matrix': "m[:, mask] has no MakeSlice input for the ':' (Theano's slice type)",
    'linalg_grads': "Eigh's gradient reuses the node's outputs (Theano applies Eigh again)",
}


def _top_lines(text):
    return [line.split(' [id')[0] for line in text.splitlines() if not line.startswith(' ')]


@pytest.mark.parametrize('name', sorted(extra_cases.CASES))
def test_case_matches_theano(name):
    golden = GOLDEN['cases'][name]
    outs, given = _run(extra_cases.CASES[name])
    assert [str(o.type) for o in outs] == golden['types']
    text = theano.printing.debugprint(outs, file='str')
    if name in DEBUGPRINT_DIFFERENCES:
        assert _top_lines(text) == _top_lines(golden['debugprint'])
    else:
        assert text == golden['debugprint']
    values = theano.function(list(given), outs, on_unused_input='ignore')(*given.values())
    for out, got, want, want_dtype in zip(outs, values, golden['values'], golden['dtypes']):
        # (Theano's Python cumsum of int8 returns int64 values for its int8 output.)
        assert got.dtype == np.dtype(out.dtype)
        assert got.dtype.name == want_dtype or name == 'cumsum'
        want = np.asarray(want, dtype=got.dtype)
        assert got.shape == want.shape, (out, got.shape, want.shape)
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-10, err_msg=str(out))


# ---------------------------------------------------------------------------------------
# Lengths that depend on values, in compiled functions
# ---------------------------------------------------------------------------------------

def test_value_dependent_lengths_compile():
    """Masks, nonzero, bincount, unique and repeat in one function: each count is worked
    out before the call; a new count compiles a new program, a known one reuses it."""
    v, m, iv, reps = T.vector('v'), T.matrix('m'), T.ivector('iv'), T.lvector('reps')
    outs = [v[v > 0.2], m[m > 0], m[m.sum(1) > 0], T.nonzero(m)[1], T.flatnonzero(v),
            E.bincount(iv), E.Unique(False, True, True)(iv)[2], T.repeat(v, reps),
            T.set_subtensor(v[v < 0], 0), T.grad((v[v > 0.2] ** 2).sum(), v),
            T.extra_ops.compress(v > 0, v), T.reshape(v, (reps[0], -1), ndim=2)]
    f = theano.function([v, m, iv, reps], outs)

    def expected(vv, mv, ivv, rv):
        return [vv[vv > 0.2], mv[mv > 0], mv[mv.sum(1) > 0], np.nonzero(mv)[1],
                np.flatnonzero(vv), np.bincount(ivv), np.unique(ivv, return_counts=True)[1],
                np.repeat(vv, rv), np.where(vv < 0, 0, vv), np.where(vv > 0.2, 2 * vv, 0),
                vv[vv > 0], vv.reshape(rv[0], -1)]
    rng = np.random.RandomState(5)
    for _ in range(2):
        vv = rng.uniform(-1, 1, 4)
        mv = rng.uniform(-1, 1, (3, 2))
        ivv = rng.randint(0, 6, 5).astype('int32')
        rv = rng.randint(1, 3, 4)
        for got, want in zip(f(vv, mv, ivv, rv), expected(vv, mv, ivv, rv)):
            np.testing.assert_allclose(got, want)
    n_programs = f.stats.programs
    f(vv, mv, ivv, rv)  # the same counts: no new program
    assert f.stats.programs == n_programs
    empty = f(np.zeros(4) - 1, np.zeros((3, 2)), np.zeros(5, 'int32'), np.ones(4, 'int64'))
    assert empty[0].shape == (0,) and empty[1].shape == (0,) and empty[5].tolist() == [5]


def test_mask_errors():
    v, m = T.vector('v'), T.matrix('m')
    with pytest.raises(IndexError, match='boolean index did not match'):
        v[m[0] > 0].eval({v: np.ones(3), m: np.ones((2, 2))})
    with pytest.raises(NotImplementedError, match='one boolean array'):
        m[m[:, 0] > 0, m[0] > 0]


def test_count_inside_a_scan_step_is_refused_clearly():
    x = T.matrix('x')
    out, _ = theano.scan(lambda row: row[row > 0].sum(), sequences=x)
    with pytest.raises(TypeError, match='depends on the values of its inputs'):
        theano.function([x], out)(np.ones((2, 2)))


# ---------------------------------------------------------------------------------------
# Gradients of the new ops
# ---------------------------------------------------------------------------------------

def test_gradients_of_shape_and_selection_ops():
    rng = np.random.RandomState(2)
    u = lambda *shape: rng.uniform(-1, 1, shape)  # noqa: E731
    distinct = rng.permutation(12).reshape(3, 4) / 4.0 - 1.3
    _check_grads({
        'cumsum': (lambda a: T.cumsum(a, axis=1) + T.cumsum(a).reshape(a.shape), [u(2, 3)]),
        'cumprod': (lambda a: T.cumprod(a, axis=0) + T.cumprod(a).reshape(a.shape),
                    [rng.uniform(0.5, 1.5, (2, 3))]),
        'diff': (lambda a: E.diff(a, n=2, axis=1), [u(2, 4)]),
        'sort': (lambda a: T.sort(a, axis=0) * np.arange(12.).reshape(3, 4), [distinct]),
        'sort_none': (lambda a: T.sort(a, axis=None) * np.arange(12.), [distinct]),
        'repeat': (lambda a: T.repeat(a, 3, axis=1), [u(2, 3)]),
        'tile': (lambda a: T.tile(a, (2, 1, 2)), [u(2, 3)]),
        'roll': (lambda a: T.roll(a, 1, axis=1) * np.arange(6.).reshape(2, 3), [u(2, 3)]),
        'mask': (lambda a: a[a > 0.1] ** 2, [u(6)]),
        'mask_inc': (lambda a, b: T.inc_subtensor(a[a > 0.1], b.sum()) * a, [u(6), u(2)]),
        'tril_triu': (lambda a: T.tril(a) + 2 * T.triu(a, 1), [u(3, 3)]),
        'diag': (lambda a, b: T.diag(a) + T.diag(b, 1).sum(), [u(3, 4), u(3)]),
        'diagonal': (lambda a: T.diagonal(a, -1), [u(3, 4)]),
        'trace': (lambda a: T.trace(a), [u(3, 3)]),
        'fill_diagonal': (lambda a, b: T.fill_diagonal(a, b.sum()), [u(3, 4), u(2)]),
        'fill_diagonal_offset': (lambda a, b: E.fill_diagonal_offset(a, b.sum(), 1),
                                 [u(3, 4), u(2)]),
        'where': (lambda a, b: T.where(a > 0, a * b, b), [u(5), u(5)]),
    }, rng)


def test_gradients_of_products():
    rng = np.random.RandomState(4)
    u = lambda *shape: rng.uniform(-1, 1, shape)  # noqa: E731
    _check_grads({
        'batched_dot_33': (T.batched_dot, [u(2, 3, 4), u(2, 4, 2)]),
        'batched_dot_22': (T.batched_dot, [u(2, 3), u(2, 3)]),
        'batched_dot_32': (T.batched_dot, [u(2, 3, 4), u(2, 4)]),
        'batched_dot_23': (T.batched_dot, [u(2, 3), u(2, 3, 4)]),
        'batched_tensordot': (lambda a, b: T.batched_tensordot(a, b, axes=[[1, 2], [2, 1]]),
                              [u(2, 3, 4), u(2, 4, 3)]),
        'tensordot_int': (lambda a, b: T.tensordot(a, b, 1), [u(2, 3), u(3, 2)]),
        'kron': (S.kron, [u(2, 2), u(2, 3)]),
        'norm': (lambda a, b: N.norm(a, None) + N.norm(b, 3) + a.norm(1, axis=0).sum(),
                 [u(2, 3), u(4)]),
    }, rng)


def test_gradients_of_linear_algebra_and_fft():
    rng = np.random.RandomState(6)
    a = rng.randn(2, 2)
    spd = a.dot(a.T) + 2 * np.eye(2)
    _check_grads({
        'matrix_inverse': (N.matrix_inverse, [spd]),
        'det': (N.det, [spd]),
        'pinv': (N.pinv, [rng.randn(3, 2)]),
        'eigh_w': (lambda x: N.eigh(x)[0], [spd]),
        'eigh_v': (lambda x: abs(N.eigh(x)[1]), [spd]),
        'cholesky': (S.cholesky, [spd]),
        'solve': (S.solve, [spd, rng.randn(2)]),
        'solve_matrix': (S.solve, [spd, rng.randn(2, 3)]),
        'solve_lower': (S.solve_lower_triangular, [np.tril(spd), rng.randn(2)]),
        'expm': (S.expm, [a / 3]),
        'rfft': (F.rfft, [rng.randn(2, 6)]),
        'irfft': (lambda x: F.irfft(x) * np.arange(6.0), [rng.randn(2, 4, 2)]),
        'irfft_odd': (lambda x: F.irfft(F.rfft(x), is_odd=True) * np.arange(5.0),
                      [rng.randn(2, 5)]),
    }, rng)


# ---------------------------------------------------------------------------------------
# Constructors and functions under T
# ---------------------------------------------------------------------------------------

def test_plural_constructors():
    a, b = T.dscalars('a', 'b')
    assert (a.name, b.name, a.type) == ('a', 'b', T.dscalar().type)
    x, y = T.fvectors('xy')  # a string of several letters: one variable per letter
    assert (x.name, y.name, x.dtype) == ('x', 'y', 'float32')
    assert T.iscalars('i').name == 'i'
    assert [v.type for v in T.matrices(2)] == [T.matrix().type] * 2
    assert T.imatrices('p', 'q')[1].dtype == 'int32'
    assert T.ltensor3s('t', 'u')[0].type == T.ltensor3().type
    assert T.lrows('r').broadcastable == (True, False) and T.cols('c').broadcastable == (False, True)


def test_stack_forms():
    v = T.vector('v')
    with pytest.warns(DeprecationWarning, match='stack\\(\\*tensors\\) interface'):
        out = T.stack(v, 2 * v)
    assert out.eval({v: np.ones(2)}).tolist() == [[1, 1], [2, 2]]
    assert T.stack([v, v], axis=1).eval({v: np.arange(2.)}).tolist() == [[0, 0], [1, 1]]
    assert T.stack([v, v], 1).eval({v: np.arange(2.)}).tolist() == [[0, 0], [1, 1]]


def test_specify_shape_with_symbolic_shape():
    x, n = T.matrix('x'), T.lscalar('n')
    f = theano.function([x, n], T.specify_shape(x, (n, 2)) * 2)
    assert f(np.ones((3, 2)), 3).tolist() == [[2, 2]] * 3
    with pytest.raises(AssertionError, match='SpecifyShape: dim 0 of input has shape 3, '
                                             'expected 4'):
        f(np.ones((3, 2)), 4)


def test_gradient_functions_under_T():
    x = T.specify_shape(T.vector('x'), (3,))
    xv = np.array([1.0, 2.0, 3.0])
    inp = x.owner.inputs[0]
    assert np.allclose(T.jacobian(x ** 2, inp).eval({inp: xv}), np.diag(2 * xv))
    assert np.allclose(T.hessian((x ** 3).sum(), inp).eval({inp: xv}), np.diag(6 * xv))
    w = T.vector('w')
    assert np.allclose(T.Lop(x ** 2, inp, w).eval({inp: xv, w: np.ones(3)}), 2 * xv)
    assert np.allclose(T.Rop(x ** 2, inp, w).eval({inp: xv, w: np.ones(3)}), 2 * xv)


def test_methods():
    m = T.matrix('m')
    mv = np.array([[3.0, -1.0], [0.0, 2.0]])
    given = {m: mv}
    assert m.any().eval(given) and not m.all().eval(given)
    assert m.nonzero()[1].eval(given).tolist() == [0, 1, 1]
    assert m.sort(axis=0).eval(given).tolist() == np.sort(mv, axis=0).tolist()
    assert m.argsort().eval(given).tolist() == np.argsort(mv).tolist()
    assert m.cumsum(axis=1).eval(given).tolist() == np.cumsum(mv, axis=1).tolist()
    assert m.diagonal().eval(given).tolist() == [3, 2]  # (var.trace is the creation line)
    assert m.take([1, 0], axis=None).eval(given).tolist() == [-1, 3]
    assert np.isclose(m.norm(2).eval(given), np.sqrt((mv ** 2).sum()))
    assert m.repeat(2, axis=0).eval(given).shape == (4, 2)
    assert T.row('r').squeeze().ndim == 1


def test_theano_scalar():
    S = theano.scalar
    x = S.float64('x')
    assert (str(x.type), x.ndim, repr(S.int32)) == ('float64', 0, 'int32')
    y = S.add(x, S.constant(2.0))
    assert (str(y), str(y.owner.op)) == ('add.0', 'add')
    assert y.eval({x: 1.5}) == 3.5 and S.exp(x).eval({x: 0.0}) == 1.0
    assert S.upcast('int8', 'float32') == 'float32' and S.as_scalar(3).dtype == 'int8'
    assert x.type == T.dscalar().type  # a 0-d tensor, usable in any expression
