"""Neural-network ops (``T.nnet``): sigmoid, softplus, relu, softmax, log-softmax and the
cross-entropies; convolutions (abstract_conv.py, and the legacy conv.py)."""
import warnings

import jax
import jax.numpy as jnp

from symgraph.graph.basic import Apply, Op, Variable
from symgraph.tensor import elemwise as ew
from symgraph.tensor.basic import arange
from symgraph.tensor.reduction import sum as reduce_sum
from symgraph.tensor.shape import shape
from symgraph.tensor.subtensor import AdvancedIncSubtensor, AdvancedSubtensor
from symgraph.tensor.type import FLOAT_DTYPES, TensorType, upcast_to_float
from symgraph.tensor.var import as_tensor_variable, constant

DimShuffle = ew.DimShuffle

sigmoid, softplus = ew.sigmoid, ew.softplus


def relu(x, alpha=0):
    """``0.5 * (x + abs(x))`` as Theano builds it; a leaky slope ``alpha`` (a number or a
    symbolic scalar) gives ``0.5 * (1 + alpha) * x + 0.5 * (1 - alpha) * abs(x)``."""
    if not isinstance(alpha, Variable) and alpha == 0:
        return 0.5 * (x + abs(x))
    alpha = as_tensor_variable(alpha)
    f1 = 0.5 * (1 + alpha)
    f2 = 0.5 * (1 - alpha)
    return f1 * x + f2 * abs(x)


def hard_sigmoid(x):
    """Piecewise-linear sigmoid: ``clip(x * 0.2 + 0.5, 0, 1)``, computed in x's float dtype."""
    x = as_tensor_variable(x)
    dtype = upcast_to_float(x.dtype)
    slope = constant(0.2, dtype=dtype)
    shift = constant(0.5, dtype=dtype)
    return ew.clip(x * slope + shift, 0, 1)


def elu(x, alpha=1):
    """Exponential linear unit: ``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    x = as_tensor_variable(x)
    return ew.switch(x > 0, x, alpha * ew.expm1(x))


def selu(x):
    """Scaled exponential linear unit (Klambauer et al., 2017)."""
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return scale * elu(x, alpha)


def _g_softsign(inputs, out, gout):
    d = ew.g_add(1.0, ew.g_abs(inputs[0]))
    return [ew.g_true_div(gout, ew.g_mul(d, d))]


scalar_softsign = ew._scalar('scalar_softsign', 1, lambda x: x / (1.0 + jnp.abs(x)),
                             ew._float_out, grad=_g_softsign)
softsign = ew.Elemwise(scalar_softsign, name='softsign')  # x / (1 + |x|)


def _ultra_fast_tanh_half(x):
    """Theano's piecewise approximation of tanh(x / 2), and its derivative in x."""
    t = jnp.abs(0.5 * x)
    z = jnp.where(t < 1.7, 1.5 * t / (1 + t),
                  jnp.where(t < 3, 0.935409070603099 + 0.0458812946797165 * (t - 1.7),
                            0.99505475368673))
    dz = jnp.where(t < 1.7, 1.5 / ((1 + t) * (1 + t)),
                   jnp.where(t < 3, 0.0458812946797165, 0.0))
    return jnp.sign(x) * z, 0.5 * dz


def _jax_ultra_fast_sigmoid(x):
    return 0.5 * (_ultra_fast_tanh_half(x)[0] + 1.0)


def _jax_ultra_fast_sigmoid_grad(x):
    return 0.5 * _ultra_fast_tanh_half(x)[1]


def _g_ultra_fast_sigmoid(inputs, out, gout):
    """Theano gives none; here, the derivative of the approximation (not of sigmoid)."""
    return [ew.g_mul(gout, _ultra_fast_sigmoid_slope(inputs[0]))]


scalar_ultra_fast_sigmoid = ew._scalar('ultra_fast_scalar_sigmoid', 1, _jax_ultra_fast_sigmoid,
                                       ew._float_out, grad=_g_ultra_fast_sigmoid)
#: A fast, less precise sigmoid (Theano's: piecewise rational, 2-3 digits).
ultra_fast_sigmoid = ew.Elemwise(scalar_ultra_fast_sigmoid, name='ultra_fast_sigmoid')
_ultra_fast_sigmoid_slope = ew.Elemwise(ew._scalar(
    'ultra_fast_scalar_sigmoid_grad', 1, _jax_ultra_fast_sigmoid_grad, ew._float_out))


def _row_op_node(op, x):
    x = as_tensor_variable(x)
    if x.ndim not in (1, 2):
        raise TypeError('%s works on vectors or matrices (one distribution per row); %s has '
                        '%d dimensions' % (op, x, x.ndim))
    if x.ndim == 1:  # as Theano 1.0.5 does: a (1, n) row, with its warning
        warnings.warn('DEPRECATION: If x is a vector, %s will not automatically pad x anymore '
                      'in next releases. If you need it, please do it manually. The vector '
                      'case is gonna be supported soon and the output will be a vector.' % op,
                      stacklevel=4)
        x = DimShuffle(x.broadcastable, ('x', 0))(x)
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
# Softmax with a bias, and the fused softmax cross-entropy of Theano's classifiers
# ---------------------------------------------------------------------------------------

def _float_matrix_and_vector(x, b):
    x, b = as_tensor_variable(x), as_tensor_variable(b)
    if x.ndim != 2 or x.dtype not in FLOAT_DTYPES:
        raise ValueError('x must be 2-d tensor of floats', x.type)
    if b.ndim != 1 or b.dtype not in FLOAT_DTYPES:
        raise ValueError('b must be 1-d tensor of floats', b.type)
    return x, b


def _check_bias(x, b):
    if b.shape[0] != x.shape[1]:
        raise ValueError('b must have same number of columns as x: x has shape %s, b %s'
                         % (tuple(x.shape), tuple(b.shape)))


class SoftmaxWithBias(Op):
    """``softmax(x + b)`` row by row, for a matrix ``x`` and a vector ``b``."""

    def make_node(self, x, b):
        x, b = _float_matrix_and_vector(x, b)
        node = Apply(self, [x, b], [x.type])
        node.outputs[0].static_shape = x.static_shape
        return node

    def jax_impl(self, node, x, b):
        _check_bias(x, b)
        return jax.nn.softmax(x + b[None, :].astype(x.dtype), axis=-1)

    def grad(self, node, output_grads):
        (g_sm,) = output_grads
        dx = SoftmaxGrad()(g_sm, node.outputs[0])
        return [dx, reduce_sum(dx, axis=0)]


softmax_with_bias = SoftmaxWithBias()


class CrossentropySoftmaxArgmax1HotWithBias(Op):
    """Three outputs for classifier rows ``x + b`` and integer targets ``y_idx``: the
    negative log-likelihood of each row's target under ``softmax(x + b)`` (computed
    stably), that softmax, and each row's argmax."""

    wants_lowering = True

    def make_node(self, x, b, y_idx):
        x, b = _float_matrix_and_vector(x, b)
        y_idx = as_tensor_variable(y_idx)
        if y_idx.ndim != 1 or y_idx.dtype not in ew.DISCRETE_DTYPES:
            raise ValueError('y_idx must be 1-d tensor of [u]ints', y_idx.type)
        node = Apply(self, [x, b, y_idx], [TensorType(x.dtype, y_idx.broadcastable), x.type,
                                           y_idx.type])
        node.outputs[0].static_shape = x.static_shape[:1]
        node.outputs[1].static_shape = x.static_shape
        node.outputs[2].static_shape = y_idx.static_shape
        return node

    def jax_impl(self, node, x, b, y_idx, lowering):
        _check_bias(x, b)
        if y_idx.shape[0] != x.shape[0]:
            raise ValueError('number of rows in x (%d) does not match length of y (%d)'
                             % (x.shape[0], y_idx.shape[0]))
        lowering.check_index(node, 1, y_idx, x.shape[1])
        row = x + b[None, :].astype(x.dtype)
        am = jnp.argmax(row, axis=1).astype(y_idx.dtype)
        log_sm = jax.nn.log_softmax(row, axis=1)
        nll = -jnp.take_along_axis(log_sm, y_idx[:, None].astype('int64'), axis=1)[:, 0]
        return nll, jnp.exp(log_sm), am

    def grad(self, node, output_grads):
        x, b, y_idx = node.inputs
        g_nll, g_sm, _ = output_grads
        dx_terms, db_terms = [], []
        if g_nll is not None:
            _, sm = crossentropy_softmax_1hot_with_bias(x, b, y_idx)
            dx = crossentropy_softmax_1hot_with_bias_dx(g_nll, sm, y_idx)
            dx_terms.append(dx)
            db_terms.append(reduce_sum(dx, axis=[0]))
        if g_sm is not None:
            dx, db = softmax_with_bias.grad(softmax_with_bias(x, b).owner, [g_sm])
            dx_terms.append(dx)
            db_terms.append(db)

        def fancy_sum(terms):
            if not terms:
                return None
            total = terms[0]
            for term in terms[1:]:
                total = total + term
            return total
        return [fancy_sum(dx_terms), fancy_sum(db_terms), None]


crossentropy_softmax_argmax_1hot_with_bias = CrossentropySoftmaxArgmax1HotWithBias()


class CrossentropySoftmax1HotWithBiasDx(Op):
    """The gradient of that negative log-likelihood with respect to ``x``:
    ``dy[i] * (sm[i] - onehot(y_idx[i]))``."""

    def make_node(self, dy, sm, y_idx):
        dy, sm, y_idx = (as_tensor_variable(v) for v in (dy, sm, y_idx))
        if dy.ndim > 1 or dy.dtype not in FLOAT_DTYPES:
            raise ValueError('dy must be {0,1}-d tensor of floats', dy.type)
        if sm.ndim != 2 or sm.dtype not in FLOAT_DTYPES:
            raise ValueError('sm must be 2-d tensor of floats', sm.type)
        if y_idx.ndim != 1 or y_idx.dtype not in ew.DISCRETE_DTYPES:
            raise ValueError('y_idx must be 1-d tensor of [u]ints', y_idx.type)
        node = Apply(self, [dy, sm, y_idx], [sm.type])
        node.outputs[0].static_shape = sm.static_shape
        return node

    def jax_impl(self, node, dy, sm, y_idx):
        dy = jnp.broadcast_to(jnp.reshape(dy, (-1,)), (sm.shape[0],)).astype(sm.dtype)
        onehot = jax.nn.one_hot(y_idx, sm.shape[1], dtype=sm.dtype)
        return dy[:, None] * (sm - onehot)

    def grad(self, node, output_grads):
        dy, sm, y_idx = node.inputs
        (g_dx,) = output_grads
        y_idx_range = arange(shape(y_idx)[0])
        g_dy = reduce_sum(ew.mul(g_dx, AdvancedIncSubtensor(('array', 'array'), False)(
            sm, ew.fill(dy, -1), y_idx_range, y_idx)), axis=1)
        g_sm = ew.mul(dy.dimshuffle(0, 'x'), g_dx)
        return [g_dy, g_sm, None]


crossentropy_softmax_1hot_with_bias_dx = CrossentropySoftmax1HotWithBiasDx()


def crossentropy_softmax_1hot_with_bias(x, b, y_idx):
    """(negative log-likelihood of the targets, softmax(x + b))."""
    return crossentropy_softmax_argmax_1hot_with_bias(x, b, y_idx)[0:2]


def crossentropy_softmax_1hot(x, y_idx):
    """(negative log-likelihood of the targets, softmax(x)), with a zero bias."""
    x = as_tensor_variable(x)
    return crossentropy_softmax_1hot_with_bias(x, ew.zeros_like(x[0, :]), y_idx)


def crossentropy_softmax_max_and_argmax_1hot_with_bias(x, b, y_idx):
    """(nll, softmax, max probability, argmax) of each row."""
    from symgraph.tensor.reduction import max_and_argmax
    xent, softmax_out = crossentropy_softmax_1hot_with_bias(x, b, y_idx)
    max_pr, argmax = max_and_argmax(softmax_out, axis=-1)
    return xent, softmax_out, max_pr, argmax


def crossentropy_softmax_max_and_argmax_1hot(x, y_idx):
    x = as_tensor_variable(x)
    return crossentropy_softmax_max_and_argmax_1hot_with_bias(x, ew.zeros_like(x[0, :]),
                                                              y_idx)


def h_softmax(x, batch_size, n_outputs, n_classes, n_outputs_per_class, W1, b1, W2, b2,
              target=None):
    """Two-level hierarchical softmax: ``n_classes`` classes of ``n_outputs_per_class``
    outputs each; ``W1`` (n_in, n_classes), ``b1`` (n_classes,), ``W2`` (n_classes, n_in,
    n_outputs_per_class), ``b2`` (n_classes, n_outputs_per_class). Without ``target``, the
    probability of every output (batch_size, n_outputs); with an integer ``target`` per
    row, the probability of that output only (computed from its class alone; Theano uses
    a sparse block product there, which prints differently)."""
    from symgraph.tensor.basic import dot, tensordot
    x = as_tensor_variable(x)
    class_probs = softmax(dot(x, W1) + b1)
    if target is None:
        activations = tensordot(x, W2, (1, 1)) + b2
        output_probs = softmax(activations.reshape((-1, n_outputs_per_class)))
        output_probs = output_probs.reshape((batch_size, n_classes, -1))
        output_probs = class_probs.dimshuffle(0, 1, 'x') * output_probs
        output_probs = output_probs.reshape((batch_size, -1))
        return output_probs[:, :n_outputs]
    target = as_tensor_variable(target).flatten()
    target_classes = target // n_outputs_per_class
    target_outputs_in_class = target % n_outputs_per_class
    W2, b2 = as_tensor_variable(W2), as_tensor_variable(b2)
    activations = reduce_sum(x.dimshuffle(0, 1, 'x') * W2[target_classes], axis=1) + \
        b2[target_classes]
    output_probs = softmax(activations)
    rows = arange(batch_size)
    target_class_probs = class_probs[rows, target_classes]
    output_probs = output_probs[rows, target_outputs_in_class]
    return target_class_probs * output_probs


# ---------------------------------------------------------------------------------------
# Convolution: ``theano.tensor.nnet.conv2d`` and friends (the ops are in abstract_conv.py)
# ---------------------------------------------------------------------------------------

from symgraph.tensor.nnet import abstract_conv, bn, conv, neighbours  # noqa: E402
from symgraph.tensor.nnet.bn import batch_normalization  # noqa: E402
from symgraph.tensor.nnet.neighbours import images2neibs, neibs2images  # noqa: E402
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


__all__ = [
    # activations
    'sigmoid', 'softplus', 'relu', 'hard_sigmoid', 'ultra_fast_sigmoid', 'elu', 'selu',
    'softsign',
    # softmax and cross-entropies
    'Softmax', 'SoftmaxGrad', 'LogSoftmax', 'softmax', 'softmax_op', 'log_softmax',
    'logsoftmax', 'logsoftmax_op', 'SoftmaxWithBias', 'softmax_with_bias',
    'categorical_crossentropy', 'CrossentropyCategorical1Hot', 'crossentropy_categorical_1hot',
    'binary_crossentropy', 'sigmoid_binary_crossentropy',
    'CrossentropySoftmaxArgmax1HotWithBias', 'CrossentropySoftmax1HotWithBiasDx',
    'crossentropy_softmax_argmax_1hot_with_bias', 'crossentropy_softmax_1hot_with_bias',
    'crossentropy_softmax_1hot_with_bias_dx', 'crossentropy_softmax_1hot',
    'crossentropy_softmax_max_and_argmax_1hot_with_bias',
    'crossentropy_softmax_max_and_argmax_1hot', 'h_softmax',
    # convolution, batch normalization, neighbourhoods
    'abstract_conv', 'conv', 'bn', 'neighbours', 'conv2d', 'conv3d', 'conv2d_transpose',
    'conv2d_grad_wrt_inputs', 'AbstractConv2d', 'AbstractConv3d', 'AbstractConv2d_gradInputs',
    'AbstractConv2d_gradWeights', 'AbstractConv3d_gradInputs', 'AbstractConv3d_gradWeights',
    'batch_normalization', 'images2neibs', 'neibs2images']
