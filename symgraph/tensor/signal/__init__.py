"""Signal processing on tensors (``theano.tensor.signal``): pooling (pool.py; downsample.py,
its name in Theano 0.8)."""
from symgraph.tensor.signal import downsample, pool  # noqa: F401

__all__ = ['downsample', 'pool']
