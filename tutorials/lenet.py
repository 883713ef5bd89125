"""LeNet on digits: the convolutional network of the classic Theano tutorial
(DeepLearningTutorials, ``code/convolutional_mlp.py``), written with symgraph.

Run it as::

    python -m tutorials.lenet                 # 10 epochs of 6000 digits, nkerns [20, 50]
    python -m tutorials.lenet --quick         # 3 epochs of 2000 digits, for a quick look
    python -m tutorials.lenet --batch-size 500 --epochs 20 --nkerns 8 16
    python -m tutorials.lenet --plot curves.png  # also plot cost and accuracy per epoch

The network is the tutorial's: two convolution + max-pooling layers (``T.nnet.conv2d`` with
5x5 filters, ``pool.pool_2d`` 2x2, tanh), a fully connected tanh layer of 500 units and a
softmax output, trained by SGD on minibatches selected with ``givens`` (the data stay in
shared variables; only the minibatch index is passed). Each epoch prints the mean training
cost, the validation error, the time and the time left (and, during a long epoch, how far
it has got); at the end, the test error, and a picture of the learned first-layer filters
(``lenet_filters.png``) when matplotlib is installed.

The data: MNIST is not downloaded. :func:`synthetic_digits` draws 28x28 digits instead,
each one a seven-segment-like glyph (with diagonal strokes for 1, 4 and 7) randomly
shifted, scaled, slanted, thickened and blurred with noise, so that the task is not trivial
but a LeNet learns it in a few epochs. :func:`write_mnist_pkl_gz` writes such a set in the
format of ``mnist.pkl.gz`` (three (images, labels) pairs, pickled and gzipped), which the
unchanged tutorial reads (see ``tests/test_dlt_lenet.py``).
"""
import argparse
import gzip
import pickle
import time

import numpy as np

import symgraph as theano
import symgraph.tensor as T
from symgraph.tensor.nnet import conv2d
from symgraph.tensor.signal import pool
from tutorials.curves import Curves, Eta, Heartbeat, add_plot_argument, check_plot_argument, pyplot

__all__ = ['synthetic_digits', 'write_mnist_pkl_gz', 'LeNetConvPoolLayer', 'HiddenLayer',
           'LogisticRegression', 'LeNet', 'main']

# ---------------------------------------------------------------------------------------
# Synthetic digits
# ---------------------------------------------------------------------------------------

# Stroke end points in a unit box (x right, y down): the seven segments and two diagonals.
_STROKES = {
    'top': ((0, 0), (1, 0)), 'middle': ((0, 0.5), (1, 0.5)), 'bottom': ((0, 1), (1, 1)),
    'upper_left': ((0, 0), (0, 0.5)), 'upper_right': ((1, 0), (1, 0.5)),
    'lower_left': ((0, 0.5), (0, 1)), 'lower_right': ((1, 0.5), (1, 1)),
    'seven_diagonal': ((1, 0), (0.35, 1)), 'one_stem': ((0.5, 0), (0.5, 1)),
    'one_flag': ((0.5, 0), (0.2, 0.25)), 'four_diagonal': ((0.7, 0), (0, 0.6)),
}
_GLYPHS = {
    0: ('top', 'bottom', 'upper_left', 'upper_right', 'lower_left', 'lower_right'),
    1: ('one_stem', 'one_flag'),
    2: ('top', 'upper_right', 'middle', 'lower_left', 'bottom'),
    3: ('top', 'upper_right', 'middle', 'lower_right', 'bottom'),
    4: ('four_diagonal', 'middle', 'upper_right', 'lower_right'),
    5: ('top', 'upper_left', 'middle', 'lower_right', 'bottom'),
    6: ('top', 'upper_left', 'lower_left', 'bottom', 'lower_right', 'middle'),
    7: ('top', 'seven_diagonal'),
    8: ('top', 'middle', 'bottom', 'upper_left', 'upper_right', 'lower_left', 'lower_right'),
    9: ('top', 'middle', 'bottom', 'upper_left', 'upper_right', 'lower_right'),
}


def synthetic_digits(n, seed=0, size=28):
    """``n`` random digit images, (n, size * size) float32 in [0, 1], and their int64
    labels (balanced, shuffled)."""
    rng = np.random.RandomState(seed)
    labels = rng.permutation(np.arange(n) % 10).astype('int64')
    yy, xx = np.mgrid[0:size, 0:size].astype('float64')
    images = np.empty((n, size, size), dtype='float64')
    for k, label in enumerate(labels):
        width, height = rng.uniform(8, 13), rng.uniform(14, 19)
        left = rng.uniform(2, size - 2 - width)
        top = rng.uniform(2, size - 2 - height)
        slant = rng.uniform(-0.25, 0.25)
        thickness = rng.uniform(0.9, 1.8)
        image = np.zeros((size, size))
        for name in _GLYPHS[int(label)]:
            (x0, y0), (x1, y1) = _STROKES[name]
            # the stroke's end points placed in the digit's box, slanted, a little jittered
            ends = []
            for u, v in ((x0, y0), (x1, y1)):
                px = left + u * width + slant * (0.5 - v) * height + rng.normal(0, 0.4)
                py = top + v * height + rng.normal(0, 0.4)
                ends.append((px, py))
            (ax, ay), (bx, by) = ends
            dx, dy = bx - ax, by - ay
            t = np.clip(((xx - ax) * dx + (yy - ay) * dy) / max(dx * dx + dy * dy, 1e-9), 0, 1)
            distance = np.hypot(xx - (ax + t * dx), yy - (ay + t * dy))
            image = np.maximum(image, np.clip(1.5 - distance / thickness, 0, 1))
        image += rng.normal(0, 0.08, image.shape)
        images[k] = np.clip(image, 0, 1)
    return images.reshape(n, size * size).astype('float32'), labels


def write_mnist_pkl_gz(path, n_train=5000, n_valid=1000, n_test=1000, seed=0):
    """A synthetic ``mnist.pkl.gz``: ((train_x, train_y), (valid_x, valid_y), (test_x,
    test_y)), images as float32 rows of 784 pixels, labels int64, as the real file."""
    sets = []
    for k, n in enumerate((n_train, n_valid, n_test)):
        sets.append(synthetic_digits(n, seed=seed + k))
    with gzip.open(path, 'wb') as f:
        pickle.dump(tuple(sets), f, protocol=2)
    return path


# ---------------------------------------------------------------------------------------
# The network, as in convolutional_mlp.py (and logistic_sgd.py, mlp.py)
# ---------------------------------------------------------------------------------------

class LeNetConvPoolLayer:
    """A convolution (5x5 filters by default) followed by 2x2 max pooling and tanh."""

    def __init__(self, rng, input, filter_shape, image_shape, poolsize=(2, 2)):
        assert image_shape[1] == filter_shape[1]
        fan_in = np.prod(filter_shape[1:])
        fan_out = filter_shape[0] * np.prod(filter_shape[2:]) // np.prod(poolsize)
        bound = np.sqrt(6. / (fan_in + fan_out))
        self.W = theano.shared(np.asarray(rng.uniform(-bound, bound, size=filter_shape),
                                          dtype=theano.config.floatX), borrow=True)
        self.b = theano.shared(np.zeros((filter_shape[0],), dtype=theano.config.floatX),
                               borrow=True)
        conv_out = conv2d(input=input, filters=self.W, filter_shape=filter_shape,
                          input_shape=image_shape)
        pooled_out = pool.pool_2d(input=conv_out, ws=poolsize, ignore_border=True)
        self.output = T.tanh(pooled_out + self.b.dimshuffle('x', 0, 'x', 'x'))
        self.params = [self.W, self.b]


class HiddenLayer:
    """A fully connected tanh layer."""

    def __init__(self, rng, input, n_in, n_out):
        bound = np.sqrt(6. / (n_in + n_out))
        self.W = theano.shared(np.asarray(rng.uniform(-bound, bound, size=(n_in, n_out)),
                                          dtype=theano.config.floatX), name='W', borrow=True)
        self.b = theano.shared(np.zeros((n_out,), dtype=theano.config.floatX), name='b',
                               borrow=True)
        self.output = T.tanh(T.dot(input, self.W) + self.b)
        self.params = [self.W, self.b]


class LogisticRegression:
    """The softmax output layer, its negative log-likelihood and its error rate."""

    def __init__(self, input, n_in, n_out):
        self.W = theano.shared(np.zeros((n_in, n_out), dtype=theano.config.floatX), name='W',
                               borrow=True)
        self.b = theano.shared(np.zeros((n_out,), dtype=theano.config.floatX), name='b',
                               borrow=True)
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]

    def negative_log_likelihood(self, y):
        return -T.mean(T.log(self.p_y_given_x)[T.arange(y.shape[0]), y])

    def errors(self, y):
        return T.mean(T.neq(self.y_pred, y))


class LeNet:
    """The tutorial's model on data held in shared variables, with its compiled training,
    validation and test functions (each takes a minibatch index)."""

    def __init__(self, datasets, nkerns=(20, 50), batch_size=500, learning_rate=0.1, seed=23455):
        rng = np.random.RandomState(seed)
        (train_x, train_y), (valid_x, valid_y), (test_x, test_y) = datasets
        self.batch_size = batch_size
        self.n_batches = [s.get_value(borrow=True).shape[0] // batch_size
                          for s in (train_x, valid_x, test_x)]
        index = T.lscalar('index')
        x, y = T.matrix('x'), T.ivector('y')
        self.layer0 = LeNetConvPoolLayer(rng, x.reshape((batch_size, 1, 28, 28)),
                                         image_shape=(batch_size, 1, 28, 28),
                                         filter_shape=(nkerns[0], 1, 5, 5))
        layer1 = LeNetConvPoolLayer(rng, self.layer0.output,
                                    image_shape=(batch_size, nkerns[0], 12, 12),
                                    filter_shape=(nkerns[1], nkerns[0], 5, 5))
        layer2 = HiddenLayer(rng, layer1.output.flatten(2), nkerns[1] * 4 * 4, 500)
        layer3 = LogisticRegression(layer2.output, 500, 10)
        self.cost = layer3.negative_log_likelihood(y)
        self.params = layer3.params + layer2.params + layer1.params + self.layer0.params
        grads = T.grad(self.cost, self.params)
        updates = [(p, p - learning_rate * g) for p, g in zip(self.params, grads)]

        def batch(data_x, data_y):
            window = slice(index * batch_size, (index + 1) * batch_size)
            return {x: data_x[window], y: data_y[window]}
        self.train = theano.function([index], self.cost, updates=updates,
                                     givens=batch(train_x, train_y))
        self.validate = theano.function([index], layer3.errors(y),
                                        givens=batch(valid_x, valid_y))
        self.test = theano.function([index], layer3.errors(y), givens=batch(test_x, test_y))

    def error(self, fn, which):
        return float(np.mean([fn(i) for i in range(self.n_batches[which])]))


def shared_dataset(data_xy):
    """Images and labels as shared variables; the labels stored as floatX and cast to
    int32, as logistic_sgd.load_data does."""
    data_x, data_y = data_xy
    shared_x = theano.shared(np.asarray(data_x, dtype=theano.config.floatX), borrow=True)
    shared_y = theano.shared(np.asarray(data_y, dtype=theano.config.floatX), borrow=True)
    return shared_x, T.cast(shared_y, 'int32')


def save_filters(W, path='lenet_filters.png'):
    """A picture of the first layer's filters, when matplotlib is installed."""
    try:
        plt = pyplot()
    except ImportError:
        return None
    filters = W[:, 0]
    cols = min(len(filters), 10)
    rows = -(-len(filters) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(cols, rows))
    for ax, k in zip(np.ravel(axes), range(rows * cols)):
        ax.axis('off')
        if k < len(filters):
            ax.imshow(filters[k], cmap='gray', interpolation='nearest')
    fig.savefig(path)
    plt.close(fig)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m tutorials.lenet',
                                     description=__doc__.split('\n')[0])
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--batch-size', type=int, default=100)
    parser.add_argument('--nkerns', type=int, nargs=2, default=[20, 50])
    parser.add_argument('--learning-rate', type=float, default=0.1)
    parser.add_argument('--train', type=int, default=6000, help='training images')
    parser.add_argument('--quick', action='store_true', help='3 epochs, 2000 images, batch 50')
    add_plot_argument(parser)
    args = parser.parse_args(argv)
    check_plot_argument(parser, args)
    if args.quick:
        args.epochs, args.train, args.batch_size = 3, 2000, 50
    theano.config.floatX = 'float32'
    n_eval = max(args.batch_size, args.train // 5)
    print('... drawing %d synthetic digits' % (args.train + 2 * n_eval))
    datasets = [shared_dataset(synthetic_digits(n, seed=k))
                for k, n in enumerate((args.train, n_eval, n_eval))]
    print('... building the model (nkerns %s, batch %d)'
          % (args.nkerns, args.batch_size))
    start = time.perf_counter()
    net = LeNet(datasets, nkerns=args.nkerns, batch_size=args.batch_size,
                learning_rate=args.learning_rate)
    print('    %.1f s' % (time.perf_counter() - start))
    print('epoch  train cost  validation error  seconds (the first epoch compiles)')
    eta, curves = Eta(args.epochs), Curves()
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        heartbeat = Heartbeat(net.n_batches[0], 'minibatches of epoch %d' % epoch)
        costs = []
        for i in range(net.n_batches[0]):
            heartbeat.beat(i)
            costs.append(float(net.train(i)))
        validation_error = net.error(net.validate, 1)
        seconds = time.perf_counter() - start
        print('%5d  %10.4f  %15.2f %%  %7.2f%s' % (epoch, np.mean(costs), 100 * validation_error,
                                                  seconds, eta.text(seconds)))
        curves.add('LeNet', cost=float(np.mean(costs)), validation_acc=1 - validation_error)
    print('test error %.2f %%' % (100 * net.error(net.test, 2)))
    if args.plot:
        curves.save(args.plot, 'LeNet on %d synthetic digits, SGD, batch %d'
                    % (args.train, args.batch_size))
        print('cost and accuracy per epoch plotted in %s' % args.plot)
    picture = save_filters(net.layer0.W.get_value())
    if picture:
        print('first-layer filters drawn in %s' % picture)
    return net


if __name__ == '__main__':
    main()
