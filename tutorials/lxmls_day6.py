"""LXMLS Day 6 (deep learning II: sequence models), worked through with symgraph.

Run it as::

    python -m tutorials.lxmls_day6              # the lab's settings: 5 epochs over 1000 sentences
    python -m tutorials.lxmls_day6 --quick      # a short run: 1 epoch over a small corpus
    python -m tutorials.lxmls_day6 --data DIR   # the WSJ files train-02-21.conll, dev-22.conll,
                                                # test-23.conll (default: $SYMGRAPH_POS_DATA,
                                                # ../shared/data/pos, else the synthetic corpus)
    python -m tutorials.lxmls_day6 --synthetic  # the embedded synthetic corpus even if the
                                                # real one is installed
    python -m tutorials.lxmls_day6 --max-sent-len 61 --bucket 8
                                                # sentences of up to 60 words, not 14
    python -m tutorials.lxmls_day6 --plot curves.png  # also plot cost and accuracy per
                                                      # epoch (needs matplotlib)

The lab tags the words of a sentence with their parts of speech using recurrent networks
written with ``theano.scan``, trained one sentence at a time with SGD.  We follow it
exercise by exercise, in the lab's own code:

* 6.1  a numpy RNN, its forward pass and backpropagation through time (:class:`NumpyRNN`);
* 6.2  the basics of scan: the lab's two examples (squares of 0..n-1, a Markov chain) and
       two from Theano's scan tutorial (``A ** k`` by repeated products, a polynomial);
* 6.3  the RNN tagger with scan (:class:`RNN`), checked against the numpy one, then trained;
* 6.4  the LSTM tagger (:class:`LSTM`), trained the same way.

XLA compiles a program per shape, and the loop's length is part of the shapes: left alone,
the lab's training loop would compile one program per sentence length, which costs more
time than the training itself.  symgraph pads each sentence to a bucket length (8, 10, 12,
14, 16, 20, ...) and stops the loop's states at the true length, so the lab's unchanged
loop compiles one program per bucket (README, "Sequence lengths share programs").  The
closing section shows the same cure in the lab's own terms, *bucketing* by hand: sentences
padded at the end to multiples of a width and the padded words masked out of the cost.
A left-to-right network's output at word t depends on words 1..t only, so padding at the
end changes nothing: the bucketed run ends at the same parameters as the exact one.

Everything a test needs is a plain function or class: :class:`NumpyRNN`, the
``exercise_6_2_*`` functions, :class:`RNN`, :class:`LSTM`, :func:`reset_model`,
:func:`make_functions`, :func:`make_bucketed_update`, :func:`accuracy` and :func:`train`.
"""

import argparse
import collections
import os
import time
from typing import NamedTuple

import numpy as np

import symgraph as theano
import symgraph.tensor as T
from tutorials.curves import Curves, Eta, Heartbeat, add_plot_argument, check_plot_argument
from tutorials.lxmls_day5 import FORWARD_TOL, GRAD_TOL, check_close, section
from tutorials.postags import load_conll, synthetic_corpus

__all__ = [
    "LSTM",
    "NumpyRNN",
    "RNN",
    "TrainResult",
    "accuracy",
    "epoch_reporter",
    "exercise_6_2_markov_chain",
    "exercise_6_2_polynomial",
    "exercise_6_2_power",
    "exercise_6_2_square",
    "lab_corpus",
    "main",
    "majority_baseline",
    "make_bucketed_update",
    "make_functions",
    "pad",
    "reset_model",
    "train",
]

# The lab's settings.
SEED = 1234          # random seed of the initial weights
EMB_SIZE = 50        # size of the word embeddings
HIDDEN_SIZE = 20     # size of the recurrent layer
LRATE = 0.5
N_ITER = 5
MAX_SENT_LEN = 15    # the lab keeps sentences of 2..14 words
MAX_NR_SENT = 1000   # and at most 1000 of them per split
# --quick: one epoch over sentences of two lengths only (one bucket: one program).
QUICK = dict(n_iter=1, n_train=1000, n_dev=100, min_len=6, max_len=7)
BUCKET = 8           # bucketing: lengths rounded up to a multiple of this


# ----------------------------------------------------------------------------------------
# Setup: the part-of-speech corpus
# ----------------------------------------------------------------------------------------

def lab_corpus(corpus, max_sent_len=MAX_SENT_LEN, max_nr_sent=MAX_NR_SENT):
    """The lab's selection from each split: sentences of more than one and fewer than
    ``max_sent_len`` words, at most ``max_nr_sent`` of them.  (The real corpus is read that
    way already; this applies the same rule to a generated one.)"""
    def keep(sentences):
        return [s for s in sentences if 1 < len(s[0]) < max_sent_len][:max_nr_sent]
    return corpus._replace(train=keep(corpus.train), dev=keep(corpus.dev), test=keep(corpus.test))


def majority_baseline(corpus):
    """Accuracy on the dev set of always answering the most frequent training tag."""
    counts = np.bincount(np.concatenate([y for _, y in corpus.train]), minlength=corpus.n_tags)
    dev_tags = np.concatenate([y for _, y in corpus.dev])
    return float(np.mean(dev_tags == counts.argmax()))


def describe(corpus):
    lengths = collections.Counter(len(x) for x, _ in corpus.train)
    n_tokens = sum(lengths[n] * n for n in lengths)
    print(f"{len(corpus.train)} training sentences ({n_tokens} words, {len(lengths)} distinct "
          f"lengths from {min(lengths)} to {max(lengths)}), {len(corpus.dev)} dev, "
          f"{len(corpus.test)} test; {corpus.n_words} word types, {corpus.n_tags} tags")


# ----------------------------------------------------------------------------------------
# Exercise 6.1: a numpy RNN and backpropagation through time
# ----------------------------------------------------------------------------------------

def _logsumexp(y, axis):
    top = y.max(axis=axis, keepdims=True)
    return np.squeeze(top, axis) + np.log(np.exp(y - top).sum(axis=axis))


class NumpyRNN:
    """The lab's numpy RNN: embeddings ``W_e`` (E, V), input ``W_x`` (H, E), recurrence
    ``W_h`` (H, H), output ``W_y`` (K, H), logistic hidden units, a softmax per word.
    ``forward`` returns the (K, n) tag probabilities of a sentence's n word ids; ``grads``
    the gradients of the mean negative log-likelihood by backpropagation through time."""

    def __init__(self, n_words, n_emb, n_hidd, n_tags, seed=None):
        np.random.seed(seed if seed else 0)
        W_e = 0.01 * np.random.uniform(size=(n_emb, n_words))  # Embedding layer
        W_x = np.random.uniform(size=(n_hidd, n_emb))   # Input layer
        W_h = np.random.uniform(size=(n_hidd, n_hidd))  # Recurrent layer
        W_y = np.random.uniform(size=(n_tags, n_hidd))  # Output layer
        self.n_hidd = n_hidd
        self.param = [W_e, W_x, W_h, W_y]

    def forward(self, x, all_outputs=False):
        W_e, W_x, W_h, W_y = self.param
        nr_steps = x.shape[0]
        z = W_e[:, x]                                # embeddings, one column per word
        h = np.zeros((self.n_hidd, nr_steps + 1))    # h[:, 0] is the initial state
        for t in range(nr_steps):
            h[:, t + 1] = 1 / (1 + np.exp(-(W_x.dot(z[:, t]) + W_h.dot(h[:, t]))))
        y = W_y.dot(h[:, 1:])
        p_y = np.exp(y - _logsumexp(y, 0))
        return (p_y, y, h, z, x) if all_outputs else p_y

    def grads(self, x, outputs):
        W_e, W_x, W_h, W_y = self.param
        nr_steps = x.shape[0]
        p_y, y, h, z, x = self.forward(x, all_outputs=True)
        nabla_W_e, nabla_W_x = np.zeros(W_e.shape), np.zeros(W_x.shape)
        nabla_W_h, nabla_W_y = np.zeros(W_h.shape), np.zeros(W_y.shape)
        # Gradient of the cost with respect to the output layer's input
        e = p_y.copy()
        e[outputs, np.arange(nr_steps)] -= 1
        # Backward pass: the error reaching h_t comes from the output at t and from h_{t+1}
        e_h_next = np.zeros(self.n_hidd)
        for t in reversed(range(nr_steps)):
            e_h = W_y.T.dot(e[:, t]) + e_h_next
            e_raw = h[:, t + 1] * (1. - h[:, t + 1]) * e_h   # through the logistic
            e_h_next = W_h.T.dot(e_raw)
            nabla_W_y += np.outer(e[:, t], h[:, t + 1])
            nabla_W_h += np.outer(e_raw, h[:, t])
            nabla_W_x += np.outer(e_raw, z[:, t])
            nabla_W_e[:, x[t]] += W_x.T.dot(e_raw)
        # Normalise over the sentence length (the cost is a mean)
        return [g / nr_steps for g in (nabla_W_e, nabla_W_x, nabla_W_h, nabla_W_y)]


# ----------------------------------------------------------------------------------------
# Exercise 6.2: scan
# ----------------------------------------------------------------------------------------

def exercise_6_2_square(verbose=True):
    """The lab's first scan: the squares of 0, 1, ..., nr_steps - 1.

    Returns ``(numpy_version, compiled_function)``; the function takes ``nr_steps``.
    """
    def square(x):
        return x ** 2

    # Python
    def np_square_n_steps(nr_steps):
        out = []
        for n in np.arange(nr_steps):
            out.append(square(n))
        return np.array(out)

    # Theano: a "for" loop over the sequence 0..nr_steps-1, as a graph.
    nr_steps = T.lscalar('nr_steps')
    h, _ = theano.scan(fn=square, sequences=T.arange(nr_steps))
    th_square_n_steps = theano.function([nr_steps], h)

    if verbose:
        print(np_square_n_steps(10))
        print(th_square_n_steps(10))
    return np_square_n_steps, th_square_n_steps


def exercise_6_2_markov_chain(A, s0, nr_steps=5, verbose=True):
    """The lab's second scan: ``s_t = A s_{t-1}`` from ``s0``, each step feeding the next.

    Returns ``(numpy_states, compiled_states, graph_text)``: both (nr_steps + 1, n) with the
    initial state first; raises if they differ.
    """
    nr_states = A.shape[0]

    # Numpy version
    def np_markov_step(s_tm1):
        return np.dot(s_tm1, A.T)

    def np_markov_chain(nr_steps, A, s0):
        s = np.zeros((nr_steps + 1, nr_states))
        s[0, :] = s0
        for t in np.arange(nr_steps):
            s[t + 1, :] = np_markov_step(s[t, :])
        return s

    # Theano version: variables stored as shared variables
    th_A = theano.shared(A, name='A', borrow=True)
    th_s0 = theano.shared(s0, name='s0', borrow=True)
    # Symbolic variable for the number of steps
    th_nr_steps = T.lscalar('nr_steps')

    def th_markov_step(s_tm1):
        s_t = T.dot(s_tm1, th_A.T)
        s_t.name = 's_t'  # remember to name variables
        return s_t

    # outputs_info gives the initial state: scan feeds each step's output to the next.
    s, _ = theano.scan(th_markov_step,
                       outputs_info=[dict(initial=th_s0)],
                       n_steps=th_nr_steps)
    chain = T.concatenate((th_s0[None, :], s), 0)
    graph_text = theano.printing.debugprint(chain, file="str")
    th_markov_chain = theano.function([th_nr_steps], chain)

    expected, compiled = np_markov_chain(nr_steps, A, s0), th_markov_chain(nr_steps)
    if verbose:
        print("The chain as a graph (the loop's body is printed after the main tree):\n")
        print(graph_text)
        print(compiled)
    check_close("Markov chain, numpy vs scan", expected, compiled, verbose=verbose, **FORWARD_TOL)
    return expected, compiled, graph_text


def exercise_6_2_power(A, k, verbose=True):
    """Theano's scan tutorial: ``A ** k`` elementwise, as ``k`` products.  The step gets the
    previous result and the non-sequence ``A``; only the last result is kept, and Theano
    (like symgraph) does not store the others.  Returns ``(numpy, compiled)``."""
    k_ = T.iscalar("k")
    A_ = T.vector("A")
    result, updates = theano.scan(fn=lambda prior_result, A: prior_result * A,
                                  outputs_info=T.ones_like(A_),
                                  non_sequences=A_,
                                  n_steps=k_)
    power = theano.function(inputs=[A_, k_], outputs=result[-1], updates=updates)
    A = np.asarray(A, dtype=theano.config.floatX)
    expected, compiled = A ** k, power(A, k)
    if verbose:
        print(f"A ** {k} = {compiled}")
    check_close(f"A ** {k}, numpy vs scan", expected, compiled, verbose=verbose, **FORWARD_TOL)
    return expected, compiled


def exercise_6_2_polynomial(coefficients, x, verbose=True):
    """Theano's scan tutorial: a polynomial from its coefficients.  Two sequences of
    different lengths are walked together; the shorter one (the coefficients) sets the
    number of steps.  Returns ``(numpy, compiled)``."""
    coefficients_ = T.vector("coefficients")
    x_ = T.scalar("x")
    max_coefficients_supported = 10000
    # Generate the components of the polynomial
    components, updates = theano.scan(
        fn=lambda coefficient, power, free_variable: coefficient * (free_variable ** power),
        outputs_info=None,
        sequences=[coefficients_, T.arange(max_coefficients_supported)],
        non_sequences=x_)
    polynomial = components.sum()
    calculate_polynomial = theano.function(inputs=[coefficients_, x_], outputs=polynomial)
    coefficients = np.asarray(coefficients, dtype=theano.config.floatX)
    expected = float(sum(c * x ** n for n, c in enumerate(coefficients)))
    compiled = calculate_polynomial(coefficients, x)
    if verbose:
        print(f"polynomial {coefficients.tolist()} at {x} = {compiled}")
    check_close("polynomial, numpy vs scan", expected, compiled, verbose=verbose, **FORWARD_TOL)
    return expected, compiled


# ----------------------------------------------------------------------------------------
# Exercises 6.3 and 6.4: the RNN and LSTM taggers (the lab's lxmls/deep_learning/rnn.py)
# ----------------------------------------------------------------------------------------

class RNN:
    """The lab's RNN tagger: the same parameters as :class:`NumpyRNN`, as shared variables,
    and a forward pass built with ``theano.scan`` over a sentence's word embeddings."""

    def __init__(self, n_words, n_emb, n_hidd, n_tags, seed=None):
        np.random.seed(seed if seed else 0)
        W_e = 0.01 * np.random.uniform(size=(n_emb, n_words))  # Embedding layer
        W_x = np.random.uniform(size=(n_hidd, n_emb))   # Input layer
        W_h = np.random.uniform(size=(n_hidd, n_hidd))  # Recurrent layer
        W_y = np.random.uniform(size=(n_tags, n_hidd))  # Output layer
        # Cast to theano GPU-compatible type and store as shared parameters
        floatX = theano.config.floatX
        self.n_hidd = n_hidd
        self.param = [theano.shared(W.astype(floatX), borrow=True) for W in (W_e, W_x, W_h, W_y)]

    def _forward(self, _x, _h0=None):
        """Tag probabilities, (words, tags), of the word ids ``_x`` (a T.ivector)."""
        # Default initial hidden is always set to zero
        if _h0 is None:
            h0 = np.zeros((1, self.n_hidd)).astype(theano.config.floatX)
            _h0 = theano.shared(h0, borrow=True)
        _W_e, _W_x, _W_h, _W_y = self.param

        # Embedding layer. _x holds indices, not one-hot vectors: select columns of _W_e.
        _z1 = _W_e[:, _x].T

        # This defines what to do at each step
        def rnn_step(_x_tm1, _h_tm1, _W_x, W_h):
            return T.nnet.sigmoid(T.dot(_x_tm1, _W_x.T) + T.dot(_h_tm1, W_h.T))

        # This creates the variable length computation graph (unrolls the rnn)
        _h, updates = theano.scan(fn=rnn_step,
                                  sequences=_z1,
                                  outputs_info=dict(initial=_h0),
                                  non_sequences=[_W_x, _W_h])
        # Remove intermediate empty dimension
        _z2 = _h[:, 0, :]
        # Output layer
        return T.nnet.softmax(T.dot(_z2, _W_y.T))


class LSTM:
    """The lab's LSTM tagger: input, forget and output gates (the last two also look at the
    previous cell), the four input transforms stacked in ``W_x`` and ``W_h``."""

    def __init__(self, n_words, n_emb, n_hidd, n_tags, seed=None):
        np.random.seed(seed if seed else 0)
        W_e = 0.01 * np.random.uniform(size=(n_emb, n_words))    # Embedding layer
        W_x = np.random.uniform(size=(4 * n_hidd, n_emb))   # RNN Input layer
        W_h = np.random.uniform(size=(4 * n_hidd, n_hidd))  # RNN recurrent var
        W_c = np.random.uniform(size=(3 * n_hidd, n_hidd))  # Second recurrent var
        W_y = np.random.uniform(size=(n_tags, n_hidd))      # Output layer
        floatX = theano.config.floatX
        self.n_hidd = n_hidd
        self.param = [theano.shared(W.astype(floatX), borrow=True) for W in (W_e, W_x, W_h, W_c, W_y)]

    def _forward(self, _x, _h0=None, _c0=None):
        """Tag probabilities, (words, tags), of the word ids ``_x`` (a T.ivector)."""
        if _h0 is None:
            _h0 = theano.shared(np.zeros((1, self.n_hidd)).astype(theano.config.floatX), borrow=True)
        if _c0 is None:
            _c0 = theano.shared(np.zeros((1, self.n_hidd)).astype(theano.config.floatX), borrow=True)
        _W_e, _W_x, _W_h, _W_c, _W_y = self.param
        H = self.n_hidd

        # Embedding layer
        _z1 = _W_e[:, _x].T

        # Per loop operation
        def _step(_x_tm1, _h_tm1, _c_tm1, _W_x, _W_h, _W_c):
            # Linear transforms, stacked for efficiency; slices of size H select each one.
            _z_x = T.dot(_x_tm1, _W_x.T)
            _z_h = T.dot(_h_tm1, _W_h.T)
            _z_c = T.dot(_c_tm1, _W_c.T)
            # Gates. _x_tm1 and hence _z_x are flat, (4H,); _h_tm1 and _c_tm1 are (1, H).
            _i_t = T.nnet.sigmoid(_z_x[:H] + _z_h[:, :H] + _z_c[:, :H])
            _f_t = T.nnet.sigmoid(_z_x[H:2 * H] + _z_h[:, H:2 * H] + _z_c[:, H:2 * H])
            _o_t = T.nnet.sigmoid(_z_x[3 * H:4 * H] + _z_h[:, 3 * H:4 * H] + _z_c[:, 2 * H:3 * H])
            # Hiddens
            _c_t = _f_t * _c_tm1 + _i_t * T.tanh(_z_x[2 * H:3 * H] + _z_h[:, 2 * H:3 * H])
            _h_t = _o_t * T.tanh(_c_t)
            return _h_t, _c_t

        # Unroll the loop: two recurrent outputs, both fed back
        _h, updates = theano.scan(_step,
                                  sequences=_z1,
                                  outputs_info=[_h0, _c0],
                                  non_sequences=[_W_x, _W_h, _W_c])
        # Just keep the first hidden, remove intermediate empty dimension
        _z2 = _h[0][:, 0, :]
        # Output layer
        return T.nnet.softmax(T.dot(_z2, _W_y.T))


def reset_model(nn_class, seed):
    """The lab's reset: draw the parameters again, embeddings first, from ``seed``."""
    np.random.seed(seed)
    for n, par in enumerate(nn_class.param):
        scale = 0.01 if n == 0 else 1.0   # the first parameter is the embedding matrix
        par.set_value((scale * np.random.uniform(size=par.get_value().shape)).astype(theano.config.floatX))
    return nn_class


def get_params(model):
    return [p.get_value() for p in model.param]


def set_params(model, values):
    for p, v in zip(model.param, values):
        p.set_value(np.array(v, dtype=p.dtype))


# ----------------------------------------------------------------------------------------
# Compiled functions and the training loop
# ----------------------------------------------------------------------------------------

def make_functions(model, lrate=LRATE):
    """The lab's two compiled functions: ``batch_update(x, y) -> cost`` (one SGD step on one
    sentence: the cost is the mean negative log-likelihood of its tags) and
    ``prediction(x) -> tags``."""
    x = T.ivector('x')     # Input words
    y = T.ivector('y')     # Gold tags
    p_y = model._forward(x)
    cost = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    # SGD update rule for each parameter
    updates = [(par, par - lrate * T.grad(cost, par)) for par in model.param]
    batch_update = theano.function([x, y], cost, updates=updates)
    prediction = theano.function([x], T.argmax(p_y, 1))
    return batch_update, prediction


def make_bucketed_update(model, lrate=LRATE):
    """``update(x, y, mask) -> cost``: the SGD step of :func:`make_functions` on a sentence
    padded at the end, the padded words weighted 0 in the cost.  The mean over the real
    words is ``sum(mask * log p) / sum(mask)``; the network reads left to right, so the
    padding changes neither the real words' outputs nor the gradients."""
    x, y = T.ivector('x'), T.ivector('y')
    mask = T.vector('mask')
    p_y = model._forward(x)
    cost = -T.sum(mask * T.log(p_y)[T.arange(y.shape[0]), y]) / T.sum(mask)
    updates = [(par, par - lrate * T.grad(cost, par)) for par in model.param]
    return theano.function([x, y, mask], cost, updates=updates)


def pad(ids, length):
    """``ids`` padded at the end with zeros (a valid word and tag id) to ``length``."""
    out = np.zeros(length, dtype=ids.dtype)
    out[:len(ids)] = ids
    return out


def bucket_of(n, width=BUCKET):
    return -(-n // width) * width


def accuracy(prediction, sentences, pad_to=None):
    """Fraction of words tagged correctly.  With ``pad_to``, every sentence is padded at the
    end to that length and the prediction cut back: the same tags (the network reads left to
    right), from a single compiled program instead of one per sentence length."""
    errors = total = 0
    for x, y in sentences:
        tags = prediction(x) if pad_to is None else prediction(pad(x, pad_to))[:len(x)]
        errors += int(np.sum(tags != y))
        total += len(y)
    return 1.0 - errors / total


class TrainResult(NamedTuple):
    """Per-epoch sums of sentence costs, train and dev accuracies and seconds (compiles
    included); the programs the update and prediction functions compiled during the training
    and the seconds that took; the final parameters."""

    name: str
    costs: list
    train_acc: list
    dev_acc: list
    seconds: list
    update_programs: int
    prediction_programs: int
    compile_seconds: float
    params: list


def print_epoch(name, epoch, n_iter, cost, train_acc, dev_acc, seconds, programs, suffix=""):
    print(f"{name} epoch {epoch}/{n_iter}: train cost {cost:8.2f}  acc {100 * train_acc:5.2f} %"
          f"  dev acc {100 * dev_acc:5.2f} %  ({seconds:.1f} s, {programs} program"
          f"{'' if programs == 1 else 's'} compiled so far){suffix}",
          flush=True)


def epoch_reporter(curves):
    """A progress callback for :func:`train`: :func:`print_epoch`'s line with the time
    the run's remaining epochs should take, and the epoch's cost and accuracies added to
    ``curves`` (a :class:`~tutorials.curves.Curves`)."""
    etas = {}

    def progress(name, epoch, n_iter, cost, train_acc, dev_acc, seconds, programs):
        eta = etas.setdefault(name, Eta(n_iter))
        print_epoch(name, epoch, n_iter, cost, train_acc, dev_acc, seconds, programs,
                    eta.text(seconds))
        curves.add(name, cost=cost, train_acc=train_acc, dev_acc=dev_acc)
    return progress


def train(model, corpus, n_iter=N_ITER, lrate=LRATE, name="RNN", bucket=None, progress=print_epoch,
          functions=None):
    """The lab's SGD loop: one update per sentence, in corpus order, for ``n_iter`` epochs;
    after each epoch the train and dev accuracies.

    ``bucket=None`` calls the update on each sentence as it is, as the lab does (symgraph
    pads it, one program per bucket of lengths); ``bucket=w`` pads each sentence to a
    multiple of ``w`` words itself and masks the padding in the cost.  Accuracies are computed on sentences padded
    to the longest one (one prediction program).  ``functions`` reuses ``(update,
    prediction)`` compiled earlier for this model.
    """
    if functions is None:
        batch_update, prediction = make_functions(model, lrate)
        if bucket:
            batch_update = make_bucketed_update(model, lrate)
    else:
        batch_update, prediction = functions
    stats = (batch_update.stats, prediction.stats)
    programs_before = [st.programs for st in stats]
    compile_before = sum(st.compile_seconds for st in stats)
    longest = max(len(x) for split in (corpus.train, corpus.dev) for x, _ in split)
    floatX = theano.config.floatX
    costs, train_acc, dev_acc, seconds = [], [], [], []
    for epoch in range(n_iter):
        start = time.perf_counter()
        cost = 0.0
        heartbeat = Heartbeat(len(corpus.train), f"sentences of {name} epoch {epoch + 1}")
        for done, (x, y) in enumerate(corpus.train):
            if progress is not None:
                heartbeat.beat(done)
            if bucket:
                n = bucket_of(len(x), bucket)
                mask = np.zeros(n, dtype=floatX)
                mask[:len(x)] = 1
                cost += float(batch_update(pad(x, n), pad(y, n), mask))
            else:
                cost += float(batch_update(x, y))
        costs.append(cost)
        train_acc.append(accuracy(prediction, corpus.train, longest))
        dev_acc.append(accuracy(prediction, corpus.dev, longest))
        seconds.append(time.perf_counter() - start)
        if progress is not None:
            progress(name, epoch + 1, n_iter, cost, train_acc[-1], dev_acc[-1], seconds[-1],
                     sum(st.programs for st in stats) - sum(programs_before))
    return TrainResult(name, costs, train_acc, dev_acc, seconds,
                       stats[0].programs - programs_before[0], stats[1].programs - programs_before[1],
                       sum(st.compile_seconds for st in stats) - compile_before, get_params(model))


# ----------------------------------------------------------------------------------------
# The lab, in order
# ----------------------------------------------------------------------------------------

def exercise_6_1(corpus, verbose=True):
    """The numpy RNN on the first training sentence: its forward pass and gradients."""
    np_rnn = NumpyRNN(corpus.n_words, EMB_SIZE, HIDDEN_SIZE, corpus.n_tags, seed=SEED)
    x0, y0 = corpus.train[0]
    p_y = np_rnn.forward(x0)
    grads = np_rnn.grads(x0, y0)
    if verbose:
        cost = -np.mean(np.log(p_y[y0, np.arange(len(y0))]))
        print(f"first sentence: {len(x0)} words, cost {cost:.4f}; gradient norms "
              + ", ".join(f"{n} {np.linalg.norm(g):.3g}" for n, g in zip(("W_e", "W_x", "W_h", "W_y"), grads)))
    return np_rnn, p_y, grads


def exercise_6_3_check(rnn, np_rnn, x0, y0, verbose=True):
    """The lab's checks: the compiled forward pass and ``T.grad`` of the cost against the
    numpy RNN on one sentence.  Returns ``(forward, gradients)`` as compiled."""
    x = T.ivector('x')
    th_forward = theano.function([x], rnn._forward(x).T)
    forward = th_forward(x0)
    check_close("RNN forward, numpy vs scan", np_rnn.forward(x0), forward, verbose=verbose, **FORWARD_TOL)

    y = T.ivector('y')
    p_y = rnn._forward(x)
    cost = -T.mean(T.log(p_y)[T.arange(y.shape[0]), y])
    grads_fun = theano.function([x, y], [T.grad(cost, par) for par in rnn.param])
    gradients = grads_fun(x0, y0)
    for name, want, got in zip(("W_e", "W_x", "W_h", "W_y"), np_rnn.grads(x0, y0), gradients):
        tol = dict(GRAD_TOL, atol=GRAD_TOL["atol"] * max(1.0, float(np.abs(want).max())))
        check_close(f"dcost/d{name}, numpy BPTT vs T.grad through scan", want, got, verbose=verbose, **tol)
    return forward, gradients


def show_tags(prediction, corpus, index=0, pad_to=None):
    """A sentence as word/predicted tag, the gold tag in brackets where they differ."""
    x, y = corpus.train[index]
    tags = prediction(x) if pad_to is None else prediction(pad(x, pad_to))[:len(x)]
    print(" ".join(f"{corpus.words[w]}/{corpus.tags[t]}" + ("" if t == g else f"[{corpus.tags[g]}]")
                   for w, t, g in zip(x, tags, y)))


def print_table(results, baseline):
    header = (f"{'model':<22} | {'epochs':>6} | {'train acc':>9} | {'dev acc':>7} | "
              f"{'programs':>8} | {'compile s':>9} | {'train s':>7}")
    print(header)
    print("-" * len(header))
    for r in results:
        programs = f"{r.update_programs}+{r.prediction_programs}"
        print(f"{r.name:<22} | {len(r.costs):6d} | {100 * r.train_acc[-1]:8.2f}% | "
              f"{100 * r.dev_acc[-1]:6.2f}% | {programs:>8} | {r.compile_seconds:9.2f} | "
              f"{sum(r.seconds):7.2f}")
    print(f"\nmajority-tag baseline (dev): {100 * baseline:.2f}%.  programs: update + prediction\n"
          "programs compiled during the training; compile s: the seconds that took, included\n"
          "in train s, the epochs' wall time.")


def main(argv=None, corpus=None):
    """Run the lab.  ``corpus`` (a :class:`~tutorials.postags.TaggedCorpus`) replaces the one
    chosen by the command line, e.g. for a fast test."""
    parser = argparse.ArgumentParser(prog="python -m tutorials.lxmls_day6",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="directory with train-02-21.conll, dev-22.conll, test-23.conll")
    parser.add_argument("--synthetic", action="store_true", help="use the embedded synthetic corpus")
    parser.add_argument("--epochs", type=int, help=f"SGD epochs (default {N_ITER}, --quick {QUICK['n_iter']})")
    parser.add_argument("--quick", action="store_true", help="a short run: one epoch, a small corpus")
    parser.add_argument("--max-sent-len", type=int, default=MAX_SENT_LEN,
                        help=f"keep sentences of fewer words (default {MAX_SENT_LEN}, as the lab; "
                        "the synthetic corpus has sentences of up to 60 words)")
    parser.add_argument("--max-nr-sent", type=int, default=MAX_NR_SENT,
                        help=f"at most this many sentences per split (default {MAX_NR_SENT})")
    parser.add_argument("--bucket", type=int, default=BUCKET,
                        help=f"bucket width of the last section (default {BUCKET}; 0 skips it)")
    add_plot_argument(parser)
    args = parser.parse_args(argv)
    check_plot_argument(parser, args)
    if args.synthetic and args.data:
        parser.error("--synthetic and --data exclude each other")
    n_iter = args.epochs or (QUICK["n_iter"] if args.quick else N_ITER)
    theano.config.floatX = "float32"
    start = time.perf_counter()

    section("Setup: the part-of-speech corpus")
    if corpus is None and not args.synthetic:
        corpus = load_conll(args.data, args.max_sent_len, args.max_nr_sent)  # None: no WSJ
    if corpus is None:
        why = "as asked" if args.synthetic else "the WSJ was not found"
        if args.quick:
            corpus = synthetic_corpus(n_train=QUICK["n_train"], n_dev=QUICK["n_dev"], n_test=0,
                                      min_len=QUICK["min_len"], max_len=QUICK["max_len"])
        else:
            corpus = lab_corpus(synthetic_corpus(n_train=args.max_nr_sent, n_dev=300, n_test=300,
                                                 min_len=2, max_len=min(60, args.max_sent_len - 1)),
                                args.max_sent_len, args.max_nr_sent)
        print(f"Source: the embedded synthetic corpus ({why}): 45 Penn Treebank tags")
    else:
        print(f"Source: {corpus.source}")
    describe(corpus)
    baseline = majority_baseline(corpus)
    print(f"Majority-tag baseline on dev: {100 * baseline:.2f}%")

    section("Exercise 6.1: a numpy RNN, backpropagation through time")
    np_rnn, _, _ = exercise_6_1(corpus)

    section("Exercise 6.2: scan")
    print("The squares of 0..nr_steps-1:")
    exercise_6_2_square()
    print("\nA Markov chain, each state computed from the previous one:")
    rng = np.random.RandomState(0)
    A = np.abs(rng.randn(3, 3))
    A = A / A.sum(0, keepdims=True)
    s0 = np.array([1.0, 0.0, 0.0])
    exercise_6_2_markov_chain(A.astype(theano.config.floatX), s0.astype(theano.config.floatX))
    print("\nFrom Theano's scan tutorial:")
    exercise_6_2_power(np.arange(1, 6), 3)
    exercise_6_2_polynomial([1, 0, 2], 3)

    section("Exercise 6.3: the RNN tagger with scan")
    rnn = RNN(corpus.n_words, EMB_SIZE, HIDDEN_SIZE, corpus.n_tags, seed=SEED)
    exercise_6_3_check(rnn, np_rnn, *corpus.train[0])
    init_params = get_params(rnn)
    functions = make_functions(rnn, LRATE)
    print(f"\nSGD, one sentence at a time, learning rate {LRATE}:")
    curves = Curves()
    progress = epoch_reporter(curves)
    results = [train(rnn, corpus, n_iter, LRATE, "RNN", progress=progress, functions=functions)]
    longest = max(len(x) for split in (corpus.train, corpus.dev) for x, _ in split)
    print("The first training sentence, tagged:")
    show_tags(functions[1], corpus, pad_to=longest)
    update, prediction = functions
    print(f"update: {update.stats}; prediction: {prediction.stats}")

    section("Exercise 6.4: the LSTM tagger")
    lstm = LSTM(corpus.n_words, EMB_SIZE, HIDDEN_SIZE, corpus.n_tags)
    results.append(train(lstm, corpus, n_iter, LRATE, "LSTM", progress=progress))

    if args.bucket:
        section(f"Bucketing: sentences padded to multiples of {args.bucket} words")
        print("symgraph padded the lab's sentences to bucket lengths itself. The same done by\n"
              "hand: each sentence padded at the end to a multiple of the bucket width, the\n"
              "padding masked out of the cost, trains exactly the same parameters:")
        exact = results[0].params
        set_params(rnn, init_params)  # the same RNN from the same start; its prediction is reused
        bucketed = train(rnn, corpus, n_iter, LRATE, f"RNN, buckets of {args.bucket}", bucket=args.bucket,
                         progress=progress, functions=(make_bucketed_update(rnn, LRATE), prediction))
        diff = max(float(np.max(np.abs(a - b))) for a, b in zip(bucketed.params, exact))
        print(f"largest difference from the exact run's parameters: {diff:.2g}")
        results.append(bucketed)

    section(f"Summary ({corpus.source}, {n_iter} epoch{'s' if n_iter > 1 else ''})")
    print_table(results, baseline)
    if args.plot:
        curves.save(args.plot, f"LXMLS Day 6: POS taggers, SGD, "
                    f"{os.path.basename(corpus.source)} corpus")
        print(f"\ncost and accuracy per epoch plotted in {args.plot}")
    print(f"\ntotal {time.perf_counter() - start:.1f} s")
    return results


if __name__ == "__main__":
    main()
