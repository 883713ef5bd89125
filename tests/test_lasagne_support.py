"""Theano names and behaviours that Lasagne (its library and its test suite) relies on, each
checked against Theano 1.0.5 (values printed by the real Theano oracle, quoted) or numpy."""
import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.gof.graph import ancestors, inputs, is_same_graph
from symgraph.scan_module.scan_utils import equal_computations


def test_equal_computations_compares_structure_as_theano_does():
    x, y, z = T.matrix('x'), T.matrix('y'), T.matrix('z')
    eq = equal_computations
    # Theano 1.0.5 answers True False True False True False True True False
    assert [eq([x + y], [x + y]), eq([x + y], [y + x]),
            eq([T.sum(x ** 2)], [T.sum(x ** 2)]), eq([T.sum(x ** 2)], [T.sum(x ** 3)]),
            eq([x * 2], [z * 2], [x], [z]), eq([x * 2], [z * 2]),
            eq([x + 1.0], [x + 1.0]), eq([x], [x]), eq([T.cast(x, 'float32')], [x])] == \
        [True, False, True, False, True, False, True, True, False]


def test_is_same_graph_with_givens():
    x, y, w = T.vectors('x', 'y', 'w')
    # Theano 1.0.5: True False True False
    assert [is_same_graph(x + y, x + y), is_same_graph(x + y, y + x),
            is_same_graph(x * 2, w * 2, givens={w: x}), is_same_graph(x * 2, w * 2)] == \
        [True, False, True, False]


def test_graph_inputs_come_in_theanos_order():
    """Lasagne orders a layer's parameters by gof.graph.inputs."""
    x, y, w = T.vectors('x', 'y', 'w')
    # Theano 1.0.5: [w, y, x] [x, y, w] [w, x, y] and ancestors
    # [Elemwise{add,no_inplace}.0, Elemwise{mul,no_inplace}.0, x, y, w]
    assert inputs([x, y, w]) == [w, y, x]
    assert inputs(reversed([x, y, w])) == [x, y, w]
    assert inputs([x * y + w, w + x]) == [w, x, y]
    total = x * y + w
    assert ancestors([total]) == [total, total.owner.inputs[0], x, y, w]


def test_fixed_dtype_constructors_are_types():
    x = T.dscalar('x')
    assert x.type is T.dscalar and str(T.dscalar) == 'TensorType(float64, scalar)'
    assert [v.type for v in T.imatrices(2)] == [T.imatrix, T.imatrix]
    assert T.fmatrix().type.dtype == 'float32' and T.lcol('c').broadcastable == (False, True)


def test_gpuarray_backend_reports_itself_inactive():
    """Lasagne's conv tests import theano.gpuarray to learn whether a GPU backend is on."""
    from symgraph import gpuarray
    assert gpuarray.pygpu_activated is False and gpuarray.dnn.dnn_present() is False


def test_pprint_names_second_fill():
    x, y = T.vectors('x', 'y')
    assert theano.pp(T.second(x, y)) == 'fill(x, y)'
    # Theano 1.0.5's text for the gradient of sum(x ** 2)
    assert theano.pp(T.grad((x ** 2).sum(), x)) == (
        '((fill((x ** TensorConstant{2}), fill(Sum{acc_dtype=float64}((x ** TensorConstant{2})), '
        'TensorConstant{1.0})) * TensorConstant{2}) * (x ** (TensorConstant{2} - '
        'TensorConstant{1})))')


@pytest.fixture(scope='module')
def shorthands():
    x, i = T.matrix('x'), T.imatrix('i')
    outs = [T.take(x, i, axis=1), T.take(x, i), T.take(x, i[0] + 5, axis=1, mode='wrap'),
            T.take(x, i[0] + 5, axis=1, mode='clip'), T.square(x), T.ptp(x, 1),
            T.largest(x, 2 * x, -x), T.smallest(x, -x), T.iround(x / 4), T.ceil_intdiv(i, 3),
            T.power(x, 2), T.horizontal_stack(x, x), T.vertical_stack(x, x),
            x[[slice(1, None), slice(None, 2)]], np.ones(4) + x] + \
        T.split(x[0], [1, 3], 2)
    return theano.function([x, i], outs)


def test_theano_shorthands_match_numpy(shorthands):
    a = np.arange(12.).reshape(3, 4) - 5
    j = np.array([[0, 2], [1, 3]], dtype='int32')
    got = shorthands(a, j)
    expected = [np.take(a, j, axis=1), np.take(a, j), np.take(a, j[0] + 5, axis=1, mode='wrap'),
                np.take(a, j[0] + 5, axis=1, mode='clip'), a ** 2, np.ptp(a, 1),
                np.maximum(np.maximum(a, 2 * a), -a), np.minimum(a, -a),
                np.round(a / 4).astype('int64'), -(-j // 3), a ** 2, np.hstack([a, a]),
                np.vstack([a, a]), a[1:, :2], np.ones(4) + a, a[0, :1], a[0, 1:]]
    assert len(got) == len(expected)
    for value, want in zip(got, expected):
        assert value.dtype == want.dtype and np.array_equal(value, want), (value, want)


def test_numpy_array_on_the_left_builds_a_graph():
    x = T.vector('x')
    for result in (np.ones(3) + x, np.ones(3) * x, np.ones(3) > x, np.float64(2) - x):
        assert isinstance(result, T.TensorVariable)
    assert np.array_equal((np.arange(3.) - x).eval({x: np.ones(3)}), np.arange(3.) - 1)


def test_scan_reads_a_non_sequence_computed_from_shared_variables():
    """The step uses the stacked weights by name, as Lasagne's GRU does; strict=True then
    accepts them, since they are given as a non-sequence."""
    W1 = theano.shared(np.arange(4.).reshape(2, 2), name='W1')
    W2 = theano.shared(np.ones((2, 2)), name='W2')
    stacked = T.concatenate([W1, W2], axis=1)
    x = T.matrix('x')

    def step(x_t, h, *args):
        return T.tanh(T.dot(h, stacked)[:2] + x_t)
    out, _ = theano.scan(step, sequences=[x], outputs_info=[T.zeros((2,))],
                         non_sequences=[stacked], strict=True)
    value, grad = theano.function([x], [out, T.grad(out.sum(), W1)])(
        np.arange(6.).reshape(3, 2) / 10)
    # Theano 1.0.5's values (rounded to 6 places)
    assert np.allclose(value, [[0, 0.099668], [0.379381, 0.53634], [0.900088, 0.986302]],
                       atol=1e-6)
    assert np.allclose(grad, [[0.072022, 0.010322], [0.189464, 0.118342]], atol=1e-6)
    with pytest.raises(ValueError, match='W1, W2, not given in non_sequences'):
        theano.scan(step, sequences=[x], outputs_info=[T.zeros((2,))], strict=True)


def test_clone_of_a_shared_variable_is_an_alias_with_its_own_default_update():
    """Lasagne's batch normalization updates its running averages through such a clone."""
    s = theano.shared(np.ones(3), name='s')
    alias = theano.clone(s, share_inputs=False)
    alias.default_update = alias * 2 + 1
    y = s + 0 * alias
    # Theano 1.0.5: eval gives [1 1 1] and updates s to 3; a function then gives 3, s = 7
    assert np.array_equal(y.eval(), np.ones(3))
    assert np.array_equal(s.get_value(), np.full(3, 3.))
    assert np.array_equal(theano.function([], y)(), np.full(3, 3.))
    assert np.array_equal(alias.get_value(), np.full(3, 7.))
    alias2 = theano.clone(s, share_inputs=False)
    alias2.default_update = alias2 - 1
    with pytest.raises(ValueError, match='updated twice'):
        theano.function([], s + alias + alias2)


def test_reshape_to_the_length_of_a_broadcastable_dimension_keeps_it_broadcastable():
    """Lasagne's recurrent layers reshape to ``x.shape[i]``; with one unit the hidden
    state stays a column, as scan requires."""
    x = T.TensorType('float64', (False, True))('x')
    y = T.tensor3('y')
    # Theano 1.0.5: (False, True) (False, False) (False, False, True) (True, False)
    assert T.reshape(x, (x.shape[0], x.shape[1])).broadcastable == (False, True)
    assert T.reshape(y, (y.shape[0] * y.shape[1], y.shape[2])).broadcastable == (False, False)
    assert T.reshape(x, (2, x.shape[0] // 2, x.shape[1])).broadcastable == (False, False, True)
    assert T.reshape(x, [x.shape[-1], x.shape[0]]).broadcastable == (True, False)


def test_eval_takes_a_computed_variable_given_a_value_as_it_is():
    x = T.vector('x')
    y = T.exp(x)
    assert np.array_equal((y * 2).eval({y: np.ones(2)}), [2., 2.])
    assert np.array_equal(y.eval({y: np.arange(2.)}), [0., 1.])
    assert np.array_equal((y * 2).eval({x: np.zeros(2)}), [2., 2.])


def test_theano_08_downsample_max_pool_2d_is_pool_2d():
    """Lasagne 0.1 pools with Theano 0.8's downsample.max_pool_2d."""
    from symgraph.tensor.signal import downsample
    x = T.tensor4('x')
    with pytest.warns(DeprecationWarning, match='pool_2d'):
        pooled = downsample.max_pool_2d(x, ds=(2, 1), st=(1, 1), ignore_border=True,
                                        padding=(1, 0))
    a = np.random.RandomState(0).randn(1, 2, 3, 2)
    padded = np.pad(a, ((0, 0), (0, 0), (1, 1), (0, 0)), constant_values=-np.inf)
    expected = np.maximum(padded[:, :, :-1], padded[:, :, 1:])  # windows of 2 rows, stride 1
    assert np.allclose(pooled.eval({x: a}), expected)
