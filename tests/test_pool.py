"""Pooling: ``pool_2d``, ``pool_3d``, ``max_pool_2d_same_size``, the gradient ops
``MaxPoolGrad``/``AveragePoolGrad`` and ``DownsampleFactorMaxGradGrad``; values and
gradients against Theano 1.0.5 (goldens) and finite differences, printing, Theano's
warnings and errors."""
import warnings

import numpy as np
import pytest

import nnet_cases
from nnet_goldens import check_debugprint, check_values, names

import symgraph as theano
import symgraph.tensor as T
from symgraph.tensor.signal import pool
from symgraph.testing import verify_grad


@pytest.mark.parametrize('name', names(['pool_']))
def test_values_and_gradients_match_theano(name):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_values(name)


@pytest.mark.parametrize('name', names(['dp_pool', 'dp_lenet'], nnet_cases.DEBUGPRINT_CASES))
def test_debugprint_matches_theano(name):
    check_debugprint(name)


@pytest.mark.parametrize('mode', ['max', 'sum', 'average_inc_pad', 'average_exc_pad'])
def test_gradients_match_finite_differences(mode):
    rng = np.random.RandomState(7)
    x = rng.permutation(2 * 2 * 6 * 5).reshape(2, 2, 6, 5) / 10.0  # no ties
    for kwargs in (dict(ws=(2, 2), ignore_border=False),
                   dict(ws=(3, 2), stride=(2, 1), ignore_border=True, pad=(1, 1))):
        verify_grad(lambda v: pool.pool_2d(v, mode=mode, **kwargs), [x], rng=rng)
        # through the gradient op (MaxPoolGrad, AveragePoolGrad)
        verify_grad(lambda v: T.grad(T.sum(pool.pool_2d(v, mode=mode, **kwargs) ** 2), v),
                    [x], rng=rng)


def test_max_pool_gradient_goes_to_every_tied_maximum():
    x = T.tensor4('x')
    g = T.grad(pool.pool_2d(x, (2, 2), ignore_border=True).sum(), x)
    value = np.array([[[[1., 1.], [0., 1.]]]])
    np.testing.assert_array_equal(theano.function([x], g)(value), [[[[1, 1], [0, 1]]]])


def test_max_pool_2d_same_size():
    x = T.tensor4('x')
    f = theano.function([x], pool.max_pool_2d_same_size(x, (2, 2)))
    value = np.arange(16.).reshape(1, 1, 4, 4)
    want = np.zeros((1, 1, 4, 4))
    want[..., 1::2, 1::2] = value[..., 1::2, 1::2]
    np.testing.assert_array_equal(f(value), want)


def test_default_ignore_border_warns_as_theano():
    x = T.tensor4('x')
    with pytest.warns(UserWarning) as record:
        out = pool.pool_2d(x, (2, 2))
    assert str(record[0].message) == (
        "pool_2d() will have the parameter ignore_border default value changed to True "
        "(currently False). To have consistent behavior with all Theano version, explicitly "
        "add the parameter ignore_border=True. On the GPU, using ignore_border=True is "
        "needed to use cuDNN. When using ignore_border=False and not using cuDNN, the only "
        "GPU combination supported is when `ws == stride and pad == (0, 0) and mode == "
        "'max'`. Otherwise, the convolution will be executed on CPU.")
    assert record[0].filename == __file__
    assert out.owner.op.ignore_border is False
    assert theano.function([x], out)(np.ones((1, 1, 5, 5))).shape == (1, 1, 3, 3)
    with pytest.warns(UserWarning, match=r'pool_3d\(\) will have the parameter'):
        pool.pool_3d(T.TensorType('float64', (False,) * 5)('v'), (2, 2, 2))


def test_deprecated_names_warn_and_conflicts_are_refused():
    x = T.tensor4('x')
    for kwargs, name in ((dict(ds=(2, 2)), 'ds'), (dict(ws=(2, 2), st=(1, 1)), 'st'),
                         (dict(ws=(3, 3), padding=(1, 1)), 'padding')):
        with pytest.warns(UserWarning, match="DEPRECATION: the '%s' parameter" % name):
            pool.pool_2d(x, ignore_border=True, **kwargs)
    with pytest.raises(ValueError, match="You can't provide a tuple value to both 'ws' and "
                       "'ds'"):
        pool.pool_2d(x, ws=(2, 2), ds=(2, 2), ignore_border=True)
    with pytest.raises(ValueError, match='You must provide a tuple value for the window size'):
        pool.pool_2d(x, ignore_border=True)
    with pytest.raises(NotImplementedError, match='padding works only with ignore_border=True'):
        pool.pool_2d(x, (3, 3), ignore_border=False, pad=(1, 1))
    with pytest.raises(NotImplementedError, match='padding must be smaller than strides'):
        pool.pool_2d(x, (2, 2), ignore_border=True, pad=(2, 0))
    with pytest.raises(ValueError, match="Pool mode parameter only support"):
        pool.pool_2d(x, (2, 2), ignore_border=True, mode='median')


def test_symbolic_window_sizes_are_worked_out_before_the_call():
    x, k = T.tensor4('x'), T.lscalar('k')
    f = theano.function([x, k], pool.pool_2d(x, T.stack([k, k]), ignore_border=True))
    value = np.arange(36.).reshape(1, 1, 6, 6)
    assert f(value, 2).shape == (1, 1, 3, 3)
    assert f(value, 3).shape == (1, 1, 2, 2)
    assert f(value, 3)[0, 0, 1, 1] == 35


def test_pooling_types():
    x = T.TensorType('float32', (True, False, False, False))('x')
    out = pool.pool_2d(x, (2, 2), ignore_border=True)
    assert str(out.type) == 'TensorType(float32, (True, False, False, False))'
    assert pool.pool_2d(T.tensor4('y'), (2, 3), ignore_border=False).dtype == 'float64'
    with pytest.raises(TypeError, match='Pool downsample parameters must be ints'):
        pool.pool_2d(x, (2.0, 2.0), ignore_border=True)
