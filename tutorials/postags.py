"""Part-of-speech corpora for the LXMLS Day 6 labs.

The labs tag sentences of the Wall Street Journal (Penn Treebank sections 02-21 for training,
22 for development, 23 for testing) in CoNLL format, through LXMLS's ``PostagCorpus``.  That
reader is reproduced by :func:`load_conll`:

* a line holds one token; column 2 is the word and column 5 its Penn Treebank tag; a blank
  line ends a sentence;
* a sentence is kept when it has more than one and fewer than ``max_sent_len`` words, and
  reading stops after ``max_nr_sent`` kept sentences (the lab: 15 and 1000);
* tags are lower-cased and mapped to the 12 universal tags (Petrov et al.) with LXMLS's
  ``en-ptb.map``; an unknown tag becomes ``noun``;
* ``compacify`` then numbers words and tags by first occurrence over train, test and dev
  (in that order), ``noun`` being tag 0, and stores every sentence as int32 arrays.

The WSJ is licensed and not always at hand, so :func:`synthetic_corpus` generates a stand-in
from numpy alone: a small stochastic grammar over the 45 Penn Treebank tags (a first-order
Markov chain whose transitions follow English word order, e.g. DT -> JJ|NN, MD -> VB), words
drawn per tag with Zipf frequencies, and the ambiguities that make tagging a sequence
problem: a stem is a noun, a base verb and a present-tense verb (``NN``/``VB``/``VBP``); with
``-s`` a plural noun or a third-person verb (``NNS``/``VBZ``); with ``-ed`` a past tense or a
past participle (``VBD``/``VBN``); a few function words are shared (``that``: DT, IN, WDT).
Only the preceding words tell such a word's tag, which is what the recurrent taggers learn.
"""

import bisect
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = [
    "PTB_TAGS",
    "TaggedCorpus",
    "UNIVERSAL_MAP",
    "default_data_dir",
    "load_conll",
    "synthetic_corpus",
    "write_conll",
]

ENV_VAR = "SYMGRAPH_POS_DATA"
FILES = {"train": "train-02-21.conll", "dev": "dev-22.conll", "test": "test-23.conll"}
_REPO_ROOT = Path(__file__).resolve().parent.parent
_DEFAULT_DIRS = [_REPO_ROOT.parent / "shared" / "data" / name for name in ("pos", "wsj", "conll")]

# The 45 tags of the Penn Treebank.
PTB_TAGS = ("CC CD DT EX FW IN JJ JJR JJS LS MD NN NNS NNP NNPS PDT POS PRP PRP$ RB RBR RBS RP "
            "SYM TO UH VB VBD VBG VBN VBP VBZ WDT WP WP$ WRB # $ '' `` ( ) , . :").split()

# LXMLS's readers/en-ptb.map: Penn Treebank tag -> universal tag (keys lower-cased on reading).
UNIVERSAL_MAP = {
    "!": ".", "#": ".", "$": ".", "''": ".", "(": ".", ")": ".", ",": ".", "-LRB-": ".",
    "-RRB-": ".", ".": ".", ":": ".", "?": ".", "CC": "CONJ", "CD": "NUM", "CD|RB": "X",
    "DT": "DET", "EX": "DET", "FW": "X", "IN": "ADP", "IN|RP": "ADP", "JJ": "ADJ", "JJR": "ADJ",
    "JJRJR": "ADJ", "JJS": "ADJ", "JJ|RB": "ADJ", "JJ|VBG": "ADJ", "LS": "X", "MD": "VERB",
    "NN": "NOUN", "NNP": "NOUN", "NNPS": "NOUN", "NNS": "NOUN", "NN|NNS": "NOUN", "NN|SYM": "NOUN",
    "NN|VBG": "NOUN", "NP": "NOUN", "PDT": "DET", "POS": "PRT", "PRP": "PRON", "PRP$": "PRON",
    "PRP|VBP": "PRON", "PRT": "PRT", "RB": "ADV", "RBR": "ADV", "RBS": "ADV", "RB|RP": "ADV",
    "RB|VBG": "ADV", "RN": "X", "RP": "PRT", "SYM": "X", "TO": "PRT", "UH": "X", "VB": "VERB",
    "VBD": "VERB", "VBD|VBN": "VERB", "VBG": "VERB", "VBG|NN": "VERB", "VBN": "VERB", "VBP": "VERB",
    "VBP|TO": "VERB", "VBZ": "VERB", "VP": "VERB", "WDT": "DET", "WH": "X", "WP": "PRON",
    "WP$": "PRON", "WRB": "ADV", "``": ".",
}


class TaggedCorpus(NamedTuple):
    """Sentences as the lab holds them after ``compacify``: each split a list of ``(x, y)``
    pairs of int32 arrays (word ids, tag ids); ``words`` and ``tags`` name the ids."""

    train: list
    dev: list
    test: list
    words: list
    tags: list
    source: str

    @property
    def n_words(self):
        return len(self.words)

    @property
    def n_tags(self):
        return len(self.tags)


# ----------------------------------------------------------------------------------------
# The real corpus: LXMLS's reader
# ----------------------------------------------------------------------------------------

def _has_files(directory):
    return all((Path(directory) / name).is_file() for name in FILES.values())


def default_data_dir():
    """Directory holding the three WSJ CoNLL files, or None.

    ``$SYMGRAPH_POS_DATA`` wins and must point at the data when set (a silent fallback to
    synthetic data would make reported accuracies misleading); else ``../shared/data/pos``
    (or ``wsj``, ``conll``) beside the checkout.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        if not _has_files(configured):
            raise FileNotFoundError(f"${ENV_VAR}={configured} lacks one of {sorted(FILES.values())}")
        return Path(configured)
    for directory in _DEFAULT_DIRS:
        if _has_files(directory):
            return directory
    return None


def read_conll(path, max_sent_len=15, max_nr_sent=1000):
    """Sentences of one CoNLL file as lists of (word, universal tag), kept as LXMLS keeps
    them: more than one and fewer than ``max_sent_len`` words, at most ``max_nr_sent``."""
    mapping = {key.lower(): value.lower() for key, value in UNIVERSAL_MAP.items()}
    sentences, words, tags = [], [], []
    with open(path, encoding="utf8") as handle:
        for line in handle:
            tokens = line.split()
            if len(tokens) < 2:
                if 1 < len(words) < max_sent_len:
                    sentences.append(list(zip(words, tags)))
                if len(sentences) >= max_nr_sent:
                    break
                words, tags = [], []
            else:
                words.append(tokens[1])
                tags.append(mapping.setdefault(tokens[4].lower(), "noun"))
    return sentences


def _compacify(splits, first_tags=("noun",)):
    """Number words and tags by first occurrence over the splits, in the order given."""
    word_ids, tag_ids = {}, {tag: i for i, tag in enumerate(first_tags)}
    for sentences in splits:
        for sentence in sentences:
            for word, tag in sentence:
                word_ids.setdefault(word, len(word_ids))
                tag_ids.setdefault(tag, len(tag_ids))
    encoded = [[(np.array([word_ids[w] for w, _ in s], dtype="int32"),
                 np.array([tag_ids[t] for _, t in s], dtype="int32")) for s in sentences]
               for sentences in splits]
    return encoded, list(word_ids), list(tag_ids)


def load_conll(directory=None, max_sent_len=15, max_nr_sent=1000):
    """The lab's three splits from ``directory`` (default :func:`default_data_dir`), read and
    numbered as LXMLS's ``PostagCorpus`` and ``compacify`` do.  Returns a
    :class:`TaggedCorpus`, or None when no data is found and no directory was given."""
    directory = Path(directory) if directory is not None else default_data_dir()
    if directory is None:
        return None
    if not _has_files(directory):
        raise FileNotFoundError(f"{directory} lacks one of {sorted(FILES.values())}")
    read = {name: read_conll(directory / FILES[name], max_sent_len, max_nr_sent) for name in FILES}
    (train, test, dev), words, tags = _compacify([read["train"], read["test"], read["dev"]])
    return TaggedCorpus(train, dev, test, words, tags, str(directory))


def write_conll(sentences, path):
    """Write ``[(word, tag), ...]`` sentences in the CoNLL layout :func:`read_conll` reads."""
    with open(path, "w", encoding="utf8") as handle:
        for sentence in sentences:
            for i, (word, tag) in enumerate(sentence, 1):
                handle.write(f"{i}\t{word}\t_\t{tag}\t{tag}\t_\t_\t_\n")
            handle.write("\n")


# ----------------------------------------------------------------------------------------
# The synthetic corpus: a stochastic grammar over the Penn Treebank tags
# ----------------------------------------------------------------------------------------

# Which tags may follow which: English word order, roughly.  Earlier successors are likelier.
_NEXT = {
    "<s>": "DT NNP PRP IN RB `` CD JJ NNS EX WRB CC WP UH LS ( PDT",
    "CC": "DT NN JJ NNS PRP VBD VB RB NNP CD",
    "CD": "NNS NN , CD . IN TO JJ : ) $",
    "DT": "NN JJ NNS NNP CD JJS RBS JJR",
    "EX": "VBZ VBD MD VBP",
    "FW": "FW NN . ,",
    "IN": "DT NNP NN PRP$ JJ NNS CD PRP $ VBG WDT",
    "JJ": "NN NNS , CC JJ TO IN .",
    "JJR": "IN NN NNS JJ .",
    "JJS": "NN NNS IN",
    "LS": ": ) NN",
    "MD": "VB RB",
    "NN": "IN . , NN VBZ VBD CC POS MD TO WDT : VBP",
    "NNS": "IN . , VBP VBD CC MD TO WDT VBZ",
    "NNP": "NNP VBD , VBZ . POS CC IN MD NNPS",
    "NNPS": "VBD VBP , . NNP",
    "PDT": "DT PRP$",
    "POS": "NN NNS JJ NNP",
    "PRP": "VBD VBZ VBP MD RB",
    "PRP$": "NN NNS JJ NNP",
    "RB": "VB VBN VBD JJ RB , . IN VBG RBR",
    "RBR": "JJ IN RB .",
    "RBS": "JJ RB",
    "RP": "DT IN . NNS",
    "SYM": "CD NN",
    "TO": "VB DT CD NN",
    "UH": ", .",
    "VB": "DT NN PRP IN RP VBN JJ TO RB NNS",
    "VBD": "DT IN VBN RB NN PRP NNS JJ TO RP",
    "VBG": "DT NN IN NNS JJ PRP$ RP",
    "VBN": "IN DT TO NN RB NNS RP",
    "VBP": "DT RB VBN PRP IN NNS JJ TO VBG",
    "VBZ": "DT VBN RB JJ IN NN VBG TO",
    "WDT": "VBZ VBD VBP MD PRP",
    "WP": "VBZ VBD MD PRP",
    "WP$": "NN NNS",
    "WRB": "PRP DT JJ NNS RB",
    "#": "CD",
    "$": "CD",
    "''": ". , VBD NN",
    "``": "DT PRP NNP NN",
    "(": "CD NN DT JJ LS",
    ")": ". , IN NN VBD",
    ",": "CC DT NNP PRP VBD IN WDT RB NN JJ ``",
    ".": "'' DT PRP NNP IN CC",
    ":": "DT NN JJ CD PRP",
}

# Closed classes: their words, most frequent first.
_CLOSED = {
    "CC": "and but or nor yet", "DT": "the a an this that some no all each these those every",
    "EX": "there", "IN": "of in for on with at by from as that into about than like over if after",
    "LS": "1 2 3 a b", "MD": "will would can could may should might must", "PDT": "all both half",
    "POS": "'s '", "PRP": "it he they i we she you them him us me", "PRP$": "its their his our her my your",
    "RP": "up out off down in over", "SYM": "& * %", "TO": "to", "UH": "oh yes no well",
    "WDT": "which that what whatever", "WP": "who what whom", "WP$": "whose",
    "WRB": "when how where why", "#": "#", "$": "$ us$ c$", "''": "''", "``": "``", "(": "( {",
    ")": ") }", ",": ",", ".": ". ? !", ":": ": ; -- ...",
}

# Open classes: how many stems each draws from (the verb forms share one list of stems).
_OPEN = {"NN": 600, "NNP": 400, "NNPS": 40, "JJ": 300, "JJR": 30, "JJS": 25, "RB": 120,
         "RBR": 12, "RBS": 8, "CD": 60, "FW": 20}
_VERB_STEMS = 400
_ZIPF = 1.1


def _pseudo_words(rng, n, syllables=2, taken=None):
    """``n`` distinct pronounceable pseudo-words."""
    onsets = list("bdfgklmnprstvz") + ["br", "st", "tr", "pl", "gr", "sh", "ch"]
    vowels = list("aeiou") + ["ea", "oo", "ai"]
    codas = ["", "", "n", "r", "l", "m", "t", "k", "nd", "st"]
    taken = set() if taken is None else taken
    words = []
    while len(words) < n:
        o, v = rng.randint(len(onsets), size=syllables), rng.randint(len(vowels), size=syllables)
        word = "".join(onsets[i] + vowels[j] for i, j in zip(o, v)) + codas[rng.randint(len(codas))]
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


def _zipf(n):
    p = 1.0 / np.arange(1, n + 1) ** _ZIPF
    return p / p.sum()


def _lexicon(rng):
    """``{tag: (words, probabilities)}`` for all 45 tags."""
    lexicon = {tag: words.split() for tag, words in _CLOSED.items() if tag in PTB_TAGS}
    taken = {w for words in lexicon.values() for w in words}
    stems = _pseudo_words(rng, _VERB_STEMS + _OPEN["NN"], taken=taken)
    verbs, nouns = stems[:_VERB_STEMS], stems[_VERB_STEMS:]
    # A third of the nouns are also verbs (same stem): "run" NN/VB/VBP, "runs" NNS/VBZ.
    shared = verbs[: _VERB_STEMS // 3]
    lexicon["NN"] = nouns[: _OPEN["NN"] - len(shared)] + shared
    lexicon["NNS"] = [w + "s" for w in lexicon["NN"]]
    lexicon["VB"] = lexicon["VBP"] = verbs
    lexicon["VBZ"] = [w + "s" for w in verbs]
    lexicon["VBD"] = lexicon["VBN"] = [w + "ed" for w in verbs]
    lexicon["VBG"] = [w + "ing" for w in verbs]
    adjectives = _pseudo_words(rng, _OPEN["JJ"], taken=taken)
    lexicon["JJ"] = adjectives
    lexicon["JJR"] = [w + "er" for w in adjectives[: _OPEN["JJR"]]]
    lexicon["JJS"] = [w + "est" for w in adjectives[: _OPEN["JJS"]]]
    lexicon["RB"] = [w + "ly" for w in adjectives[: _OPEN["RB"]]]
    lexicon["RBR"] = ["more", "less"] + lexicon["JJR"][: _OPEN["RBR"] - 2]
    lexicon["RBS"] = ["most", "least"] + lexicon["JJS"][: _OPEN["RBS"] - 2]
    names = _pseudo_words(rng, _OPEN["NNP"], taken=taken)
    lexicon["NNP"] = [w.capitalize() for w in names]
    lexicon["NNPS"] = [w.capitalize() + "s" for w in names[: _OPEN["NNPS"]]]
    lexicon["CD"] = [str(n) for n in rng.choice(np.arange(1, 2000), _OPEN["CD"], replace=False)]
    lexicon["FW"] = _pseudo_words(rng, _OPEN["FW"], syllables=3, taken=taken)
    out = {}
    for tag in PTB_TAGS:
        words = lexicon[tag]
        order = rng.permutation(len(words)) if len(words) > 8 else np.arange(len(words))
        out[tag] = ([words[i] for i in order], _zipf(len(words)))
    return out


def _transitions(rng):
    """Row-stochastic (46, 45) matrix: the start row, then one row per tag."""
    index = {tag: i for i, tag in enumerate(PTB_TAGS)}
    rows = []
    for tag in ["<s>"] + PTB_TAGS:
        successors = _NEXT[tag].split()
        row = np.zeros(len(PTB_TAGS))
        weights = 1.0 / np.arange(1, len(successors) + 1) * rng.uniform(0.7, 1.3, len(successors))
        row[[index[s] for s in successors]] = weights
        rows.append(row / row.sum())
    return np.array(rows)


def _lengths(rng, n, min_len, max_len):
    """Sentence lengths: log-normal around 20 words as in newspapers, redrawn until they fall
    in ``[min_len, max_len]``; one in 25 is uniform in that range, so every length occurs."""
    lengths = np.zeros(n, dtype=int)
    todo = np.arange(n)
    while todo.size:
        lengths[todo] = np.round(rng.lognormal(np.log(20.0), 0.6, size=todo.size))
        todo = todo[(lengths[todo] < min_len) | (lengths[todo] > max_len)]
    some = rng.random_sample(n) < 0.04
    lengths[some] = rng.randint(min_len, max_len + 1, size=int(some.sum()))
    return lengths


def _draw(u, cdf):
    """The index that ``u`` in [0, 1) falls on in the cumulative sums ``cdf`` (a list)."""
    return min(bisect.bisect_right(cdf, u), len(cdf) - 1)


def _sentences(rng, n, lexicon, trans, min_len, max_len):
    period = PTB_TAGS.index(".")
    trans_cdf = np.cumsum(trans, axis=1).tolist()
    emissions = [(lexicon[tag][0], np.cumsum(lexicon[tag][1]).tolist()) for tag in PTB_TAGS]
    sentences = []
    for length in _lengths(rng, n, min_len, max_len):
        sentence, state = [], 0  # row 0 is the start
        for position, (u, v) in enumerate(rng.random_sample((length, 2)).tolist()):
            if length > 2 and position == length - 1:
                tag = period  # sentences end with a full stop
            else:
                tag = _draw(u, trans_cdf[state])
            words, cdf = emissions[tag]
            sentence.append((words[_draw(v, cdf)], PTB_TAGS[tag]))
            state = tag + 1
        sentences.append(sentence)
    return sentences


def synthetic_sentences(n_train=1000, n_dev=300, n_test=300, min_len=1, max_len=60, seed=0):
    """The synthetic splits as lists of ``[(word, tag), ...]`` sentences (Penn Treebank tags),
    e.g. to write them as CoNLL files for LXMLS's own reader."""
    rng = np.random.RandomState(seed)
    lexicon, trans = _lexicon(rng), _transitions(rng)
    return [_sentences(rng, n, lexicon, trans, min_len, max_len) for n in (n_train, n_dev, n_test)]


def synthetic_corpus(n_train=1000, n_dev=300, n_test=300, min_len=1, max_len=60, seed=0):
    """A :class:`TaggedCorpus` from the embedded grammar, deterministic in ``seed``.

    Tags are the 45 Penn Treebank tags (all of them numbered, frequent or not, in
    :data:`PTB_TAGS` order); sentence lengths run from ``min_len`` to ``max_len`` words.
    """
    train, dev, test = synthetic_sentences(n_train, n_dev, n_test, min_len, max_len, seed)
    (train, test, dev), words, tags = _compacify([train, test, dev], first_tags=PTB_TAGS)
    return TaggedCorpus(train, dev, test, words, tags, "synthetic")
