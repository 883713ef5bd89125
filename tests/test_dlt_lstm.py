"""The DeepLearningTutorials LSTM (``tests/clients/dlt/lstm.py``, verbatim) runs unchanged
with ``theano`` standing for symgraph, dropout off.

``train_lstm`` runs end to end on a small synthetic ``imdb.pkl``; the model it builds
learns, and its gradients equal those of the same model written in JAX
(``benchmarks/dlt_lstm.py``, also the baseline of ``benchmarks/scan.py``) and finite
differences. See benchmarks/dlt_lstm.py for what stands in for ``six`` and for
``MRG_RandomStreams`` (constructed by ``build_model``, never drawn from with dropout off).
"""
import re
import sys
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # plain `pytest` does not put the root on the path
    sys.path.insert(0, str(REPO_ROOT))

import symgraph as theano  # noqa: E402
import symgraph.tensor as T  # noqa: E402
from benchmarks import dlt_lstm  # noqa: E402

N_WORDS = 30


@pytest.fixture
def dlt():
    with dlt_lstm.load_dlt() as modules:
        yield modules


def small_model(lstm, dim=6):
    """lstm.py's model and optimizer as train_lstm builds them (dropout off)."""
    options = dict(dim_proj=dim, n_words=N_WORDS, encoder='lstm', ydim=2, use_dropout=False,
                   decay_c=0.)
    tparams = lstm.init_tparams(lstm.init_params(options))
    _, x, mask, y, f_pred_prob, f_pred, cost = lstm.build_model(tparams, options)
    grads = T.grad(cost, wrt=list(tparams.values()))
    return tparams, x, mask, y, f_pred, cost, grads


def minibatch(imdb, n=8, seed=3):
    seqs, labels = dlt_lstm.synthetic_sequences(n, N_WORDS, 2, 7, seed)
    return imdb.prepare_data(seqs, labels)


def test_train_lstm_runs_unchanged(dlt, tmp_path, monkeypatch, capsys):
    lstm, _ = dlt
    theano.config.floatX = 'float32'  # as the tutorial is run (THEANO_FLAGS=floatX=float32)
    # 84 sequences: 80 for training (5 minibatches of 16), 4 for validation; lengths 4-5,
    # so that few shapes (and programs) are met.
    dlt_lstm.synthetic_imdb(tmp_path / 'imdb.pkl', n_train=84, n_test=32, n_words=N_WORDS,
                            min_len=4, max_len=5)
    monkeypatch.chdir(tmp_path)  # imdb.load_data reads ./imdb.pkl; models are saved here
    errors = lstm.train_lstm(dim_proj=8, max_epochs=3, n_words=N_WORDS, use_dropout=False,
                             dispFreq=1, validFreq=5, saveFreq=5, batch_size=16,
                             valid_batch_size=64, saveto='lstm_model.npz')
    out = capsys.readouterr().out
    costs = [float(c) for c in re.findall(r'Cost\s+(\S+)', out)]
    assert len(costs) >= 6 and np.all(np.isfinite(costs)), out
    assert len(errors) == 3 and all(0. <= e <= 1. for e in errors)
    saved = np.load(tmp_path / 'lstm_model.npz')
    assert set(dlt_lstm.PARAM_NAMES) <= set(saved.files)
    assert 'Train ' in out and 'Seen ' in out


def test_adadelta_lowers_the_cost(dlt):
    lstm, imdb = dlt
    tparams, x, mask, y, f_pred, cost, grads = small_model(lstm)
    lr = T.scalar(name='lr')
    f_grad_shared, f_update = lstm.adadelta(lr, tparams, grads, x, mask, y, cost)
    xv, mv, yv = minibatch(imdb)
    costs = []
    for _ in range(30):
        costs.append(float(f_grad_shared(xv, mv, yv)))
        f_update(0.0001)
    assert np.all(np.diff(costs) < 0), costs
    assert costs[-1] < costs[0] - 1e-3, costs
    assert f_grad_shared.stats.programs == 1 and f_update.stats.programs == 1


def test_gradients_match_jax_and_finite_differences(dlt):
    import jax
    lstm, imdb = dlt
    theano.config.floatX = 'float64'  # tight comparisons
    tparams, x, mask, y, f_pred, cost, grads = small_model(lstm)
    f_cost = theano.function([x, mask, y], cost, name='f_cost')
    f_grad = theano.function([x, mask, y], grads, name='f_grad')
    rng = np.random.RandomState(5)
    for p in tparams.values():  # away from the initial point, where U and b are ~0
        value = p.get_value()
        p.set_value(value + 0.3 * rng.standard_normal(value.shape))
    xv, mv, yv = minibatch(imdb)
    assert mv.min() == 0  # sequences of different lengths: the mask matters

    values = [p.get_value() for p in tparams.values()]
    want_cost, want = jax.value_and_grad(dlt_lstm.jax_lstm_cost)(values, xv, mv,
                                                                 np.asarray(yv))
    np.testing.assert_allclose(f_cost(xv, mv, yv), want_cost, rtol=1e-12)
    for name, got, g in zip(tparams, f_grad(xv, mv, yv), want):
        np.testing.assert_allclose(got, g, rtol=1e-9, atol=1e-12, err_msg=name)

    got = f_grad(xv, mv, yv)
    eps = 1e-6
    for (name, p), g in zip(tparams.items(), got):
        direction = rng.standard_normal(g.shape)
        value = p.get_value()
        p.set_value(value + eps * direction)
        plus = f_cost(xv, mv, yv)
        p.set_value(value - eps * direction)
        minus = f_cost(xv, mv, yv)
        p.set_value(value)
        np.testing.assert_allclose((plus - minus) / (2 * eps), np.sum(g * direction),
                                   rtol=1e-6, err_msg=name)


def test_random_streams_stand_in_refuses_to_draw(dlt):
    """With dropout on, lstm.py draws from MRG_RandomStreams: until symgraph has random
    streams, that fails saying so (rather than building a model without dropout)."""
    lstm, _ = dlt
    if not isinstance(lstm.RandomStreams(1), dlt_lstm._NoRandomStreams):
        pytest.skip('symgraph has random streams now')
    options = dict(dim_proj=4, n_words=N_WORDS, encoder='lstm', ydim=2, use_dropout=True)
    tparams = lstm.init_tparams(lstm.init_params(options))
    with pytest.raises(NotImplementedError, match='use_dropout=False'):
        lstm.build_model(tparams, options)
