"""The LXMLS Day 5 tutorial: every symbolic exercise and every compiled training variant
must agree with the hand-written numpy reference, run from the same parameters.

Most tests use a small synthetic corpus (300 features, 200 training documents) so that
the whole file stays fast; one test uses the real books corpus when it is installed.
"""
import contextlib
import math
import sys
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # plain `pytest` does not put the root on the path
    sys.path.insert(0, str(REPO_ROOT))

import symgraph as theano  # noqa: E402
from tutorials import lxmls_day5 as day5  # noqa: E402
from tutorials.numpy_mlp import NumpyMLP  # noqa: E402
from tutorials.sentiment import load_corpus, synthetic_corpus  # noqa: E402

BOOKS_DIR = REPO_ROOT.parent / "shared" / "data" / "sentiment" / "books"

# Training runs numpy in float64 and the compiled graphs in float32 for a few hundred SGD
# steps; the parameters then agree to about 1e-6 (max |difference| seen: ~4e-6).
PARAM_TOL = dict(rtol=1e-3, atol=1e-4)
# A document whose two class probabilities (in the numpy run) are closer than this may
# legitimately be classified differently by the float32 run.
MARGIN = 1e-4


@contextlib.contextmanager
def float32():
    """floatX = float32 as the tutorial's main() sets it; restored afterwards."""
    saved = theano.config.floatX
    theano.config.floatX = "float32"
    try:
        yield
    finally:
        theano.config.floatX = saved


@pytest.fixture(autouse=True)
def _float32():
    with float32():
        yield


@pytest.fixture(scope="module")
def small():
    return day5.prepare_data(synthetic_corpus(n_docs=250, n_features=300, seed=0))


@pytest.fixture(scope="module")
def init_params(small):
    return [p.copy() for p in NumpyMLP([small.train_x.shape[0], day5.HIDDEN, 2], day5.ACTVFUNC).params]


@pytest.fixture(scope="module")
def trained(small, init_params):
    """A numpy MLP after two epochs, as the lab uses it for 5.2-5.4 (non-zero biases)."""
    result = day5.train_variant("numpy", init_params, small, epochs=2, progress=None)
    return day5.numpy_mlp_from(result.params)


def near_ties(params, x):
    """Documents whose class probabilities under ``params`` (float64) are within MARGIN."""
    probs = day5.numpy_mlp_from(params).forward(x)
    return int(np.sum(np.abs(probs[0] - probs[1]) < MARGIN))


def assert_same_run(result, reference, data):
    """``result`` trained like the numpy ``reference``: same parameters up to float32
    rounding, same epoch costs, and the same accuracies except on near-tied documents."""
    assert len(result.params) == len(reference.params)
    for got, want in zip(result.params, reference.params):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, err_msg=result.name, **PARAM_TOL)
    np.testing.assert_allclose(result.costs, reference.costs, rtol=1e-4, err_msg=result.name)
    for acc, ref_acc, x in ((result.train_acc, reference.train_acc, data.train_x),
                            (result.test_acc, reference.test_acc, data.test_x)):
        n = x.shape[1]
        assert abs(acc - ref_acc) * n <= near_ties(reference.params, x) + 1e-9, (result.name, acc, ref_acc)


# -- the exercises -------------------------------------------------------------------------

def test_setup_keeps_the_labs_layout(small):
    assert small.train_x.shape == (300, 200) and small.test_x.shape == (300, 50)
    assert small.train_x.flags.f_contiguous and not small.train_x.flags.c_contiguous
    cast = day5.for_graph(small)
    assert cast.train_x.dtype == np.float32 and cast.train_y.dtype == np.int32
    assert cast.train_x.flags.f_contiguous  # astype keeps the column layout


def test_exercise_5_2_first_layer(trained, small):
    expected, compiled, graph = day5.exercise_5_2(trained.params, small.test_x, verbose=False)
    assert compiled.shape == (day5.HIDDEN, small.test_x.shape[1])
    np.testing.assert_allclose(compiled, expected, rtol=1e-4, atol=1e-6)
    # The same tree the lab prints.
    assert [line.rstrip() for line in graph.strip("\n").splitlines()] == [
        "sigmoid [id A] 'tilde_z1'",
        " |Elemwise{add,no_inplace} [id B] 'z1'",
        "   |dot [id C] ''",
        "   | |W1 [id D]",
        "   | |x [id E]",
        "   |b1 [id F]",
    ]


def test_exercise_5_3_forward(trained, small):
    expected, compiled = day5.exercise_5_3(trained, small.test_x, verbose=False)
    assert compiled.dtype == np.float32 and compiled.shape == (2, small.test_x.shape[1])
    np.testing.assert_allclose(compiled.sum(axis=0), 1.0, rtol=1e-5)
    np.testing.assert_allclose(compiled, expected, rtol=1e-4, atol=1e-6)


def test_symbolic_mlp_all_outputs_and_params(init_params):
    model = day5.SymbolicMLP(init_params)
    assert [p.name for p in model.params] == ["W1", "b1", "W2", "b2"]
    assert [p.broadcastable for p in model.params[1::2]] == [(False, True)] * 2
    assert all(p.dtype == "float32" for p in model.params)
    x = theano.tensor.matrix("x")
    outs = model._forward(x, all_outputs=True)
    assert outs[0] is x and [o.name for o in outs[1:]] == ["tilde_z1", "tilde_z2"]
    model.set_params([2 * p for p in init_params])
    for got, want in zip(model.get_params(), init_params):
        np.testing.assert_allclose(got, 2 * want, rtol=1e-6)


def test_exercise_5_4_cost_and_gradients(trained, small):
    x, y = small.train_x[:, :5], small.train_y[:5]
    expected, compiled, graph = day5.exercise_5_4(trained, x, y, verbose=False)
    assert [g.shape for g in compiled] == [p.shape for p in trained.params]
    for got, want in zip(compiled, expected):
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-6 * max(1.0, np.abs(want).max()))
    lines = graph.splitlines()
    assert lines[0].startswith("Elemwise{neg,no_inplace} [id A]")
    assert "'mean'" in lines[1]
    for op in ("AdvancedSubtensor", "Softmax", "sigmoid", "ARange", "Shape"):
        assert op in graph


def test_exercise_5_4_detects_a_wrong_gradient(trained, small, monkeypatch):
    # check_close must fail loudly, not print "equal".
    wrong = day5.numpy_mlp_from(trained.params)
    real = wrong.cost_and_grads
    monkeypatch.setattr(wrong, "cost_and_grads", lambda x, y: (real(x, y)[0], [2 * g for g in real(x, y)[1]]))
    with pytest.raises(AssertionError, match="dF/dW1"):
        day5.exercise_5_4(wrong, small.train_x[:, :5], small.train_y[:5], verbose=False)


def test_exercise_5_5_one_step_three_ways(init_params, small):
    after = day5.exercise_5_5(init_params, day5.for_graph(small), verbose=False)
    mlp = day5.numpy_mlp_from(init_params)
    cost, grads = mlp.cost_and_grads(small.train_x[:, :5], small.train_y[:5])
    for got, p, g in zip(after, init_params, grads):
        np.testing.assert_allclose(got, p - day5.LRATE * g)


def test_givens_update_reads_the_right_batch(init_params, small):
    data = day5.for_graph(small)
    model = day5.SymbolicMLP(init_params)
    batch_up, n_batch = day5.make_givens_update(model, 0.0, data.train_x, data.train_y, 5)
    assert n_batch == 40
    reference = day5.numpy_mlp_from(init_params)
    for j in (0, 17, 39):  # with lrate 0 the parameters stay put: the cost is the batch's
        want = reference.cost(small.train_x[:, 5 * j:5 * j + 5], small.train_y[5 * j:5 * j + 5])
        assert batch_up(j) == pytest.approx(want, rel=1e-5)


# -- training ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def runs(small, init_params):
    with float32():
        return day5.train_variants(small, epochs=2, init_params=init_params, progress=None, verbose=False)


def test_every_variant_is_trained(runs):
    assert list(runs) == list(day5.VARIANTS)
    for result in runs.values():
        assert len(result.seconds) == len(result.costs) == 2
        assert all(s > 0 for s in result.seconds)
        assert result.costs[1] < result.costs[0]  # it learns
    assert runs["numpy"].compile_seconds == 0.0
    assert all(runs[name].compile_seconds > 0 for name in day5.VARIANTS[1:])


@pytest.mark.parametrize("name", day5.VARIANTS[1:])
def test_variant_matches_numpy(runs, small, name):
    assert_same_run(runs[name], runs["numpy"], small)


def test_variants_start_from_the_given_parameters(runs, init_params):
    # The warm-up calls that compile the programs must not leak into training:
    # a run that started elsewhere would end far from the numpy run.
    diffs = [day5.max_param_difference(r, runs["numpy"]) for r in runs.values()]
    assert max(diffs) < 1e-4


def test_short_last_batch(small, init_params):
    # 200 documents in batches of 7: 28 full batches and one of 4, so each compiled
    # variant needs a second program for the last batch.
    results = day5.train_variants(small, epochs=1, bsize=7, init_params=init_params, progress=None,
                                  verbose=False)
    for name in day5.VARIANTS[1:]:
        assert_same_run(results[name], results["numpy"], small)


def test_closing_table(runs, capsys):
    day5.print_table(runs)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("|")[0].strip() == "variant"
    rows = {line.split("|")[0].strip(): line for line in lines[2:2 + len(runs)]}
    assert list(rows) == list(day5.VARIANTS)
    assert rows["numpy"].split("|")[2].strip() == "1.0x"


def test_main_runs_the_whole_lab(capsys):
    tiny = synthetic_corpus(n_docs=100, n_features=120, seed=3)
    results = day5.main(["--epochs", "1"], corpus=tiny)
    assert theano.config.floatX == "float32"
    out = capsys.readouterr().out
    for heading in ("Exercise 5.1", "Exercise 5.2", "Exercise 5.3", "Exercise 5.4", "Exercise 5.5", "Summary"):
        assert heading in out
    assert "Source: the embedded synthetic corpus" in out
    data = day5.prepare_data(tiny)
    for name in day5.VARIANTS[1:]:
        assert_same_run(results[name], results["numpy"], data)


def test_real_corpus_compiled_update_matches_numpy():
    if not (BOOKS_DIR / "positive.review").is_file():
        pytest.skip(f"sentiment corpus not found at {BOOKS_DIR}")
    data = day5.prepare_data(load_corpus(BOOKS_DIR))
    init_params = NumpyMLP([data.train_x.shape[0], day5.HIDDEN, 2], day5.ACTVFUNC).params
    results = day5.train_variants(data, epochs=1, init_params=init_params,
                                  variants=("numpy", "compiled batch update"), progress=None, verbose=False)
    numpy_run, compiled = results["numpy"], results["compiled batch update"]
    assert_same_run(compiled, numpy_run, data)
    # On this data no document is a near tie, so the accuracies are exactly equal.
    assert (compiled.train_acc, compiled.test_acc) == (numpy_run.train_acc, numpy_run.test_acc)
    assert math.isclose(compiled.costs[0], numpy_run.costs[0], rel_tol=1e-5)


def test_numpy_gradients_into_buffers(init_params, small):
    # The numpy reference's SGD step writes its gradients into reused buffers.
    mlp = day5.numpy_mlp_from(init_params)
    x, y = small.train_x[:, :5], small.train_y[:5]
    cost, grads = mlp.cost_and_grads(x, y)
    buffers = [np.full_like(p, np.nan) for p in init_params]
    cost_out, grads_out = mlp.cost_and_grads(x, y, out=buffers)
    assert cost_out == cost
    for got, buf, want in zip(grads_out, buffers, grads):
        assert got is buf
        np.testing.assert_array_equal(got, want)
