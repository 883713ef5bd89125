"""symgraph.updates against Lasagne on Theano 1.0.5 (goldens/updates.json, made by
goldens/make_update_goldens.py from the cases of goldens/update_cases.py), Adam against a
numpy transcription of Kingma and Ba's algorithm, and the learning-rate schedule pattern."""
import json
import os
from collections import OrderedDict

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph import updates

import update_cases

with open(os.path.join(os.path.dirname(__file__), 'goldens', 'updates.json'), encoding='utf-8') as f:
    GOLDEN = json.load(f)
DATA = {k: np.asarray(v) if k in ('W', 'b', 'c') else [np.asarray(a) for a in v]
        for k, v in GOLDEN['data'].items()}


def test_the_golden_problem_is_the_cases_problem():
    fresh = update_cases.problem_data()
    for key, value in DATA.items():
        np.testing.assert_array_equal(np.asarray(fresh[key]), np.asarray(value))


@pytest.mark.parametrize('name', list(update_cases.CASES))
def test_steps_match_lasagne(name):
    want = GOLDEN['cases'][name]
    got = update_cases.run_case(name, theano, T, updates, DATA)
    np.testing.assert_allclose([loss for loss, _ in got], want['losses'], rtol=1e-10)
    for step, ((_, values), want_values) in enumerate(zip(got, want['values'])):
        assert len(values) == len(want_values), 'step %d: number of updated variables' % step
        for k, (value, expected) in enumerate(zip(values, want_values)):
            np.testing.assert_allclose(value, np.asarray(expected), rtol=1e-9, atol=1e-13,
                                       err_msg='%s, step %d, updated variable %d' % (name, step, k))


@pytest.mark.parametrize('name', list(update_cases.CASES))
def test_float32_updates_keep_their_types(name):
    """Types of every updated variable and of its update under floatX=float32, as Lasagne
    builds them on Theano (state of the broadcastable row ``c`` is a row too)."""
    theano.config.floatX = 'float32'
    got = update_cases.update_types(name, theano, T, updates, DATA)
    assert [list(t) for t in got] == GOLDEN['cases'][name]['types_float32']


def test_float32_adam_follows_the_float64_run():
    theano.config.floatX = 'float32'
    got = update_cases.run_case('adam_eps', theano, T, updates, DATA)
    want = GOLDEN['cases']['adam_eps']
    for (_, values), want_values in zip(got, want['values']):
        for value, expected in zip(values, want_values):
            assert value.dtype == np.float32
            np.testing.assert_allclose(value, expected, rtol=2e-5, atol=1e-6)


# -- Adam against numpy --------------------------------------------------------------------

def _numpy_grads(W, b, c, x, y):
    """Gradients of mean((tanh(x W + b) + c - y) ** 2), by hand."""
    h = np.tanh(x @ W + b)
    d = 2 * (h + c - y) / y.size
    pre = d * (1 - h ** 2)
    return [x.T @ pre, pre.sum(0), d.sum(0, keepdims=True)]


def _numpy_adam(params, lr, beta1, beta2, eps, steps):
    """Algorithm 1 of Kingma and Ba with the bias correction moved into the step size
    (their section 2's last paragraph): eps is added to sqrt(v_t), uncorrected."""
    params = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t in range(1, steps + 1):
        grads = _numpy_grads(*params, DATA['x'][t - 1], DATA['y'][t - 1])
        alpha_t = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        for k, g in enumerate(grads):
            m[k] = beta1 * m[k] + (1 - beta1) * g
            v[k] = beta2 * v[k] + (1 - beta2) * g ** 2
            params[k] = params[k] - alpha_t * m[k] / (np.sqrt(v[k]) + eps)
    return params


@pytest.mark.parametrize('hyper', [(0.001, 0.9, 0.999, 1e-8), (0.05, 0.8, 0.95, 0.1)])
def test_adam_matches_numpy(hyper):
    lr, beta1, beta2, eps = hyper
    W, b = theano.shared(DATA['W'], name='W'), theano.shared(DATA['b'], name='b')
    c = theano.shared(DATA['c'], name='c', broadcastable=(True, False))
    x, y = T.matrix('x'), T.matrix('y')
    loss = T.mean((T.tanh(T.dot(x, W) + b) + c - y) ** 2)
    step = theano.function([x, y], loss, updates=updates.adam(
        loss, [W, b, c], learning_rate=lr, beta1=beta1, beta2=beta2, epsilon=eps))
    for t in range(update_cases.STEPS):
        step(DATA['x'][t], DATA['y'][t])
    want = _numpy_adam([DATA['W'], DATA['b'], DATA['c']], lr, beta1, beta2, eps,
                       update_cases.STEPS)
    for param, expected in zip((W, b, c), want):
        np.testing.assert_allclose(param.get_value(), expected, rtol=1e-10)


# -- learning-rate schedules -----------------------------------------------------------------

def test_a_shared_learning_rate_is_a_schedule_without_recompiling():
    """lr.set_value between calls changes the next step, and one program serves them all."""
    theano.config.floatX = 'float32'
    lr = theano.shared(np.float32(0.1), name='lr')
    w = theano.shared(np.ones(3, dtype='float32'), name='w')
    x = T.vector('x')
    loss = T.sum(w * x)  # gradient x, so each step is -lr * x
    step = theano.function([x], loss, updates=updates.sgd(loss, [w], learning_rate=lr))
    data = np.array([1.0, 2.0, -1.0], dtype='float32')
    expected = np.ones(3)
    for rate in (0.1, 0.5, 0.01):
        lr.set_value(np.float32(rate))
        step(data)
        expected = expected - rate * data
        np.testing.assert_allclose(w.get_value(), expected, rtol=1e-6)
    assert w.get_value().dtype == np.float32
    assert step.stats.programs == 1


# -- the dictionaries and their errors -------------------------------------------------------

def test_rules_return_ordered_dicts_with_new_state():
    W = theano.shared(DATA['W'], name='W')
    cost = T.sum(W ** 2)
    first, second = updates.adam(cost, [W]), updates.adam(cost, [W])
    assert type(first) is OrderedDict
    assert list(first)[0] is not list(second)[0]  # each call makes its own state
    assert list(first)[2] is W and len(first) == 4


def test_apply_momentum_copies_the_dictionary():
    W = theano.shared(DATA['W'], name='W')
    plain = updates.sgd(T.sum(W ** 2), [W], 0.1)
    with_momentum = updates.apply_momentum(plain, momentum=0.5)
    assert len(plain) == 1 and len(with_momentum) == 2
    assert with_momentum[W] is not plain[W]


def test_params_must_be_shared_variables():
    x = T.matrix('x')
    with pytest.raises(ValueError) as err:
        updates.sgd(T.sum(x ** 2), [x], 0.1)
    text = str(err.value)
    assert 'x is a TensorVariable of type TensorType(float64, matrix)' in text
    assert "x = T.matrix('x')" in text  # the line that created it


def test_number_of_gradients_must_match():
    W, b = theano.shared(DATA['W'], name='W'), theano.shared(DATA['b'], name='b')
    with pytest.raises(ValueError, match=r'Got 1 gradient expressions for 2 parameters \(W, b\)'):
        updates.sgd([T.grad(T.sum(W), W)], [W, b], 0.1)


def test_norm_constraint_needs_axes_for_a_vector():
    v = T.vector('v')
    with pytest.raises(ValueError, match='v has 1 dimensions.*pass norm_axes'):
        updates.norm_constraint(v, 1.0)
    f = theano.function([v], updates.norm_constraint(v, 1.0, norm_axes=(0,)))
    np.testing.assert_allclose(f(np.array([3.0, 4.0])), [0.6, 0.8], rtol=1e-6)


def test_total_norm_constraint_returns_the_norm():
    a, b = T.vector('a'), T.vector('b')
    scaled, norm = updates.total_norm_constraint([a, b], max_norm=1.0, return_norm=True)
    f = theano.function([a, b], scaled + [norm])
    sa, sb, n = f(np.array([3.0, 0.0]), np.array([0.0, 4.0]))
    np.testing.assert_allclose(n, 5.0)
    np.testing.assert_allclose(np.concatenate([sa, sb]), [0.6, 0, 0, 0.8], rtol=1e-6)
