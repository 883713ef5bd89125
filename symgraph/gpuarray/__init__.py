"""``theano.gpuarray``: Theano's GPU backend (pygpu, cuDNN). symgraph reaches GPUs through
JAX and XLA instead, so this backend is never active; code that asks (``from theano import
gpuarray; gpuarray.pygpu_activated``, ``gpuarray.dnn.dnn_present()``) learns so and takes
its CPU path."""
from symgraph.gpuarray import dnn

pygpu_activated = False

__all__ = ['dnn', 'pygpu_activated']
