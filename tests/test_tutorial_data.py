"""The sentiment data and the numpy MLP that the tutorials compare symgraph against."""

import sys
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # plain `pytest` does not put the root on the path
    sys.path.insert(0, str(REPO_ROOT))

from tutorials import sentiment  # noqa: E402
from tutorials.numpy_mlp import (  # noqa: E402
    NumpyMLP,
    class_acc,
    numpy_batch_update,
    sgd_train,
    sgd_train_indexed,
)
from tutorials.sentiment import load_corpus, read_reviews, synthetic_corpus  # noqa: E402

BOOKS_DIR = REPO_ROOT.parent / "shared" / "data" / "sentiment" / "books"


@pytest.fixture(scope="module")
def synthetic():
    return synthetic_corpus()


def test_synthetic_corpus_has_the_books_layout(synthetic):
    c = synthetic
    assert c.train_X.shape == (1600, 13989) and c.test_X.shape == (400, 13989)
    assert c.train_X.dtype == np.float64
    assert c.train_y.shape == (1600, 1) and c.test_y.shape == (400, 1)
    assert len(c.feature_names) == 13989 and c.source == "synthetic"
    # Balanced, interleaved labels, like the LXMLS reader's split.
    np.testing.assert_array_equal(c.train_y[:, 0], np.arange(1600) % 2)
    np.testing.assert_array_equal(np.bincount(c.test_y[:, 0]), [200, 200])


def test_synthetic_corpus_is_sparse_like_the_real_one(synthetic):
    X = synthetic.train_X
    present = X > 0
    # books: ~0.9% of cells non-zero, median 94 distinct features per document
    assert 0.006 < present.mean() < 0.013
    assert 70 < np.median(present.sum(axis=1)) < 130
    assert X.min() == 0 and np.all(X[present] == np.round(X[present]))
    # Zipf-like: a few very frequent words, a long tail of rare ones.
    totals = np.sort(X.sum(axis=0))[::-1]
    assert totals[0] > 50 * np.median(totals)


def test_synthetic_corpus_is_deterministic():
    first, again = synthetic_corpus(400, 900, seed=1), synthetic_corpus(400, 900, seed=1)
    assert first.train_X.shape == (320, 900)
    np.testing.assert_array_equal(first.train_X, again.train_X)
    np.testing.assert_array_equal(first.test_X, again.test_X)
    assert not np.array_equal(first.train_X, synthetic_corpus(400, 900, seed=2).train_X)


def _write_reviews(directory, positive, negative):
    for name, docs in (("positive", positive), ("negative", negative)):
        lines = [" ".join(f"{w}:{n}" for w, n in doc.items()) + f" #label#:{name}\n" for doc in docs]
        (directory / f"{name}.review").write_text("".join(lines), encoding="utf8")


def test_reader_follows_lxmls(tmp_path):
    # "good" (total 6) and "bad" (5) survive the count >= 5 cut, "rare" (4) does not.
    _write_reviews(
        tmp_path,
        positive=[{"good": 3, "rare": 1}, {"good": 2, "bad": 1}],
        negative=[{"bad": 4, "rare": 3}, {"good": 1}],
    )
    X, y, names = read_reviews(tmp_path)
    assert names == ["good", "bad"]
    # Rows alternate positive (0) and negative (1) documents.
    np.testing.assert_array_equal(y, [0, 1, 0, 1])
    np.testing.assert_array_equal(X, [[3, 0], [0, 4], [2, 1], [1, 0]])

    corpus = load_corpus(tmp_path)
    assert corpus.train_X.shape == (3, 2) and corpus.test_X.shape == (1, 2)
    assert corpus.source == str(tmp_path)
    shuffled = load_corpus(tmp_path, seed=3)
    assert sorted(map(tuple, np.vstack([shuffled.train_X, shuffled.test_X]))) == sorted(map(tuple, X))


def test_missing_data_directory_is_an_error(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError):
        load_corpus(tmp_path)
    monkeypatch.setenv(sentiment.ENV_VAR, str(tmp_path))
    with pytest.raises(FileNotFoundError):
        load_corpus()


def test_default_data_location(tmp_path, monkeypatch):
    _write_reviews(tmp_path, positive=[{"good": 5}], negative=[{"good": 1}])
    monkeypatch.setenv(sentiment.ENV_VAR, str(tmp_path))
    assert load_corpus().source == str(tmp_path)

    monkeypatch.delenv(sentiment.ENV_VAR)
    monkeypatch.setattr(sentiment, "_DEFAULT_DIR", tmp_path / "absent")
    assert load_corpus().source == "synthetic"


def test_real_books_corpus():
    if not (BOOKS_DIR / "positive.review").is_file():
        pytest.skip(f"sentiment corpus not found at {BOOKS_DIR}")
    c = load_corpus(BOOKS_DIR)
    assert c.train_X.shape == (1600, 13989) and c.test_X.shape == (400, 13989)
    assert len(c.feature_names) == 13989
    np.testing.assert_array_equal(np.bincount(c.train_y[:, 0]), [800, 800])
    np.testing.assert_array_equal(np.bincount(c.test_y[:, 0]), [200, 200])
    assert c.train_X.min() == 0 and np.all(c.train_X.sum(axis=1) > 0)


def _finite_difference_grads(mlp, x, y, eps=1e-6):
    grads = []
    for param in mlp.params:
        grad = np.zeros_like(param)
        for idx in np.ndindex(param.shape):
            saved = param[idx]
            param[idx] = saved + eps
            up = mlp.cost(x, y)
            param[idx] = saved - eps
            down = mlp.cost(x, y)
            param[idx] = saved
            grad[idx] = (up - down) / (2 * eps)
        grads.append(grad)
    return grads


@pytest.mark.parametrize(
    "geometry, actvfunc",
    [
        ([6, 4, 3], ["sigmoid", "softmax"]),
        ([5, 4, 3, 2], ["sigmoid", "sigmoid", "softmax"]),
        ([5, 3, 1], ["sigmoid", "sigmoid"]),
    ],
)
def test_backprop_matches_finite_differences(geometry, actvfunc):
    rng = np.random.RandomState(0)
    mlp = NumpyMLP(geometry, actvfunc, rng=rng)
    for n in range(1, len(mlp.params), 2):  # non-zero biases exercise their gradients
        mlp.params[n] += rng.normal(scale=0.5, size=mlp.params[n].shape)
    x = rng.normal(size=(geometry[0], 7))
    y = rng.randint(max(geometry[-1], 2), size=7)
    for analytic, numeric in zip(mlp.grads(x, y), _finite_difference_grads(mlp, x, y)):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_initialisation_matches_lxmls():
    mlp = NumpyMLP([10, 4, 2], ["sigmoid", "softmax"], rng=7)
    rng = np.random.RandomState(7)
    for n_in, n_out, W, b in ((10, 4, *mlp.params[:2]), (4, 2, *mlp.params[2:])):
        bound = np.sqrt(6.0 / (n_in + n_out))
        np.testing.assert_array_equal(W, 4 * rng.uniform(-bound, bound, size=(n_out, n_in)))
        np.testing.assert_array_equal(b, np.zeros((n_out, 1)))


def test_forward_gives_probability_columns():
    mlp = NumpyMLP([6, 5, 3], ["sigmoid", "softmax"])
    x = np.random.RandomState(1).normal(size=(6, 4))
    activations = mlp.forward(x, all_outputs=True)
    assert [a.shape for a in activations] == [(5, 4), (3, 4)]
    np.testing.assert_allclose(activations[-1].sum(axis=0), 1.0)
    np.testing.assert_array_equal(mlp.forward(x), activations[-1])


def test_sgd_learns_synthetic_sentiment():
    # Kept small (2500 features) so each product stays below OpenBLAS's
    # threading threshold: the test is then fast even on a busy machine.
    small = synthetic_corpus(n_docs=1000, n_features=2500, seed=0)
    train_x, train_y = small.train_X.T, small.train_y[:, 0]
    test_x, test_y = small.test_X.T, small.test_y[:, 0]
    mlp = NumpyMLP([train_x.shape[0], 20, 2], ["sigmoid", "softmax"])
    epochs = []
    log = sgd_train(mlp, 5, bsize=5, lrate=0.01, train_set=(train_x, train_y), progress=lambda *a: epochs.append(a))
    assert len(log.seconds) == len(log.costs) == 5 and [e[0] for e in epochs] == [1, 2, 3, 4, 5]
    assert all(later < earlier for earlier, later in zip(log.costs, log.costs[1:]))
    assert class_acc(mlp.forward(train_x), train_y) > 0.8
    assert class_acc(mlp.forward(test_x), test_y) > 0.65


def test_custom_batch_updates_see_every_example_once():
    x = np.arange(24.0).reshape(2, 12)
    y = np.arange(12)
    seen = []
    log = sgd_train(None, 2, bsize=5, train_set=(x, y), batch_up=lambda bx, by: seen.append(by) or 0.5)
    # ceil(12 / 5) = 3 batches per epoch, the last one short.
    assert [len(b) for b in seen] == [5, 5, 2, 5, 5, 2]
    assert log.costs == [0.5, 0.5]

    indices = []
    log = sgd_train_indexed(lambda j: indices.append(j), 2, n_batch=3)
    assert indices == [0, 1, 2, 0, 1, 2] and log.costs == [None, None]


def test_numpy_update_is_a_gradient_step():
    mlp = NumpyMLP([4, 3, 2], ["sigmoid", "softmax"], rng=0)
    x, y = np.random.RandomState(2).normal(size=(4, 5)), np.array([0, 1, 1, 0, 1])
    before = [p.copy() for p in mlp.params]
    expected_cost, grads = mlp.cost_and_grads(x, y)
    cost = numpy_batch_update(mlp, 0.1)(x, y)
    assert cost == pytest.approx(expected_cost)
    for old, new, grad in zip(before, mlp.params, grads):
        np.testing.assert_allclose(new, old - 0.1 * grad)


def test_class_acc():
    probs = np.array([[0.9, 0.2, 0.6], [0.1, 0.8, 0.4]])
    assert class_acc(probs, np.array([0, 1, 1])) == pytest.approx(2 / 3)
    assert class_acc(np.array([[0.7, 0.1]]), np.array([1, 0])) == 1.0
