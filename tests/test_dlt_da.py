"""The DeepLearningTutorials denoising autoencoder (``tests/clients/dlt/dA.py``, verbatim,
with the ``logistic_sgd.py`` and ``utils.py`` it imports) runs unchanged with ``theano``
standing for symgraph and its corruption drawn from symgraph's ``MRG_RandomStreams``; and
the DLT LSTM (``lstm.py``) trains with dropout on, drawing from the same streams.

The modules are loaded as ``benchmarks/dlt_lstm.py`` loads lstm.py (same ``theano``
aliases, same ``six`` stand-in). dA.py imports ``PIL.Image`` only to save filter images
once training is over; where PIL is not installed a stand-in ``Image`` is put in its place
whose ``fromarray(...).save(path)`` records the tiled array instead of writing a PNG.
"""
import contextlib
import gzip
import importlib
import pickle
import re
import sys
import types
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


class _SavedImage:
    saved = {}  # file name -> the array fromarray was given

    def __init__(self, array):
        self.array = np.asarray(array)

    def save(self, path):
        _SavedImage.saved[str(path)] = self.array


def _pil_stand_in():
    try:
        importlib.import_module('PIL.Image')
        return {}
    except ImportError:
        image = types.ModuleType('PIL.Image')
        image.fromarray = _SavedImage
        pil = types.ModuleType('PIL')
        pil.Image = image
        return {'PIL': pil, 'PIL.Image': image}


@contextlib.contextmanager
def load_da():
    """DLT's ``dA`` module, freshly imported with ``theano`` = symgraph."""
    added = dlt_lstm._aliases()
    added.update(_pil_stand_in())
    own = ['dA', 'logistic_sgd', 'utils']
    saved = {name: sys.modules.get(name) for name in list(added) + own}
    sys.modules.update(added)
    for name in own:
        sys.modules.pop(name, None)
    sys.path.insert(0, dlt_lstm.DLT_DIR)
    try:
        yield importlib.import_module('dA')
    finally:
        sys.path.remove(dlt_lstm.DLT_DIR)
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


@pytest.fixture
def float32():
    old = theano.config.floatX
    theano.config.floatX = 'float32'  # as the tutorials are run
    yield
    theano.config.floatX = old


@pytest.fixture
def dA(float32):
    with load_da() as module:
        yield module


def synthetic_mnist(path, n_train, n_other=10, seed=0):
    """``path`` in the layout of DLT's mnist.pkl.gz: three (images, labels) pairs, images
    784 pixels in [0, 1]; here noisy copies of 4 random binary prototypes, so that an
    autoencoder has structure to learn."""
    rng = np.random.RandomState(seed)
    protos = (rng.uniform(size=(4, 784)) < 0.2).astype('float32')

    def split(n):
        labels = rng.randint(4, size=n)
        flip = rng.uniform(size=(n, 784)) < 0.05
        images = np.abs(protos[labels] - flip).astype('float32')
        return images, labels.astype('int64')

    with gzip.open(path, 'wb') as f:
        pickle.dump((split(n_train), split(n_other), split(n_other)), f, -1)


def train_function(dA, data, corruption_level, seed=123, n_hidden=50, batch_size=10,
                   learning_rate=0.1):
    """``train_da`` as test_dA builds it (same seeding and updates), smaller, and taking
    the minibatch as an input rather than through ``givens``."""
    data = np.asarray(data, dtype=theano.config.floatX)
    x = T.matrix('x')
    rng = np.random.RandomState(seed)
    theano_rng = dA.RandomStreams(rng.randint(2 ** 30))
    da = dA.dA(numpy_rng=rng, theano_rng=theano_rng, input=x, n_visible=784,
               n_hidden=n_hidden)
    cost, updates = da.get_cost_updates(corruption_level=corruption_level,
                                        learning_rate=learning_rate)
    f = theano.function([x], cost, updates=updates)

    def train_da(index):
        return f(data[index * batch_size: (index + 1) * batch_size])
    return da, train_da


def test_random_streams_are_symgraphs(dA):
    from symgraph.sandbox.rng_mrg import MRG_RandomStreams
    assert dA.RandomStreams is MRG_RandomStreams
    with dlt_lstm.load_dlt() as (lstm, _):
        assert lstm.RandomStreams is MRG_RandomStreams


def test_givens_reach_the_random_states_update(float32):
    from symgraph.sandbox.rng_mrg import MRG_RandomStreams
    data = theano.shared(np.ones((4, 3), dtype='float32'))
    x, index = T.matrix('x'), T.lscalar()
    corrupted = MRG_RandomStreams(1).binomial(size=x.shape, p=0.7, dtype=x.dtype) * x
    f = theano.function([index], corrupted.sum(),
                        givens={x: data[index * 2:(index + 1) * 2]})
    assert 0 <= f(0) <= 6


def test_test_dA_runs_unchanged(dA, tmp_path, monkeypatch, capsys):
    synthetic_mnist(tmp_path / 'mnist.pkl.gz', n_train=40)
    monkeypatch.chdir(tmp_path)  # test_dA makes ./dA_plots, chdirs into it and back
    _SavedImage.saved.clear()
    dA.test_dA(training_epochs=2, dataset=str(tmp_path / 'mnist.pkl.gz'), batch_size=10)
    out = capsys.readouterr().out
    costs = [float(c) for c in re.findall(r'Training epoch \d+, cost\s+(\S+)', out)]
    assert len(costs) == 4 and np.all(np.isfinite(costs)), out  # 2 epochs, 2 models
    assert costs[1] < costs[0] and costs[3] < costs[2], costs
    assert (tmp_path / 'dA_plots').is_dir() and Path.cwd() == tmp_path
    if _SavedImage.saved:  # PIL stand-in: the filters were tiled, 10x10 tiles of 28x28
        assert set(_SavedImage.saved) == {'filters_corruption_0.png',
                                          'filters_corruption_30.png'}
        for tiles in _SavedImage.saved.values():
            assert tiles.shape == (10 * 29 - 1, 10 * 29 - 1) and tiles.dtype == np.uint8


def test_corrupted_training_lowers_the_cost(dA):
    rng = np.random.RandomState(1)
    data = (rng.uniform(size=(4, 784)) < 0.2)[rng.randint(4, size=60)].astype('float32')
    da, train_da = train_function(dA, data, corruption_level=0.3)
    epochs = [np.mean([train_da(i) for i in range(6)]) for _ in range(4)]
    assert np.all(np.isfinite(epochs)) and np.all(np.diff(epochs) < 0), epochs
    assert np.all(np.isfinite(da.W.get_value()))


def test_same_seed_same_numbers(dA):
    rng = np.random.RandomState(2)
    data = (rng.uniform(size=(30, 784)) < 0.3).astype('float32')
    runs = []
    for _ in range(2):
        da, train_da = train_function(dA, data, corruption_level=0.3)
        costs = [float(train_da(i % 3)) for i in range(6)]
        runs.append((costs, da.W.get_value(), da.b.get_value(), da.b_prime.get_value()))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1:], runs[1][1:]):
        np.testing.assert_array_equal(a, b)
    assert len(set(runs[0][0][:3])) == 3  # and the draws move on from call to call
    other, train_other = train_function(dA, data, corruption_level=0.3, seed=124)
    assert float(train_other(0)) != runs[0][0][0]


def test_corruption_mask(dA):
    x = T.matrix('x')
    da = dA.dA(numpy_rng=np.random.RandomState(123), input=x, n_visible=784, n_hidden=20)
    f = theano.function([x], da.get_corrupted_input(x, 0.3))
    ones = np.ones((200, 784), dtype='float32')
    first, second = f(ones), f(ones)
    for mask in (first, second):
        assert mask.dtype == np.float32 and mask.shape == ones.shape
        assert set(np.unique(mask)) == {0., 1.}
        assert abs(mask.mean() - 0.7) < 0.006  # 156800 draws: std 0.0012
    assert not np.array_equal(first, second)
    values = np.random.RandomState(0).uniform(0.5, 1., size=(50, 784)).astype('float32')
    kept = f(values)
    assert np.all((kept == 0) | (kept == values))


@pytest.fixture
def dlt(float32):
    with dlt_lstm.load_dlt() as modules:
        yield modules


def test_lstm_dropout_is_drawn_and_lowers_the_cost(dlt):
    lstm, imdb = dlt
    options = dict(dim_proj=6, n_words=N_WORDS, encoder='lstm', ydim=2, use_dropout=True,
                   decay_c=0.)
    tparams = lstm.init_tparams(lstm.init_params(options))
    use_noise, x, mask, y, f_pred_prob, f_pred, cost = lstm.build_model(tparams, options)
    grads = T.grad(cost, wrt=list(tparams.values()))
    lr = T.scalar(name='lr')
    f_grad_shared, f_update = lstm.adadelta(lr, tparams, grads, x, mask, y, cost)
    seqs, labels = dlt_lstm.synthetic_sequences(16, N_WORDS, 2, 7, 3)
    xv, mv, yv = imdb.prepare_data(seqs, labels)

    use_noise.set_value(0.)
    np.testing.assert_array_equal(f_pred_prob(xv, mv), f_pred_prob(xv, mv))
    use_noise.set_value(1.)
    assert not np.array_equal(f_pred_prob(xv, mv), f_pred_prob(xv, mv))  # dropout drawn

    costs = []
    for _ in range(40):
        costs.append(float(f_grad_shared(xv, mv, yv)))
        f_update(0.0001)
    assert np.all(np.isfinite(costs)), costs
    assert np.mean(costs[-10:]) < np.mean(costs[:10]) - 1e-3, costs


def test_train_lstm_runs_with_dropout(dlt, tmp_path, monkeypatch, capsys):
    lstm, _ = dlt
    dlt_lstm.synthetic_imdb(tmp_path / 'imdb.pkl', n_train=84, n_test=32, n_words=N_WORDS,
                            min_len=4, max_len=5)
    monkeypatch.chdir(tmp_path)  # imdb.load_data reads ./imdb.pkl
    errors = lstm.train_lstm(dim_proj=8, max_epochs=3, n_words=N_WORDS, use_dropout=True,
                             dispFreq=1, validFreq=5, saveFreq=100, batch_size=16,
                             valid_batch_size=64, saveto=None)
    out = capsys.readouterr().out
    costs = [float(c) for c in re.findall(r'Cost\s+(\S+)', out)]
    assert len(costs) >= 6 and np.all(np.isfinite(costs)), out
    assert np.mean(costs[-5:]) < np.mean(costs[:5]), costs
    assert len(errors) == 3 and all(0. <= e <= 1. for e in errors)
