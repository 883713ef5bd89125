"""theano.sparse: values against scipy/numpy, gradients against finite differences, printed
graphs and values against Theano 1.0.5 (tests/goldens/sparse_goldens.json)."""
import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

sp = pytest.importorskip('scipy.sparse')

import symgraph as theano  # noqa: E402
import symgraph.sparse as S  # noqa: E402
import symgraph.tensor as T  # noqa: E402
from symgraph.gradient import verify_grad  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'goldens'))
import sparse_cases  # noqa: E402

with open(os.path.join(HERE, 'goldens', 'sparse_goldens.json')) as handle:
    GOLDENS = json.load(handle)
CASES = sorted(name for name in sparse_cases.CASES if not name.startswith('typed_list'))


def run_case(name, base):
    ns = dict(base)
    exec(compile(sparse_cases.CASES[name], '<case %s>' % name, 'exec'), ns)
    return ns


def assert_matches(value, golden, what):
    if 'format' in golden:
        assert sp.issparse(value) and value.format == golden['format'], (what, type(value))
        assert str(value.dtype) == golden['dtype'], what
        np.testing.assert_allclose(value.toarray(), golden['dense'], rtol=1e-10, err_msg=what)
    else:
        value = np.asarray(value)
        assert str(value.dtype) == golden['dtype'], (what, value.dtype)
        np.testing.assert_allclose(value, golden['value'], rtol=1e-10, err_msg=what)


@pytest.fixture(scope='module')
def golden_runs():
    """Every case's outputs, computed by few compiled functions: cases whose inputs take
    the same values share one."""
    base = {'theano': theano, 'T': T, 'S': S, 'np': np, 'sp': sp}
    exec(compile(sparse_cases.PRELUDE, '<prelude>', 'exec'), base)
    groups = []  # [{input: value}, [(case, outputs)]]
    for name in CASES:
        ns = run_case(name, base)
        if 'fn_inputs' not in ns:
            continue
        given = dict(zip(ns['fn_inputs'], ns['fn_args']))
        for values, members in groups:
            if all(values.get(var, value) is value for var, value in given.items()):
                values.update(given)
                members.append((name, ns['fn_outputs']))
                break
        else:
            groups.append((given, [(name, ns['fn_outputs'])]))
    results = {}
    for values, members in groups:
        inputs = list(values)
        outputs = [o for _, outs in members for o in outs]
        got = iter(theano.function(inputs, outputs, on_unused_input='ignore')(
            *[values[v] for v in inputs]))
        for name, outs in members:
            results[name] = [next(got) for _ in outs]
    return base, results


@pytest.mark.parametrize('name', CASES)
def test_like_theano(name, golden_runs):
    base, results = golden_runs
    golden = GOLDENS[name]
    ns = run_case(name, base)
    if 'debugprint' in golden:
        assert theano.printing.debugprint(ns['out'], file='str') == golden['debugprint']
    for k, (value, expected) in enumerate(zip(results.get(name, ()), golden.get('values', ()))):
        assert_matches(value, expected, '%s output %d' % (name, k))


# -- Against scipy, with formats, dtypes and nnz that vary -------------------------------------
def _product_graph():
    x, c, W = S.csr_matrix('x'), S.csc_matrix('c'), T.matrix('W')
    v = W[:, 0]
    outputs = [S.structured_dot(x, W), S.structured_dot(c, W), S.dot(W.T, c.T), x.T,
               S.add(x, c.T.T), S.mul(x, x), S.sp_sum(c, axis=0), S.dense_from_sparse(c),
               S.true_dot(c, W), S.csc_from_dense(S.dot(x, W)), S.row_scale(c, T.arange(7.0)),
               S.col_scale(x, v), S.mul_s_v(x, v), S.structured_add_s_v(c, v), -x]
    return [x, c, W], outputs


def _expected(a, a_csc, w):
    """(dense value, whether sparse, format) of each output of _product_graph, by scipy."""
    v = w[:, 0]
    dense = a_csc.toarray()
    values = [a @ w, a_csc @ w, w.T @ dense.T, a.T, a + a_csc, a.multiply(a),
              np.asarray(a_csc.sum(axis=0)).ravel(), dense, a_csc @ w, a @ w,
              dense * np.arange(7.0)[:, None], a.toarray() * v, a.toarray() * v,
              np.where(dense != 0, dense + v, 0), -a]
    formats = [None, None, None, 'csc', 'csr', 'csr', None, None, 'csc', 'csc', 'csc', 'csr',
               'csr', 'csc', 'csr']
    return [(np.asarray(x.toarray() if sp.issparse(x) else x), f)
            for x, f in zip(values, formats)]


@pytest.fixture(scope='module')
def products():
    return theano.function(*_product_graph())


@pytest.mark.parametrize('density', [0.0, 0.3])
def test_products_against_scipy(products, density):
    rng = np.random.RandomState(int(density * 100))
    a = sp.random(7, 4, density=density, format='csr', random_state=rng)
    a_csc = sp.random(7, 4, density=density, format='csc', random_state=rng)
    w = rng.rand(4, 4)
    for k, (value, (want, format)) in enumerate(zip(products(a, a_csc, w),
                                                   _expected(a, a_csc, w))):
        assert getattr(value, 'format', None) == format, k
        value = value.toarray() if format else value
        np.testing.assert_allclose(value, want, rtol=1e-12, atol=1e-15, err_msg=str(k))


def test_py_mode_computes_the_same():
    """Node by node, with numpy values (a few outputs: each op runs eagerly, slowly)."""
    rng = np.random.RandomState(5)
    a = sp.random(7, 4, density=0.4, format='csr', random_state=rng)
    a_csc = sp.random(7, 4, density=0.4, format='csc', random_state=rng)
    w = rng.rand(4, 4)
    inputs, outputs = _product_graph()
    chosen = [1, 5, 9, 10, 13]
    f = theano.function(inputs, [outputs[k] for k in chosen], mode='py')
    expected = [_expected(a, a_csc, w)[k] for k in chosen]
    for k, (value, (want, format)) in enumerate(zip(f(a, a_csc, w), expected)):
        assert getattr(value, 'format', None) == format, k
        np.testing.assert_allclose(value.toarray() if format else value, want, rtol=1e-12,
                                   atol=1e-15, err_msg=str(k))


def test_nnz_steps_share_a_program(products):
    """Programs are keyed by the capacity step of nnz, not by nnz."""
    rng = np.random.RandomState(3)
    x = S.csr_matrix('x')
    f = theano.function([x], S.sp_sum(x, axis=1))

    def with_nnz(nnz):
        dense = np.zeros(1600)
        dense[rng.permutation(1600)[:nnz]] = rng.rand(nnz) + 1
        return sp.csr_matrix(dense.reshape(40, 40))
    for nnz in (97, 100, 103, 104):  # one capacity step: 104 = 13 * 8
        a = with_nnz(nnz)
        np.testing.assert_allclose(f(a), np.asarray(a.sum(axis=1)).ravel())
    assert f.stats.programs == 1
    a = with_nnz(105)
    np.testing.assert_allclose(f(a), np.asarray(a.sum(axis=1)).ravel())
    assert f.stats.programs == 2
    assert [S.type.capacity(n) for n in (0, 10, 17, 100, 800, 40000)] == [
        16, 16, 18, 104, 832, 40960]


def test_csm_properties_pad_past_indptr():
    x = S.csr_matrix('x')
    data, indices, indptr, shape = S.csm_properties(x)
    f = theano.function([x], [data, indices, indptr, shape])
    a = sp.random(5, 6, density=0.5, format='csr', random_state=0)
    got_data, got_indices, got_indptr, got_shape = f(a)
    np.testing.assert_array_equal(got_indptr, a.indptr)
    np.testing.assert_array_equal(got_shape, [5, 6])
    np.testing.assert_array_equal(got_data[:a.nnz], a.data)
    np.testing.assert_array_equal(got_indices[:a.nnz], a.indices)
    assert not got_data[a.nnz:].any()


# -- Gradients against finite differences --------------------------------------------------
PATTERN = sp.random(5, 4, density=0.5, format='csr', random_state=7)


def _sparse_of(data, format='csr'):
    """The matrix with PATTERN's entries and ``data`` as its values, built with CSM."""
    pattern = PATTERN if format == 'csr' else PATTERN.tocsc()
    return S.CSM(format)(data, pattern.indices, pattern.indptr, np.asarray(pattern.shape))


GRAD_CASES = {  # (data of PATTERN's entries, w of shape (5, 3)) -> cost
    'structured_dot': lambda d, w: S.structured_dot(_sparse_of(d), w[:4]).sum(),
    'structured_dot_csc': lambda d, w: (S.structured_dot(_sparse_of(d, 'csc'), w[:4]) ** 2
                                        ).sum(),
    'dot_dense_grad': lambda d, w: (S.dot(PATTERN, w[:4]) ** 2).sum() + (
        S.dot(w.T, PATTERN) ** 2).sum() + d.sum(),
    'sigmoid_sum': lambda d, w: S.sp_sum(S.structured_sigmoid(_sparse_of(d)) * 3.0) + w.sum(),
    'mul_sd': lambda d, w: S.sp_sum(S.mul(_sparse_of(d), T.dot(w, w.T)[:, :4] + 1)),
    'add_sd': lambda d, w: (S.add(_sparse_of(d), T.dot(w, w.T)[:, :4]) ** 2).sum(),
    'row_col_scale': lambda d, w: S.sp_sum(S.sqr(S.col_scale(
        S.row_scale(_sparse_of(d), w[:, 0] + 1), w[:4, 1]))),
    'dense_from_sparse': lambda d, w: (S.dense_from_sparse(_sparse_of(d)) ** 3).sum() +
    w.sum(),
    'add_ss': lambda d, w: S.sp_sum(S.sqr(S.add(_sparse_of(d), _sparse_of(d * w.sum())))),
    'mul_ss': lambda d, w: S.sp_sum(S.mul(_sparse_of(d), _sparse_of(d + w.sum()))),
    'sp_sum_axis': lambda d, w: (S.sp_sum(_sparse_of(d), axis=1, sparse_grad=True) ** 2
                                 ).sum() + w.sum(),
    'stack': lambda d, w: (S.dense_from_sparse(S.vstack([
        S.hstack([_sparse_of(d), S.csc_from_dense(w[:, :3])]),
        S.csr_from_dense(T.concatenate([w.T, w.T[:, :2]], axis=1))], format='csr')) ** 3).sum(),
}


@pytest.mark.parametrize('names', [sorted(GRAD_CASES)[:6], sorted(GRAD_CASES)[6:]],
                         ids=['first', 'second'])
def test_gradients_match_finite_differences(names):
    """A weighted sum of several costs per check (one compiled function, not one per op)."""
    rng = np.random.RandomState(0)
    weights = rng.rand(len(names)) + 0.5

    def cost(d, w):
        return sum(weight * GRAD_CASES[name](d, w) for weight, name in zip(weights, names))
    verify_grad(cost, [rng.rand(PATTERN.nnz) + 0.5, rng.rand(5, 3)], rng=rng)


def test_structured_gradient_keeps_the_pattern():
    x, W = S.csr_matrix('x'), T.matrix('W')
    g = theano.function([x, W], T.grad(S.structured_dot(x, W).sum(), x))(PATTERN, np.ones((4, 3)))
    assert g.format == 'csr'
    np.testing.assert_array_equal(g.indptr, PATTERN.indptr)
    np.testing.assert_array_equal(g.indices, PATTERN.indices)
    np.testing.assert_allclose(g.data, 3.0)


# -- Shared variables, errors, scipy as an optional dependency ---------------------------------
def test_shared_sparse_variable():
    value = sp.random(6, 4, density=0.5, format='csc', random_state=2)
    Ws = theano.shared(value, name='Ws')
    assert isinstance(Ws, S.SparseTensorSharedVariable)
    assert Ws.type == S.SparseType('csc', 'float64') and str(Ws.type) == 'Sparse[float64, csc]'
    v = T.matrix('v')
    f = theano.function([v], S.structured_dot(Ws, v))
    w = np.arange(12.0).reshape(4, 3)
    np.testing.assert_allclose(f(w), value @ w)
    value2 = sp.random(6, 4, density=0.9, format='csc', random_state=3)
    Ws.set_value(value2)
    np.testing.assert_allclose(f(w), value2 @ w)
    got = Ws.get_value()
    assert got.format == 'csc' and (got != value2).nnz == 0
    again = pickle.loads(pickle.dumps(Ws))
    assert type(again) is type(Ws) and (again.get_value() != value2).nnz == 0


def test_updating_a_sparse_shared_variable():
    Ws = theano.shared(sp.csr_matrix(np.eye(3)), name='Ws')
    step = theano.function([], S.sp_sum(Ws), updates=[(Ws, S.mul(Ws, np.float64(2.0)))])
    assert [float(step()) for _ in range(3)] == [3.0, 6.0, 12.0]
    np.testing.assert_allclose(Ws.get_value().toarray(), 8 * np.eye(3))


def test_bad_input_names_the_variable():
    x = S.csr_matrix('x')
    f = theano.function([x], S.sp_sum(x))
    with pytest.raises(TypeError) as info:
        f(np.ones((2, 2)))
    text = str(info.value)
    assert 'input x of type Sparse[float64, csr]' in text and 'scipy.sparse' in text
    assert 'test_sparse.py' in text


def test_csc_value_for_a_csr_input_is_converted():
    x = S.csr_matrix('x')
    f = theano.function([x], x)
    a = sp.random(4, 3, density=0.5, format='csc', random_state=0)
    got = f(a)
    assert got.format == 'csr' and (got != a).nnz == 0


def test_symgraph_does_not_import_scipy_and_sparse_says_what_to_install():
    code = ('import sys; sys.modules["scipy"] = None; import symgraph; '
            'assert "scipy.sparse" not in sys.modules\n'
            'try:\n    import symgraph.sparse\nexcept ImportError as e:\n    print(e)')
    env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert 'pip install scipy' in out.stdout


def test_eval_py_mode_gradient_and_disconnected_gradient():
    x, W = S.csr_matrix('x'), T.matrix('W')
    a = sp.random(5, 4, density=0.5, format='csr', random_state=0)
    squared = S.sqr(x).eval({x: a})
    assert squared.format == 'csr' and abs(squared - a.multiply(a)).max() == 0
    g = theano.function([x], T.grad(S.sp_sum(S.sqr(x)), x), mode='py')(a)
    np.testing.assert_allclose(g.toarray(), 2 * a.toarray())
    zero = T.grad(W.sum(), x, disconnected_inputs='ignore').eval({x: a})
    assert zero.format == 'csr' and zero.shape == (5, 4) and zero.nnz == 0


def test_clean_removes_zeros_and_sorts_as_scipy():
    x = S.csr_matrix('x')
    z = sp.csr_matrix((np.array([0.0, 2.0, 3.0, 1.0]), np.array([2, 0, 1, 0]),
                       np.array([0, 2, 4])), shape=(2, 3))
    got = S.clean(x).eval({x: z})
    want = z.copy()
    want.eliminate_zeros()
    want.sort_indices()
    np.testing.assert_array_equal(got.indptr, want.indptr)
    np.testing.assert_array_equal(got.indices, want.indices)
    np.testing.assert_array_equal(got.data, want.data)
