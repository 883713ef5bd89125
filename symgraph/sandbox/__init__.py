"""Theano's ``theano.sandbox``: ``rng_mrg`` (MRG_RandomStreams) and ``multinomial``."""
from symgraph.sandbox import multinomial, rng_mrg

__all__ = ['multinomial', 'rng_mrg']
