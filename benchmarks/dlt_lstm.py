"""The DeepLearningTutorials LSTM (``code/lstm.py``, sentiment on IMDB with masks), run
unchanged under symgraph, and a hand-written JAX version of the same model and optimizer.

``load_dlt()`` imports the verbatim copies in ``tests/clients/dlt/`` (lstm.py and imdb.py,
BSD-licensed, see the LICENSE.txt beside them) with ``theano`` standing for symgraph, as
``import symgraph as theano`` would; the aliases live only while the modules are loaded.
Two things lstm.py imports that symgraph does not provide are stood in for:

* ``six`` (Python 2/3 compatibility: ``six.moves.cPickle`` is ``pickle``), when it is not
  installed;
* ``theano.sandbox.rng_mrg.MRG_RandomStreams``, which ``build_model`` constructs even with
  ``use_dropout=False``. Until symgraph has random streams, a stand-in that fails on any
  draw is used, so only models with dropout off can be built.

``synthetic_imdb`` writes data in the layout of DLT's ``imdb.pkl``; ``jax_lstm_cost`` and
``JaxAdadelta`` are lstm.py's ``build_model``/``lstm_layer`` cost and its ``adadelta``
optimizer written directly in JAX (``lax.scan`` over the masked time axis).
"""
import contextlib
import importlib
import os
import pickle
import sys
import types

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DLT_DIR = os.path.join(os.path.dirname(HERE), 'tests', 'clients', 'dlt')
PARAM_NAMES = ('Wemb', 'lstm_W', 'lstm_U', 'lstm_b', 'U', 'b')  # lstm.py's tparams order


class _NoRandomStreams:
    """Stands for ``MRG_RandomStreams`` until symgraph has random streams: constructing it
    works (lstm.py's ``build_model`` always does), drawing from it does not."""

    def __init__(self, seed=None):
        self.seed = seed

    def __getattr__(self, name):
        raise NotImplementedError(
            'MRG_RandomStreams.%s: symgraph has no random streams yet; run lstm.py with '
            'use_dropout=False' % name)


def _six_stand_in():
    six = types.ModuleType('six')
    moves = types.ModuleType('six.moves')
    moves.cPickle, moves.xrange = pickle, range
    import urllib.request
    moves.urllib = urllib
    six.moves = moves
    return {'six': six, 'six.moves': moves, 'six.moves.cPickle': pickle}


def _aliases():
    """sys.modules entries that make ``import theano`` (and what lstm.py imports) work."""
    import symgraph
    import symgraph.tensor
    modules = {'theano': symgraph, 'theano.tensor': symgraph.tensor}
    try:
        rng_mrg = importlib.import_module('symgraph.sandbox.rng_mrg')
        modules['theano.sandbox'] = importlib.import_module('symgraph.sandbox')
    except ImportError:
        rng_mrg = types.ModuleType('theano.sandbox.rng_mrg')
        rng_mrg.MRG_RandomStreams = _NoRandomStreams
        sandbox = types.ModuleType('theano.sandbox')
        sandbox.rng_mrg = rng_mrg
        modules['theano.sandbox'] = sandbox
    modules['theano.sandbox.rng_mrg'] = rng_mrg
    try:
        importlib.import_module('six.moves')
    except ImportError:
        modules.update(_six_stand_in())
    return modules


@contextlib.contextmanager
def load_dlt():
    """``(lstm, imdb)``: DLT's modules, freshly imported with ``theano`` = symgraph (lstm.py
    seeds numpy's global generator on import, so each load starts from the same weights).
    While the block runs they are also ``sys.modules['lstm']`` and ``['imdb']``, as when
    lstm.py runs as a script (its model options are pickled with a reference to them)."""
    added = _aliases()
    names = list(added) + ['lstm', 'imdb']
    saved = {name: sys.modules.get(name) for name in names}
    sys.modules.update(added)
    sys.modules.pop('lstm', None)
    sys.modules.pop('imdb', None)
    sys.path.insert(0, DLT_DIR)
    try:
        lstm = importlib.import_module('lstm')
        yield lstm, sys.modules['imdb']
    finally:
        sys.path.remove(DLT_DIR)
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


# ---------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------

def synthetic_sequences(n, n_words, min_len, max_len, seed):
    """``n`` word-id sequences (ids 2..n_words-1, as imdb.pkl's) of lengths drawn uniformly
    from [min_len, max_len], with labels a model can learn: a sequence is positive when it
    holds more of word 2 than of word 3."""
    rng = np.random.RandomState(seed)
    seqs, labels = [], []
    for _ in range(n):
        length = rng.randint(min_len, max_len + 1)
        seq = rng.randint(4, n_words, size=length)
        label = rng.randint(2)
        marks = rng.randint(1, 3)
        seq[rng.choice(length, size=min(marks, length), replace=False)] = 2 if label else 3
        seqs.append([int(w) for w in seq])
        labels.append(label)
    return seqs, labels


def synthetic_imdb(path, n_train, n_test, n_words, min_len, max_len, seed=0):
    """Write ``path`` as DLT's imdb.pkl is laid out: the pickled (sequences, labels) of the
    training set, then those of the test set."""
    with open(path, 'wb') as f:
        pickle.dump(synthetic_sequences(n_train, n_words, min_len, max_len, seed), f, -1)
        pickle.dump(synthetic_sequences(n_test, n_words, min_len, max_len, seed + 1), f, -1)


def epoch_minibatches(lstm, imdb, seqs, labels, batch_size, seed=0):
    """One epoch's minibatches ``(x, mask, y)`` as train_lstm makes them (shuffled indices
    from lstm.get_minibatches_idx, then imdb.prepare_data)."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        batches = []
        for _, index in lstm.get_minibatches_idx(len(seqs), batch_size, shuffle=True):
            batches.append(imdb.prepare_data([seqs[t] for t in index],
                                             [labels[t] for t in index]))
        return batches
    finally:
        np.random.set_state(state)


# ---------------------------------------------------------------------------------------
# lstm.py's model and adadelta in JAX
# ---------------------------------------------------------------------------------------

def jax_lstm_cost(params, x, mask, y):
    """lstm.py's cost (``build_model`` with ``lstm_layer``, dropout off) for ``params`` in
    PARAM_NAMES order: embedding, one LSTM scanned over the time axis with the mask
    carrying states past each sequence's end, mean pooling under the mask, softmax."""
    import jax
    import jax.numpy as jnp
    from jax import lax
    Wemb, lstm_W, lstm_U, lstm_b, U, b = params
    n_steps, n_samples = x.shape
    dim = Wemb.shape[1]
    emb = Wemb[x.reshape(-1)].reshape(n_steps, n_samples, dim)
    state_below = jnp.dot(emb, lstm_W) + lstm_b

    def step(carry, inputs):
        h_, c_ = carry
        m_, x_ = inputs
        preact = jnp.dot(h_, lstm_U) + x_
        i = jax.nn.sigmoid(preact[:, :dim])
        f = jax.nn.sigmoid(preact[:, dim:2 * dim])
        o = jax.nn.sigmoid(preact[:, 2 * dim:3 * dim])
        c = jnp.tanh(preact[:, 3 * dim:])
        c = f * c_ + i * c
        c = m_[:, None] * c + (1. - m_)[:, None] * c_
        h = o * jnp.tanh(c)
        h = m_[:, None] * h + (1. - m_)[:, None] * h_
        return (h, c), h

    zeros = jnp.zeros((n_samples, dim), Wemb.dtype)
    _, hs = lax.scan(step, (zeros, zeros), (mask, state_below))
    proj = (hs * mask[:, :, None]).sum(axis=0)
    proj = proj / mask.sum(axis=0)[:, None]
    pred = jax.nn.softmax(jnp.dot(proj, U) + b, axis=-1)
    return -jnp.log(pred[jnp.arange(n_samples), y] + 1e-8).mean()


class JaxAdadelta:
    """lstm.py's ``adadelta`` in JAX, in the two steps train_lstm calls (``grad_shared``:
    cost, gradients and their running mean square; ``update``: the step and the running
    mean square of steps), each one ``jax.jit`` with its state donated; ``fused`` does
    both in one program. State: params, zipped_grads, running_up2, running_grads2."""

    def __init__(self, params):
        import jax
        import jax.numpy as jnp
        self.params = [jnp.asarray(p) for p in params]
        self.zipped = [jnp.zeros_like(p) for p in self.params]
        self.up2 = [jnp.zeros_like(p) for p in self.params]
        self.grads2 = [jnp.zeros_like(p) for p in self.params]

        def grad_shared(params, zipped, grads2, x, mask, y):
            cost, grads = jax.value_and_grad(jax_lstm_cost)(params, x, mask, y)
            return cost, grads, [0.95 * rg2 + 0.05 * g ** 2 for rg2, g in zip(grads2, grads)]

        def update(params, zipped, up2, grads2):
            steps = [-jnp.sqrt(ru2 + 1e-6) / jnp.sqrt(rg2 + 1e-6) * zg
                     for zg, ru2, rg2 in zip(zipped, up2, grads2)]
            return ([p + ud for p, ud in zip(params, steps)],
                    [0.95 * ru2 + 0.05 * ud ** 2 for ru2, ud in zip(up2, steps)])

        def fused(params, zipped, up2, grads2, x, mask, y):
            cost, zipped, grads2 = grad_shared(params, zipped, grads2, x, mask, y)
            params, up2 = update(params, zipped, up2, grads2)
            return cost, params, zipped, up2, grads2

        self._grad_shared = jax.jit(grad_shared, donate_argnums=(1, 2))
        self._update = jax.jit(update, donate_argnums=(0, 2))
        self._fused = jax.jit(fused, donate_argnums=(0, 1, 2, 3))

    def grad_shared(self, x, mask, y):
        cost, self.zipped, self.grads2 = self._grad_shared(self.params, self.zipped,
                                                           self.grads2, x, mask, y)
        return np.asarray(cost)

    def update(self):
        self.params, self.up2 = self._update(self.params, self.zipped, self.up2, self.grads2)

    def fused(self, x, mask, y):
        cost, self.params, self.zipped, self.up2, self.grads2 = self._fused(
            self.params, self.zipped, self.up2, self.grads2, x, mask, y)
        return np.asarray(cost)
