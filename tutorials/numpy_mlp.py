"""The LXMLS numpy multilayer perceptron and its SGD trainer.

This is the hand-written reference that the symbolic versions are checked
against: same parameter layout, same initialisation (bit for bit, given the
same ``RandomState``), same cost and the same mini-batch schedule as
``lxmls.deep_learning.mlp.NumpyMLP`` and ``lxmls.deep_learning.sgd``.

Data are stored one example per column: ``x`` is (features, batch), each
layer computes ``W @ x + b`` with ``W`` of shape (out, in) and ``b`` of shape
(out, 1), and labels ``y`` are a vector of integer class ids.
"""

import math
import time
from typing import NamedTuple

import numpy as np

__all__ = [
    "NumpyMLP",
    "TrainLog",
    "class_acc",
    "index2onehot",
    "numpy_batch_update",
    "print_epoch",
    "sgd_train",
    "sgd_train_indexed",
]

ACTIVATIONS = ("sigmoid", "softmax")


def index2onehot(index, n_classes):
    """One-hot columns, shape (n_classes, len(index)), for class ids ``index``."""
    index = np.asarray(index)
    onehot = np.zeros((n_classes, index.shape[0]))
    onehot[index, np.arange(index.shape[0])] = 1.0
    return onehot


def _sigmoid(z):
    # tanh form: same values as 1 / (1 + exp(-z)) without overflow warnings.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _log_softmax(z):
    shifted = z - z.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


class NumpyMLP:
    """Feed-forward network of sigmoid layers with a sigmoid or softmax output.

    ``geometry`` lists the layer sizes, input first (e.g. ``[I, 20, 2]``);
    ``actvfunc`` names one activation per layer.  ``rng`` is a
    ``np.random.RandomState`` or a seed; LXMLS's default seed 1234 is used
    when it is None.
    """

    def __init__(self, geometry, actvfunc, rng=None):
        geometry = [int(size) for size in geometry]
        actvfunc = list(actvfunc)
        if len(actvfunc) != len(geometry) - 1:
            raise ValueError("need one activation per layer: len(actvfunc) == len(geometry) - 1")
        unknown = [act for act in actvfunc if act not in ACTIVATIONS]
        if unknown:
            raise ValueError(f"unsupported activations {unknown}; supported: {ACTIVATIONS}")
        if any(act != "sigmoid" for act in actvfunc[:-1]):
            raise ValueError("hidden layers must be sigmoid")
        if not isinstance(rng, np.random.RandomState):
            rng = np.random.RandomState(1234 if rng is None else rng)

        self.geometry = geometry
        self.actvfunc = actvfunc
        self.n_layers = len(actvfunc)
        self.params = self._init_params(rng)

    def _init_params(self, rng):
        """Glorot-uniform weights scaled by 4, zero biases, as LXMLS does.

        The factor 4 is the deeplearning.net heuristic for sigmoid units;
        LXMLS applies it to softmax layers too, and so does this port, so
        that both start from identical weights.
        """
        params = []
        for n_in, n_out in zip(self.geometry[:-1], self.geometry[1:]):
            bound = np.sqrt(6.0 / (n_in + n_out))
            params.append(4.0 * rng.uniform(low=-bound, high=bound, size=(n_out, n_in)))
            params.append(np.zeros((n_out, 1)))
        return params

    def _layers(self, x):
        """Pre-activations and activations of every layer."""
        pre, post = [], []
        tilde_z = x
        for n, act in enumerate(self.actvfunc):
            W, b = self.params[2 * n], self.params[2 * n + 1]
            z = W @ tilde_z + b
            tilde_z = _sigmoid(z) if act == "sigmoid" else np.exp(_log_softmax(z))
            pre.append(z)
            post.append(tilde_z)
        return pre, post

    def forward(self, x, all_outputs=False):
        """Output probabilities, shape (classes, batch); with
        ``all_outputs`` the list of every layer's activations."""
        _, post = self._layers(np.asarray(x))
        return post if all_outputs else post[-1]

    def _output_cost(self, z, y):
        """Mean cross-entropy computed from the output pre-activation, so
        that saturated outputs give a finite cost."""
        m = y.shape[0]
        if self.actvfunc[-1] == "softmax":
            return -_log_softmax(z)[y, np.arange(m)].sum() / m
        # Binary cross-entropy of each sigmoid output against targets y.
        return (y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z)).sum() / m

    def cost(self, x, y):
        """Mean cross-entropy of the batch (negative log-likelihood for softmax)."""
        y = np.asarray(y)
        pre, _ = self._layers(np.asarray(x))
        return float(self._output_cost(pre[-1], y))

    def cost_and_grads(self, x, y, out=None):
        """Cost and its gradients in one forward pass; gradients are listed
        like ``params``.

        ``out``, a list of arrays shaped like ``params``, receives the
        gradients in place (and is returned) instead of new arrays: the
        (hidden, features) weight gradient is megabytes, and allocating it
        afresh on every mini-batch can cost more than computing it (fresh
        large allocations are page-faulted in by the OS).
        """
        x, y = np.asarray(x), np.asarray(y)
        pre, post = self._layers(x)
        m = y.shape[0]

        # Error at the output: for cross-entropy with a matching output
        # nonlinearity it is simply prediction minus target.
        if self.actvfunc[-1] == "softmax":
            err = (post[-1] - index2onehot(y, post[-1].shape[0])) / m
        else:
            err = (post[-1] - y) / m

        nabla = [None] * (2 * self.n_layers)
        for n in range(self.n_layers - 1, -1, -1):
            if n < self.n_layers - 1:
                err = (self.params[2 * (n + 1)].T @ err) * post[n] * (1.0 - post[n])
            inputs = x if n == 0 else post[n - 1]
            if out is None:
                nabla[2 * n] = err @ inputs.T
                nabla[2 * n + 1] = err.sum(axis=1, keepdims=True)
            else:
                nabla[2 * n] = np.matmul(err, inputs.T, out=out[2 * n])
                nabla[2 * n + 1] = np.sum(err, axis=1, keepdims=True, out=out[2 * n + 1])
        return float(self._output_cost(pre[-1], y)), nabla

    def grads(self, x, y):
        """Backpropagated gradients of :meth:`cost`, listed like ``params``."""
        return self.cost_and_grads(x, y)[1]


def class_acc(hat_y, y):
    """Fraction of examples whose most probable class is ``y``.

    ``hat_y`` is (classes, examples) as returned by ``forward``; a single
    sigmoid output row is thresholded at 0.5.  (LXMLS returned a tuple with
    the log-likelihood as well; only the accuracy was ever used.)
    """
    hat_y, y = np.asarray(hat_y), np.asarray(y).reshape(-1)
    predicted = (hat_y[0] > 0.5).astype(int) if hat_y.shape[0] == 1 else hat_y.argmax(axis=0)
    return float(np.mean(predicted == y))


def numpy_batch_update(model, lrate):
    """Plain SGD step ``param -= lrate * grad`` on a :class:`NumpyMLP`,
    returning the batch cost like a compiled update does."""

    # Gradient buffers reused by every step, so a step allocates nothing large.
    buffers = [np.empty_like(param) for param in model.params]

    def batch_up(batch_x, batch_y):
        cost, nabla = model.cost_and_grads(batch_x, batch_y, out=buffers)
        for param, grad in zip(model.params, nabla):
            grad *= lrate
            param -= grad
        return cost

    return batch_up


class TrainLog(NamedTuple):
    """Per-epoch wall time in seconds and mean mini-batch cost (None when
    the update function returns no cost)."""

    seconds: list
    costs: list


def print_epoch(epoch, n_iter, seconds, cost, suffix=""):
    """Progress line in the style of the LXMLS trainer, ``suffix`` at its end."""
    cost_text = "" if cost is None else f", mean batch cost {cost:.4f}"
    print(f"Epoch {epoch:2d}/{n_iter:2d} in {seconds:.2f} s{cost_text}{suffix}", flush=True)


def _run_epochs(step, n_iter, n_batch, progress):
    log = TrainLog([], [])
    for epoch in range(n_iter):
        start = time.perf_counter()
        costs = [step(j) for j in range(n_batch)]
        # Converting the costs waits for asynchronous (e.g. JAX) updates to
        # finish, so the epoch time covers the actual work.
        costs = [float(c) for c in costs if c is not None]
        seconds = time.perf_counter() - start
        mean_cost = sum(costs) / len(costs) if costs else None
        log.seconds.append(seconds)
        log.costs.append(mean_cost)
        if progress is not None:
            progress(epoch + 1, n_iter, seconds, mean_cost)
    return log


def sgd_train(model, n_iter, bsize, lrate=None, train_set=None, batch_up=None, n_batch=None, progress=None):
    """Mini-batch SGD over ``train_set = (train_x, train_y)`` in a fixed order.

    Batch ``j`` is ``train_x[:, j*bsize:(j+1)*bsize]`` (the last one may be
    short).  ``batch_up(batch_x, batch_y)`` applies one update and returns
    the batch cost; without it the numpy update of ``model`` with ``lrate``
    is used.  ``n_batch`` defaults to ``ceil(n_examples / bsize)``.
    ``progress(epoch, n_iter, seconds, cost)`` is called after each epoch,
    e.g. :func:`print_epoch`.  Returns a :class:`TrainLog`.
    """
    if train_set is None:
        raise ValueError("train_set=(train_x, train_y) is required")
    train_x, train_y = train_set
    if batch_up is None:
        if lrate is None:
            raise ValueError("lrate is required when no batch_up is given")
        batch_up = numpy_batch_update(model, lrate)
    if n_batch is None:
        n_batch = math.ceil(train_x.shape[1] / bsize)

    def step(j):
        return batch_up(train_x[:, j * bsize : (j + 1) * bsize], train_y[j * bsize : (j + 1) * bsize])

    return _run_epochs(step, n_iter, n_batch, progress)


def sgd_train_indexed(batch_up, n_iter, n_batch, progress=None):
    """SGD where ``batch_up(j)`` selects mini-batch ``j`` itself.

    This is the Theano ``givens`` pattern: the training data live with the
    compiled update (e.g. as shared variables) and only the batch index
    crosses the call boundary.  Returns a :class:`TrainLog`.
    """
    return _run_epochs(batch_up, n_iter, n_batch, progress)
