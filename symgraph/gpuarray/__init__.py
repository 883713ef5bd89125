"""``theano.gpuarray``: Theano's GPU backend (pygpu). symgraph reaches GPUs through JAX and
XLA instead, so this backend is never active; code that asks (``from theano import
gpuarray; gpuarray.pygpu_activated``) learns so and takes its CPU path."""
pygpu_activated = False
