"""The LXMLS Day 6 tutorial: scan basics against numpy; the lab's RNN tagger (forward pass and
``T.grad`` through scan) against a numpy forward pass and backpropagation through time written
here; the lab's LSTM against a numpy forward pass and central differences of it; training that
beats the majority tag; one compiled program per distinct sentence length, and bucketing that
trains the same parameters with one program per bucket.

Compiling a program costs far more than running it, so the models and their compiled
functions are built once, in module fixtures, on a small synthetic corpus; float64 throughout
(the tutorial's own run uses float32).
"""
import sys
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # plain `pytest` does not put the root on the path
    sys.path.insert(0, str(REPO_ROOT))

import symgraph as theano  # noqa: E402
import symgraph.tensor as T  # noqa: E402
from symgraph.compile.padding import bucket  # noqa: E402
from tutorials import lxmls_day6 as day6  # noqa: E402
from tutorials import postags  # noqa: E402

TIGHT = dict(rtol=1e-6, atol=1e-10)  # float64 compiled vs float64 numpy


# -- independent numpy references ------------------------------------------------------------

def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def log_softmax_rows(logits):
    shifted = logits - logits.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def rnn_reference(params, x, y):
    """The lab's RNN, one row per word: cost, tag probabilities (words, tags) and the
    gradients of the mean negative log-likelihood by backpropagation through time."""
    W_e, W_x, W_h, W_y = params
    n, H = len(x), W_h.shape[0]
    Z = W_e[:, x].T                                 # (n, E)
    Hs = np.zeros((n + 1, H))                       # Hs[0] = h_0 = 0
    for t in range(n):
        Hs[t + 1] = sigmoid(Z[t] @ W_x.T + Hs[t] @ W_h.T)
    logp = log_softmax_rows(Hs[1:] @ W_y.T)
    cost = -logp[np.arange(n), y].mean()
    # backward
    dlogits = np.exp(logp)
    dlogits[np.arange(n), y] -= 1.0
    dlogits /= n
    dW_y = dlogits.T @ Hs[1:]
    dH = dlogits @ W_y                               # dcost/dh_t from the outputs
    dW_e, dW_x, dW_h = np.zeros_like(W_e), np.zeros_like(W_x), np.zeros_like(W_h)
    from_next = np.zeros(H)
    for t in reversed(range(n)):
        da = (dH[t] + from_next) * Hs[t + 1] * (1.0 - Hs[t + 1])
        dW_x += np.outer(da, Z[t])
        dW_h += np.outer(da, Hs[t])
        dW_e[:, x[t]] += W_x.T @ da
        from_next = W_h.T @ da
    return cost, np.exp(logp), [dW_e, dW_x, dW_h, dW_y]


def lstm_reference(params, x, y):
    """The lab's LSTM (peephole gates on the previous cell), forward only: cost and tag
    probabilities (words, tags)."""
    W_e, W_x, W_h, W_c, W_y = params
    H = W_h.shape[1]
    h, c, outputs = np.zeros(H), np.zeros(H), []
    for word in x:
        zx, zh, zc = W_x @ W_e[:, word], W_h @ h, W_c @ c
        i = sigmoid(zx[:H] + zh[:H] + zc[:H])
        f = sigmoid(zx[H:2 * H] + zh[H:2 * H] + zc[H:2 * H])
        o = sigmoid(zx[3 * H:] + zh[3 * H:] + zc[2 * H:])
        c = f * c + i * np.tanh(zx[2 * H:3 * H] + zh[2 * H:3 * H])
        h = o * np.tanh(c)
        outputs.append(h)
    logp = log_softmax_rows(np.array(outputs) @ W_y.T)
    return -logp[np.arange(len(x)), y].mean(), np.exp(logp)


def central_differences(cost, params, eps=1e-6):
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            saved = p[i]
            p[i] = saved + eps
            plus = cost(params)
            p[i] = saved - eps
            minus = cost(params)
            p[i] = saved
            g[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


def compiled_cost_and_grads(model):
    x, y = T.ivector('x'), T.ivector('y')
    p_y = model._forward(x)
    cost = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    return theano.function([x, y], [cost, p_y] + [T.grad(cost, p) for p in model.param])


# -- fixtures -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus():
    """300 training sentences of 2 to 6 words: five distinct lengths."""
    return postags.synthetic_corpus(n_train=300, n_dev=80, n_test=20, min_len=2, max_len=6, seed=1)


@pytest.fixture(scope="module")
def rnn(corpus):
    return day6.RNN(corpus.n_words, day6.EMB_SIZE, day6.HIDDEN_SIZE, corpus.n_tags, seed=day6.SEED)


@pytest.fixture(scope="module")
def rnn_checked(rnn, corpus):
    """The lab's 6.3 checks (which raise if the compiled forward pass or gradients differ from
    the tutorial's NumpyRNN), run before any training."""
    np_rnn = day6.NumpyRNN(corpus.n_words, day6.EMB_SIZE, day6.HIDDEN_SIZE, corpus.n_tags, seed=day6.SEED)
    x0, y0 = corpus.train[0]
    forward, gradients = day6.exercise_6_3_check(rnn, np_rnn, x0, y0, verbose=False)
    return day6.get_params(rnn), np_rnn, forward, gradients


@pytest.fixture(scope="module")
def runs(rnn, rnn_checked, corpus):
    """The RNN trained three epochs as the lab trains it, then again from the same start with
    sentences padded to buckets of 8 words (the same prediction function reused)."""
    init = rnn_checked[0]
    update, prediction = day6.make_functions(rnn, day6.LRATE)
    exact = day6.train(rnn, corpus, 3, day6.LRATE, functions=(update, prediction), progress=None)
    day6.set_params(rnn, init)
    bucketed_update = day6.make_bucketed_update(rnn, day6.LRATE)
    bucketed = day6.train(rnn, corpus, 3, day6.LRATE, bucket=8, functions=(bucketed_update, prediction),
                          progress=None)
    return exact, bucketed, update, bucketed_update, prediction


# -- the corpus -----------------------------------------------------------------------------

def test_synthetic_corpus(corpus):
    again = postags.synthetic_corpus(n_train=300, n_dev=80, n_test=20, min_len=2, max_len=6, seed=1)
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
               for a, b in zip(corpus.train, again.train))  # deterministic
    assert corpus.tags == postags.PTB_TAGS and corpus.n_tags == 45
    assert {len(x) for x, _ in corpus.train} == {2, 3, 4, 5, 6}
    for x, y in corpus.train + corpus.dev + corpus.test:
        assert x.dtype == y.dtype == np.int32 and x.shape == y.shape
        assert x.max() < corpus.n_words and y.max() < corpus.n_tags
    # Some words take several tags: only the context tells them apart.
    tags_of = {}
    for x, y in corpus.train:
        for w, t in zip(x.tolist(), y.tolist()):
            tags_of.setdefault(w, set()).add(t)
    assert sum(len(t) > 1 for t in tags_of.values()) >= 5
    long = postags.synthetic_corpus(n_train=400, n_dev=0, n_test=0, seed=2)
    lengths = [len(x) for x, _ in long.train]
    assert min(lengths) >= 1 and max(lengths) <= 60 and len(set(lengths)) > 30


def test_conll_reader_follows_the_lab(tmp_path):
    sentences = [[("The", "DT"), ("cat", "NN"), ("sat", "VBD"), (".", ".")],
                 [("Alone", "RB")],                                    # one word: dropped
                 [("Dogs", "NNS"), ("bark", "VBP"), ("so", "RB"), ("loudly", "RB"), ("!", ".")],
                 [("the", "DT"), ("dog", "XX")],                       # XX is unknown: noun
                 [("one", "CD"), ("more", "JJR")]]                     # past max_nr_sent
    for name in postags.FILES.values():
        postags.write_conll(sentences, tmp_path / name)
    data = postags.load_conll(tmp_path, max_sent_len=5, max_nr_sent=2)
    # Kept: more than one and fewer than 5 words, at most 2 sentences.
    assert [len(x) for x, _ in data.train] == [4, 2]
    assert data.tags == ["noun", "det", "verb", "."]
    assert data.words == ["The", "cat", "sat", ".", "the", "dog"]
    x, y = data.train[1]
    assert [data.words[w] for w in x] == ["the", "dog"] and [data.tags[t] for t in y] == ["det", "noun"]
    assert x.dtype == y.dtype == np.int32
    with pytest.raises(FileNotFoundError):
        postags.load_conll(tmp_path / "missing")


def test_lab_corpus_and_baseline(corpus):
    lab = day6.lab_corpus(corpus, max_sent_len=5, max_nr_sent=50)
    assert len(lab.train) == 50 and all(1 < len(x) < 5 for x, _ in lab.train + lab.dev)
    counts = np.bincount(np.concatenate([y for _, y in corpus.train]), minlength=45)
    dev = np.concatenate([y for _, y in corpus.dev])
    assert day6.majority_baseline(corpus) == pytest.approx(np.mean(dev == counts.argmax()))


# -- exercise 6.2: scan ---------------------------------------------------------------------

def test_square_the_labs_way():
    np_square, th_square = day6.exercise_6_2_square(verbose=False)
    for n in (10, 3):
        np.testing.assert_array_equal(th_square(n), np_square(n))


# Theano 1.0.5's debugprint of the lab's Markov chain (optimizer='None' in the lab, which
# does not change the symbolic graph), from the oracle.
MARKOV_GRAPH = """\
Join [id A] ''
 |TensorConstant{0} [id B]
 |InplaceDimShuffle{x,0} [id C] ''
 | |s0 [id D]
 |Subtensor{int64::} [id E] ''
   |for{cpu,scan_fn} [id F] ''
   | |nr_steps [id G]
   | |IncSubtensor{Set;:int64:} [id H] ''
   | | |AllocEmpty{dtype='float64'} [id I] ''
   | | | |Elemwise{add,no_inplace} [id J] ''
   | | | | |nr_steps [id G]
   | | | | |Subtensor{int64} [id K] ''
   | | | |   |Shape [id L] ''
   | | | |   | |Rebroadcast{0} [id M] ''
   | | | |   |   |InplaceDimShuffle{x,0} [id N] ''
   | | | |   |     |s0 [id D]
   | | | |   |Constant{0} [id O]
   | | | |Subtensor{int64} [id P] ''
   | | |   |Shape [id Q] ''
   | | |   | |Rebroadcast{0} [id M] ''
   | | |   |Constant{1} [id R]
   | | |Rebroadcast{0} [id M] ''
   | | |ScalarFromTensor [id S] ''
   | |   |Subtensor{int64} [id K] ''
   | |A [id T]
   |Constant{1} [id U]

Inner graphs of the scan ops:

for{cpu,scan_fn} [id F] ''
 >dot [id V] 's_t'
 > |s0[t-1] [id W] -> [id H]
 > |InplaceDimShuffle{1,0} [id X] 'A.T'
 >   |A_copy [id Y] -> [id T]
"""


def test_markov_chain():
    A = np.array([[0.5, 0.2, 0.1], [0.3, 0.5, 0.6], [0.2, 0.3, 0.3]])
    s0 = np.array([1.0, 0.0, 0.0])
    expected, compiled, graph = day6.exercise_6_2_markov_chain(A, s0, nr_steps=5, verbose=False)
    want = [s0]
    for _ in range(5):
        want.append(A @ want[-1])
    np.testing.assert_allclose(compiled, np.array(want), **TIGHT)
    np.testing.assert_allclose(expected, np.array(want), **TIGHT)
    assert "\n".join(line.rstrip() for line in graph.splitlines()) + "\n" == MARKOV_GRAPH


def test_power_and_polynomial():
    expected, compiled = day6.exercise_6_2_power(np.array([1.0, -2.0, 0.5, 3.0]), 5, verbose=False)
    np.testing.assert_allclose(compiled, np.array([1.0, -32.0, 0.03125, 243.0]), **TIGHT)
    # 5 coefficients walked with arange(10000): the shorter sequence sets the steps.
    expected, compiled = day6.exercise_6_2_polynomial([2.0, -1.0, 0.0, 0.5, 1.0], 1.5, verbose=False)
    assert compiled == pytest.approx(2 - 1.5 + 0.5 * 1.5 ** 3 + 1.5 ** 4, rel=1e-12)


# -- exercise 6.1 / 6.3: the RNN --------------------------------------------------------------

def test_numpy_rnn_is_the_reference(rnn_checked, corpus):
    _, np_rnn, _, _ = rnn_checked
    x0, y0 = corpus.train[0]
    cost, p_y, grads = rnn_reference(np_rnn.param, x0, y0)
    np.testing.assert_allclose(np_rnn.forward(x0), p_y.T, rtol=1e-12)
    for got, want in zip(np_rnn.grads(x0, y0), grads):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-14)
    # and the reference's gradients are those of its cost (a small RNN with lively weights)
    rng = np.random.RandomState(0)
    params = [rng.randn(*shape) for shape in [(4, 12), (3, 4), (3, 3), (5, 3)]]
    x, y = rng.randint(0, 12, 7), rng.randint(0, 5, 7)
    numeric = central_differences(lambda ps: rnn_reference(ps, x, y)[0], params)
    for got, want in zip(rnn_reference(params, x, y)[2], numeric):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-9)


def test_rnn_forward_and_gradients(rnn_checked, corpus):
    init, _, forward, gradients = rnn_checked
    x0, y0 = corpus.train[0]
    cost, p_y, grads = rnn_reference(init, x0, y0)
    np.testing.assert_allclose(forward, p_y.T, **TIGHT)
    assert [g.shape for g in gradients] == [p.shape for p in init]
    for name, got, want in zip(("W_e", "W_x", "W_h", "W_y"), gradients, grads):
        np.testing.assert_allclose(got, want, err_msg=name, rtol=1e-6, atol=1e-12)
        assert np.abs(want).max() > 0


def test_rnn_gradients_on_a_long_sentence():
    # 40 words through a smaller RNN with livelier weights: every step's gradient matters.
    rng = np.random.RandomState(5)
    model = day6.RNN(50, 8, 6, 7, seed=3)
    day6.set_params(model, [rng.randn(*p.get_value().shape) for p in model.param])
    x, y = rng.randint(0, 50, 40).astype("int32"), rng.randint(0, 7, 40).astype("int32")
    cost, p_y, *grads = compiled_cost_and_grads(model)(x, y)
    want_cost, want_p, want_grads = rnn_reference(day6.get_params(model), x, y)
    assert cost == pytest.approx(want_cost, rel=1e-10)
    np.testing.assert_allclose(p_y, want_p, **TIGHT)
    for got, want in zip(grads, want_grads):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-12)


# -- exercise 6.4: the LSTM -------------------------------------------------------------------

def test_lstm_forward_and_gradients():
    rng = np.random.RandomState(7)
    lstm = day6.LSTM(12, 4, 3, 6, seed=2)
    day6.set_params(lstm, [0.5 * rng.randn(*p.get_value().shape) for p in lstm.param])
    x, y = rng.randint(0, 12, 9).astype("int32"), rng.randint(0, 6, 9).astype("int32")
    cost, p_y, *grads = compiled_cost_and_grads(lstm)(x, y)
    params = day6.get_params(lstm)
    want_cost, want_p = lstm_reference(params, x, y)
    assert cost == pytest.approx(want_cost, rel=1e-10)
    np.testing.assert_allclose(p_y, want_p, **TIGHT)
    numeric = central_differences(lambda ps: lstm_reference(ps, x, y)[0], params)
    for name, got, want in zip(("W_e", "W_x", "W_h", "W_c", "W_y"), grads, numeric):
        np.testing.assert_allclose(got, want, err_msg=name, rtol=1e-5, atol=1e-9)
        assert np.abs(want).max() > 1e-4


def test_reset_model():
    lstm = day6.LSTM(12, 4, 3, 5)
    day6.reset_model(lstm, seed=9)
    np.random.seed(9)
    want = [0.01 * np.random.uniform(size=(4, 12))] + [np.random.uniform(size=s) for s in
                                                        [(12, 4), (12, 3), (9, 3), (5, 3)]]
    for got, w in zip(day6.get_params(lstm), want):
        np.testing.assert_allclose(got, w, rtol=1e-12)


# -- training ---------------------------------------------------------------------------------

def test_training_beats_the_majority_tag(runs, corpus):
    exact = runs[0]
    baseline = day6.majority_baseline(corpus)
    summary = (exact.costs, exact.train_acc, exact.dev_acc, baseline)
    assert exact.costs[2] < exact.costs[1] < exact.costs[0], summary
    assert exact.train_acc[2] > exact.train_acc[0], summary
    assert exact.dev_acc[-1] > baseline + 0.2, summary


def test_one_program_per_bucket_of_sentence_lengths(runs, corpus):
    exact, bucketed, update, bucketed_update, prediction = runs
    lengths = {len(x) for x, _ in corpus.train}
    assert len(lengths) == 5
    # The lab's loop: one update program per bucket of lengths (compile/padding.py: all
    # of 2..6 pad to 8), compiled in the first epoch; predictions on sentences padded to
    # the longest: one program.
    assert update.stats.programs == exact.update_programs == len({bucket(n) for n in lengths})
    assert exact.prediction_programs == 1 and prediction.stats.programs == 1
    assert update.stats.compile_seconds > 0
    # Bucketing to multiples of 8: one program for all, no new prediction program.
    assert bucketed_update.stats.programs == bucketed.update_programs == 1
    assert bucketed.prediction_programs == 0
    # A length seen before compiles nothing.
    x, y = corpus.train[0]
    update(x, y)
    assert update.stats.programs == exact.update_programs


def test_bucketing_trains_the_same_parameters(runs):
    exact, bucketed = runs[:2]
    np.testing.assert_allclose(bucketed.costs, exact.costs, rtol=1e-9)
    assert bucketed.train_acc == exact.train_acc and bucketed.dev_acc == exact.dev_acc
    for got, want in zip(bucketed.params, exact.params):
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)


def test_padded_prediction_is_exact(runs, rnn, corpus):
    # The trained RNN's tags for sentences padded at the end are those of the numpy forward
    # pass on the sentences themselves.
    prediction = runs[4]
    longest = max(len(x) for x, _ in corpus.train + corpus.dev)
    params = day6.get_params(rnn)
    for x, y in corpus.dev[:20]:
        want = rnn_reference(params, x, y)[1].argmax(axis=1)
        np.testing.assert_array_equal(prediction(day6.pad(x, longest))[:len(x)], want)
    assert day6.bucket_of(1) == day6.bucket_of(8) == 8 and day6.bucket_of(9) == 16


# -- the whole lab ------------------------------------------------------------------------------

def test_main_runs_the_whole_lab(capsys):
    tiny = postags.synthetic_corpus(n_train=120, n_dev=30, n_test=0, min_len=4, max_len=4, seed=4)
    results = day6.main(["--epochs", "1", "--bucket", "8"], corpus=tiny)
    assert theano.config.floatX == "float32"
    out = capsys.readouterr().out
    for heading in ("Exercise 6.1", "Exercise 6.2", "Exercise 6.3", "Exercise 6.4", "Bucketing", "Summary"):
        assert heading in out
    assert "dcost/dW_h, numpy BPTT vs T.grad through scan: equal" in out
    assert [r.name for r in results] == ["RNN", "LSTM", "RNN, buckets of 8"]
    for r in results:
        assert len(r.costs) == 1 and r.update_programs == 1
        assert all(p.dtype == np.float32 for p in r.params)
    np.testing.assert_allclose(results[2].params[1], results[0].params[1], rtol=1e-4, atol=1e-6)


def test_real_corpus():
    directory = postags.default_data_dir()
    if directory is None:
        pytest.skip("no WSJ CoNLL files (set $SYMGRAPH_POS_DATA or ../shared/data/pos)")
    data = postags.load_conll(directory)
    assert len(data.train) == day6.MAX_NR_SENT and data.tags[0] == "noun" and data.n_tags <= 13
    model = day6.RNN(data.n_words, day6.EMB_SIZE, day6.HIDDEN_SIZE, data.n_tags, seed=day6.SEED)
    np_rnn = day6.NumpyRNN(data.n_words, day6.EMB_SIZE, day6.HIDDEN_SIZE, data.n_tags, seed=day6.SEED)
    day6.exercise_6_3_check(model, np_rnn, *data.train[0], verbose=False)
