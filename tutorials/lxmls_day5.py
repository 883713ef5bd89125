"""LXMLS 2017 Day 5 (deep learning I), worked through with symgraph.

Run it as::

    python -m tutorials.lxmls_day5              # 5 epochs, the lab's settings
    python -m tutorials.lxmls_day5 --quick      # 2 epochs, for `make demo`
    python -m tutorials.lxmls_day5 --data PATH  # a directory with positive/negative.review
    python -m tutorials.lxmls_day5 --synthetic  # the embedded stand-in corpus, even if the
                                                # real one is installed
    python -m tutorials.lxmls_day5 --plot curves.png  # also plot cost and accuracy per
                                                      # epoch (needs matplotlib)

The lab trains a two-layer perceptron (a sigmoid hidden layer of 20 units, a softmax output)
to tell positive from negative book reviews.  We follow it step by step:

* 5.1  a numpy MLP with hand-written backpropagation (``tutorials.numpy_mlp``);
* 5.2  its first layer written symbolically, printed, compiled and compared with numpy;
* 5.3  the whole forward pass as a symbolic class, ``SymbolicMLP``;
* 5.4  the cost as a graph, and its gradients from ``T.grad``;
* 5.5  a compiled SGD step with ``updates``, the same with ``givens`` (the training data live
       in shared variables and only a batch index is passed), and a whole epoch as one call
       with ``Function.loop``.

Every variant is trained from the same initial parameters with the same mini-batch schedule,
so they should end at the same parameters (up to float32 rounding: numpy works in float64,
the compiled graphs in float32) and the same accuracies; only the speed differs.  The closing
table compares them.

A note on timings: numpy's matrix products run on OpenBLAS threads.  On a machine with few
cores that are also busy with other work, those threads get in each other's way and the numpy
epochs can be several times slower than on an idle machine; ``OPENBLAS_NUM_THREADS=1`` gives
a steadier numpy baseline there.

Everything a test needs is a plain function: :func:`exercise_5_2` ... :func:`exercise_5_5`,
:class:`SymbolicMLP`, :func:`make_compiled_grads`, :func:`make_batch_update`,
:func:`make_givens_update`, :func:`train_variant` and :func:`train_variants`.
"""

import argparse
import math
import os
import time
from typing import NamedTuple

import numpy as np

import symgraph as theano
import symgraph.tensor as T
from tutorials.curves import Curves, Eta, add_plot_argument, check_plot_argument
from tutorials.numpy_mlp import NumpyMLP, TrainLog, class_acc, print_epoch, sgd_train, sgd_train_indexed
from tutorials.sentiment import load_corpus, synthetic_corpus

__all__ = [
    "ACTVFUNC",
    "Data",
    "SymbolicMLP",
    "VARIANTS",
    "VariantResult",
    "check_close",
    "exercise_5_2",
    "exercise_5_3",
    "exercise_5_4",
    "exercise_5_5",
    "for_graph",
    "main",
    "make_batch_update",
    "make_compiled_grads",
    "make_givens_update",
    "max_param_difference",
    "numpy_mlp_from",
    "numpy_side_update",
    "prepare_data",
    "print_epoch_eta",
    "print_table",
    "train_variant",
    "train_variants",
]

# The lab's settings.
HIDDEN = 20
ACTVFUNC = ["sigmoid", "softmax"]
N_EPOCHS = 5
QUICK_EPOCHS = 2
BSIZE = 5
LRATE = 0.01

# numpy runs in float64 and the compiled graphs in float32, so "the same" means equal up to
# float32 rounding.  A float32 number carries about 7 significant digits.
FORWARD_TOL = dict(rtol=1e-4, atol=1e-6)
GRAD_TOL = dict(rtol=1e-3, atol=1e-6)


def section(title):
    print(f"\n{'=' * 78}\n{title}\n{'=' * 78}", flush=True)


def check_close(what, expected, actual, rtol, atol, verbose=True):
    """np.allclose, but failing loudly with the largest difference when it does not hold."""
    expected, actual = np.asarray(expected), np.asarray(actual)
    if expected.shape != actual.shape:
        raise AssertionError(f"{what}: shapes differ, {expected.shape} vs {actual.shape}")
    diff = float(np.max(np.abs(expected - actual))) if expected.size else 0.0
    if not np.allclose(expected, actual, rtol=rtol, atol=atol):
        raise AssertionError(f"{what}: numpy and symgraph differ (max |difference| {diff:.3g}, "
                             f"rtol={rtol}, atol={atol})")
    if verbose:
        print(f"  {what}: equal (max |difference| {diff:.2g})")
    return diff


# ----------------------------------------------------------------------------------------
# Setup: the data
# ----------------------------------------------------------------------------------------

class Data(NamedTuple):
    """The corpus as the lab uses it: one document per *column* (features x documents)."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray
    source: str


def prepare_data(corpus):
    """Transpose a :class:`~tutorials.sentiment.Corpus` into the lab's layout.

    ``X.T`` of a (documents, features) array is a Fortran-ordered (features, documents)
    view, so a mini-batch ``train_x[:, i:i+5]`` is a contiguous block of memory.
    """
    if isinstance(corpus, Data):
        return corpus
    return Data(corpus.train_X.T, corpus.train_y[:, 0], corpus.test_X.T, corpus.test_y[:, 0],
                corpus.source)


def for_graph(data):
    """The data cast to the types the compiled graphs expect: features to floatX, labels
    to int32 (``T.ivector``).  Forgetting this is the classic first Theano error."""
    floatX = theano.config.floatX
    return data._replace(train_x=data.train_x.astype(floatX), train_y=data.train_y.astype("int32"),
                         test_x=data.test_x.astype(floatX), test_y=data.test_y.astype("int32"))


# ----------------------------------------------------------------------------------------
# Exercise 5.2: one layer, symbolically
# ----------------------------------------------------------------------------------------

def exercise_5_2(params, x, verbose=True):
    """The first layer, sigmoid(W1 x + b1), in numpy and as a compiled graph.

    ``params`` are numpy MLP parameters [W1, b1, ...]; ``x`` is (features, documents).
    Returns ``(numpy_output, compiled_output, graph_text)``; raises if they differ.
    """
    floatX = theano.config.floatX
    W1, b1 = params[:2]

    # numpy: compute the values right away.
    z1 = np.dot(W1, x) + b1
    tilde_z1 = 1 / (1 + np.exp(-z1))

    # symgraph: describe the computation first, run it later.  A leading underscore marks
    # a symbolic variable (our convention, not Python's).
    _x = T.matrix("x")  # a float matrix of any shape: the input is not known yet
    # Parameters are shared variables: they hold a value that lives with the compiled
    # code between calls.  Broadcasting is never implicit: the bias is a (20, 1) column
    # that must be repeated along the batch axis, so its second axis is declared
    # broadcastable.  Without it, adding it to the (20, batch) product is an error.
    _W1 = theano.shared(W1.astype(floatX), name="W1", borrow=True)
    _b1 = theano.shared(b1.astype(floatX), name="b1", borrow=True, broadcastable=(False, True))

    _z1 = T.dot(_W1, _x) + _b1
    _tilde_z1 = T.nnet.sigmoid(_z1)
    _z1.name = "z1"  # names show up in debugprint and in error messages
    _tilde_z1.name = "tilde_z1"

    graph_text = theano.printing.debugprint(_tilde_z1, file="str")
    if verbose:
        print("The first layer as a graph:\n")
        print(graph_text)

    # Compiling turns the graph into one XLA program; calling it runs the program.
    layer1 = theano.function([_x], _tilde_z1)
    compiled = layer1(x.astype(floatX))
    check_close("layer 1, numpy vs compiled", tilde_z1, compiled, verbose=verbose, **FORWARD_TOL)
    return tilde_z1, compiled, graph_text


# ----------------------------------------------------------------------------------------
# Exercise 5.3: the forward pass as a class
# ----------------------------------------------------------------------------------------

class SymbolicMLP:
    """The numpy MLP's twin: same parameter layout, but parameters are shared variables and
    the forward pass and cost are graphs (the lab's ``TheanoMLP``).

    ``params`` is the numpy list [W1, b1, W2, b2, ...]; the values are copied (cast to
    floatX), so training this model leaves the numpy arrays alone.
    """

    def __init__(self, params, actvfunc=ACTVFUNC):
        self.actvfunc = list(actvfunc)
        self.n_layers = len(self.actvfunc)
        if len(params) != 2 * self.n_layers:
            raise ValueError(f"{len(params)} parameters for {self.n_layers} layers")
        floatX = theano.config.floatX
        self.params = []
        for n in range(self.n_layers):
            W, b = params[2 * n], params[2 * n + 1]
            # The types must agree with the data's: cast to floatX once, here.
            self.params.append(theano.shared(np.array(W, dtype=floatX), name=f"W{n + 1}", borrow=True))
            self.params.append(theano.shared(np.array(b, dtype=floatX), name=f"b{n + 1}", borrow=True,
                                             broadcastable=(False, True)))
        # The forward pass is compiled once, when the model is made.
        _x = T.matrix("x")
        self.fwd = theano.function([_x], self._forward(_x))

    def _forward(self, x, all_outputs=False):
        """Symbolic forward pass: the output probabilities (classes x batch) as a graph."""
        activations = [x]
        tilde_z = x
        for n in range(self.n_layers):
            W, b = self.params[2 * n], self.params[2 * n + 1]
            z = T.dot(W, tilde_z) + b
            z.name = f"z{n + 1}"
            if self.actvfunc[n] == "sigmoid":
                tilde_z = T.nnet.sigmoid(z)
            else:
                # T.nnet.softmax normalises each *row*; our examples are columns, hence
                # the two transposes.
                tilde_z = T.nnet.softmax(z.T).T
            tilde_z.name = f"tilde_z{n + 1}"
            activations.append(tilde_z)
        return activations if all_outputs else tilde_z

    def _cost(self, x, y):
        """Mean negative log-likelihood of the correct classes ``y`` (a T.ivector)."""
        p_y = self._forward(x)
        return -T.mean(T.log(p_y[y, T.arange(y.shape[0])]))

    def forward(self, x):
        return self.fwd(np.asarray(x).astype(theano.config.floatX))

    def get_params(self):
        return [p.get_value() for p in self.params]

    def set_params(self, values):
        for param, value in zip(self.params, values):
            param.set_value(np.asarray(value, dtype=param.dtype))


def exercise_5_3(mlp, x, verbose=True):
    """Forward pass of a :class:`NumpyMLP` and of a :class:`SymbolicMLP` with the same
    parameters.  Returns ``(numpy_output, compiled_output)``; raises if they differ."""
    symbolic = SymbolicMLP(mlp.params, mlp.actvfunc)
    expected, actual = mlp.forward(x), symbolic.forward(x)
    check_close("MLP forward pass, numpy vs compiled", expected, actual, verbose=verbose,
                **FORWARD_TOL)
    return expected, actual


# ----------------------------------------------------------------------------------------
# Exercise 5.4: the cost and its gradients
# ----------------------------------------------------------------------------------------

def exercise_5_4(mlp, x, y, verbose=True):
    """The cross-entropy cost as a graph, and ``T.grad`` of it for every parameter.

    Continues 5.2's first layer with the softmax output layer.  Returns
    ``(numpy_grads, compiled_grads, graph_text)``; raises if the costs or gradients differ.
    """
    floatX = theano.config.floatX
    W1, b1, W2, b2 = (p.astype(floatX) for p in mlp.params)
    _x = T.matrix("x")
    _W1 = theano.shared(W1, name="W1", borrow=True)
    _b1 = theano.shared(b1, name="b1", borrow=True, broadcastable=(False, True))
    _z1 = T.dot(_W1, _x) + _b1
    _tilde_z1 = T.nnet.sigmoid(_z1)

    # The second (and last) layer, with a softmax over the classes of each column.
    _W2 = theano.shared(W2, name="W2", borrow=True)
    _b2 = theano.shared(b2, name="b2", borrow=True, broadcastable=(False, True))
    _z2 = T.dot(_W2, _tilde_z1) + _b2
    _tilde_z2 = T.nnet.softmax(_z2.T).T

    # The correct class of each example, and the cost: for example m, pick the
    # probability of its class y[m] (row y[m], column m), take logs, average, negate.
    _y = T.ivector("y")
    _F = -T.mean(T.log(_tilde_z2[_y, T.arange(_y.shape[0])]))

    graph_text = theano.printing.debugprint(_F, file="str")
    if verbose:
        print("The classification cost as a graph:\n")
        print(graph_text)

    # T.grad builds new graphs, one per parameter; compiling them gives the gradients.
    params = [_W1, _b1, _W2, _b2]
    nabla_F = theano.function([_x, _y], [_F] + T.grad(_F, params))
    cost, *compiled = nabla_F(x.astype(floatX), y.astype("int32"))

    expected_cost, expected = mlp.cost_and_grads(x, y)
    check_close("cost, numpy vs compiled", expected_cost, cost, verbose=verbose, **GRAD_TOL)
    for param, grad, grad_c in zip(params, expected, compiled):
        # Gradients are compared relative to their size: float32 keeps ~7 digits of
        # the largest entry, not of every tiny one.
        tol = dict(GRAD_TOL, atol=GRAD_TOL["atol"] * max(1.0, float(np.abs(grad).max())))
        check_close(f"dF/d{param.name}, numpy backprop vs T.grad", grad, grad_c, verbose=verbose,
                    **tol)
    return expected, compiled, graph_text


# ----------------------------------------------------------------------------------------
# Exercise 5.5: compiled training steps
# ----------------------------------------------------------------------------------------

def numpy_mlp_from(params, actvfunc=ACTVFUNC):
    """A :class:`NumpyMLP` holding copies of ``params`` (float64)."""
    geometry = [params[0].shape[1]] + [W.shape[0] for W in params[::2]]
    mlp = NumpyMLP(geometry, actvfunc)
    mlp.params = [np.array(p, dtype=np.float64) for p in params]
    return mlp


def make_compiled_grads(model):
    """``cost_and_grads(x, y) -> [cost, dW1, db1, ...]`` compiled from ``model``'s graph.

    This is the lab's first symbolic path: the gradients come from a compiled function,
    the SGD update is still done in numpy.
    """
    _x, _y = T.matrix("x"), T.ivector("y")
    _F = model._cost(_x, _y)
    return theano.function([_x, _y], [_F] + T.grad(_F, model.params))


def numpy_side_update(model, cost_and_grads, lrate):
    """A ``batch_up(x, y)`` that gets gradients from the compiled function and updates the
    shared variables from numpy, one get_value/set_value per parameter and batch."""

    def batch_up(x, y):
        cost, *nabla = cost_and_grads(x, y)
        for param, grad in zip(model.params, nabla):
            param.set_value(param.get_value() - lrate * grad)
        return cost

    return batch_up


def _sgd_updates(model, cost, lrate):
    """One (parameter, new value) pair per parameter: plain SGD.  Momentum or Adam would
    only change this list."""
    return [(param, param - lrate * T.grad(cost, param)) for param in model.params]


def make_batch_update(model, lrate):
    """``batch_up(x, y) -> cost``: one compiled call computes the cost, the gradients and
    the new parameter values, and stores them in the shared variables."""
    _x, _y = T.matrix("x"), T.ivector("y")
    _F = model._cost(_x, _y)
    return theano.function([_x, _y], _F, updates=_sgd_updates(model, _F, lrate))


def make_givens_update(model, lrate, train_x, train_y, bsize):
    """``batch_up(index) -> cost``, with the training data kept in shared variables.

    ``givens`` replaces the graph's inputs x and y by slices of the stored data, so only
    the batch index crosses from Python to the compiled program.  ``train_x`` must be
    floatX and ``train_y`` int32 (see :func:`for_graph`).  Returns ``(batch_up, n_batch)``.

    On a GPU this saves copying every batch from host memory.  On a CPU there is no copy
    to save, and the stored matrix is row-major (features, documents), so a batch of 5
    columns is 5 values gathered from each of its thousands of rows: expect no gain there.
    """
    _x, _y = T.matrix("x"), T.ivector("y")
    _F = model._cost(_x, _y)
    _train_x = theano.shared(train_x, name="train_x", borrow=True)
    _train_y = theano.shared(train_y, name="train_y", borrow=True)
    # Named, so that a whole epoch can be run as update.loop(index=...).
    index = T.lscalar("index")
    givens = {_x: _train_x[:, index * bsize:(index + 1) * bsize],
              _y: _train_y[index * bsize:(index + 1) * bsize]}
    batch_up = theano.function([index], _F, updates=_sgd_updates(model, _F, lrate), givens=givens)
    return batch_up, math.ceil(train_x.shape[1] / bsize)


def exercise_5_5(params, data, bsize=BSIZE, lrate=LRATE, verbose=True):
    """One SGD step three ways (numpy arguments, givens, a loop of one step) from the same
    parameters, each compared with the numpy step.  ``data`` is cast with
    :func:`for_graph`.  Returns the numpy parameters after the step."""
    x, y = data.train_x[:, :bsize], data.train_y[:bsize]
    mlp = numpy_mlp_from(params)
    expected_cost, grads = mlp.cost_and_grads(x.astype(np.float64), y)
    for param, grad in zip(mlp.params, grads):
        param -= lrate * grad

    model = SymbolicMLP(params)
    cost = make_batch_update(model, lrate)(x, y)
    check_close("batch update: cost", expected_cost, cost, verbose=verbose, **GRAD_TOL)
    for name, want, got in zip("W1 b1 W2 b2".split(), mlp.params, model.get_params()):
        check_close(f"batch update: new {name}", want, got, verbose=verbose, **FORWARD_TOL)

    model = SymbolicMLP(params)
    givens_up, _ = make_givens_update(model, lrate, data.train_x, data.train_y, bsize)
    cost = givens_up(0)
    check_close("givens update: cost", expected_cost, cost, verbose=verbose, **GRAD_TOL)
    for name, want, got in zip("W1 b1 W2 b2".split(), mlp.params, model.get_params()):
        check_close(f"givens update: new {name}", want, got, verbose=verbose, **FORWARD_TOL)

    model.set_params(params)
    costs = givens_up.loop(index=np.arange(1))
    check_close("loop of one step: cost", [expected_cost], costs, verbose=verbose, **GRAD_TOL)
    for name, want, got in zip("W1 b1 W2 b2".split(), mlp.params, model.get_params()):
        check_close(f"loop of one step: new {name}", want, got, verbose=verbose, **FORWARD_TOL)
    return mlp.params


# ----------------------------------------------------------------------------------------
# Training every variant from the same start
# ----------------------------------------------------------------------------------------

VARIANTS = ("numpy", "compiled gradients", "compiled batch update", "givens", "one-call epoch")


class VariantResult(NamedTuple):
    """How one variant trained: per-epoch seconds and mean batch costs, the time of the
    warm-up calls that compiled it (not included in ``seconds``), accuracies, and the final
    parameters as numpy arrays."""

    name: str
    seconds: list
    costs: list
    compile_seconds: float
    train_acc: float
    test_acc: float
    params: list

    @property
    def seconds_per_epoch(self):
        return float(np.mean(self.seconds))


def _warm_up(model, init_params, calls):
    """Run ``calls`` once to compile everything an epoch needs, then restore the
    parameters, so that the timed epochs start where the numpy run started."""
    start = time.perf_counter()
    for call in calls:
        np.asarray(call())  # waiting for the result waits for the computation
    seconds = time.perf_counter() - start
    model.set_params(init_params)
    return seconds


def _loop_epochs(batch_up, n_iter, n_batch, progress):
    """Each epoch is one call: ``batch_up.loop`` runs all ``n_batch`` steps in one XLA
    program and returns the stacked batch costs."""
    log = TrainLog([], [])
    batches = np.arange(n_batch)
    for epoch in range(n_iter):
        start = time.perf_counter()
        costs = batch_up.loop(index=batches)
        seconds = time.perf_counter() - start
        log.seconds.append(seconds)
        log.costs.append(float(np.mean(costs)))
        if progress is not None:
            progress(epoch + 1, n_iter, seconds, log.costs[-1])
    return log


def print_epoch_eta(n_iter):
    """A progress callback for one run of ``n_iter`` epochs: :func:`print_epoch`'s line
    and the time left."""
    eta = Eta(n_iter)

    def progress(epoch, n_iter, seconds, cost):
        print_epoch(epoch, n_iter, seconds, cost, eta.text(seconds))
    return progress


def _recording(progress, curves, name, model, data):
    """``progress`` that also adds the epoch's cost and accuracies to ``curves``."""
    def report(epoch, n_iter, seconds, cost):
        if progress is not None:
            progress(epoch, n_iter, seconds, cost)
        curves.add(name, cost=cost, train_acc=class_acc(model.forward(data.train_x), data.train_y),
                   test_acc=class_acc(model.forward(data.test_x), data.test_y))
    return report if curves is not None else progress


def train_variant(name, init_params, data, epochs=N_EPOCHS, bsize=BSIZE, lrate=LRATE,
                  progress=print_epoch, data32=None, curves=None):
    """Train one of :data:`VARIANTS` from ``init_params`` and return a :class:`VariantResult`.

    ``data`` is a :class:`Data`; ``data32`` its :func:`for_graph` cast (made here if not
    given).  The numpy variant trains in float64 on ``data``, the others in floatX.  With
    ``curves`` (a :class:`~tutorials.curves.Curves`), the cost and the train and test
    accuracies after each epoch are added to it under ``name`` (outside the timed epochs).
    """
    data = prepare_data(data)
    n_batch = math.ceil(data.train_x.shape[1] / bsize)
    if name == "numpy":
        mlp = numpy_mlp_from(init_params)
        progress = _recording(progress, curves, name, mlp, data)
        log = sgd_train(mlp, epochs, bsize=bsize, lrate=lrate, train_set=(data.train_x, data.train_y),
                        progress=progress)
        return VariantResult(name, log.seconds, log.costs, 0.0,
                             class_acc(mlp.forward(data.train_x), data.train_y),
                             class_acc(mlp.forward(data.test_x), data.test_y), mlp.params)

    if name not in VARIANTS:
        raise ValueError(f"unknown variant {name!r}; choose from {VARIANTS}")
    data32 = for_graph(data) if data32 is None else data32
    x, y = data32.train_x, data32.train_y
    model = SymbolicMLP(init_params)
    progress = _recording(progress, curves, name, model, data32)
    # The programs are compiled for the shapes they see: the first batch, and the last
    # one when it is shorter.
    first_last = sorted({0, n_batch - 1})

    def batch(j):
        return x[:, j * bsize:(j + 1) * bsize], y[j * bsize:(j + 1) * bsize]

    if name in ("compiled gradients", "compiled batch update"):
        if name == "compiled gradients":
            batch_up = numpy_side_update(model, make_compiled_grads(model), lrate)
        else:
            batch_up = make_batch_update(model, lrate)
        compile_seconds = _warm_up(model, init_params, [lambda j=j: batch_up(*batch(j)) for j in first_last])
        log = sgd_train(model, epochs, bsize=bsize, train_set=(x, y), batch_up=batch_up, progress=progress)
    else:
        batch_up, n_batch = make_givens_update(model, lrate, x, y, bsize)
        if name == "givens":
            compile_seconds = _warm_up(model, init_params, [lambda j=j: batch_up(j) for j in first_last])
            log = sgd_train_indexed(batch_up, epochs, n_batch, progress=progress)
        else:
            compile_seconds = _warm_up(model, init_params,
                                       [lambda: batch_up.loop(index=np.arange(n_batch))])
            log = _loop_epochs(batch_up, epochs, n_batch, progress)

    return VariantResult(name, log.seconds, log.costs, compile_seconds,
                         class_acc(model.forward(data32.train_x), data32.train_y),
                         class_acc(model.forward(data32.test_x), data32.test_y), model.get_params())


def train_variants(corpus, epochs=N_EPOCHS, bsize=BSIZE, lrate=LRATE, variants=VARIANTS,
                   init_params=None, progress=print_epoch, verbose=True):
    """Train each of ``variants`` from the same initial parameters (by default the numpy
    MLP's LXMLS initialisation) and return ``{name: VariantResult}`` in order."""
    data = prepare_data(corpus)
    if init_params is None:
        init_params = NumpyMLP([data.train_x.shape[0], HIDDEN, 2], ACTVFUNC).params
    data32 = for_graph(data)
    results = {}
    for name in variants:
        if verbose:
            print(f"\n-- {name}", flush=True)
        results[name] = train_variant(name, init_params, data, epochs, bsize, lrate, progress, data32)
        if verbose:
            r = results[name]
            warm = f" (compiled in {r.compile_seconds:.2f} s)" if name != "numpy" else ""
            print(f"   accuracy train {r.train_acc:.4f} test {r.test_acc:.4f}{warm}", flush=True)
    return results


def max_param_difference(result, reference):
    return max(float(np.max(np.abs(np.asarray(a, np.float64) - b)))
               for a, b in zip(result.params, reference.params))


def print_table(results, reference="numpy"):
    """The closing comparison, one row per variant."""
    ref = results.get(reference)
    header = (f"{'variant':<22} | {'s/epoch':>8} | {'speed-up':>8} | {'compile s':>9} | "
              f"{'train acc':>9} | {'test acc':>8} | {'max |dparam|':>12}")
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        speed_up = f"{ref.seconds_per_epoch / r.seconds_per_epoch:7.1f}x" if ref else "n/a"
        compile_s = "-" if name == "numpy" else f"{r.compile_seconds:9.2f}"
        diff = "-" if name == reference or ref is None else f"{max_param_difference(r, ref):12.2e}"
        print(f"{name:<22} | {r.seconds_per_epoch:8.4f} | {speed_up:>8} | {compile_s:>9} | "
              f"{r.train_acc:9.4f} | {r.test_acc:8.4f} | {diff:>12}")
    print("\ns/epoch is the mean over the timed epochs; compile s is the warm-up that compiled the\n"
          "programs (run before training and undone). max |dparam| is the largest difference\n"
          "from the numpy run's final parameters (float32 vs float64 arithmetic).\n\n"
          "What changes from row to row: 'compiled gradients' still moves every parameter\n"
          "between numpy and the compiled code on every batch; 'compiled batch update' keeps\n"
          "the parameters with the compiled code and sends only the batch; 'givens' keeps the\n"
          "data there too and sends only an index; 'one-call epoch' also replaces the Python\n"
          "loop over batches by one call.")


# ----------------------------------------------------------------------------------------
# The lab, in order
# ----------------------------------------------------------------------------------------

def main(argv=None, corpus=None):
    """Run the lab.  ``corpus`` (a :class:`~tutorials.sentiment.Corpus`) replaces the one
    chosen by the command line, e.g. for a fast test on a small corpus."""
    parser = argparse.ArgumentParser(prog="python -m tutorials.lxmls_day5", description=__doc__.split("\n")[0])
    parser.add_argument("--data", help="directory with positive.review and negative.review "
                        "(default: $SYMGRAPH_SENTIMENT_DATA, ../shared/data/sentiment/books, "
                        "else the synthetic corpus)")
    parser.add_argument("--synthetic", action="store_true", help="use the embedded synthetic corpus")
    parser.add_argument("--epochs", type=int, help=f"SGD epochs (default {N_EPOCHS}, --quick {QUICK_EPOCHS})")
    parser.add_argument("--quick", action="store_true", help=f"a short run: {QUICK_EPOCHS} epochs")
    add_plot_argument(parser)
    args = parser.parse_args(argv)
    check_plot_argument(parser, args)
    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs must be at least 1")
    epochs = args.epochs or (QUICK_EPOCHS if args.quick else N_EPOCHS)

    # The compiled graphs compute in float32, as GPUs prefer; numpy stays in float64.
    theano.config.floatX = "float32"

    section("Setup: the Amazon sentiment corpus (books)")
    if args.synthetic and args.data:
        parser.error("--synthetic and --data exclude each other")
    if corpus is None:
        corpus = synthetic_corpus() if args.synthetic else load_corpus(args.data)
    if corpus.source == "synthetic":
        why = "as asked" if args.synthetic else "the real one was not found"
        print(f"Source: the embedded synthetic corpus (same shape as books; {why})")
    else:
        print(f"Source: {corpus.source}")
    data = prepare_data(corpus)
    print(f"train_x {data.train_x.shape} (features x documents, Fortran-ordered: "
          f"{data.train_x.flags.f_contiguous}), test_x {data.test_x.shape}")
    print(f"SGD: {epochs} epochs, batch {BSIZE}, learning rate {LRATE}")

    section("Exercise 5.1: numpy MLP with hand-written backpropagation")
    geometry = [data.train_x.shape[0], HIDDEN, 2]
    mlp = NumpyMLP(geometry, ACTVFUNC)
    init_params = [p.copy() for p in mlp.params]  # every variant starts from these
    results = {}
    start = time.perf_counter()
    curves = Curves()  # per epoch, of the numpy run and the fastest compiled one
    results["numpy"] = train_variant("numpy", init_params, data, epochs, BSIZE, LRATE,
                                     print_epoch_eta(epochs), curves=curves)
    print(f"numpy version took {time.perf_counter() - start:.2f} s")
    mlp.params = results["numpy"].params  # the trained network, for 5.2-5.4
    print(f"MLP {geometry} accuracy train: {results['numpy'].train_acc:.4f} "
          f"test: {results['numpy'].test_acc:.4f}")

    section("Exercise 5.2: the first layer as a symbolic graph")
    exercise_5_2(mlp.params, data.test_x)

    section("Exercise 5.3: the symbolic forward pass")
    exercise_5_3(mlp, data.test_x)

    section("Exercise 5.4: the cost and T.grad")
    exercise_5_4(mlp, data.train_x[:, :BSIZE], data.train_y[:BSIZE])

    section("Exercise 5.5: compiled SGD steps (updates, givens, loop)")
    data32 = for_graph(data)
    exercise_5_5(init_params, data32, BSIZE, LRATE)

    section("Training every variant from the same initial parameters")
    for name in VARIANTS[1:]:
        print(f"\n-- {name}", flush=True)
        r = train_variant(name, init_params, data, epochs, BSIZE, LRATE, print_epoch_eta(epochs),
                          data32, curves if name == VARIANTS[-1] else None)
        results[name] = r
        print(f"   compiled in {r.compile_seconds:.2f} s; accuracy train {r.train_acc:.4f} "
              f"test {r.test_acc:.4f}", flush=True)

    section(f"Summary ({corpus.source}, {epochs} epochs)")
    print_table(results)
    if args.plot:
        curves.save(args.plot, f"LXMLS Day 5: MLP {geometry}, SGD, "
                    f"{os.path.basename(corpus.source)} corpus")
        print(f"\ncost and accuracy per epoch plotted in {args.plot}")
    return results


if __name__ == "__main__":
    main()
