"""Indexing against independent references: Theano 1.0.5's types and printed graphs
(recorded from real Theano), numpy's values, and finite differences for gradients."""
import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T


def _numeric_grad(fn, value, eps=1e-6):
    grad = np.zeros_like(value)
    for k in np.ndindex(value.shape):
        step = np.zeros_like(value)
        step[k] = eps
        grad[k] = (fn(value + step) - fn(value - step)) / (2 * eps)
    return grad


# ---------------------------------------------------------------------------------------
# Broadcastable patterns, as Theano 1.0.5 infers them: (expression, str(type), pattern)
# ---------------------------------------------------------------------------------------

THEANO_TYPES = [
    ('r[1:]', 'TensorType(float64, matrix)', (False, False)),
    ('r[0:]', 'TensorType(float64, row)', (True, False)),
    ('r[:1]', 'TensorType(float64, row)', (True, False)),
    ('r[:2]', 'TensorType(float64, row)', (True, False)),
    ('r[0:0]', 'TensorType(float64, matrix)', (False, False)),
    ('r[:0]', 'TensorType(float64, matrix)', (False, False)),
    ('r[:i]', 'TensorType(float64, matrix)', (False, False)),
    ('r[i:]', 'TensorType(float64, matrix)', (False, False)),
    ('r[::2]', 'TensorType(float64, row)', (True, False)),
    ('r[::-1]', 'TensorType(float64, row)', (True, False)),
    ('r[:1:-1]', 'TensorType(float64, row)', (True, False)),
    ('r[-1:]', 'TensorType(float64, matrix)', (False, False)),
    ('r[:-1]', 'TensorType(float64, matrix)', (False, False)),
    ('r[:, 1:]', 'TensorType(float64, row)', (True, False)),
    ('r[x.shape[0] - 1:]', 'TensorType(float64, matrix)', (False, False)),
    ('x[[0]]', 'TensorType(float64, row)', (True, False)),
    ('x[:, [0]]', 'TensorType(float64, col)', (False, True)),
    ('x[[0, 1]]', 'TensorType(float64, matrix)', (False, False)),
    ('x[np.array([0])]', 'TensorType(float64, row)', (True, False)),
    ('x[T.constant([0])]', 'TensorType(float64, row)', (True, False)),
    ("x[T.constant(np.array([0], dtype='int32'))]", 'TensorType(float64, row)', (True, False)),
    ('x[iv]', 'TensorType(float64, matrix)', (False, False)),
    ('x[ish]', 'TensorType(float64, matrix)', (False, False)),
    ('s[[0]]', 'TensorType(float64, (True,))', (True,)),
    ('s[[0]] + v', 'TensorType(float64, vector)', (False,)),
    ('x[[-1]]', 'TensorType(float64, row)', (True, False)),
    ('x[[-1]].dimshuffle(1)', 'TensorType(float64, vector)', (False,)),
    ('x[[0], [1]]', 'TensorType(float64, vector)', (False,)),
    ('x[[[0]], [1]]', 'TensorType(float64, matrix)', (False, False)),
    ('x[[0], 1:]', 'TensorType(float64, matrix)', (False, False)),
    ('x[1:, [0]]', 'TensorType(float64, matrix)', (False, False)),
    ('r[[0], :]', 'TensorType(float64, row)', (True, False)),
    ('r[[0, 0]]', 'TensorType(float64, matrix)', (False, False)),
    ('r[iv]', 'TensorType(float64, matrix)', (False, False)),
    ('r[0, [0]]', 'TensorType(float64, vector)', (False,)),
    ('x[i, [0]]', 'TensorType(float64, vector)', (False,)),
    ('x[iv, iv]', 'TensorType(float64, vector)', (False,)),
    ('c[[0, 1], 1:]', 'TensorType(float64, col)', (False, True)),
    ('t3[[0], :, [0]]', 'TensorType(float64, matrix)', (False, False)),
    ('t3[:, [0], [0]]', 'TensorType(float64, matrix)', (False, False)),
    ('t3[:, :, [0]]', 'TensorType(float64, (False, False, True))', (False, False, True)),
    ('t3[:, [0]]', 'TensorType(float64, (False, True, False))', (False, True, False)),
    ('T.stack([a, b], 1)', 'TensorType(float64, (True, False, False))', (True, False, False)),
    ('T.stack([a, b], 0)', 'TensorType(float64, (False, True, False))', (False, True, False)),
    ('T.stack([a, b], 2)', 'TensorType(float64, (True, False, False))', (True, False, False)),
    ('T.stack([a], 0)', 'TensorType(float64, (True, True, False))', (True, True, False)),
    ('T.stack([v], 0)', 'TensorType(float64, row)', (True, False)),
    ('T.stack([a, b], 1).dimshuffle(1, 2)', 'TensorType(float64, matrix)', (False, False)),
    ('T.concatenate([a, b])', 'TensorType(float64, matrix)', (False, False)),
    ('T.concatenate([a, b], 1)', 'TensorType(float64, row)', (True, False)),
    ('T.concatenate([a, c], 1)', 'TensorType(float64, row)', (True, False)),
    ('T.concatenate([a, c], 0)', 'TensorType(float64, col)', (False, True)),
    ('T.concatenate([a])', 'TensorType(float64, row)', (True, False)),
    ('T.join(-1, a, b)', 'TensorType(float64, row)', (True, False)),
    ('T.join(1, a, a)', 'TensorType(float64, row)', (True, False)),
]


def _namespace():
    return dict(np=np, T=T, x=T.matrix('x'), r=T.row('r'), c=T.col('c'), v=T.vector('v'),
                i=T.lscalar('i'), iv=T.lvector('iv'), t3=T.tensor3('t3'), a=T.row('a'),
                b=T.matrix('b'), s=theano.shared(np.arange(4.)),
                ish=theano.shared(np.array([1])))


@pytest.mark.parametrize('code,type_text,pattern', THEANO_TYPES)
def test_broadcastable_pattern_matches_theano(code, type_text, pattern):
    out = eval(code, _namespace())
    assert str(out.type) == type_text
    assert out.broadcastable == pattern


def test_offset_slice_of_a_broadcastable_dimension_is_empty_in_every_mode():
    r = T.row('r')
    for mode in (None, 'FAST_RUN', 'FAST_COMPILE'):
        f = theano.function([r], r[1:].shape[0], mode=mode, on_unused_input='ignore')
        assert f(np.ones((1, 2))) == 0


def test_gradient_through_an_empty_slice_of_a_row_has_the_row_shape():
    r = T.row('r')
    cost = T.sum(T.set_subtensor(r[1:], r) * 2)
    grad = theano.function([r], theano.grad(cost, r))

    def numpy_cost(value):
        out = value.copy()
        out[1:] = value
        return np.sum(out * 2)
    value = np.array([[0.5, -1.5]])
    np.testing.assert_allclose(grad(value), _numeric_grad(numpy_cost, value), rtol=1e-6)


def test_expressions_theano_accepts_compile_and_run():
    s = theano.shared(np.array([5., 6., 7.]))
    v, x, a, b = T.vector('v'), T.matrix('x'), T.row('a'), T.matrix('b')
    vv = np.array([1., 2., 3.])
    np.testing.assert_allclose(theano.function([v], s[[0]] + v)(vv), 5. + vv)
    xv = np.arange(6.).reshape(2, 3)
    np.testing.assert_allclose(theano.function([x], x[[-1]].dimshuffle(1))(xv), xv[-1])
    av, bv = np.ones((1, 2)), 2 * np.ones((1, 2))
    np.testing.assert_allclose(
        theano.function([a, b], T.stack([a, b], 1).dimshuffle(1, 2))(av, bv),
        np.stack([av, bv], 1)[0])


# ---------------------------------------------------------------------------------------
# Printed graphs, as Theano 1.0.5 prints them
# ---------------------------------------------------------------------------------------

THEANO_TEXT = [
    ('x[:]',
     "Subtensor{::} [id A] ''   \n |x [id B]\n"),
    ('x[0, :]',
     "Subtensor{int64, ::} [id A] ''   \n |x [id B]\n |Constant{0} [id C]\n"),
    ('x[()]',
     "Subtensor{} [id A] ''   \n |x [id B]\n"),
    ('T.set_subtensor(x[:], y)',
     "IncSubtensor{Set;::} [id A] ''   \n |x [id B]\n |y [id C]\n"),
    ('T.inc_subtensor(x[:], y)',
     "IncSubtensor{Inc;::} [id A] ''   \n |x [id B]\n |y [id C]\n"),
    ('T.set_subtensor(x[[0]], y)',
     "AdvancedIncSubtensor1{no_inplace,set} [id A] ''   \n |x [id B]\n |Rebroadcast{1} [id C] "
     "''   \n | |y [id D]\n |TensorConstant{(1,) of 0} [id E]\n"),
    ('T.set_subtensor(x[:, [1]], y)',
     "InplaceDimShuffle{1,0} [id A] ''   \n |AdvancedIncSubtensor1{no_inplace,set} [id B] ''   "
     "\n   |InplaceDimShuffle{1,0} [id C] ''   \n   | |x [id D]\n   |InplaceDimShuffle{1,0} "
     "[id E] ''   \n   | |Rebroadcast{?,1} [id F] ''   \n   |   |y [id G]\n   "
     "|TensorConstant{(1,) of 1} [id H]\n"),
    ('T.set_subtensor(im[0], v)',
     "IncSubtensor{Set;int64} [id A] ''   \n |im [id B]\n |v [id C]\n |Constant{0} [id D]\n"),
    ('T.inc_subtensor(x[i::2], y)',
     "IncSubtensor{Inc;int64::int64} [id A] ''   \n |x [id B]\n |y [id C]\n |ScalarFromTensor "
     "[id D] ''   \n | |i [id E]\n |Constant{2} [id F]\n"),
    ('T.concatenate([x])',
     'x [id A]\n'),
    ('T.stack([r, x], 1)',
     "Join [id A] ''   \n |TensorConstant{1} [id B]\n |InplaceDimShuffle{0,x,1} [id C] ''   \n"
     " | |r [id D]\n |InplaceDimShuffle{0,x,1} [id E] ''   \n   |x [id F]\n"),
]


@pytest.mark.parametrize('code,text', THEANO_TEXT)
def test_graph_prints_as_in_theano(code, text):
    namespace = dict(T=T, x=T.matrix('x'), y=T.matrix('y'), v=T.vector('v'), r=T.row('r'),
                     im=T.imatrix('im'), i=T.lscalar('i'))
    out = eval(code, namespace)
    assert theano.printing.debugprint(out, file='str') == text


# ---------------------------------------------------------------------------------------
# Symbolic slice bounds on computed expressions and shared variables
# ---------------------------------------------------------------------------------------

X6 = np.arange(6.)


@pytest.mark.parametrize('build,reference', [
    (lambda x, i: (x + 1)[i:], lambda x, i: (x + 1)[i:]),
    (lambda x, i: T.concatenate([x, x])[i:], lambda x, i: np.concatenate([x, x])[i:]),
    (lambda x, i: x[::-1][i:], lambda x, i: x[::-1][i:]),
    (lambda x, i: x.reshape((2, 3)).T[i:], lambda x, i: x.reshape((2, 3)).T[i:]),
    (lambda x, i: x.reshape((3, 2))[i:], lambda x, i: x.reshape((3, 2))[i:]),
    (lambda x, i: x[i:][1:][:i], lambda x, i: x[i:][1:][:i]),
    (lambda x, i: (x[i:] * 2)[i:], lambda x, i: (x[i:] * 2)[i:]),
    (lambda x, i: x[i:(x + 1).shape[0] - 1], lambda x, i: x[i:len(x) - 1]),
    (lambda x, i: T.constant(np.arange(10.))[i:i + 3], lambda x, i: np.arange(10.)[i:i + 3]),
    (lambda x, i: T.set_subtensor(x[1:][i:], 0.)[i:],
     lambda x, i: _numpy_update(x[1:], slice(i, None), 0., True)[i:]),
])
def test_symbolic_slice_of_a_computed_expression(build, reference):
    x, i = T.vector('x'), T.lscalar('i')
    f = theano.function([x, i], build(x, i), on_unused_input='ignore')
    for index in (0, 1, 2, 4, 7, -1, -3, -9):
        np.testing.assert_allclose(f(X6, index), reference(X6, index), err_msg=str(index))


def test_symbolic_slice_of_a_computed_expression_still_checks_indices():
    x, i, j = T.vector('x'), T.lscalar('i'), T.lscalar('j')
    f = theano.function([x, i, j], (x + 1)[i:][j])
    assert f(X6, 2, 1) == X6[2:][1] + 1
    with pytest.raises(IndexError, match='out of bounds'):
        f(X6, 2, 4)


def test_shared_slice_bound_is_read_at_each_call():
    n = theano.shared(3)
    x = T.vector('x')
    f = theano.function([x], x[:n])
    np.testing.assert_allclose(f(X6), X6[:3])
    n.set_value(5)
    np.testing.assert_allclose(f(X6), X6[:5])
    n.set_value(-2)
    np.testing.assert_allclose(f(X6), X6[:-2])


def test_shared_slice_bound_updated_by_the_function_uses_the_value_before_the_call():
    n = theano.shared(np.int64(1))
    x = T.vector('x')
    f = theano.function([x], T.sum(x[:n]), updates=[(n, n + 1)])
    assert [f(X6) for _ in range(4)] == [X6[:k].sum() for k in (1, 2, 3, 4)]


def test_loop_with_shared_and_computed_slice_bounds_matches_single_calls():
    n = theano.shared(3)
    x, i = T.vector('x'), T.lscalar('i')
    f = theano.function([x, i], [T.sum((x + 1)[i:]), T.sum(x[:n])])
    xs, starts = np.tile(X6, (4, 1)) * np.arange(1., 5.)[:, None], np.array([0, 1, 5, 2])
    looped = f.loop(xs, starts)
    for k in range(4):
        np.testing.assert_allclose([looped[0][k], looped[1][k]],
                                   [np.sum((xs[k] + 1)[starts[k]:]), np.sum(xs[k][:3])])


def test_loop_refuses_a_slice_bound_the_function_updates():
    n = theano.shared(np.int64(1))
    x = T.vector('x')
    f = theano.function([x], T.sum(x[:n]), updates=[(n, n + 1)])
    with pytest.raises(NotImplementedError, match='read the shared variable'):
        f.loop(np.tile(X6, (3, 1)))
    assert n.get_value() == 1


def test_shared_start_of_a_shared_matrix_minibatch():
    data = theano.shared(np.arange(20.).reshape(10, 2))
    batch = theano.shared(0)
    i = T.lscalar('i')
    f = theano.function([i], data[batch * 4 + i:(batch + 1) * 4].sum(axis=0))
    for b, k in ((0, 0), (1, 1), (2, 0), (2, 3)):
        batch.set_value(b)
        np.testing.assert_allclose(f(k), np.arange(20.).reshape(10, 2)[b * 4 + k:(b + 1) * 4]
                                   .sum(axis=0))


# ---------------------------------------------------------------------------------------
# Updates of strided and mixed-dtype symbolic slices, constants, x[:], downcasts
# ---------------------------------------------------------------------------------------

def _numpy_update(x, index, y, set_instead_of_inc):
    out = x.copy()
    if set_instead_of_inc:
        out[index] = y
    else:
        out[index] += y
    return out


@pytest.mark.parametrize('set_instead_of_inc', [True, False])
@pytest.mark.parametrize('step', [2, 3, -2])
def test_update_of_a_strided_slice_with_a_symbolic_start(set_instead_of_inc, step):
    x, y, i = T.vector('x'), T.vector('y'), T.lscalar('i')
    update = T.set_subtensor if set_instead_of_inc else T.inc_subtensor
    f = theano.function([x, y, i], update(x[i::step], y))
    xv = np.arange(10.)
    for index in (0, 1, 4, 9, -1, -4):
        n = len(xv[index::step])
        yv = 100. + np.arange(n)
        np.testing.assert_allclose(
            f(xv, yv, index), _numpy_update(xv, slice(index, None, step), yv, set_instead_of_inc))


@pytest.mark.parametrize('set_instead_of_inc', [True, False])
def test_update_of_a_matrix_with_strided_symbolic_slices_and_a_symbolic_step(set_instead_of_inc):
    m, y = T.matrix('m'), T.matrix('y')
    i, j, s = T.lscalar('i'), T.iscalar('j'), T.lscalar('s')
    update = T.set_subtensor if set_instead_of_inc else T.inc_subtensor
    f = theano.function([m, y, i, j, s], update(m[i::2, j::s], y))
    mv = np.arange(35.).reshape(5, 7)
    for index in [(0, 0, 1), (1, 2, 3), (3, -2, -2), (0, 6, -3)]:
        key = (slice(index[0], None, 2), slice(index[1], None, index[2]))
        yv = -np.arange(mv[key].size, dtype=float).reshape(mv[key].shape)
        np.testing.assert_allclose(f(mv, yv, *index),
                                   _numpy_update(mv, key, yv, set_instead_of_inc))


def test_gradient_of_an_increment_of_a_strided_symbolic_slice():
    x, y, i = T.vector('x'), T.vector('y'), T.lscalar('i')
    cost = T.sum(T.inc_subtensor(x[i::2], y) ** 2)
    f = theano.function([x, y, i], theano.grad(cost, [x, y]))
    xv, yv = np.linspace(-1., 1., 7), np.array([0.5, -2., 1.5])
    gx, gy = f(xv, yv, 1)
    np.testing.assert_allclose(gx, _numeric_grad(
        lambda v: np.sum(_numpy_update(v, slice(1, None, 2), yv, False) ** 2), xv), rtol=1e-6)
    np.testing.assert_allclose(gy, _numeric_grad(
        lambda v: np.sum(_numpy_update(xv, slice(1, None, 2), v, False) ** 2), yv), rtol=1e-6)


def test_update_with_an_int32_index_and_an_int64_slice():
    m, y, i = T.matrix('m'), T.vector('y'), T.iscalar('i')
    f = theano.function([m, y, i], T.set_subtensor(m[i, i:3], y))
    np.testing.assert_allclose(f(np.zeros((3, 4)), np.array([1., 2.]), 1),
                               _numpy_update(np.zeros((3, 4)), (1, slice(1, 3)), [1., 2.], True))


@pytest.mark.parametrize('build,reference', [
    (lambda c, i, iv: c[i], lambda c, i, iv: c[i]),
    (lambda c, i, iv: c[i, 1:], lambda c, i, iv: c[i, 1:]),
    (lambda c, i, iv: c[-1, i], lambda c, i, iv: c[-1, i]),
    (lambda c, i, iv: c[iv], lambda c, i, iv: c[iv]),
    (lambda c, i, iv: c[:, iv], lambda c, i, iv: c[:, iv]),
    (lambda c, i, iv: c[iv, i], lambda c, i, iv: c[iv, i]),
])
def test_constant_indexed_by_inputs(build, reference):
    table = np.arange(12.).reshape(3, 4)
    i, iv = T.lscalar('i'), T.ivector('iv')
    f = theano.function([i, iv], build(T.constant(table), i, iv), on_unused_input='ignore')
    ivv = np.array([2, 0, 2], dtype='int32')
    np.testing.assert_allclose(f(1, ivv), reference(table, 1, ivv))


def test_constant_indexed_by_inputs_checks_indices():
    i, iv = T.lscalar('i'), T.ivector('iv')
    table = T.constant(np.arange(12.).reshape(3, 4))
    with pytest.raises(IndexError, match='index 3 is out of bounds'):
        theano.function([i], table[i])(3)
    with pytest.raises(IndexError, match='index -4 is out of bounds'):
        theano.function([iv], table[iv])(np.array([0, -4], dtype='int32'))


def test_set_and_increment_of_the_whole_array():
    x, y = T.matrix('x'), T.matrix('y')
    xv, yv = np.arange(4.).reshape(2, 2), np.full((2, 2), 10.)
    both = theano.function([x, y], [T.set_subtensor(x[:], y), T.inc_subtensor(x[:], y)])
    got_set, got_inc = both(xv, yv)
    np.testing.assert_allclose(got_set, _numpy_update(xv, slice(None), yv, True))
    np.testing.assert_allclose(got_inc, _numpy_update(xv, slice(None), yv, False))


def test_set_subtensor_casts_floats_into_an_integer_array():
    im, v = T.imatrix('im'), T.vector('v')
    out = T.set_subtensor(im[0], v)
    assert out.type == im.type
    vv = np.array([1.7, -2.5, 3.9])
    # Theano 1.0.5 gives [[1, -2, 3], [0, 0, 0]]: numpy's assignment truncates.
    np.testing.assert_array_equal(theano.function([im, v], out)(np.zeros((2, 3), 'int32'), vv),
                                  _numpy_update(np.zeros((2, 3), 'int32'), 0, vv, True))


def test_inc_subtensor_refuses_to_add_floats_into_an_integer_array():
    # Theano builds the graph and fails when it runs, as numpy's += would.
    with pytest.raises(TypeError, match='cannot add values of dtype float64'):
        T.inc_subtensor(T.imatrix('im')[0], T.vector('v'))
