"""The 1cycle learning-rate policy (Smith 2018, *A disciplined approach to neural network
hyper-parameters: Part 1*; Smith and Topin 2017, *Super-convergence*), with symgraph's
update rules and shared-variable hyperparameters.

Run it as::

    python -m tutorials.one_cycle                # 20 epochs; the peak rate from the LR finder
    python -m tutorials.one_cycle --lr-max 0.5   # a peak rate of your choice
    python -m tutorials.one_cycle --plot one_cycle.png  # also plot the schedule and the curves

One cycle over the whole training: the learning rate climbs linearly from ``lr_max / div``
to ``lr_max`` during the first half of the cycle and comes back down during the second,
while the momentum does the opposite (0.95 down to 0.85 and back up: large steps want less
momentum). The last iterations, after the cycle, anneal the rate further down to
``lr_max / (div * final_div)``. The large rates in the middle act as a regulariser and let
training reach a good solution in few epochs; the low rates at the end settle it there.

Both the rate and the momentum are shared scalars read by the update graph
(``updates.momentum(loss, params, learning_rate=lr, momentum=mom)``); before each step
``lr.set_value`` and ``mom.set_value`` move them along the schedule, and the one compiled
step serves the whole run (and the range test, and the comparison run). Unless given, the peak rate comes from the range test of
``tutorials.lr_finder``: half the rate at which its loss was lowest, five times the rate it
suggests for constant training; 1cycle's falling rates and rising momentum keep such large
steps stable. For comparison the same network is trained as usual, with the suggested rate
held constant and momentum 0.9. On these spirals both end with high accuracy; 1cycle at a
clearly lower loss.
"""
import argparse
from typing import NamedTuple

import numpy as np

import symgraph as theano
from tutorials.curves import Curves, add_plot_argument, check_plot_argument, pyplot
from tutorials.lr_finder import MLP, Trainer, find_learning_rate, minibatches, spirals

__all__ = ["Comparison", "one_cycle", "train", "main"]

EPOCHS = 20


def one_cycle(iteration, total, lr_max, div=10.0, final_div=100.0, annealing=0.1,
              momenta=(0.95, 0.85)):
    """(learning rate, momentum) at ``iteration`` (0 .. total - 1) of the 1cycle policy.

    The cycle takes the first ``1 - annealing`` of the iterations, half up and half down;
    the rest anneals the rate from ``lr_max / div`` to ``lr_max / (div * final_div)`` at
    the high momentum.
    """
    high, low = momenta
    cycle_end = (1 - annealing) * (total - 1)
    points = [0, cycle_end / 2, cycle_end, total - 1]
    lr_low = lr_max / div
    lr = np.interp(iteration, points, [lr_low, lr_max, lr_low, lr_low / final_div])
    momentum = np.interp(iteration, points, [high, low, high, high])
    return float(lr), float(momentum)


class Comparison(NamedTuple):
    """What :func:`main` compares: the 1cycle schedule as run (rate and momentum per step)
    and, for each run, (loss, accuracy) on the training data and on the test data."""

    rates: list
    momenta: list
    cycle_train: tuple
    cycle_test: tuple
    constant_train: tuple
    constant_test: tuple


def train(trainer, epochs, schedule, test_data, name, curves=None, progress=True):
    """Train with ``trainer`` (a :class:`~tutorials.lr_finder.Trainer`) for ``epochs``,
    ``schedule(iteration, total)`` giving (learning rate, momentum) before each step.
    Returns the per-step rates and momenta and (loss, accuracy) on the training and the
    test data after the last epoch."""
    model = trainer.model
    x, y = spirals()
    plan = [batch for epoch in range(epochs) for batch in minibatches(len(x), epoch)]
    per_epoch = len(plan) // epochs
    rates, momenta = [], []
    for k, batch in enumerate(plan):
        rate, beta = schedule(k, len(plan))
        trainer.set(rate, beta)
        rates.append(rate)
        momenta.append(beta)
        trainer.step(x[batch], y[batch])
        if (k + 1) % per_epoch == 0:
            (train_loss, train_acc), (test_loss, test_acc) = (model.evaluate(x, y),
                                                              model.evaluate(*test_data))
            if curves is not None:
                curves.add(name, cost=float(train_loss), train_acc=float(train_acc),
                           test_acc=float(test_acc))
            if progress:
                print(f"  {name} epoch {(k + 1) // per_epoch:2d}: lr {rate:.3g}, momentum "
                      f"{beta:.3f}; train loss {float(train_loss):.4f}, accuracy train "
                      f"{100 * float(train_acc):5.1f} % test {100 * float(test_acc):5.1f} %")
    return rates, momenta, (float(train_loss), float(train_acc)), (float(test_loss), float(test_acc))


def save_plot(curves, rates, momenta, path):
    """The schedule (rate and momentum per step) beside the curves of both runs."""
    plt = pyplot()
    fig, (ax_lr, ax_cost, ax_acc) = plt.subplots(1, 3, figsize=(13, 3.4))
    ax_lr.plot(rates, color="C0")
    ax_lr.set(xlabel="step", ylabel="learning rate")
    ax_lr.grid(alpha=0.3)
    ax_mom = ax_lr.twinx()
    ax_mom.plot(momenta, color="C3", linestyle="--")
    ax_mom.set_ylabel("momentum (dashed)")
    curves.draw(ax_cost, ax_acc)
    fig.suptitle("1cycle: the schedule, and training against a constant rate")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tutorials.one_cycle",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--lr-max", type=float, help="peak learning rate (default: from the LR "
                        "finder); the constant run then uses a fifth of it")
    add_plot_argument(parser, "the schedule, and cost and accuracy per epoch")
    args = parser.parse_args(argv)
    check_plot_argument(parser, args)
    theano.config.floatX = "float32"
    test_data = spirals(seed=1)
    trainer = Trainer(MLP())  # one compiled step for the range test and both runs
    if args.lr_max:
        lr_max, constant = args.lr_max, args.lr_max / 5
    else:
        constant = find_learning_rate(trainer).suggestion  # it leaves the state as it was
        lr_max = 5 * constant
        print(f"LR finder suggests {constant:.3g}")
    print(f"1cycle from {lr_max / 10:.3g} up to {lr_max:.3g} and down, {args.epochs} epochs:")
    curves = Curves()
    rates, momenta, cycle_train, cycle_test = train(
        trainer, args.epochs, lambda k, n: one_cycle(k, n, lr_max), test_data, "1cycle", curves)
    print(f"constant learning rate {constant:.3g}, momentum 0.9, from the same start:")
    trainer.reset()
    _, _, const_train, const_test = train(
        trainer, args.epochs, lambda k, n: (constant, 0.9), test_data, "constant", curves)
    for name, (loss, _), (_, accuracy) in (("1cycle", cycle_train, cycle_test),
                                           ("constant", const_train, const_test)):
        print(f"after {args.epochs} epochs, {name:8s}: train loss {loss:.4f}, "
              f"test accuracy {100 * accuracy:.1f} %")
    if args.plot:
        save_plot(curves, rates, momenta, args.plot)
        print(f"schedule and curves plotted in {args.plot}")
    return Comparison(rates, momenta, cycle_train, cycle_test, const_train, const_test)


if __name__ == "__main__":
    main()
