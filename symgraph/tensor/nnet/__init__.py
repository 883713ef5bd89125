"""Neural-network ops (``T.nnet``): sigmoid, softplus, relu, softmax, log-softmax and the
cross-entropies; convolutions (abstract_conv.py, and the legacy conv.py)."""
import warnings

import jax
import jax.numpy as jnp

from symgraph.graph.basic import Apply, Op
from symgraph.tensor import elemwise as ew
from symgraph.tensor.basic import arange
from symgraph.tensor.reduction import sum as reduce_sum
from symgraph.tensor.shape import shape
from symgraph.tensor.subtensor import AdvancedIncSubtensor, AdvancedSubtensor
from symgraph.tensor.type import FLOAT_DTYPES, TensorType, upcast_to_float
from symgraph.tensor.var import as_tensor_variable

sigmoid, softplus = ew.sigmoid, ew.softplus


def relu(x, alpha=0):
    """``0.5 * (x + abs(x))`` as Theano builds it; a leaky slope with ``alpha``."""
    if alpha == 0:
        return 0.5 * (x + abs(x))
    f1 = 0.5 * (1 + alpha)
    f2 = 0.5 * (1 - alpha)
    return f1 * x + f2 * abs(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: clip(0.2 * x + 0.5, 0, 1)."""
    return ew.clip(0.2 * x + 0.5, 0, 1)


def _row_op_node(op, x):
    x = as_tensor_variable(x)
    if x.ndim not in (1, 2):
        raise TypeError('%s works on vectors or matrices (one distribution per row); %s has '
                        '%d dimensions' % (op, x, x.ndim))
    dtype = x.dtype if x.dtype in FLOAT_DTYPES else upcast_to_float(x.dtype)
    node = Apply(op, [x], [TensorType(dtype, x.broadcastable)])
    node.outputs[0].static_shape = x.static_shape
    return node


class Softmax(Op):
    """Row-wise softmax of a matrix (a vector is one row)."""

    def make_node(self, x):
        return _row_op_node(self, x)

    def jax_impl(self, node, x):
        return jax.nn.softmax(x.astype(node.outputs[0].dtype), axis=-1)

    def grad(self, node, output_grads):
        return [SoftmaxGrad()(output_grads[0], node.outputs[0])]


class SoftmaxGrad(Op):
    """Gradient of softmax: ``(dy - sum(dy * sm, -1)) * sm`` for output ``sm``."""

    def make_node(self, dy, sm):
        dy, sm = as_tensor_variable(dy), as_tensor_variable(sm)
        return Apply(self, [dy, sm], [sm.type])

    def jax_impl(self, node, dy, sm):
        return (dy - jnp.sum(dy * sm, axis=-1, keepdims=True)) * sm

    def grad(self, node, output_grads):
        dy, sm = node.inputs
        (g,) = output_grads
        # d/d(dy): (g - sum(g*sm)) * sm;  d/d(sm): g*(dy - s) - sum(g*sm)*dy
        g_sm = ew.mul(g, sm)
        sum_g_sm = reduce_sum(g_sm, axis=-1, keepdims=True)
        s = reduce_sum(ew.mul(dy, sm), axis=-1, keepdims=True)
        g_dy = ew.mul(ew.sub(g, sum_g_sm), sm)
        g_out = ew.sub(ew.mul(g, ew.sub(dy, s)), ew.mul(sum_g_sm, dy))
        return [g_dy, g_out]


class LogSoftmax(Op):
    """Row-wise log-softmax, computed stably."""

    def make_node(self, x):
        return _row_op_node(self, x)

    def jax_impl(self, node, x):
        return jax.nn.log_softmax(x.astype(node.outputs[0].dtype), axis=-1)

    def grad(self, node, output_grads):
        (gout,) = output_grads
        sm = ew.exp(node.outputs[0])
        return [ew.sub(gout, ew.mul(sm, reduce_sum(gout, axis=-1, keepdims=True)))]


softmax_op = Softmax()
logsoftmax_op = LogSoftmax()


def softmax(x, axis=None):
    """Row-wise softmax (``axis=-1``); ``softmax(z.T).T`` gives column-wise, as in LXMLS."""
    x = as_tensor_variable(x)
    if axis not in (None, -1, x.ndim - 1):
        raise ValueError('softmax works along the last axis; for columns use softmax(z.T).T')
    return softmax_op(x)


def log_softmax(x):
    return logsoftmax_op(x)


logsoftmax = log_softmax  # Theano 1.0's name


def categorical_crossentropy(coding_dist, true_dist):
    """Per-row cross-entropy: ``true_dist`` is an int class vector or a one-hot/probability matrix."""
    coding_dist = as_tensor_variable(coding_dist)
    true_dist = as_tensor_variable(true_dist)
    if true_dist.ndim == coding_dist.ndim:
        return ew.neg(reduce_sum(ew.mul(true_dist, ew.log(coding_dist)),
                                 axis=coding_dist.ndim - 1))
    if true_dist.ndim == coding_dist.ndim - 1:
        return crossentropy_categorical_1hot(coding_dist, true_dist)
    raise TypeError('categorical_crossentropy: true_dist %s (%dd) must be a class vector or a '
                    'matrix like coding_dist %s (%dd)'
                    % (true_dist, true_dist.ndim, coding_dist, coding_dist.ndim))


class CrossentropyCategorical1Hot(Op):
    """``-log(coding_dist[i, true_idx[i]])`` for each row i."""

    def make_node(self, coding_dist, true_idx):
        coding_dist, true_idx = as_tensor_variable(coding_dist), as_tensor_variable(true_idx)
        if coding_dist.ndim != 2 or true_idx.ndim != 1 or true_idx.dtype not in ew.DISCRETE_DTYPES:
            raise TypeError('CrossentropyCategorical1Hot takes a matrix and an integer vector, '
                            'got %s (%s) and %s (%s)' % (coding_dist, coding_dist.type, true_idx,
                                                        true_idx.type))
        return Apply(self, [coding_dist, true_idx],
                     [TensorType(coding_dist.dtype, (coding_dist.broadcastable[0],))])

    def jax_impl(self, node, coding_dist, true_idx):
        rows = jnp.arange(coding_dist.shape[0])
        return -jnp.log(coding_dist[rows, true_idx])

    def grad(self, node, output_grads):
        coding_dist, true_idx = node.inputs
        (gout,) = output_grads
        rows = arange(shape(coding_dist)[0])
        picked = AdvancedSubtensor(('array', 'array'))(coding_dist, rows, true_idx)
        g = AdvancedIncSubtensor(('array', 'array'), False)(
            ew.zeros_like(coding_dist), ew.neg(ew.true_div(gout, picked)), rows, true_idx)
        return [g, None]


crossentropy_categorical_1hot = CrossentropyCategorical1Hot()


def binary_crossentropy(output, target):
    """``-(target * log(output) + (1 - target) * log(1 - output))``."""
    return ew.neg(ew.add(ew.mul(target, ew.log(output)),
                         ew.mul(ew.sub(1.0, target), ew.log(ew.sub(1.0, output)))))


def sigmoid_binary_crossentropy(output, target):
    """Binary cross-entropy from logits, computed stably."""
    return ew.add(ew.mul(ew.sub(1.0, target), output), softplus(ew.neg(output)))


# ---------------------------------------------------------------------------------------
# Convolution: ``theano.tensor.nnet.conv2d`` and friends (the ops are in abstract_conv.py)
# ---------------------------------------------------------------------------------------

from symgraph.tensor.nnet import abstract_conv, conv  # noqa: E402
from symgraph.tensor.nnet.abstract_conv import (  # noqa: E402
    conv2d_grad_wrt_inputs, conv3d, AbstractConv2d, AbstractConv3d,
    AbstractConv2d_gradInputs, AbstractConv2d_gradWeights, AbstractConv3d_gradInputs,
    AbstractConv3d_gradWeights)


def conv2d(input, filters, input_shape=None, filter_shape=None, border_mode='valid',
           subsample=(1, 1), filter_flip=True, image_shape=None, filter_dilation=(1, 1),
           num_groups=1, unshared=False, **kwargs):
    """Convolve a mini-batch of feature-map stacks (batch, channels, rows, columns) with
    filters (output channels, input channels / num_groups, rows, columns), as Theano's
    ``T.nnet.conv2d``: a true convolution (the filters are flipped) unless
    ``filter_flip=False``; ``border_mode`` 'valid', 'full', 'half', an int or a pair (of
    ints or of (before, after) pairs); ``subsample`` the strides; ``filter_dilation``;
    ``num_groups``; ``unshared`` for a locally connected layer (filters of shape
    (output channels, output rows, output columns, input channels, rows, columns)).
    ``input_shape``/``filter_shape`` (None for unknown entries) are checked against the
    real shapes. ``image_shape`` is the deprecated name of ``input_shape``."""
    if 'imshp_logical' in kwargs or 'kshp_logical' in kwargs:
        raise ValueError(
            "Keyword arguments 'imshp_logical' and 'kshp_logical' for conv2d are not "
            "supported anymore (and have not been a reliable way to perform upsampling). "
            "That feature is still available by calling theano.tensor.nnet.conv.conv2d() "
            "for the time being.")
    if kwargs:
        warnings.warn(str(kwargs.keys()) + " are now deprecated in "
                      "`tensor.nnet.abstract_conv.conv2d` interface and will be ignored.",
                      stacklevel=2)
    if image_shape is not None:
        warnings.warn("The `image_shape` keyword argument to `tensor.nnet.conv2d` is "
                      "deprecated, it has been renamed to `input_shape`.", stacklevel=2)
        if input_shape is None:
            input_shape = image_shape
        else:
            raise ValueError('input_shape and image_shape should not be provided at the '
                             'same time.')
    return abstract_conv.conv2d(input, filters, input_shape, filter_shape, border_mode,
                                subsample, filter_flip, filter_dilation, num_groups,
                                unshared)


def conv2d_transpose(input, filters, output_shape, filter_shape=None, border_mode='valid',
                     input_dilation=(1, 1), filter_flip=True, filter_dilation=(1, 1),
                     num_groups=1, unshared=False):
    """The transposed convolution ("deconvolution") of ``input`` to ``output_shape``:
    ``conv2d_grad_wrt_inputs`` with the forward convolution's parameters."""
    return conv2d_grad_wrt_inputs(output_grad=input, filters=filters,
                                  input_shape=output_shape, filter_shape=filter_shape,
                                  border_mode=border_mode, subsample=input_dilation,
                                  filter_flip=filter_flip, filter_dilation=filter_dilation,
                                  num_groups=num_groups, unshared=unshared)
