"""``RandomStreams`` (Theano's ``theano.tensor.shared_randomstreams``), on JAX keys.

Each draw (``rs.uniform(...)``, ``rs.binomial(...)``, ...) gets its own state: a shared
variable holding a JAX key, seeded from the streams' seed, whose ``default_update`` is the
key after the draw. So, as in Theano, every function that draws advances it,
``function(..., no_default_updates=True)`` freezes it, ``scan`` returns it in its updates,
a pickled stream keeps it, and ``rs.seed(n)`` re-seeds every draw made so far.

Where it differs from Theano's:

* The numbers. Theano drew with one ``numpy.random.RandomState`` per draw; here
  ``jax.random`` draws from a threefry key (split at every call, inside the compiled
  program), so the same seed gives other numbers (from the same distributions). For
  Theano's own numbers, use ``MRG_RandomStreams`` (symgraph.sandbox.rng_mrg), which
  replays Theano's MRG31k3p generator exactly.
* The state. ``rs.state_updates[i][0].get_value()`` (and ``rs[draw.rng]``) is the key, a
  uint32 vector of length 2, not a ``RandomState``; ``set_value`` takes a key, or a
  ``RandomState``, from which a seed for a new key is drawn (on a copy: the caller's
  ``RandomState`` does not move).
* ``binomial`` with ``n`` other than 1 and ``multinomial`` use ``jax.random.binomial`` /
  ``multinomial``; ``choice`` with a number ``a`` needs it known when the function is
  compiled; ``permutation``'s ``n`` too (as every length in an XLA program).
"""
import copy

import numpy as np

from symgraph.tensor import raw_random
from symgraph.tensor.sharedvar import SharedVariable
from symgraph.tensor.type import TensorType


class RandomStateSharedVariable(SharedVariable):
    """A shared JAX key. ``set_value`` also takes a numpy ``RandomState`` (Theano's state
    type), turned into a key seeded from it."""

    def set_value(self, value, borrow=False):
        if isinstance(value, np.random.RandomState):
            value = raw_random.new_key(copy.deepcopy(value).randint(2 ** 30))
        super().set_value(value, borrow=borrow)


def _shared_key(seed):
    key = raw_random.new_key(seed)
    return RandomStateSharedVariable(TensorType('uint32', (False,)), key, borrow=True)


class RandomStreams:
    """Symbolic random draws with numpy.random's names, each with its own key.

    ``seed``: None or an int; the seeds of the draws' keys are drawn from
    ``numpy.random.RandomState(seed)``, one per draw, in the order the draws are made.
    """

    def __init__(self, seed=None):
        self.state_updates = []  # (key variable, its update) of each draw
        self.default_instance_seed = seed
        self.gen_seedgen = np.random.RandomState(seed)

    def updates(self):
        return list(self.state_updates)

    def seed(self, seed=None):
        """Give every draw made so far a new key, from ``seed`` (default: the seed the
        streams were made with), as a fresh RandomStreams(seed) would."""
        if seed is None:
            seed = self.default_instance_seed
        seedgen = np.random.RandomState(seed)
        for old_r, new_r in self.state_updates:
            old_r.set_value(raw_random.new_key(seedgen.randint(2 ** 30)), borrow=True)

    def __getitem__(self, item):
        """The key of a draw's state variable (``rs[draw.rng]``)."""
        return item.get_value(borrow=True)

    def __setitem__(self, item, val):
        item.set_value(val, borrow=True)

    def gen(self, op, *args, **kwargs):
        """A new draw: ``op`` (a raw_random function) applied to a new key."""
        seed = int(self.gen_seedgen.randint(2 ** 30))
        random_state_variable = _shared_key(seed)
        random_state_variable.tag.is_rng = True
        new_r, out = op(random_state_variable, *args, **kwargs)
        out.rng = random_state_variable
        out.update = (random_state_variable, new_r)
        self.state_updates.append(out.update)
        random_state_variable.default_update = new_r
        return out

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype='int64', prob=None):
        """Number of successes of ``n`` trials of probability ``p``."""
        if prob is not None:
            p = prob
        return self.gen(raw_random.binomial, size, n, p, ndim=ndim, dtype=dtype)

    def uniform(self, size=None, low=0.0, high=1.0, ndim=None, dtype=None):
        """Uniform in [low, high); dtype at least as precise as floatX."""
        return self.gen(raw_random.uniform, size, low, high, ndim=ndim, dtype=dtype)

    def normal(self, size=None, avg=0.0, std=1.0, ndim=None, dtype=None):
        return self.gen(raw_random.normal, size, avg, std, ndim=ndim, dtype=dtype)

    def random_integers(self, size=None, low=0, high=1, ndim=None, dtype='int64'):
        """Integers between ``low`` and ``high``, both included."""
        return self.gen(raw_random.random_integers, size, low, high, ndim=ndim, dtype=dtype)

    def choice(self, size=None, a=2, replace=True, p=None, ndim=None, dtype='int64'):
        """Entries of ``a`` (or of ``range(a)``), with or without replacement."""
        return self.gen(raw_random.choice, size, a, replace, p, ndim=ndim, dtype=dtype)

    def poisson(self, size=None, lam=None, ndim=None, dtype='int64'):
        return self.gen(raw_random.poisson, size, lam, ndim=ndim, dtype=dtype)

    def permutation(self, size=None, n=1, ndim=None, dtype='int64'):
        """Permutations of ``range(n)``, one per entry of ``size`` (the result has one
        dimension more)."""
        return self.gen(raw_random.permutation, size, n, ndim=ndim, dtype=dtype)

    def multinomial(self, size=None, n=1, pvals=(0.5, 0.5), ndim=None, dtype='int64'):
        """Counts of ``n`` draws from the distributions along the last axis of ``pvals``
        (the result has one dimension more than ``size``)."""
        return self.gen(raw_random.multinomial, size, n, pvals, ndim=ndim, dtype=dtype)

    def shuffle_row_elements(self, input):
        """``input`` with the entries of every row (last axis) shuffled; the permutation
        drawn is the result's ``.permutation``."""
        perm = self.permutation(size=input.shape[:-1], n=input.shape[-1],
                                ndim=input.ndim - 1)
        shuffled = raw_random.permute_row_elements(input, perm)
        shuffled.permutation = perm
        return shuffled


__all__ = ['RandomStreams', 'RandomStateSharedVariable']
