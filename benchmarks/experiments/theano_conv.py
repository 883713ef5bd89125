"""Real Theano 1.0.5 on the CPU, on the workloads of benchmarks/conv.py, for comparison.

Run with a Python that has Theano 1.0.5 (not symgraph's environment), e.g.::

    /path/to/theano-python benchmarks/experiments/theano_conv.py [--rounds N] [--steps N]

* the DeepLearningTutorials LeNet training step (nkerns [20, 50], batch 500, float32),
  built as convolutional_mlp.py builds it (conv2d, pool_2d, givens, SGD updates), on random
  28x28 images;
* the VGG-sized 3x3 layer (batch 8, 64 -> 64 channels, 56x56): forward and the gradients
  with respect to the filters and the input.

Theano compiles its C implementations (CorrMM for the convolutions, its C max pooling);
BLAS comes from numpy (the oracle has no system BLAS). Seconds per step, best and median
of the rounds. Not part of ``make bench``.
"""
import argparse
import statistics
import time

import numpy as np
import theano
import theano.tensor as T
from theano.tensor.nnet import conv2d, relu
from theano.tensor.signal import pool


def timed(run, rounds, steps):
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run(steps)
        times.append((time.perf_counter() - start) / steps)
    return min(times), statistics.median(times)


def lenet_step(batch=500, nkerns=(20, 50), n_batches=4, lr=0.1):
    floatX = theano.config.floatX
    rng = np.random.RandomState(0)
    data_x = theano.shared(rng.rand(n_batches * batch, 784).astype(floatX), borrow=True)
    data_y = theano.shared(rng.randint(0, 10, n_batches * batch).astype('int32'))
    index = T.lscalar()
    x, y = T.matrix('x'), T.ivector('y')
    params = []

    def conv_pool(inp, filter_shape, image_shape):
        bound = np.sqrt(6. / (np.prod(filter_shape[1:]) + filter_shape[0] * 25 / 4))
        W = theano.shared(rng.uniform(-bound, bound, filter_shape).astype(floatX))
        b = theano.shared(np.zeros(filter_shape[0], dtype=floatX))
        params.extend([W, b])
        out = conv2d(inp, W, filter_shape=filter_shape, input_shape=image_shape)
        out = pool.pool_2d(out, ws=(2, 2), ignore_border=True)
        return T.tanh(out + b.dimshuffle('x', 0, 'x', 'x'))

    h = conv_pool(x.reshape((batch, 1, 28, 28)), (nkerns[0], 1, 5, 5), (batch, 1, 28, 28))
    h = conv_pool(h, (nkerns[1], nkerns[0], 5, 5), (batch, nkerns[0], 12, 12)).flatten(2)
    for n_in, n_out, act in ((nkerns[1] * 16, 500, T.tanh), (500, 10, T.nnet.softmax)):
        W = theano.shared(rng.uniform(-0.05, 0.05, (n_in, n_out)).astype(floatX))
        b = theano.shared(np.zeros(n_out, dtype=floatX))
        params.extend([W, b])
        h = act(T.dot(h, W) + b)
    cost = -T.mean(T.log(h)[T.arange(y.shape[0]), y])
    updates = [(p, p - lr * g) for p, g in zip(params, T.grad(cost, params))]
    train = theano.function([index], cost, updates=updates, givens={
        x: data_x[index * batch:(index + 1) * batch],
        y: data_y[index * batch:(index + 1) * batch]})

    def run(steps):
        for i in range(steps):
            train(i % n_batches)
    return run


def vgg_layer(batch=8, channels=64, size=56):
    rng = np.random.RandomState(0)
    xv = rng.randn(batch, channels, size, size).astype('float32')
    wv = (rng.randn(channels, channels, 3, 3) * 0.05).astype('float32')
    x, w = T.tensor4('x', dtype='float32'), T.tensor4('w', dtype='float32')
    out = relu(conv2d(x, w, border_mode='half', filter_flip=False))
    cost = T.sum(out * out)
    f = theano.function([x, w], [cost] + T.grad(cost, [w, x]))

    def run(steps):
        for _ in range(steps):
            f(xv, wv)
    return run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--rounds', type=int, default=7)
    parser.add_argument('--steps', type=int, default=5)
    args = parser.parse_args()
    theano.config.floatX = 'float32'
    for name, make in (('LeNet training step, nkerns [20, 50], batch 500', lenet_step),
                       ('VGG 3x3 layer, 64 -> 64 channels, 56x56, batch 8', vgg_layer)):
        run = make()
        run(1)
        best, median = timed(run, args.rounds, args.steps)
        print('Theano %s: %s: %.1f ms (median %.1f ms)' % (theano.__version__, name,
                                                           1e3 * best, 1e3 * median))


if __name__ == '__main__':
    main()
