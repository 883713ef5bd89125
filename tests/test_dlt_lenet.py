"""The DeepLearningTutorials LeNet (``tests/clients/dlt/convolutional_mlp.py``) runs
unchanged, with ``theano`` standing for symgraph, and learns.

``convolutional_mlp.py``, ``logistic_sgd.py`` and ``mlp.py`` are verbatim copies of
``code/`` in https://github.com/lisa-lab/DeepLearningTutorials (commit
11c465105026cf87573937fc2d35ab7543678698, 2018-06-15), Copyright (c) 2010--2015, Deep
Learning Tutorials Development Team, under the BSD license in ``tests/clients/dlt/
LICENSE.txt`` (the repository's own). ``evaluate_lenet5`` reads a small synthetic
``mnist.pkl.gz`` written by ``tutorials.lenet.write_mnist_pkl_gz`` (no download).

What stands in for what: every loaded ``symgraph`` module is also ``theano`` (``import
theano``, ``from theano.tensor.signal import pool``, ``from theano.tensor.nnet import
conv2d``), and, when the ``six`` package is not installed, a two-line ``six`` gives
``six.moves.cPickle`` (``pickle``), which logistic_sgd.py imports.
"""
import contextlib
import pickle
import re
import sys
import types
from pathlib import Path

import numpy as np
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
DLT = Path(__file__).resolve().parent / 'clients' / 'dlt'
if str(REPO_ROOT) not in sys.path:  # plain `pytest` does not put the root on the path
    sys.path.insert(0, str(REPO_ROOT))

import symgraph  # noqa: E402
from tutorials.lenet import write_mnist_pkl_gz  # noqa: E402


def _aliases():
    modules = {'theano' + name[len('symgraph'):]: module
               for name, module in list(sys.modules.items())
               if name == 'symgraph' or name.startswith('symgraph.')}
    try:
        import six.moves  # noqa: F401
    except ImportError:
        six = types.ModuleType('six')
        six.moves = types.ModuleType('six.moves')
        six.moves.cPickle = pickle
        modules.update({'six': six, 'six.moves': six.moves, 'six.moves.cPickle': pickle})
    return modules


@contextlib.contextmanager
def dlt_modules():
    """``convolutional_mlp`` imported from tests/clients/dlt with theano = symgraph; every
    sys.modules and sys.path entry restored afterwards."""
    added = _aliases()
    names = list(added) + ['convolutional_mlp', 'logistic_sgd', 'mlp']
    saved = {name: sys.modules.get(name) for name in names}
    sys.modules.update(added)
    for name in ('convolutional_mlp', 'logistic_sgd', 'mlp'):
        sys.modules.pop(name, None)
    sys.path.insert(0, str(DLT))
    try:
        import convolutional_mlp
        yield convolutional_mlp
    finally:
        sys.path.remove(str(DLT))
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def test_the_copies_are_verbatim():
    """The files keep their upstream header; nothing was edited for symgraph."""
    source = (DLT / 'convolutional_mlp.py').read_text()
    assert source.startswith('"""This tutorial introduces the LeNet5 neural network')
    assert 'from theano.tensor.signal import pool\nfrom theano.tensor.nnet import conv2d\n' \
        in source
    assert 'symgraph' not in source + (DLT / 'logistic_sgd.py').read_text() + \
        (DLT / 'mlp.py').read_text()


def test_convolutional_mlp_runs_unchanged_and_learns(tmp_path, capsys):
    symgraph.config.floatX = 'float32'  # as the tutorials are run (THEANO_FLAGS)
    dataset = write_mnist_pkl_gz(tmp_path / 'mnist.pkl.gz', n_train=1500, n_valid=500,
                                 n_test=500, seed=5)
    with dlt_modules() as convolutional_mlp:
        convolutional_mlp.evaluate_lenet5(learning_rate=0.1, n_epochs=4, dataset=str(dataset),
                                          nkerns=[20, 50], batch_size=50)
    captured = capsys.readouterr()
    errors = [float(e) for e in re.findall(r'validation error ([0-9.]+) %', captured.out)]
    assert len(errors) == 4, captured.out
    assert errors[-1] < errors[0] and errors[-1] < 40, errors
    assert 'Optimization complete.' in captured.out
    test_errors = [float(e) for e in re.findall(r'test error of best model ([0-9.]+) %',
                                                captured.out)]
    assert test_errors and test_errors[-1] < 45, captured.out
    assert 'The code for file convolutional_mlp.py ran for' in captured.err


def test_lenet_layer_shapes_and_gradients_are_those_of_the_tutorial():
    """One LeNetConvPoolLayer as the tutorial builds it: its output shape and the types of
    its gradients (a float32 model stays float32)."""
    symgraph.config.floatX = 'float32'
    with dlt_modules() as convolutional_mlp:
        import theano.tensor as T
        x = T.tensor4('x')
        layer = convolutional_mlp.LeNetConvPoolLayer(np.random.RandomState(0), x,
                                                     filter_shape=(6, 1, 5, 5),
                                                     image_shape=(4, 1, 28, 28))
        assert layer.output.static_shape == (4, 6, 12, 12)
        grads = T.grad(layer.output.sum(), layer.params)
        assert [str(g.type) for g in grads] == ['TensorType(float32, 4D)',
                                                'TensorType(float32, vector)']
        f = symgraph.function([x], [layer.output] + grads)
        out, gw, gb = f(np.random.RandomState(1).rand(4, 1, 28, 28).astype('float32'))
        assert out.shape == (4, 6, 12, 12) and gw.shape == (6, 1, 5, 5) and gb.shape == (6,)
        with pytest.raises(ValueError, match='input_shape'):
            f(np.zeros((5, 1, 28, 28), dtype='float32'))
