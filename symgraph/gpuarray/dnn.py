"""``theano.gpuarray.dnn``: cuDNN through Theano's GPU backend, never present here (XLA
chooses its own GPU kernels)."""


def dnn_present():
    return False


def dnn_available(context_name=None):
    return False
