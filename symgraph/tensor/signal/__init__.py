"""Signal processing on tensors (``theano.tensor.signal``): pooling (pool.py)."""
from symgraph.tensor.signal import pool  # noqa: F401

__all__ = ['pool']
