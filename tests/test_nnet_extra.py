"""The rest of ``T.nnet``: elu, selu, softsign, ultra_fast_sigmoid, hard_sigmoid, relu,
softmax_with_bias, the fused softmax cross-entropies, h_softmax, batch normalization
(``T.nnet.bn``) and neighbours (``images2neibs``/``neibs2images``); values and gradients
against Theano 1.0.5 (goldens) and finite differences, and printing."""
import warnings

import numpy as np
import pytest

import nnet_cases
from nnet_goldens import check_debugprint, check_values, names

import symgraph as theano
import symgraph.tensor as T
from symgraph.testing import verify_grad


@pytest.mark.parametrize('name', names(['nnet_']))
def test_values_and_gradients_match_theano(name):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_values(name)


@pytest.mark.parametrize('name', names(['dp_nnet'], nnet_cases.DEBUGPRINT_CASES))
def test_debugprint_matches_theano(name):
    check_debugprint(name)


def test_activation_gradients_match_finite_differences():
    rng = np.random.RandomState(8)
    x = rng.uniform(-3, 3, (3, 4))
    x[np.abs(x) < 0.05] = 0.3  # away from the kinks
    for fn in (T.nnet.elu, T.nnet.selu, T.nnet.softsign, lambda v: T.nnet.relu(v, 0.1),
               T.nnet.hard_sigmoid):
        verify_grad(fn, [x], rng=rng)
    # Theano gives ultra_fast_sigmoid no gradient; here, that of the approximation
    y = rng.uniform(-8, 8, (20,))
    y[np.abs(np.abs(0.5 * y) - 1.7) < 0.05] += 0.2
    y[np.abs(np.abs(0.5 * y) - 3) < 0.05] += 0.2
    verify_grad(T.nnet.ultra_fast_sigmoid, [y], rng=rng)


def test_ultra_fast_sigmoid_is_close_to_sigmoid():
    x = T.vector('x')
    f = theano.function([x], [T.nnet.ultra_fast_sigmoid(x), T.nnet.sigmoid(x)])
    fast, exact = f(np.linspace(-10, 10, 101))
    assert np.max(np.abs(fast - exact)) < 0.03  # Theano's approximation, as it computes it


def test_softmax_cross_entropy_gradients_match_finite_differences():
    rng = np.random.RandomState(9)
    y = np.array([2, 0, 1])

    def nll(x, b):
        return T.nnet.crossentropy_softmax_argmax_1hot_with_bias(x, b, y)[0]
    verify_grad(nll, [rng.randn(3, 4), rng.randn(4)], rng=rng)
    verify_grad(T.nnet.softmax_with_bias, [rng.randn(3, 4), rng.randn(4)], rng=rng)
    # through CrossentropySoftmax1HotWithBiasDx (a second derivative)
    verify_grad(lambda x, b: T.grad(T.sum(nll(x, b) ** 2), x), [rng.randn(3, 4),
                                                               rng.randn(4)], rng=rng)


def test_crossentropy_softmax_is_stable_for_large_logits():
    x, y = T.matrix('x'), T.ivector('y')
    nll, sm = T.nnet.crossentropy_softmax_1hot(x, y)
    f = theano.function([x, y], [nll, T.grad(nll.sum(), x)])
    value, grad = f(np.array([[1000., 0., -1000.]]), np.array([2], dtype='int32'))
    np.testing.assert_allclose(value, [2000.])
    np.testing.assert_allclose(grad, [[1., 0., -1.]])


def test_crossentropy_targets_are_checked():
    x, y = T.matrix('x'), T.ivector('y')
    f = theano.function([x, y], T.nnet.crossentropy_softmax_1hot(x, y)[0])
    with pytest.raises(IndexError, match='index 3 is out of bounds for axis 1 with size 3'):
        f(np.zeros((2, 3)), np.array([0, 3], dtype='int32'))


def test_batch_normalization_gradients_match_finite_differences():
    rng = np.random.RandomState(10)
    x, gamma, beta = rng.randn(4, 3), rng.randn(3), rng.randn(3)

    def train(x, gamma, beta):
        return T.nnet.bn.batch_normalization_train(x, gamma, beta)[0]
    verify_grad(train, [x, gamma, beta], rng=rng)
    # AbstractBatchNormTrainGrad differentiated with respect to gamma. (With respect to x,
    # Theano's second derivative leaves out the paths through the batch mean and invstd,
    # as AbstractBatchNormTrain's gradient ignores those outputs; symgraph gives Theano's
    # numbers, checked by the goldens.)
    xc = T.constant(x)
    verify_grad(lambda gamma, beta: T.grad(T.sum(train(xc, gamma, beta) ** 3), xc),
                [gamma, beta], rng=rng)
    verify_grad(lambda x, gamma, beta, m, v: T.nnet.bn.batch_normalization_test(
        x, gamma, beta, m, v), [x, gamma, beta, rng.randn(3), rng.rand(3) + 1], rng=rng)
    verify_grad(lambda x, gamma, beta, m, s: T.nnet.bn.batch_normalization(
        x, gamma, beta, m, s), [x, gamma, beta, rng.randn(3), rng.rand(3) + 1], rng=rng)


def test_batch_normalization_errors():
    x, v = T.tensor4('x'), T.vector('v')
    with pytest.raises(ValueError, match='epsilon must be at least 1e-5'):
        T.nnet.bn.batch_normalization_train(x, v, v, 'spatial', epsilon=1e-6)
    with pytest.raises(ValueError, match='gamma and beta dimensionality must match'):
        T.nnet.bn.batch_normalization_train(x, T.matrix('g'), v, 'spatial')
    with pytest.raises(ValueError, match='running_mean and running_var must either both'):
        T.nnet.bn.batch_normalization_train(x, v, v, 'spatial', running_mean=v)
    with pytest.raises(ValueError, match='axes should be less than ndim'):
        T.nnet.bn.batch_normalization_train(x, v, v, (0, 4))
    with pytest.raises(ValueError, match='mode must be either'):
        T.nnet.bn.batch_normalization(x, v, v, v, v, mode='medium')


def test_neighbours_round_trip_and_gradients():
    rng = np.random.RandomState(11)
    x = T.tensor4('x')
    neibs = T.nnet.neighbours.images2neibs(x, (2, 3))
    back = T.nnet.neighbours.neibs2images(neibs, (2, 3), x.shape)
    value = rng.randn(2, 3, 4, 6)
    np.testing.assert_array_equal(theano.function([x], back)(value), value)
    for mode, shape, step in (('valid', (3, 2), (1, 2)), ('half', (3, 3), (1, 1)),
                              ('full', (2, 2), (1, 1)), ('wrap_centered', (3, 3), None),
                              ('ignore_borders', (3, 4), None)):
        verify_grad(lambda v: T.nnet.neighbours.images2neibs(v, shape, step, mode=mode),
                    [rng.randn(1, 2, 4, 6)], rng=rng)


def test_neighbours_errors():
    x = T.tensor4('x')
    f = theano.function([x], T.nnet.neighbours.images2neibs(x, (3, 3)))
    with pytest.raises(TypeError, match=r'neib_shape\[0\]=3, neib_step\[0\]=3 and '
                       r'ten4.shape\[2\]=4 not consistent'):
        f(np.zeros((1, 1, 4, 6)))
    with pytest.raises(NotImplementedError, match='Only modes'):
        T.nnet.neighbours.images2neibs(x, (2, 2), mode='same')
    with pytest.raises(NotImplementedError, match='neibs2images do not support mode=half'):
        T.nnet.neighbours.neibs2images(T.matrix('n'), (2, 2), (1, 1, 4, 4), mode='half')


def test_h_softmax_sums_to_one():
    rng = np.random.RandomState(12)
    x, W1, b1 = T.matrix('x'), T.matrix('W1'), T.vector('b1')
    W2, b2 = T.tensor3('W2'), T.matrix('b2')
    probs = T.nnet.h_softmax(x, 5, 12, 4, 3, W1, b1, W2, b2)
    f = theano.function([x, W1, b1, W2, b2], probs)
    out = f(rng.randn(5, 6), rng.randn(6, 4), rng.randn(4), rng.randn(4, 6, 3),
            rng.randn(4, 3))
    np.testing.assert_allclose(out.sum(axis=1), np.ones(5))


def test_categorical_crossentropy_of_softmax_is_stabilized():
    x, y = T.matrix('x'), T.ivector('y')
    cost = T.nnet.categorical_crossentropy(T.nnet.softmax(x), y).sum()
    f = theano.function([x, y], [cost, T.grad(cost, x)])
    value, grad = f(np.array([[1000., 0., -1000.]]), np.array([2], dtype='int32'))
    np.testing.assert_allclose(value, 2000.)
    np.testing.assert_allclose(grad, [[1., 0., -1.]])
