"""The learning-rate range test ("LR finder", Smith 2017, *Cyclical Learning Rates for
Training Neural Networks*, section 3.3), with symgraph's update rules.

Run it as::

    python -m tutorials.lr_finder                  # 150 steps from 1e-4 to 10
    python -m tutorials.lr_finder --plot lr.png    # also plot the loss against the rate

Train for one short run while the learning rate grows exponentially from tiny to huge, one
step per minibatch, and watch the loss: at first it barely moves, then falls faster and
faster, then the steps get too long and it blows up. A good largest learning rate lies a
little below where the loss is lowest; the usual rule takes a tenth of that rate. Afterwards
the parameters and the optimizer's state are put back as they were, so the real training
starts from scratch.

The rate is a shared variable read by the update graph (``updates.momentum(...,
learning_rate=lr)``): ``lr.set_value`` before each call changes it without compiling the
step again. The data are embedded: three interleaved spirals in the plane
(:func:`spirals`), which a small ReLU network (:class:`MLP`) separates after a few epochs.
``tutorials.one_cycle`` uses the rate found here as the peak of its 1cycle schedule.
"""
import argparse
from typing import NamedTuple

import numpy as np

import symgraph as theano
import symgraph.tensor as T
from symgraph import updates
from tutorials.curves import add_plot_argument, check_plot_argument, pyplot

__all__ = ["MLP", "RangeTest", "Trainer", "find_learning_rate", "lr_range_test", "main",
           "minibatches", "spirals"]

BATCH = 32
SMOOTHING = 0.9   # the loss is followed through an exponential moving average
DIVERGED = 4.0    # the test stops once the smoothed loss exceeds this many times its best


def spirals(n_per_class=100, n_classes=3, noise=0.2, seed=0):
    """Points of ``n_classes`` interleaved spiral arms, (n, 2) floatX, and their int32
    classes, shuffled."""
    rng = np.random.RandomState(seed)
    radius = np.tile(np.linspace(0.05, 1, n_per_class), n_classes)
    arm = np.repeat(np.arange(n_classes), n_per_class)
    angle = arm * 2 * np.pi / n_classes + radius * 4 + rng.randn(n_classes * n_per_class) * noise
    x = np.stack([radius * np.sin(angle), radius * np.cos(angle)], axis=1)
    order = rng.permutation(len(x))
    return x[order].astype(theano.config.floatX), arm[order].astype("int32")


def minibatches(n, epoch, batch=BATCH, seed=0):
    """The example indices of each minibatch of ``epoch``: a fresh shuffle per epoch."""
    order = np.random.RandomState(seed + epoch).permutation(n)
    return [order[i:i + batch] for i in range(0, n, batch)]


class MLP:
    """in -> ReLU hidden layer -> softmax, with its loss and accuracy as graphs."""

    def __init__(self, n_in=2, n_hidden=64, n_out=3, seed=1):
        rng = np.random.RandomState(seed)
        floatX = theano.config.floatX

        def weights(n, m, name):
            return theano.shared((rng.randn(n, m) * np.sqrt(2.0 / n)).astype(floatX), name=name)
        self.W1, self.W2 = weights(n_in, n_hidden, "W1"), weights(n_hidden, n_out, "W2")
        self.b1 = theano.shared(np.zeros(n_hidden, dtype=floatX), name="b1")
        self.b2 = theano.shared(np.zeros(n_out, dtype=floatX), name="b2")
        self.params = [self.W1, self.b1, self.W2, self.b2]
        self.x, self.y = T.matrix("x"), T.ivector("y")
        p_y = T.nnet.softmax(T.dot(T.nnet.relu(T.dot(self.x, self.W1) + self.b1), self.W2) + self.b2)
        self.loss = T.mean(T.nnet.categorical_crossentropy(p_y, self.y))
        self.accuracy = T.mean(T.eq(T.argmax(p_y, axis=1), self.y))
        self._evaluate = None

    def evaluate(self, x, y):
        """(loss, accuracy) on ``x, y``; compiled at the first call (the range test needs none)."""
        if self._evaluate is None:
            self._evaluate = theano.function([self.x, self.y], [self.loss, self.accuracy])
        return self._evaluate(x, y)



class Trainer:
    """SGD with momentum on ``model``, its rate and momentum shared scalars: one compiled
    ``step(x, y) -> loss`` serves every schedule. ``state`` lists the variables the step
    updates (parameters and velocities); :meth:`reset` puts back their initial values."""

    def __init__(self, model):
        floatX = theano.config.floatX
        self.model = model
        self.lr = theano.shared(np.asarray(0.0, dtype=floatX), name="lr")
        self.momentum = theano.shared(np.asarray(0.9, dtype=floatX), name="momentum")
        rule = updates.momentum(model.loss, model.params, learning_rate=self.lr,
                                momentum=self.momentum)
        self.state = list(rule)
        self.initial = [v.get_value() for v in self.state]
        self.step = theano.function([model.x, model.y], model.loss, updates=rule)

    def set(self, lr, momentum):
        self.lr.set_value(np.asarray(lr, dtype=self.lr.dtype))
        self.momentum.set_value(np.asarray(momentum, dtype=self.momentum.dtype))

    def reset(self):
        for v, value in zip(self.state, self.initial):
            v.set_value(value)


class RangeTest(NamedTuple):
    """Rates tried, the loss each step returned, its smoothed form, and the suggestion."""

    rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    suggestion: float


def lr_range_test(step, lr, state, data, lr_min=1e-4, lr_max=10.0, n_steps=150):
    """Run ``step`` on minibatches of ``data = (x, y)`` while ``lr`` grows geometrically
    from ``lr_min`` to ``lr_max`` over ``n_steps``; stop early once the loss diverges.

    ``state`` lists the shared variables ``step`` updates (the keys of its updates
    dictionary); their values are restored at the end. The suggestion is a tenth of the
    rate with the lowest smoothed loss.
    """
    x, y = data
    saved = [v.get_value() for v in state]
    rates = np.geomspace(lr_min, lr_max, n_steps)
    losses, smoothed, average, best = [], [], 0.0, np.inf
    batches = [b for epoch in range(-(-n_steps * BATCH // len(x))) for b in minibatches(len(x), epoch)]
    try:
        for k, (rate, batch) in enumerate(zip(rates, batches)):
            lr.set_value(np.asarray(rate, dtype=lr.dtype))
            loss = float(step(x[batch], y[batch]))
            average = SMOOTHING * average + (1 - SMOOTHING) * loss
            losses.append(loss)
            smoothed.append(average / (1 - SMOOTHING ** (k + 1)))  # without the start's bias
            best = min(best, smoothed[-1])
            if not np.isfinite(smoothed[-1]) or smoothed[-1] > DIVERGED * best:
                break
    finally:
        for v, value in zip(state, saved):
            v.set_value(value)
    tried = rates[:len(losses)]
    finite = np.where(np.isfinite(smoothed), smoothed, np.inf)
    return RangeTest(tried, np.array(losses), np.array(smoothed), float(tried[np.argmin(finite)] / 10))


def find_learning_rate(trainer, momentum=0.9, **kwargs):
    """The range test of a :class:`Trainer` on the spirals; see :func:`lr_range_test` for
    ``kwargs``."""
    trainer.set(0.0, momentum)
    return lr_range_test(trainer.step, trainer.lr, trainer.state, spirals(), **kwargs)


def print_curve(result, width=50):
    """The smoothed loss against the rate, as a text bar chart (every few steps)."""
    top = np.nanmax(result.smoothed[np.isfinite(result.smoothed)])
    for k in range(0, len(result.rates), max(1, len(result.rates) // 25)):
        value = result.smoothed[k]
        bar = "#" * int(round(width * value / top)) if np.isfinite(value) else "(diverged)"
        print(f"  lr {result.rates[k]:9.2e}  loss {value:7.4f}  {bar}")


def save_plot(result, path):
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.plot(result.rates, result.losses, color="0.75", linewidth=1, label="loss of each step")
    ax.plot(result.rates, result.smoothed, linewidth=2, label="smoothed")
    ax.axvline(result.suggestion, color="C2", linestyle="--",
               label=f"suggested {result.suggestion:.2g}")
    ax.set(xscale="log", xlabel="learning rate", ylabel="training loss",
           title="learning-rate range test")
    finite = result.smoothed[np.isfinite(result.smoothed)]
    ax.set_ylim(0, 1.5 * finite[0])
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tutorials.lr_finder",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=150, help="steps of the test (default 150)")
    parser.add_argument("--lr-min", type=float, default=1e-4)
    parser.add_argument("--lr-max", type=float, default=10.0)
    add_plot_argument(parser, "the loss against the learning rate")
    args = parser.parse_args(argv)
    check_plot_argument(parser, args)
    theano.config.floatX = "float32"
    model = MLP()
    before = [p.get_value() for p in model.params]
    result = find_learning_rate(Trainer(model), lr_min=args.lr_min, lr_max=args.lr_max,
                                n_steps=args.steps)
    stopped = "" if len(result.rates) == args.steps else " (stopped: the loss diverged)"
    print(f"SGD with momentum 0.9 on {len(spirals()[0])} spiral points, minibatches of {BATCH}: "
          f"{len(result.rates)} steps from lr {args.lr_min:g} to {result.rates[-1]:.3g}{stopped}")
    print_curve(result)
    best = result.rates[np.nanargmin(result.smoothed)]
    print(f"lowest smoothed loss at lr {best:.3g}; suggested largest learning rate "
          f"{result.suggestion:.3g}")
    restored = all(np.array_equal(p.get_value(), v) for p, v in zip(model.params, before))
    print(f"parameters back at their values before the test: {restored}")
    if args.plot:
        save_plot(result, args.plot)
        print(f"loss against learning rate plotted in {args.plot}")
    return result


if __name__ == "__main__":
    main()
