"""Training curves of the tutorials (tutorials/curves.py): the time left, the heartbeat of
long loops, the per-epoch records of Day 5, Day 6 and LeNet and their ``--plot``, which
says how to install matplotlib when it is missing (and the plotting tests skip then)."""
import sys
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # plain `pytest` does not put the root on the path
    sys.path.insert(0, str(REPO_ROOT))

import symgraph as theano  # noqa: E402
from tutorials import curves, lenet, lr_finder, lxmls_day5 as day5, lxmls_day6 as day6, one_cycle  # noqa: E402
from tutorials.numpy_mlp import NumpyMLP  # noqa: E402
from tutorials.sentiment import synthetic_corpus  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("seconds, text", [(0.6, "under 1 s left"), (1.2, "about 1 s left"),
                                           (42.4, "about 42 s left"), (185, "about 3 min 05 s left"),
                                           (3720, "about 1 h 02 min left")])
def test_time_left(seconds, text):
    assert curves.time_left(seconds) == text


def test_eta_leaves_out_the_first_unit_once_others_are_known():
    eta = curves.Eta(4)
    assert eta.text(10.0) == ", about 30 s left"   # only the first: 3 more of 10 s
    assert eta.text(2.0) == ", about 4 s left"     # 2 more of 2 s (the first compiled)
    assert eta.text(4.0) == ", about 3 s left"     # 1 more of (2 + 4) / 2 s
    assert eta.text(1.0) == ""


def test_heartbeat_reports_the_recent_pace(monkeypatch, capsys):
    clock = iter([0.0, 5.0, 12.0, 22.0, 25.0])
    monkeypatch.setattr(curves.time, "perf_counter", lambda: next(clock))
    beat = curves.Heartbeat(100, "batches", interval=10.0)
    beat.beat(1)    # t=5: too soon
    beat.beat(2)    # t=12: sets the pace only (the first steps compiled)
    beat.beat(12)   # t=22: 10 steps in 10 s, 88 to go
    beat.beat(13)   # t=25: too soon
    assert capsys.readouterr().out == "  12/100 batches, about 1 min 28 s left\n"


def test_curves_draw_what_was_recorded():
    plt = pytest.importorskip("matplotlib.pyplot")
    record = curves.Curves()
    for cost, train, test in ((0.9, 0.5, 0.4), (0.5, 0.75, 0.6), (0.3, 0.9, 0.7)):
        record.add("run", cost=cost, train_acc=train, test_acc=test)
    fig, (ax_cost, ax_acc) = plt.subplots(1, 2)
    record.draw(ax_cost, ax_acc)
    np.testing.assert_array_equal(ax_cost.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(ax_cost.lines[0].get_ydata(), [0.9, 0.5, 0.3])
    assert [line.get_label() for line in ax_acc.lines] == ["train", "test"]
    np.testing.assert_allclose(ax_acc.lines[1].get_ydata(), [40, 60, 70])
    plt.close(fig)


# -- Day 5 ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def day5_runs():
    """The numpy run and the one-call-epoch run of a small corpus, their curves recorded."""
    saved = theano.config.floatX
    theano.config.floatX = "float32"
    data = day5.prepare_data(synthetic_corpus(n_docs=120, n_features=150, seed=5))
    init = [p.copy() for p in NumpyMLP([150, day5.HIDDEN, 2], day5.ACTVFUNC).params]
    record = curves.Curves()
    runs = {name: day5.train_variant(name, init, data, epochs=3, progress=None, curves=record)
            for name in ("numpy", "one-call epoch")}
    theano.config.floatX = saved
    return runs, record


def test_day5_curves_are_the_runs_per_epoch(day5_runs):
    runs, record = day5_runs
    assert list(record.runs) == ["numpy", "one-call epoch"]
    for name, result in runs.items():
        series = record.runs[name]
        assert series["cost"] == result.costs
        assert len(series["train_acc"]) == len(series["test_acc"]) == 3
        # the last epoch's accuracies are those of the trained network
        assert series["train_acc"][-1] == pytest.approx(result.train_acc)
        assert series["test_acc"][-1] == pytest.approx(result.test_acc)
    assert runs["numpy"].costs[-1] < runs["numpy"].costs[0]


def test_day5_curves_plot(day5_runs, tmp_path):
    pytest.importorskip("matplotlib")
    path = curves.Curves.save(day5_runs[1], tmp_path / "day5.png", "Day 5")
    assert Path(path).read_bytes().startswith(PNG_MAGIC)


def test_day5_prints_the_time_left(capsys):
    progress = day5.print_epoch_eta(3)
    progress(1, 3, 2.0, 0.69)
    progress(2, 3, 0.5, 0.5)
    progress(3, 3, 0.5, 0.4)
    assert capsys.readouterr().out.splitlines() == [
        "Epoch  1/ 3 in 2.00 s, mean batch cost 0.6900, about 4 s left",
        "Epoch  2/ 3 in 0.50 s, mean batch cost 0.5000, under 1 s left",
        "Epoch  3/ 3 in 0.50 s, mean batch cost 0.4000"]


# -- Day 6 and LeNet ------------------------------------------------------------------------

def test_day6_reporter_prints_the_time_left_and_records(capsys):
    record = curves.Curves()
    progress = day6.epoch_reporter(record)
    progress("RNN", 1, 2, 120.5, 0.5, 0.45, 30.0, 4)
    progress("LSTM", 1, 2, 150.0, 0.4, 0.35, 60.0, 3)
    progress("RNN", 2, 2, 80.0, 0.7, 0.6, 10.0, 4)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("(30.0 s, 4 programs compiled so far), about 30 s left")
    assert lines[1].endswith("(60.0 s, 3 programs compiled so far), about 1 min 00 s left")
    assert lines[2].endswith("compiled so far)")
    assert record.runs["RNN"] == {"cost": [120.5, 80.0], "train_acc": [0.5, 0.7],
                                  "dev_acc": [0.45, 0.6]}


def test_lenet_plot(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)  # main also draws lenet_filters.png into the current directory
    lenet.main(["--epochs", "2", "--train", "100", "--batch-size", "50", "--nkerns", "2", "2",
                "--plot", "curves.png"])
    out = capsys.readouterr().out
    epochs = [line for line in out.splitlines() if line[:5].strip() in ("1", "2")]
    assert len(epochs) == 2
    assert epochs[0].endswith(" left") and not epochs[1].endswith(" left")
    assert "cost and accuracy per epoch plotted in curves.png" in out
    assert (tmp_path / "curves.png").read_bytes().startswith(PNG_MAGIC)


# -- without matplotlib ---------------------------------------------------------------------

@pytest.mark.parametrize("main", [day5.main, day6.main, lenet.main, lr_finder.main, one_cycle.main],
                         ids=["day5", "day6", "lenet", "lr_finder", "one_cycle"])
def test_plot_without_matplotlib_is_refused_at_once(main, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    with pytest.raises(SystemExit) as exit_:
        main(["--plot", "out.png"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert ("--plot out.png: plotting needs matplotlib, which is not installed: "
            "pip install matplotlib (or: pip install -e .[plot])") in err
