"""Amazon sentiment corpus for the LXMLS deep-learning labs.

The labs train on the "books" domain of the multi-domain sentiment corpus
(Blitzer et al., 2007) through LXMLS's ``SentimentCorpus`` reader.  That
reader is reproduced here, so accuracies can be compared with the published
lab outputs; the matrices are identical to those of its Python 3 version
(the 2017 Python 2 version numbered features in dict hash order instead):

* every line of ``positive.review`` / ``negative.review`` is one document of
  ``feature:count`` tokens followed by a ``#label#:...`` token;
* features whose total count over both files is below 5 are dropped, the rest
  are numbered in order of first occurrence (positive file first), giving
  13989 features for "books";
* ``X[doc, feature] = count``; the label comes from the file: positive is 0,
  negative is 1;
* LXMLS does not shuffle: it interleaves the two files (even rows positive,
  odd rows negative) and takes the first 80% of rows for training, so both
  splits are balanced (1600 / 400 documents for "books").

The corpus is not always at hand, so :func:`synthetic_corpus` builds a
stand-in of the same shape and sparsity from numpy alone.
"""

import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = ["Corpus", "load_corpus", "read_reviews", "synthetic_corpus", "default_data_dir"]

ENV_VAR = "SYMGRAPH_SENTIMENT_DATA"
MIN_FEATURE_COUNT = 5
TRAIN_FRACTION = 0.8
BOOKS_DOCUMENTS = 2000
BOOKS_FEATURES = 13989

_REPO_ROOT = Path(__file__).resolve().parent.parent
_DEFAULT_DIR = _REPO_ROOT.parent / "shared" / "data" / "sentiment" / "books"


class Corpus(NamedTuple):
    """Bag-of-words splits in the LXMLS layout: X is (documents, features)
    float64 and y is (documents, 1) int, so the labs' ``train_X.T`` and
    ``train_y[:, 0]`` work unchanged."""

    train_X: np.ndarray
    train_y: np.ndarray
    test_X: np.ndarray
    test_y: np.ndarray
    feature_names: list
    source: str


def _has_reviews(directory):
    return all((Path(directory) / f"{name}.review").is_file() for name in ("positive", "negative"))


def default_data_dir():
    """Directory of the real corpus, or None when only the synthetic one is available.

    ``$SYMGRAPH_SENTIMENT_DATA`` wins over the checkout's sibling ``shared/``
    directory; when it is set it must point at the data, since a silent
    fallback to synthetic data would make reported accuracies misleading.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        if not _has_reviews(configured):
            raise FileNotFoundError(f"${ENV_VAR}={configured} has no positive.review/negative.review")
        return Path(configured)
    if _has_reviews(_DEFAULT_DIR):
        return _DEFAULT_DIR
    return None


def _parse(path):
    """One list of (feature, count) pairs per document line."""
    with open(path, encoding="utf8") as handle:
        # The last token of a line is the "#label#:..." marker, as in LXMLS.
        return [[token.rsplit(":", 1) for token in line.split(" ")[:-1]] for line in handle]


def _interleave(n_pos, n_neg):
    """Row order that alternates positive and negative documents.

    For the balanced LXMLS files this is exactly its 'mix positive and
    negative examples' step; any surplus of one class goes at the end.
    """
    n_pairs = min(n_pos, n_neg)
    order = np.empty(2 * n_pairs, dtype=np.int64)
    order[0::2] = np.arange(n_pairs)
    order[1::2] = n_pos + np.arange(n_pairs)
    surplus = np.concatenate([np.arange(n_pairs, n_pos), n_pos + np.arange(n_pairs, n_neg)])
    return np.concatenate([order, surplus])


def read_reviews(directory):
    """Read one domain as LXMLS does: returns (X, y, feature_names), rows
    interleaved by class, before any train/test split."""
    directory = Path(directory)
    positive, negative = _parse(directory / "positive.review"), _parse(directory / "negative.review")
    docs = positive + negative

    totals = {}
    for pairs in docs:
        for name, count in pairs:
            totals[name] = totals.get(name, 0) + int(count)
    feature_names = [name for name, total in totals.items() if total >= MIN_FEATURE_COUNT]
    index = {name: i for i, name in enumerate(feature_names)}

    n_pos, n_neg = len(positive), len(negative)
    order = _interleave(n_pos, n_neg)  # order[row] is the document in that row
    row_of_doc = np.empty_like(order)
    row_of_doc[order] = np.arange(len(order))
    rows, columns, counts = [], [], []
    for row, pairs in zip(row_of_doc.tolist(), docs):
        for name, count in pairs:
            column = index.get(name)
            if column is not None:
                rows.append(row)
                columns.append(column)
                counts.append(int(count))
    X = np.zeros((len(order), len(feature_names)), dtype=np.float64)
    X[rows, columns] = counts
    y = (order >= n_pos).astype(np.int64)  # positive 0, negative 1
    return X, y, feature_names


def _split(X, y, feature_names, source, seed):
    if seed is not None:
        order = np.random.RandomState(seed).permutation(len(y))
        X, y = X[order], y[order]
    n_train = int(len(y) * TRAIN_FRACTION)
    y = y.reshape(-1, 1)
    return Corpus(X[:n_train], y[:n_train], X[n_train:], y[n_train:], feature_names, source)


def load_corpus(path=None, seed=None):
    """Load the books corpus split 80/20 into train and test.

    ``path`` is a directory holding ``positive.review`` and
    ``negative.review``; by default :func:`default_data_dir` is used and, when
    no data is found, the synthetic corpus.  ``seed=None`` keeps LXMLS's
    unshuffled split; an integer shuffles the documents first with
    ``np.random.RandomState(seed).permutation`` for a different split.
    """
    directory = Path(path) if path is not None else default_data_dir()
    if directory is None:
        X, y, names = _synthetic_arrays(BOOKS_DOCUMENTS, BOOKS_FEATURES, 0)
        return _split(X, y, names, "synthetic", seed)
    if not _has_reviews(directory):
        raise FileNotFoundError(f"{directory} has no positive.review/negative.review")
    X, y, names = read_reviews(directory)
    return _split(X, y, names, str(directory), seed)


# Shape of the synthetic corpus, fitted to the books domain: document
# lengths are log-normal (median 108, mean ~160 tokens), word frequencies
# follow a Zipf-Mandelbrot law with these parameters, and about one word in
# eight carries sentiment.
_MEDIAN_TOKENS = 108.0
_LENGTH_SIGMA = 0.88
_ZIPF_EXPONENT = 0.9
_ZIPF_OFFSET = 3.0
_FUNCTION_WORDS = 20
_SENTIMENT_SHARE = 0.125
_SENTIMENT_STRENGTH = 0.6
_LABEL_NOISE = 0.03


def _synthetic_arrays(n_docs, n_features, seed):
    rng = np.random.default_rng(seed)
    rank = np.arange(n_features)
    log_base = -_ZIPF_EXPONENT * np.log(rank + _ZIPF_OFFSET)

    # Hidden sentiment direction: the class-conditional word distributions
    # differ by exp(+-strength * direction), so the Bayes-optimal classifier
    # is linear in the counts, as a bag-of-words model assumes.
    n_sentiment = int(n_features * _SENTIMENT_SHARE)
    candidates = rank[_FUNCTION_WORDS:]  # the most frequent words stay neutral
    sentiment_words = rng.choice(candidates, size=min(n_sentiment, len(candidates)), replace=False)
    direction = np.zeros(n_features)
    direction[sentiment_words] = rng.choice([-1.0, 1.0], size=len(sentiment_words)) * rng.uniform(
        0.5, 1.5, size=len(sentiment_words)
    )

    # Labels interleave like the LXMLS reader's, so both splits are balanced.
    # A few documents are written in the other class's voice, as real
    # reviews sometimes contradict their rating.
    y = np.arange(n_docs, dtype=np.int64) % 2
    voice = np.where(rng.random(n_docs) < _LABEL_NOISE, 1 - y, y)
    lengths = np.clip(rng.lognormal(np.log(_MEDIAN_TOKENS), _LENGTH_SIGMA, size=n_docs), 10, 2000).astype(np.int64)

    X = np.zeros((n_docs, n_features), dtype=np.float64)
    for label, sign in ((0, 1.0), (1, -1.0)):
        docs = np.flatnonzero(voice == label)
        logits = log_base + sign * _SENTIMENT_STRENGTH * direction
        cdf = np.cumsum(np.exp(logits - logits.max()))
        cdf /= cdf[-1]
        words = np.minimum(np.searchsorted(cdf, rng.random(lengths[docs].sum()), side="right"), n_features - 1)
        cells, counts = np.unique(np.repeat(docs, lengths[docs]) * n_features + words, return_counts=True)
        X.reshape(-1)[cells] = counts

    names = [f"w{r:05d}" for r in range(n_features)]
    return X, y, names


def synthetic_corpus(n_docs=BOOKS_DOCUMENTS, n_features=BOOKS_FEATURES, seed=0):
    """A deterministic stand-in for the books corpus with learnable labels.

    Same layout as :func:`load_corpus` (interleaved classes, label 0 =
    positive, 80/20 split); feature ``wNNNNN`` has frequency rank NNNNN, 0
being the most frequent.
    Needs only numpy and takes well under a second.
    """
    X, y, names = _synthetic_arrays(n_docs, n_features, seed)
    return _split(X, y, names, "synthetic", None)
