"""The learning-rate tutorials: the 1cycle schedule against its definition, the range
test's rates, smoothing, stopping rule and restored state, and both command lines."""
import sys
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # plain `pytest` does not put the root on the path
    sys.path.insert(0, str(REPO_ROOT))

import symgraph as theano  # noqa: E402
from tutorials import lr_finder, one_cycle  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _float32():
    theano.config.floatX = "float32"  # as the tutorials' main() sets it; conftest restores


# -- 1cycle ------------------------------------------------------------------------------------

@pytest.mark.parametrize("iteration, lr, momentum", [
    # 201 iterations: the cycle ends at 0.9 * 200 = 180, its peak at 90; peak rate 1.0,
    # lowest rate 1.0 / 10, final rate 0.1 / 100; momentum 0.95 -> 0.85 -> 0.95.
    (0, 0.1, 0.95), (45, 0.55, 0.90), (90, 1.0, 0.85), (135, 0.55, 0.90), (180, 0.1, 0.95),
    (190, 0.0505, 0.95), (200, 0.001, 0.95)])
def test_one_cycle_follows_its_definition(iteration, lr, momentum):
    got = one_cycle.one_cycle(iteration, 201, 1.0)
    np.testing.assert_allclose(got, (lr, momentum), rtol=1e-12)


# -- the range test ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def range_test():
    """(result, the step's state before, after) of a range test up to a rate that diverges."""
    saved, theano.config.floatX = theano.config.floatX, "float32"
    try:  # (set before the per-test restoring of the flags, so restored here)
        trainer = lr_finder.Trainer(lr_finder.MLP())
        for v in trainer.state:  # a non-zero velocity too, to see it restored
            v.set_value(v.get_value() + np.float32(0.01))
        before = [v.get_value() for v in trainer.state]
        result = lr_finder.find_learning_rate(trainer, lr_min=1e-3, lr_max=100.0,
                                              n_steps=120)
    finally:
        theano.config.floatX = saved
    return result, before, [v.get_value() for v in trainer.state]


def test_range_test_rates_are_geometric(range_test):
    result = range_test[0]
    k = np.arange(len(result.rates))
    np.testing.assert_allclose(result.rates, 1e-3 * (100.0 / 1e-3) ** (k / 119), rtol=1e-6)


def test_range_test_smooths_without_the_starting_bias(range_test):
    result = range_test[0]
    average, want = 0.0, []
    for k, loss in enumerate(result.losses):
        average = 0.9 * average + 0.1 * loss
        want.append(average / (1 - 0.9 ** (k + 1)))
    np.testing.assert_allclose(result.smoothed, want, rtol=1e-9)
    assert result.smoothed[0] == pytest.approx(result.losses[0])


def test_range_test_stops_when_the_loss_diverges(range_test):
    result = range_test[0]
    assert len(result.rates) < 120  # 100 is far too large a rate
    finite = result.smoothed[np.isfinite(result.smoothed)]
    assert not np.isfinite(result.smoothed[-1]) or result.smoothed[-1] > 4 * finite.min()
    assert np.all(result.smoothed[:-1] <= 4 * np.minimum.accumulate(result.smoothed[:-1]))
    best = result.rates[np.argmin(result.smoothed[:-1])]
    assert result.suggestion == pytest.approx(best / 10)
    assert 1e-3 < result.suggestion < 10


def test_range_test_restores_the_state(range_test):
    _, before, after = range_test
    for want, got in zip(before, after):
        np.testing.assert_array_equal(got, want)


# -- the command lines -------------------------------------------------------------------------

def test_lr_finder_command_line(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "lr.png"
    result = lr_finder.main(["--steps", "60", "--plot", str(plot)])
    out = capsys.readouterr().out
    assert f"suggested largest learning rate {result.suggestion:.3g}" in out
    assert "parameters back at their values before the test: True" in out
    assert plot.read_bytes().startswith(PNG_MAGIC)


def test_one_cycle_command_line_trains_along_the_schedule(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    plot = tmp_path / "one_cycle.png"
    run = one_cycle.main(["--epochs", "8", "--lr-max", "0.6", "--plot", str(plot)])
    out = capsys.readouterr().out
    assert "1cycle from 0.06 up to 0.6 and down, 8 epochs" in out
    assert "constant learning rate 0.12, momentum 0.9, from the same start" in out
    assert f"1cycle  : train loss {run.cycle_train[0]:.4f}" in out
    assert len(run.rates) == 8 * len(lr_finder.minibatches(300, 0))
    assert run.rates[0] == pytest.approx(0.06) and max(run.rates) == pytest.approx(0.6, rel=0.05)
    assert run.rates[-1] == pytest.approx(0.0006) and run.momenta[-1] == pytest.approx(0.95)
    assert min(run.momenta) == pytest.approx(0.85, abs=0.005)
    # 3 classes, chance is 33 %: both runs separate the spirals within 8 epochs
    assert run.cycle_test[1] > 0.9 and run.constant_test[1] > 0.9
    assert plot.read_bytes().startswith(PNG_MAGIC)
