"""Length buckets (compile/padding.py): a function whose loop takes its length from its
inputs pads them to a bucket length and shares one program between the lengths of a
bucket. Every result must be the one the unpadded program gives (``scan_buckets=False``,
one program per length) and the one numpy gives; errors must be raised as unpadded; and
the number of programs must stay small over lengths 1 to 60.
"""
import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.compile.padding import bucket
from symgraph.config import change_flags

# Lengths that are not bucket lengths (the padded rows are really there), pairs that share
# a bucket, and one that is a bucket length.
LENGTHS = (3, 5, 9, 10, 13, 21, 20)


def test_buckets_are_few_and_tight():
    sizes = [bucket(n) for n in range(1, 61)]
    assert all(n <= b for n, b in zip(range(1, 61), sizes))
    assert all(b <= max(8, 1.25 * n) for n, b in zip(range(1, 61), sizes))
    assert sizes == sorted(sizes)
    assert len(set(sizes)) == 13  # 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64


def compile_both(build):
    """``build()`` -> (inputs, outputs, updates) compiled with and without buckets, each
    with its own shared variables (``build`` makes new ones per call)."""
    fns = []
    for buckets in (True, False):
        with change_flags(scan_buckets=buckets):
            inputs, outputs, updates, shared = build()
            fns.append((theano.function(inputs, outputs, updates=updates), shared))
    return fns


def assert_same_calls(build, make_args, lengths=LENGTHS, rtol=1e-10, atol=1e-12):
    """Both functions give the same outputs and shared values for each length; the
    bucketed one compiles one program per bucket."""
    (padded, padded_shared), (exact, exact_shared) = compile_both(build)
    for n in lengths:
        args = make_args(n)
        got, want = padded(*args), exact(*args)
        for g, w in zip(got if isinstance(got, list) else [got],
                        want if isinstance(want, list) else [want]):
            assert np.shape(g) == np.shape(w)
            np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
        for s, t in zip(padded_shared, exact_shared):
            np.testing.assert_allclose(s.get_value(), t.get_value(), rtol=rtol, atol=atol)
    assert exact.stats.programs == len(set(lengths))
    assert padded.stats.programs == len({bucket(n) for n in lengths})
    return padded, exact


# ---------------------------------------------------------------------------------------
# The LXMLS Day 6 RNN: embedding read, loop, softmax, mean of log-probabilities, SGD
# ---------------------------------------------------------------------------------------

N_WORDS, N_EMB, N_HIDDEN, N_TAGS = 30, 5, 4, 6


def day6_weights():
    rng = np.random.RandomState(0)
    return [rng.uniform(-0.5, 0.5, size=s) for s in
            ((N_EMB, N_WORDS), (N_HIDDEN, N_EMB), (N_HIDDEN, N_HIDDEN), (N_TAGS, N_HIDDEN))]


def day6_build():
    params = [theano.shared(w) for w in day6_weights()]
    W_e, W_x, W_h, W_y = params
    x, y = T.ivector('x'), T.ivector('y')
    h0 = theano.shared(np.zeros((1, N_HIDDEN)))

    def step(x_t, h_tm1, W_x, W_h):
        return T.nnet.sigmoid(T.dot(x_t, W_x.T) + T.dot(h_tm1, W_h.T))

    h, _ = theano.scan(step, sequences=W_e[:, x].T, outputs_info=dict(initial=h0),
                       non_sequences=[W_x, W_h])
    p_y = T.nnet.softmax(T.dot(h[:, 0, :], W_y.T))
    cost = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    updates = [(p, p - 0.5 * T.grad(cost, p)) for p in params]
    return [x, y], [cost, h[-1], p_y.argmax(axis=1)], updates, params


def sentence(n, seed=None):
    rng = np.random.RandomState(n if seed is None else seed)
    return [rng.randint(0, N_WORDS, n).astype('int32'), rng.randint(0, N_TAGS, n)
            .astype('int32')]


def numpy_day6(weights, x, y):
    """The cost, last state, predicted tags and SGD gradient of the RNN, in numpy."""
    W_e, W_x, W_h, W_y = weights
    hs, h = [], np.zeros(N_HIDDEN)
    for word in x:
        h = 1 / (1 + np.exp(-(W_x @ W_e[:, word] + W_h @ h)))
        hs.append(h)
    z = np.array(hs) @ W_y.T
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(y)), y].mean(), hs[-1], z.argmax(axis=1)


@pytest.fixture(scope='module')
def day6():
    (padded, padded_params), (exact, exact_params) = compile_both(day6_build)
    return padded, padded_params, exact, exact_params


def test_day6_rnn_same_costs_and_parameters_as_unpadded_and_numpy(day6):
    padded, padded_params, exact, exact_params = day6
    for n in LENGTHS:
        x, y = sentence(n)
        weights = [p.get_value() for p in padded_params]
        cost, last, tags = padded(x, y)
        want_cost, want_last, want_tags = numpy_day6(weights, x, y)
        np.testing.assert_allclose(cost, want_cost, rtol=1e-12)
        np.testing.assert_allclose(last, want_last[None], rtol=1e-12)
        np.testing.assert_array_equal(tags, want_tags)
        exact_cost = exact(x, y)[0]
        np.testing.assert_allclose(cost, exact_cost, rtol=1e-12)
        for p, q in zip(padded_params, exact_params):
            np.testing.assert_allclose(p.get_value(), q.get_value(), rtol=1e-10, atol=1e-13)
    assert exact.stats.programs == len(LENGTHS)
    assert padded.stats.programs == len({bucket(n) for n in LENGTHS}) == 5


def test_lengths_one_to_sixty_compile_thirteen_programs(day6):
    padded, padded_params = day6[:2]
    before = [p.get_value() for p in padded_params]
    for n in range(1, 61):
        padded(*sentence(n))
    assert padded.stats.programs == 13  # (the first test's five among them)
    for p, value in zip(padded_params, before):
        p.set_value(value)


def test_index_past_the_true_length_raises_as_unpadded(day6):
    """Tags longer than the sentence: the row index runs past the true rows (into the
    padding) and must fail as the unpadded program fails, changing nothing."""
    padded, padded_params, exact = day6[:3]
    x, _ = sentence(9)
    y = sentence(10)[1]
    before = [p.get_value() for p in padded_params]
    with pytest.raises(IndexError) as got:
        padded(x, y)
    with pytest.raises(IndexError) as want:
        exact(x, y)
    assert str(got.value).splitlines()[0] == str(want.value).splitlines()[0] == \
        'index 9 is out of bounds for axis 0 with size 9'
    for p, value in zip(padded_params, before):
        np.testing.assert_array_equal(p.get_value(), value)


def test_bad_word_id_raises_and_changes_nothing(day6):
    padded, padded_params = day6[:2]
    x, y = sentence(11)
    x[4] = N_WORDS
    before = [p.get_value() for p in padded_params]
    with pytest.raises(IndexError, match='index %d is out of bounds for axis 1 with size %d'
                       % (N_WORDS, N_WORDS)):
        padded(x, y)
    for p, value in zip(padded_params, before):
        np.testing.assert_array_equal(p.get_value(), value)


# ---------------------------------------------------------------------------------------
# Other loops: taps, going backwards, gradients with respect to the sequence, reductions
# ---------------------------------------------------------------------------------------

def vector(n):
    return np.random.RandomState(n).uniform(-1, 1, n)


def test_sequence_and_output_taps_with_gradient_wrt_the_sequence():
    def build():
        x, w = T.dvector('x'), theano.shared(0.7)

        def step(x_prev, x_now, f_2, f_1, w):
            return w * f_1 + 0.5 * f_2 + x_now * x_prev

        f, _ = theano.scan(step, sequences=dict(input=x, taps=[-1, 0]),
                           outputs_info=dict(initial=T.constant(np.array([0.1, 0.2])),
                                             taps=[-2, -1]), non_sequences=w)
        cost = (f ** 2).sum()
        return [x], [f, T.grad(cost, x), T.grad(cost, w)], [], [w]

    padded, _ = assert_same_calls(build, lambda n: [vector(n)])
    x = vector(13)
    f = [0.1, 0.2]
    for t in range(1, 13):
        f.append(0.7 * f[-1] + 0.5 * f[-2] + x[t] * x[t - 1])
    np.testing.assert_allclose(padded(x)[0], f[2:], rtol=1e-12)


def test_going_backwards_with_its_gradient():
    def build():
        x, W = T.dmatrix('x'), theano.shared(np.random.RandomState(1).uniform(-1, 1, (3, 3)))
        h, _ = theano.scan(lambda x_t, h, W: T.tanh(T.dot(h, W) + x_t), sequences=x,
                           outputs_info=T.zeros(3), non_sequences=W, go_backwards=True)
        cost = h.sum() + h[-1].sum()
        return [x], [h, T.grad(cost, x), T.grad(cost, W)], [], [W]

    padded, _ = assert_same_calls(build, lambda n: [vector(3 * n).reshape(n, 3)])
    x = vector(27).reshape(9, 3)
    W = np.random.RandomState(1).uniform(-1, 1, (3, 3))
    h, want = np.zeros(3), []
    for row in x[::-1]:
        h = np.tanh(h @ W + row)
        want.append(h)
    np.testing.assert_allclose(padded(x)[0], want, rtol=1e-12)


def test_map_output_shape_number_reductions_and_last_row():
    def build():
        x = T.dvector('x')
        squares, _ = theano.map(lambda v: v ** 2, sequences=x)
        outputs = [squares, squares.sum(), squares.max(), T.argmax(squares), squares[-1],
                   squares.shape[0], T.arange(x.shape[0]) * 2, squares.prod(),
                   T.mean(squares), squares[1:-1], squares[:3]]
        return [x], outputs, [], []

    padded, _ = assert_same_calls(build, lambda n: [vector(n) - 2], lengths=(3, 9, 13, 21))
    x = vector(13) - 2
    got = padded(x)
    for value, want in zip(got, [x ** 2, (x ** 2).sum(), (x ** 2).max(), (x ** 2).argmax(),
                                 x[-1] ** 2, 13, np.arange(13) * 2, (x ** 2).prod(),
                                 (x ** 2).mean(), x[1:-1] ** 2, x[:3] ** 2]):
        np.testing.assert_allclose(value, want, rtol=1e-12)


def test_row_index_past_the_true_length_raises():
    x = T.dvector('x')
    squares, _ = theano.map(lambda v: v ** 2, sequences=x)
    f = theano.function([x], squares[5])
    np.testing.assert_allclose(f(vector(9)), vector(9)[5] ** 2)
    with pytest.raises(IndexError, match='index 5 is out of bounds for axis 0 with size 3'):
        f(vector(3))


def test_sequences_of_different_lengths():
    """Two sequences whose lengths both bound the loop: unpadded when they differ (the
    shorter one limits the loop), padded together when they agree."""
    x, z = T.dvector('x'), T.dvector('z')
    s, _ = theano.scan(lambda a, b: a * b, sequences=[x, z])
    f = theano.function([x, z], [s, z.sum()])
    for n, m in ((9, 12), (11, 12), (13, 20), (11, 11), (12, 12)):
        got = f(vector(n), vector(m))
        np.testing.assert_allclose(got[0], vector(n) * vector(m)[:n], rtol=1e-12)
        np.testing.assert_allclose(got[1], vector(m).sum(), rtol=1e-12)
    assert f.stats.programs == 4  # three pairs of lengths, then 11 and 12 share a bucket


def test_unpadded_with_the_flag_off():
    with change_flags(scan_buckets=False):
        x = T.dvector('x')
        squares, _ = theano.map(lambda v: v ** 2, sequences=x)
        f = theano.function([x], squares.sum())
    for n in (9, 10):
        f(vector(n))
    assert f.stats.programs == 2


def test_constant_slice_past_the_true_length_raises():
    """The one difference from an unpadded program (see the README): a constant stop
    beyond the true length raises rather than giving the shorter slice."""
    x = T.dvector('x')
    squares, _ = theano.map(lambda v: v ** 2, sequences=x)
    f = theano.function([x], squares[:5] * 2)
    np.testing.assert_allclose(f(vector(9)), 2 * vector(9)[:5] ** 2, rtol=1e-12)
    with pytest.raises(ValueError, match='beyond the true length'):
        f(vector(3))
    with change_flags(check_indices=False):  # not an index check: kept
        g = theano.function([x], squares[:5] * 2)
    with pytest.raises(ValueError, match='beyond the true length'):
        g(vector(3))
