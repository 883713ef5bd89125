"""Random streams: MRG_RandomStreams replays Theano 1.0.5's numbers; RandomStreams draws
from JAX keys; both keep their state in shared variables with a default_update.

The replay goldens (tests/goldens/random_streams.json) were drawn by real Theano 1.0.5 with
tests/goldens/make_random_goldens.py from the snippets of tests/goldens/random_cases.py.
"""
import hashlib
import json
import os
import pickle

import numpy as np
import pytest

import random_cases

import symgraph as theano
import symgraph.tensor as T
from symgraph.gradient import NullTypeGradError
from symgraph.sandbox.rng_mrg import MRG_RandomStreams, guess_n_streams, substream_states

GOLDENS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'goldens')
with open(os.path.join(GOLDENS, 'random_streams.json'), encoding='utf-8') as _f:
    REPLAY = json.load(_f)

# Cases whose numbers go through float32 sin/cos/log: XLA's float32 transcendental
# functions are not the C library's, so a sample may differ in its last bit or two.
APPROXIMATE = {'normal_float32': 4e-7, 'normal_symbolic_size_float32': 4e-7,
               'dA_training_steps': 2e-5}


def _run_case(case):
    theano.config.floatX = case['floatX']
    ns = {'theano': theano, 'T': T, 'np': np, 'MRG_RandomStreams': MRG_RandomStreams}
    exec(compile(case['code'], '<case>', 'exec'), ns)
    return ns


def _check(name, got, expected):
    got = np.ascontiguousarray(got)
    assert got.dtype.name == expected['dtype'], name
    assert list(got.shape) == expected['shape'], name
    if name in APPROXIMATE:
        values = expected.get('values', expected.get('head'))
        flat = got.reshape(-1)[:len(np.reshape(values, -1))]
        np.testing.assert_allclose(flat, np.reshape(values, -1), rtol=APPROXIMATE[name],
                                   atol=APPROXIMATE[name], err_msg=name)
        return
    if hashlib.sha256(got.tobytes()).hexdigest() != expected['sha256']:
        values = expected.get('values', expected.get('head'))
        np.testing.assert_array_equal(got.reshape(-1)[:np.size(values)],
                                      np.reshape(values, -1), err_msg=name)
        raise AssertionError('%s: the values differ from Theano\'s (beyond those stored)'
                             % name)


@pytest.mark.parametrize('name', sorted(random_cases.RANDOM_CASES))
def test_replays_theano(name):
    """The same seed and calls draw the same numbers as Theano 1.0.5 (bit for bit, except
    float32 Box-Muller samples, within a few units in the last place)."""
    expected = REPLAY['cases'][name]
    ns = _run_case(random_cases.RANDOM_CASES[name])
    assert len(ns['results']) == len(expected['results'])
    for k, (got, want) in enumerate(zip(ns['results'], expected['results'])):
        _check('%s[%d]' % (name, k) if name not in APPROXIMATE else name, np.asarray(got),
               want)
    if 'debugprint' in expected:
        assert theano.printing.debugprint(ns['printed'], file='str') == \
            expected['debugprint']


# ---------------------------------------------------------------------------------------
# MRG31k3p internals
# ---------------------------------------------------------------------------------------

def test_substream_states_are_successive_2_72_jumps():
    """The streams' starting states, made by doubling blocks, equal Theano's one jump at a
    time (A1p72/A2p72 applied to the previous state)."""
    from symgraph.sandbox.rng_mrg import ff_2p72
    start = np.asarray([12345] * 6, dtype='int32')
    states = substream_states(start, 37)
    expected = [start]
    for _ in range(36):
        expected.append(ff_2p72(expected[-1]))
    np.testing.assert_array_equal(states, np.asarray(expected))


def test_number_of_streams_is_theanos_guess():
    assert guess_n_streams((2, 3)) == 6
    assert guess_n_streams((7,)) == 1
    assert guess_n_streams((100, 100)) == 10000 // 6
    assert guess_n_streams((500, 784)) == 60 * 256
    assert guess_n_streams(T.lvector()) == 60 * 256
    assert guess_n_streams((np.int64(2), 3)) == 60 * 256  # Theano counts Python ints only
    r = MRG_RandomStreams(1)
    r.uniform((10, 10))
    r.uniform(T.matrix().shape)
    r.uniform((4, 5), nstreams=3)
    assert [s.get_value().shape for s, _, _, _ in r.state_updates] == \
        [(16, 6), (60 * 256, 6), (3, 6)]


def test_seed_validation_as_theano():
    with pytest.raises(ValueError, match='seed should not be 0'):
        MRG_RandomStreams(0)
    with pytest.raises(ValueError, match='seed should be less than 2147462579'):
        MRG_RandomStreams(2 ** 31 - 1)
    with pytest.raises(ValueError, match='The first 3 values of seed should not be all 0'):
        MRG_RandomStreams([0, 0, 0, 1, 1, 1])
    with pytest.raises(TypeError, match='seed should be 1 integer or 6 integers'):
        MRG_RandomStreams([1, 2])


def test_unsupported_requests_fail_as_in_theano():
    r = MRG_RandomStreams(1)
    with pytest.raises(NotImplementedError, match='binomial with n > 1'):
        r.binomial((3,), n=2)
    with pytest.raises(NotImplementedError, match='without replacement'):
        r.choice(size=1, p=T.matrix())
    with pytest.raises(TypeError, match='size must be a tuple of int or a Theano Variable'):
        r.uniform([2, 3])
    with pytest.raises(ValueError, match='value <= 0'):
        r.uniform((2, 0))
    with pytest.raises(ValueError, match='does not use the size argument'):
        r.multinomial(size=(2,), pvals=T.matrix())


def test_module_paths():
    assert theano.sandbox.rng_mrg.MRG_RandomStreams is MRG_RandomStreams
    from symgraph.tensor.shared_randomstreams import RandomStreams
    assert T.shared_randomstreams.RandomStreams is RandomStreams


# ---------------------------------------------------------------------------------------
# State: default updates, no_default_updates, pickling, failed calls, scan, loop
# ---------------------------------------------------------------------------------------

def _mrg_draw(seed=3, shape=(4,)):
    r = MRG_RandomStreams(seed)
    return r, r.uniform(shape)


def test_each_call_of_each_function_advances_the_state():
    r, u = _mrg_draw()
    state = r.state_updates[0][0]
    f, g = theano.function([], u), theano.function([], u + 1)
    a, b, c = f(), g(), f()
    assert not np.array_equal(a, b - 1) and not np.array_equal(a, c)
    r2, u2 = _mrg_draw()  # the same draws, from one function
    h = theano.function([], u2)
    np.testing.assert_array_equal([h(), h() + 1, h()], [a, b, c])
    assert state.default_update is r.state_updates[0][1]


def test_no_default_updates_freezes_all_or_listed_states():
    r = MRG_RandomStreams(5)
    u, v = r.uniform((3,)), r.uniform((3,))
    su, sv = r.state_updates[0][0], r.state_updates[1][0]
    frozen = theano.function([], [u, v], no_default_updates=True)
    first = frozen()
    np.testing.assert_array_equal(frozen()[0], first[0])
    only_u = theano.function([], [u, v], no_default_updates=[su])
    a = only_u()
    np.testing.assert_array_equal(a, first)  # nothing has moved yet; now v moves
    b = only_u()
    np.testing.assert_array_equal(b[0], first[0])
    assert not np.array_equal(b[1], a[1])
    # An explicit update wins over the default one.
    keep = theano.function([], u, updates=[(su, su)])
    np.testing.assert_array_equal(keep(), keep())
    del sv


def test_pickling_keeps_the_state():
    r, u = _mrg_draw(seed=21)
    f = theano.function([], u)
    f()
    r2, u2, f2 = pickle.loads(pickle.dumps((r, u, f)))
    np.testing.assert_array_equal(f2(), f())
    np.testing.assert_array_equal(f2(), f())
    g = theano.function([], u2 * 1)  # the unpickled graph compiles and shares f2's state
    np.testing.assert_array_equal(g(), f())
    r2.seed(21)  # the unpickled streams re-seed their own states
    np.testing.assert_array_equal(f2(), theano.function([], _mrg_draw(seed=21)[1])())


def test_a_failed_call_does_not_advance_the_state():
    r, u = _mrg_draw(seed=8, shape=(3,))
    state = r.state_updates[0][0]
    x, i = T.dvector('x'), T.lscalar('i')
    f = theano.function([x, i], (u + x)[i])
    before = state.get_value()
    with pytest.raises(Exception):
        f(np.zeros(2), 0)  # a shape mismatch, found when the program is built
    np.testing.assert_array_equal(state.get_value(), before)
    with pytest.raises(IndexError):
        f(np.zeros(3), 7)  # an index found out of range after the program ran
    np.testing.assert_array_equal(state.get_value(), before)
    expected = theano.function([], u, no_default_updates=True)()
    np.testing.assert_array_equal(f(np.zeros(3), 1), expected[1])
    assert not np.array_equal(state.get_value(), before)


def test_draws_in_scan_come_back_in_its_updates():
    r = MRG_RandomStreams(17)
    x = T.dvector('x')
    out, updates = theano.scan(lambda x_t: x_t + r.uniform((2,)), sequences=x)
    state = r.state_updates[0][0]
    assert state in updates
    f = theano.function([x], out, updates=updates)
    before = state.get_value()
    a = f(np.zeros(3))
    assert not np.array_equal(state.get_value(), before)
    assert len({tuple(row) for row in a}) == 3  # every step draws anew
    # The steps use the streams one after the other, as three calls of one draw do.
    r2 = MRG_RandomStreams(17)
    g = theano.function([], r2.uniform((2,)))
    np.testing.assert_array_equal(a, [g() for _ in range(3)])
    np.testing.assert_array_equal(f(np.zeros(2)), [g() for _ in range(2)])
    # Without scan's updates, the function applies the state's default update (one draw
    # outside the loop), so each call's steps start one draw later (as in Theano).
    h = theano.function([x], out)
    a, b = h(np.zeros(2)), h(np.zeros(2))
    np.testing.assert_array_equal(a[1], b[0])


def test_loop_and_py_mode_draw_as_separate_calls():
    index = T.lscalar('index')
    results = []
    for how in ('calls', 'loop', 'py'):
        r, u = _mrg_draw(seed=12, shape=(2, 3))
        mode = theano.Mode(linker='py') if how == 'py' else None
        f = theano.function([index], u * index, mode=mode)
        results.append(f.loop(index=np.arange(1, 4)) if how == 'loop'
                       else np.asarray([f(i) for i in range(1, 4)]))
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(results[0], results[2])


def test_the_recurrence_runs_inside_the_program():
    """No host callback: the draw is part of the one XLA program, integer ops included."""
    r, u = _mrg_draw(seed=2, shape=(500, 784))
    f = theano.function([], u)
    f()
    text = f.xla_text()
    assert 'xi32' in text and 'callback' not in text
    assert not any(node.op.calls_host for node in f._nodes)


# ---------------------------------------------------------------------------------------
# Gradients
# ---------------------------------------------------------------------------------------

def test_draws_are_constants_for_grad():
    r = MRG_RandomStreams(4)
    x, W = T.dvector('x'), T.dmatrix('W')
    mask = r.binomial((3, 2), p=0.5, dtype='float64')
    cost = T.sum(T.dot(x, W * mask))
    f = theano.function([x, W], [mask, T.grad(cost, W)])
    m, g = f(np.arange(3.), np.ones((3, 2)))
    np.testing.assert_array_equal(g, np.outer(np.arange(3.), np.ones(2)) * m)


def test_reparameterised_normal_differentiates_wrt_avg_and_std():
    r = MRG_RandomStreams(6)
    avg, std = T.dscalar('avg'), T.dscalar('std')
    eps = r.normal((50,))
    z = avg + std * eps
    g_avg, g_std = T.grad(T.sum(z ** 2), [avg, std])
    f = theano.function([avg, std], [eps, g_avg, g_std])
    e, ga, gs = f(0.5, 2.0)
    np.testing.assert_allclose(ga, np.sum(2 * (0.5 + 2.0 * e)))
    np.testing.assert_allclose(gs, np.sum(2 * (0.5 + 2.0 * e) * e))


@pytest.mark.parametrize('draw', ['binomial_p', 'uniform_low', 'normal_avg', 'raw_normal_avg'])
def test_gradient_through_a_draw_parameter_is_undefined(draw):
    """As in Theano: the parameters are wrapped in undefined_grad (MRG) or the draw op
    has an undefined gradient (RandomStreams); asking for it raises NullTypeGradError."""
    from symgraph.tensor.shared_randomstreams import RandomStreams
    a = T.dscalar('a')
    r = MRG_RandomStreams(1)
    sample = {'binomial_p': lambda: r.binomial((3,), p=a, dtype='float64'),
              'uniform_low': lambda: r.uniform((3,), low=a),
              'normal_avg': lambda: r.normal((3,), avg=a),
              'raw_normal_avg': lambda: RandomStreams(1).normal((3,), avg=a)}[draw]()
    with pytest.raises(NullTypeGradError, match='mathematically undefined'):
        T.grad(T.sum(sample), a)
    with pytest.raises(NullTypeGradError):
        T.grad(T.sum(sample), a, disconnected_inputs='ignore')


def test_size_is_not_differentiated():
    """A size taken from a variable's shape does not connect the draw to it."""
    r = MRG_RandomStreams(1)
    x = T.dmatrix('x')
    noise = r.normal(x.shape)
    g = T.grad(T.sum(noise), x, disconnected_inputs='ignore')
    np.testing.assert_array_equal(theano.function([x], g)(np.ones((2, 3))), np.zeros((2, 3)))
    g2 = T.grad(T.sum(x * noise), x)
    f = theano.function([x], [noise, g2], no_default_updates=True)
    n, gn = f(np.ones((2, 3)))
    np.testing.assert_array_equal(gn, n)


# ---------------------------------------------------------------------------------------
# Distributions, checked statistically (fixed seeds; tolerances from the sample size)
# ---------------------------------------------------------------------------------------

def _assert_mean(samples, mean, var, sigmas=5):
    """The sample mean lies within ``sigmas`` standard errors of ``mean``."""
    samples = np.asarray(samples, dtype='float64').reshape(-1)
    bound = sigmas * np.sqrt(var / samples.size)
    assert abs(samples.mean() - mean) <= bound, (samples.mean(), mean, bound)


def _assert_var(samples, var, kurtosis_excess=0.0, sigmas=5):
    """The sample variance lies within ``sigmas`` standard errors of ``var`` (its
    standard error is sqrt((2 + excess kurtosis) / n) * var)."""
    samples = np.asarray(samples, dtype='float64').reshape(-1)
    bound = sigmas * var * np.sqrt((2 + kurtosis_excess) / samples.size)
    assert abs(samples.var() - var) <= bound, (samples.var(), var, bound)


@pytest.fixture(params=['RandomStreams', 'MRG_RandomStreams'])
def streams(request):
    from symgraph.tensor.shared_randomstreams import RandomStreams
    return (RandomStreams if request.param == 'RandomStreams' else MRG_RandomStreams)(2357)


def test_uniform_statistics(streams):
    u = theano.function([], streams.uniform((200, 100), low=-1., high=3.))()
    assert u.dtype == 'float64' and u.shape == (200, 100)
    assert u.min() >= -1 and u.max() < 3
    _assert_mean(u, 1.0, 16 / 12.)
    _assert_var(u, 16 / 12., kurtosis_excess=-1.2)
    counts = np.histogram(u, bins=8, range=(-1, 3))[0]
    expected = u.size / 8
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))


def test_normal_statistics(streams):
    x = T.matrix('x')  # floatX float64; a symbolic size
    n = theano.function([x], streams.normal(x.shape, avg=2., std=3.))(np.zeros((301, 99)))
    assert n.shape == (301, 99)
    _assert_mean(n, 2.0, 9.0)
    _assert_var(n, 9.0)
    assert abs(np.mean(np.abs(n - 2.0) < 3.0) - 0.6827) < 5 * np.sqrt(0.6827 * 0.3173 / n.size)


def test_binomial_statistics(streams):
    b = theano.function([], streams.binomial((400, 250), p=0.3, dtype='float32'))()
    assert b.dtype == 'float32' and set(np.unique(b)) <= {0., 1.}
    _assert_mean(b, 0.3, 0.21)
    p = T.dvector('p')
    rows = theano.function([p], streams.binomial((5000, 3), p=p))(np.asarray([0.1, 0.5, 0.9]))
    assert rows.dtype == 'int64'
    for j, pj in enumerate((0.1, 0.5, 0.9)):
        _assert_mean(rows[:, j], pj, pj * (1 - pj))


def test_multinomial_statistics(streams):
    pvals = np.asarray([[0.2, 0.3, 0.5], [0.7, 0.2, 0.1]])
    if isinstance(streams, MRG_RandomStreams):
        draw = streams.multinomial(pvals=np.repeat(pvals, 5000, axis=0), n=4)
        counts = theano.function([], draw)().reshape(2, 5000, 3)
    else:
        draw = streams.multinomial((5000, 2), n=4, pvals=pvals)
        counts = theano.function([], draw)().transpose(1, 0, 2)
    assert np.all(counts.sum(axis=-1) == 4)
    for i in range(2):
        for j in range(3):
            _assert_mean(counts[i, :, j], 4 * pvals[i, j], 4 * pvals[i, j] * (1 - pvals[i, j]))


def test_mrg_choice_without_replacement_and_truncated_normal():
    r = MRG_RandomStreams(99)
    p = np.full((2000, 6), 1 / 6.)
    picks = theano.function([], r.choice(size=3, p=p, replace=False))()
    assert picks.shape == (2000, 3) and picks.min() >= 0 and picks.max() <= 5
    assert all(len(set(row)) == 3 for row in picks)
    _assert_mean(picks[:, 0] == 0, 1 / 6., 5 / 36.)
    t = theano.function([], r.truncated_normal((100, 100), avg=1., std=2.))()
    assert t.min() >= 1 - 2 * 2 / .87962566103423978 - 1e-9
    assert t.max() <= 1 + 2 * 2 / .87962566103423978 + 1e-9
    _assert_mean(t, 1.0, 4.0)
    _assert_var(t, 4.0, kurtosis_excess=-0.64)


def test_random_streams_integer_distributions():
    from symgraph.tensor.shared_randomstreams import RandomStreams
    rs = RandomStreams(7)
    x = T.dmatrix('x')
    ints = rs.random_integers((20000,), low=-2, high=3)
    perm = rs.permutation((500,), n=7)
    chosen = rs.choice((2000, 3), a=10, replace=True)
    distinct = rs.choice((5,), a=5, replace=False)
    weighted = rs.choice((20000,), a=np.asarray([10, 20, 30]), p=np.asarray([0.1, 0.3, 0.6]))
    poisson = rs.poisson((20000,), lam=3.5)
    counts = rs.binomial((20000,), n=10, p=0.25)
    shuffled = rs.shuffle_row_elements(x)
    f = theano.function([x], [ints, perm, chosen, distinct, weighted, poisson, counts, shuffled])
    data = np.arange(30.).reshape(3, 10)
    i, pm, ch, ds, w, po, bn, sh = f(data)
    assert i.dtype == 'int64' and set(np.unique(i)) == set(range(-2, 4))
    _assert_mean(i, 0.5, 35 / 12.)
    assert pm.shape == (500, 7) and all(sorted(row) == list(range(7)) for row in pm)
    _assert_mean(pm[:, 0], 3.0, 4.0)
    assert ch.shape == (2000, 3) and ch.min() >= 0 and ch.max() <= 9
    assert sorted(ds) == list(range(5))
    for value, pv in ((10, 0.1), (20, 0.3), (30, 0.6)):
        _assert_mean(w == value, pv, pv * (1 - pv))
    _assert_mean(po, 3.5, 3.5)
    _assert_mean(bn, 2.5, 10 * 0.25 * 0.75)
    np.testing.assert_array_equal(np.sort(sh, axis=1), data)
    assert not np.array_equal(sh, data)
    # The permutation applied is the one drawn, available as .permutation.
    g = theano.function([x], [shuffled, shuffled.permutation], no_default_updates=True)
    s, order = g(data)
    np.testing.assert_array_equal(s, np.take_along_axis(data, order, axis=1))


def test_shuffle_row_elements_gradient_unshuffles():
    from symgraph.tensor.shared_randomstreams import RandomStreams
    rs = RandomStreams(3)
    x = T.dmatrix('x')
    w = T.dmatrix('w')
    shuffled = rs.shuffle_row_elements(x)
    g = T.grad(T.sum(shuffled * w), x)
    f = theano.function([x, w], [shuffled.permutation, g])
    order, gx = f(np.zeros((2, 5)), np.arange(10.).reshape(2, 5))
    expected = np.zeros((2, 5))
    np.put_along_axis(expected, order, np.arange(10.).reshape(2, 5), axis=1)
    np.testing.assert_array_equal(gx, expected)


# ---------------------------------------------------------------------------------------
# RandomStreams: state semantics on JAX keys
# ---------------------------------------------------------------------------------------

def test_random_streams_state_is_a_shared_key():
    from symgraph.tensor.shared_randomstreams import RandomStreams
    rs = RandomStreams(seed=11)
    u = rs.uniform((3,))
    f = theano.function([], u)
    key = u.rng.get_value()
    assert key.dtype == 'uint32' and key.shape == (2,)
    np.testing.assert_array_equal(rs[u.rng], key)
    a = f()
    assert not np.array_equal(u.rng.get_value(), key)
    b = f()
    u.rng.set_value(key)  # back to the first key: the same numbers again
    np.testing.assert_array_equal(f(), a)
    rs[u.rng] = np.random.RandomState(0)  # Theano's state type is accepted (as a seed)
    c = f()
    rs[u.rng] = np.random.RandomState(0)
    np.testing.assert_array_equal(f(), c)
    assert not np.array_equal(b, a)
    assert rs.updates() == rs.state_updates and rs.state_updates[0][0] is u.rng


def test_random_streams_seeding_is_reproducible():
    from symgraph.tensor.shared_randomstreams import RandomStreams

    def draws(seed):
        rs = RandomStreams(seed)
        f = theano.function([], [rs.normal((4,)), rs.binomial((4,), p=0.5)])
        return rs, f, [a for _ in range(2) for a in f()]
    rs, f, first = draws(5)
    _, _, again = draws(5)
    _, _, other = draws(6)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])
    rs.seed(6)  # re-seeding an existing stream = a fresh one with that seed
    for a, b in zip([a for _ in range(2) for a in f()], other):
        np.testing.assert_array_equal(a, b)
    rs.seed()  # the seed it was made with
    for a, b in zip(f(), first[:2]):
        np.testing.assert_array_equal(a, b)


def test_random_streams_default_updates_pickling_and_scan():
    from symgraph.tensor.shared_randomstreams import RandomStreams
    rs = RandomStreams(2)
    u = rs.uniform((2,))
    frozen = theano.function([], u, no_default_updates=True)
    np.testing.assert_array_equal(frozen(), frozen())
    f = theano.function([], u)
    f()
    rs2, f2 = pickle.loads(pickle.dumps((rs, f)))
    np.testing.assert_array_equal(f2(), f())
    x = T.dvector('x')
    out, updates = theano.scan(lambda x_t: x_t + rs.normal((3,)), sequences=x)
    assert rs.state_updates[-1][0] in updates
    g = theano.function([x], out, updates=updates)
    a = g(np.zeros(4))
    assert len({tuple(row) for row in a}) == 4
    assert not np.array_equal(g(np.zeros(4)), a)


# ---------------------------------------------------------------------------------------
# The tutorials' patterns with RandomStreams (their numbers with MRG: see the goldens)
# ---------------------------------------------------------------------------------------

def test_dA_corruption_and_lstm_dropout_with_random_streams():
    from symgraph.tensor.shared_randomstreams import RandomStreams
    theano.config.floatX = 'float32'
    numpy_rng = np.random.RandomState(123)
    theano_rng = RandomStreams(numpy_rng.randint(2 ** 30))
    x = T.matrix('x')
    for corruption_level in (0., 0.3):
        tilde_x = theano_rng.binomial(size=x.shape, n=1, p=1 - corruption_level,
                                      dtype=theano.config.floatX) * x
        out = theano.function([x], tilde_x)(np.ones((200, 784), dtype='float32'))
        assert out.dtype == 'float32'
        _assert_mean(out == 0, corruption_level, corruption_level * (1 - corruption_level))
    use_noise = theano.shared(np.asarray(1., dtype='float32'))
    proj = T.matrix('proj')
    dropped = T.switch(use_noise, proj * theano_rng.binomial(proj.shape, p=0.5, n=1,
                                                             dtype=proj.dtype), proj * 0.5)
    f = theano.function([proj], dropped)
    data = np.ones((100, 128), dtype='float32')
    noisy = f(data)
    assert set(np.unique(noisy)) == {0., 1.}
    _assert_mean(noisy, 0.5, 0.25)
    use_noise.set_value(np.asarray(0., dtype='float32'))
    np.testing.assert_array_equal(f(data), data * 0.5)


def test_cos_and_sin_for_box_muller_have_gradients():
    from symgraph.gradient import verify_grad
    verify_grad(lambda x: T.cos(x) * T.sin(2 * x), [np.linspace(-3, 3, 7)],
                rng=np.random.RandomState(0))
    x = T.dvector('x')
    g = theano.function([x], T.grad(T.sum(T.cos(x) + T.sin(x)), x))(np.array([0.3, 1.2]))
    np.testing.assert_allclose(g, -np.sin([0.3, 1.2]) + np.cos([0.3, 1.2]))
