"""``theano.tensor.signal.downsample``: Theano 0.8's module for pooling, which Theano 0.9
renamed ``pool`` (code written for Theano 0.8, Lasagne 0.1 among it, imports it)."""
import warnings

from symgraph.tensor.signal.pool import pool_2d


def max_pool_2d(input, ds, ignore_border=None, st=None, padding=(0, 0), mode='max'):
    """Theano 0.8's ``max_pool_2d``: ``pool.pool_2d`` under its old argument names."""
    warnings.warn('downsample.max_pool_2d is deprecated since Theano 0.9: use '
                  'theano.tensor.signal.pool.pool_2d', DeprecationWarning, stacklevel=2)
    return pool_2d(input, ws=ds, ignore_border=ignore_border, stride=st, pad=padding,
                   mode=mode)


__all__ = ['max_pool_2d']
