"""Convolution: ``T.nnet.conv2d`` (abstract), ``conv3d``, the gradient ops and the
transposed convolution, the legacy ``T.nnet.conv.conv2d``; values and gradients against
Theano 1.0.5 (goldens) and finite differences, printing, and the shape-hint checks."""
import warnings

import numpy as np
import pytest

import nnet_cases
from nnet_goldens import check_debugprint, check_values, names

import symgraph as theano
import symgraph.tensor as T
from symgraph.tensor.nnet import abstract_conv
from symgraph.testing import verify_grad


@pytest.mark.parametrize('name', names(['conv_', 'conv3d_']))
def test_values_and_gradients_match_theano(name):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_values(name)


@pytest.mark.parametrize('name', names(['dp_conv'], nnet_cases.DEBUGPRINT_CASES))
def test_debugprint_matches_theano(name):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_debugprint(name)


# ---------------------------------------------------------------------------------------
# Finite differences (symgraph.testing.verify_grad), first and second derivatives
# ---------------------------------------------------------------------------------------

FD_CASES = {
    'valid': dict(),
    'full_subsample': dict(border_mode='full', subsample=(2, 1)),
    'half_dilation_noflip': dict(border_mode='half', filter_dilation=(2, 1), filter_flip=False),
    'asymmetric_groups': dict(border_mode=((1, 0), 2), num_groups=2, subsample=(1, 2)),
}


@pytest.mark.parametrize('name', sorted(FD_CASES))
def test_gradients_match_finite_differences(name):
    rng = np.random.RandomState(3)
    kwargs = FD_CASES[name]
    groups = kwargs.get('num_groups', 1)
    x = rng.uniform(-1, 1, (2, 2, 5, 4))
    w = rng.uniform(-1, 1, (2, 2 // groups, 3, 2))
    verify_grad(lambda x, w: T.nnet.conv2d(x, w, **kwargs), [x, w], rng=rng)
    # second derivatives: the gradient ops differentiated
    verify_grad(lambda x, w: T.grad(T.sum(T.nnet.conv2d(x, w, **kwargs) ** 2), x), [x, w],
                rng=rng)
    verify_grad(lambda x, w: T.grad(T.sum(T.nnet.conv2d(x, w, **kwargs) ** 2), w), [x, w],
                rng=rng)


def test_conv3d_and_unshared_gradients_match_finite_differences():
    rng = np.random.RandomState(4)
    verify_grad(lambda x, w: T.nnet.conv3d(x, w, border_mode='half', subsample=(1, 2, 1)),
                [rng.uniform(-1, 1, (1, 2, 3, 4, 3)), rng.uniform(-1, 1, (2, 2, 2, 3, 2))],
                rng=rng)
    verify_grad(lambda x, w: T.nnet.conv2d(x, w, unshared=True, border_mode=1),
                [rng.uniform(-1, 1, (1, 2, 4, 3)), rng.uniform(-1, 1, (2, 4, 4, 2, 3, 2))],
                rng=rng)


def test_transposed_convolution_is_the_adjoint_of_the_convolution():
    """<conv(x, w), y> == <x, conv2d_grad_wrt_inputs(y, w)> for every option."""
    rng = np.random.RandomState(5)
    x, w, y = T.tensor4('x'), T.tensor4('w'), T.tensor4('y')
    kwargs = dict(border_mode=(2, 1), subsample=(2, 3), filter_dilation=(1, 2), num_groups=2,
                  filter_flip=False)
    out = T.nnet.conv2d(x, w, **kwargs)
    back = abstract_conv.conv2d_grad_wrt_inputs(y, w, input_shape=(2, 4, 9, 10), **kwargs)
    f = theano.function([x, w, y], [T.sum(out * y), T.sum(x * back), out.shape])
    xv, wv, yv = rng.randn(2, 4, 9, 10), rng.randn(4, 2, 3, 2), rng.randn(2, 4, 6, 4)
    a, b, shape = f(xv, wv, yv)
    assert tuple(shape) == yv.shape
    assert np.allclose(a, b)


# ---------------------------------------------------------------------------------------
# Shape hints, parameters, errors
# ---------------------------------------------------------------------------------------

def test_shape_hints_are_checked_when_the_graph_is_built():
    x = theano.shared(np.zeros((2, 3, 8, 8)), name='x')
    w = T.tensor4('w')
    with pytest.raises(ValueError, match=r'AbstractConv2d shape mismatch: the image has shape '
                       r'\(2, 3, 8, 8\) but input_shape \(imshp\) says \(2, 3, 9, 8\) '
                       r'\(dimension 2 is 8, not 9\)'):
        T.nnet.conv2d(x, w, input_shape=(2, 3, 9, 8))


def test_shape_hints_are_checked_against_the_real_shapes():
    x, w = T.tensor4('x'), T.tensor4('w')
    out = T.nnet.conv2d(x, w, input_shape=(None, 3, 8, 8), filter_shape=(4, 3, 3, 3))
    f = theano.function([x, w], out)
    assert f(np.zeros((5, 3, 8, 8)), np.zeros((4, 3, 3, 3))).shape == (5, 4, 6, 6)
    with pytest.raises(ValueError, match=r'the filters have shape \(4, 3, 2, 3\) but '
                       r'filter_shape \(kshp\) says \(4, 3, 3, 3\)') as err:
        f(np.zeros((5, 3, 8, 8)), np.zeros((4, 3, 2, 3)))
    assert 'Backtrace when the node was created' in str(err.value)
    with pytest.raises(ValueError, match='the image has shape'):
        f(np.zeros((5, 3, 7, 8)), np.zeros((4, 3, 3, 3)))


def test_channels_must_agree():
    x, w = T.tensor4('x'), T.tensor4('w')
    f = theano.function([x, w], T.nnet.conv2d(x, w, num_groups=2))
    with pytest.raises(ValueError, match='the filters have 3 input channels, but the input '
                       'has 4 channels in 2 groups'):
        f(np.zeros((1, 4, 5, 5)), np.zeros((2, 3, 2, 2)))
    with pytest.raises(ValueError, match=r'number of filters \(3\) must be divisible by '
                       r'num_groups \(2\)'):
        f(np.zeros((1, 4, 5, 5)), np.zeros((3, 2, 2, 2)))


def test_output_type_and_static_shape():
    x = T.TensorType('float32', (False, True, False, False))('x')
    w = T.TensorType('float32', (True, False, False, False))('w')
    out = T.nnet.conv2d(x, w, input_shape=(4, 1, 9, 9), filter_shape=(1, 1, 3, 3),
                        border_mode='half', subsample=(2, 2))
    assert str(out.type) == 'TensorType(float32, (False, True, False, False))'
    assert out.static_shape == (4, 1, 5, 5)
    with pytest.raises(TypeError, match='cannot hold without losing precision'):
        T.nnet.conv2d(x, T.tensor4('w64'))
    with pytest.raises(TypeError, match='img must be 4D tensor'):
        T.nnet.conv2d(T.matrix('m'), w)


@pytest.mark.parametrize('kwargs, error, message', [
    (dict(border_mode='same'), ValueError, 'invalid border_mode same'),
    (dict(border_mode=-1), ValueError, 'invalid border_mode -1'),
    (dict(border_mode=(1, 2, 3)), ValueError, 'must be a tuple of length 2'),
    (dict(subsample=(1,)), ValueError, 'subsample must have 2 elements'),
    (dict(filter_dilation=(1, 1, 1)), ValueError, 'filter_dilation must have 2 elements'),
    (dict(num_groups=0), ValueError, 'num_groups must have value greater than zero'),
    (dict(input_shape=(1, 2, T.iscalar(), 4)), ValueError, 'imshp should be None or a tuple'),
])
def test_parameter_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        T.nnet.conv2d(T.tensor4('x'), T.tensor4('w'), **kwargs)


def test_deprecated_image_shape_and_ignored_arguments_warn():
    x, w = T.tensor4('x'), T.tensor4('w')
    with pytest.warns(UserWarning, match='`image_shape` keyword argument to '
                      '`tensor.nnet.conv2d` is deprecated'):
        out = T.nnet.conv2d(x, w, image_shape=(1, 1, 5, 5))
    assert out.owner.op.imshp == (1, 1, 5, 5)
    with pytest.warns(UserWarning, match='are now deprecated'):
        T.nnet.conv2d(x, w, unroll_batch=2)
    with pytest.raises(ValueError, match="'imshp_logical' and 'kshp_logical'"):
        T.nnet.conv2d(x, w, imshp_logical=(1, 5, 5))


def test_legacy_conv2d_warns_and_checks_its_shapes():
    x, w = T.tensor4('x'), T.tensor4('w')
    with pytest.warns(UserWarning, match='theano.tensor.nnet.conv.conv2d is deprecated'):
        out = T.nnet.conv.conv2d(x, w, image_shape=(2, 1, 6, 6), filter_shape=(3, 1, 3, 3))
    f = theano.function([x, w], out)
    with pytest.raises(ValueError, match='image shape provided at build time'):
        f(np.zeros((2, 1, 7, 6)), np.zeros((3, 1, 3, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        strided = T.nnet.conv.conv2d(x, w, subsample=(2, 2))
    with pytest.raises(NotImplementedError, match="disabled for 'valid' convolutions"):
        T.grad(strided.sum(), x)


def test_legacy_conv_op_with_a_logical_kernel():
    """ConvOp's zero-inserted ("logical") kernels: Theano's C code computes
    conv(img, upsampled kernel); kshp_logical_top_aligned=False aligns it to the bottom."""
    rng = np.random.RandomState(6)
    img, kern = rng.randn(2, 1, 8, 7), rng.randn(3, 1, 2, 2)
    x, w = T.tensor4('x'), T.tensor4('w')
    for top in (True, False):
        op = T.nnet.conv.ConvOp(imshp=(1, 8, 7), kshp=(2, 2), nkern=3, bsize=2,
                                kshp_logical=(4, 3), kshp_logical_top_aligned=top)
        got = theano.function([x, w], op(x, w))(img, kern)
        logical = np.zeros((3, 1, 4, 3))
        if top:
            logical[:, :, ::2, ::2] = kern
        else:
            logical[:, :, 1::2, ::2] = kern
        want = theano.function([x, w], T.nnet.conv2d(x, w))(img, logical)
        np.testing.assert_allclose(got, want, rtol=1e-12)
