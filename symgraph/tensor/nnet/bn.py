"""Batch normalization (``theano.tensor.nnet.bn``): ``batch_normalization`` (with given
statistics), ``batch_normalization_train`` (the batch's statistics, optionally updating
running averages) and ``batch_normalization_test`` (running statistics), built from the
ops Theano prints: the elementwise ``BNComposite``, ``AbstractBatchNormTrain``,
``AbstractBatchNormTrainGrad`` and ``AbstractBatchNormInference``. Their gradients are
Theano's formulas, so second derivatives exist too.
"""
import jax.numpy as jnp
import numpy as np

from symgraph.config import config
from symgraph.graph.basic import Apply, Op
from symgraph.tensor import elemwise as ew
from symgraph.tensor.basic import addbroadcast, patternbroadcast
from symgraph.tensor.reduction import mean as reduce_mean, sum as reduce_sum
from symgraph.tensor.type import upcast
from symgraph.tensor.var import as_tensor_variable, constant


# ---------------------------------------------------------------------------------------
# batch_normalization: one elementwise op, (x - mean) / std * gamma + beta
# ---------------------------------------------------------------------------------------

def _g_bn(inputs, out, gout):
    x, mean, std, gamma, beta = inputs
    top_gamma = ew.g_mul(gout, gamma)
    x_mean = ew.g_sub(x, mean)
    dx = ew.g_true_div(top_gamma, std)
    dmean = ew.g_neg(dx)
    dstd = ew.g_true_div(ew.g_neg(ew.g_mul(top_gamma, x_mean)), ew.g_mul(std, std))
    dgamma = ew.g_true_div(ew.g_mul(gout, x_mean), std)
    return [dx, dmean, dstd, dgamma, gout]


#: Theano's BNComposite, printed as the composite of scalar ops it is there.
scalar_bn = ew._scalar('Composite{((((i0 - i1) / i2) * i3) + i4)}', 5,
                       lambda x, mean, std, gamma, beta: (x - mean) / std * gamma + beta,
                       grad=_g_bn)
_elemwise_bn = ew.Elemwise(scalar_bn)


def batch_normalization(inputs, gamma, beta, mean, std, mode='low_mem'):
    """``(inputs - mean) / std * gamma + beta`` for parameters that broadcast against
    ``inputs``: one elementwise op ('low_mem') or the expression itself ('high_mem')."""
    inputs = as_tensor_variable(inputs)
    if mode == 'low_mem':
        return _elemwise_bn(inputs, mean, std, gamma, beta)
    if mode == 'high_mem':
        return (inputs - mean) * (gamma / std) + beta
    raise ValueError('mode must be either "low_mem", "high_mem"')


# ---------------------------------------------------------------------------------------
# Training and inference with batch statistics
# ---------------------------------------------------------------------------------------

def _prepare_axes(axes, ndim):
    if axes == 'per-activation':
        axes = (0,)
    elif axes == 'spatial':
        axes = (0,) + tuple(range(2, ndim))
    elif isinstance(axes, (tuple, list, np.ndarray)):
        axes = tuple(int(a) for a in axes)
    else:
        raise ValueError('invalid axes: %s' % str(axes))
    axes = tuple(sorted(axes))
    if len(axes) == 0:
        raise ValueError('there should be at least one normalization axis')
    if min(axes) < 0 or max(axes) >= ndim:
        raise ValueError('axes should be less than ndim (<%d), but %s given'
                         % (ndim, str(axes)))
    return axes, tuple(i for i in range(ndim) if i not in axes)


def _epsilon(epsilon):
    epsilon = np.asarray(epsilon, dtype=config.floatX)
    if epsilon < 1e-5:
        raise ValueError('epsilon must be at least 1e-5, got %s' % str(epsilon))
    return epsilon


def _broadcast_params(params, ndim, axes, non_bc_axes, params_ndim):
    if params_ndim != ndim:
        pattern = ['x'] * ndim
        for i, axis in enumerate(non_bc_axes):
            pattern[axis] = i
        return [p.dimshuffle(pattern) for p in params]
    return [addbroadcast(p, *axes) for p in params]


def _params_ndim(inputs, gamma, beta, non_bc_axes):
    ndim = inputs.ndim
    params_ndim = ndim if gamma.ndim == ndim else len(non_bc_axes)
    if gamma.ndim != params_ndim or beta.ndim != params_ndim:
        raise ValueError('gamma and beta dimensionality must match the number of '
                         'non-normalized axes, or have the same number of dimensions as the '
                         'inputs; got %d and %d instead of %d'
                         % (gamma.ndim, beta.ndim, params_ndim))
    return params_ndim


def batch_normalization_train(inputs, gamma, beta, axes='per-activation', epsilon=1e-4,
                              running_average_factor=0.1, running_mean=None,
                              running_var=None):
    """Normalize ``inputs`` by the mean and variance over ``axes`` ('per-activation': the
    batch axis; 'spatial': all but the channels); returns (out, mean, invstd) and, given
    ``running_mean`` and ``running_var``, their updated values."""
    inputs, gamma, beta = (as_tensor_variable(v) for v in (inputs, gamma, beta))
    ndim = inputs.ndim
    axes, non_bc_axes = _prepare_axes(axes, ndim)
    params_ndim = _params_ndim(inputs, gamma, beta, non_bc_axes)
    if (running_mean is None) != (running_var is None):
        raise ValueError('running_mean and running_var must either both be given or both '
                         'be None')
    for name, value in (('running_mean', running_mean), ('running_var', running_var)):
        if value is not None and value.ndim != params_ndim:
            raise ValueError('%s must be of the same dimensionality as gamma and beta; got %d '
                             'instead of %d' % (name, value.ndim, params_ndim))
    epsilon = _epsilon(epsilon)
    gamma, beta = _broadcast_params([gamma, beta], ndim, axes, non_bc_axes, params_ndim)
    op = AbstractBatchNormTrain(axes=axes)
    if running_mean is not None:
        running_mean, running_var = _broadcast_params(
            [as_tensor_variable(running_mean), as_tensor_variable(running_var)], ndim, axes,
            non_bc_axes, params_ndim)
        out, mean, invstd, new_mean, new_var = op(inputs, gamma, beta, epsilon,
                                                  running_average_factor, running_mean,
                                                  running_var)
        new_mean = patternbroadcast(new_mean, running_mean.broadcastable)
        new_var = patternbroadcast(new_var, running_var.broadcastable)
        results = [out, mean, invstd, new_mean, new_var]
    else:
        results = op(inputs, gamma, beta, epsilon)
    if params_ndim != ndim:
        results = [results[0]] + [r.dimshuffle(non_bc_axes) for r in results[1:]]
    return tuple(results)


def batch_normalization_test(inputs, gamma, beta, mean, var, axes='per-activation',
                             epsilon=1e-4):
    """Normalize ``inputs`` by given statistics (running averages, at test time)."""
    inputs, gamma, beta, mean, var = (as_tensor_variable(v)
                                      for v in (inputs, gamma, beta, mean, var))
    ndim = inputs.ndim
    axes, non_bc_axes = _prepare_axes(axes, ndim)
    params_ndim = _params_ndim(inputs, gamma, beta, non_bc_axes)
    if mean.ndim != params_ndim or var.ndim != params_ndim:
        raise ValueError('mean and var must be of the same dimensionality as gamma and beta; '
                         'got %d and %d instead of %d' % (mean.ndim, var.ndim, params_ndim))
    epsilon = _epsilon(epsilon)
    gamma, beta, mean, var = _broadcast_params([gamma, beta, mean, var], ndim, axes,
                                               non_bc_axes, params_ndim)
    return AbstractBatchNormInference(axes=axes)(inputs, gamma, beta, mean, var, epsilon)


def _common_dtype(*variables):
    dtype = upcast(*[v.dtype for v in variables])
    return [ew.cast(v, dtype) for v in variables]


class _AxesOp(Op):
    __props__ = ('axes',)

    def __init__(self, axes=(0,)):
        assert isinstance(axes, (tuple, list)) and len(axes) > 0
        self.axes = tuple(int(a) for a in axes)

    def _check_axes(self, ndim):
        if min(self.axes) < 0 or max(self.axes) >= ndim:
            raise ValueError('axes should be less than ndim (<%d), but %s given'
                             % (ndim, str(self.axes)))


class AbstractBatchNormTrain(_AxesOp):
    """(x, scale, bias, epsilon, running_average_factor[, running_mean, running_var]) ->
    (out, mean, invstd[, new running_mean, new running_var])."""

    def make_node(self, x, scale, bias, epsilon=1e-4, running_average_factor=0.1,
                  running_mean=None, running_var=None):
        x, scale, bias = (as_tensor_variable(v) for v in (x, scale, bias))
        epsilon = as_tensor_variable(epsilon)
        running_average_factor = as_tensor_variable(running_average_factor)
        if not x.ndim == scale.ndim == bias.ndim:
            raise TypeError('AbstractBatchNormTrain: x, scale and bias must have the same '
                            'number of dimensions')
        running = [] if running_mean is None else [as_tensor_variable(running_mean),
                                                   as_tensor_variable(running_var)]
        x, scale, bias, *running = _common_dtype(x, scale, bias, *running)
        self._check_axes(x.ndim)
        inputs = [x, scale, bias, epsilon, running_average_factor] + running
        node = Apply(self, inputs, [x.type, scale.type, scale.type] + [scale.type] * len(running))
        node.outputs[0].static_shape = x.static_shape
        return node

    def jax_impl(self, node, x, scale, bias, epsilon, factor, *running):
        axes = self.axes
        mean = jnp.mean(x, axis=axes, keepdims=True)
        var = jnp.var(x, axis=axes, keepdims=True)
        invstd = 1.0 / jnp.sqrt(var + epsilon)
        out = (x - mean) * (scale * invstd) + bias
        results = [out, mean, invstd]
        if running:
            running_mean, running_var = running
            results.append(running_mean * (1.0 - factor) + mean * factor)
            m = float(np.prod(x.shape) / np.prod(scale.shape))
            results.append(running_var * (1.0 - factor) + (m / (m - 1)) * var * factor)
        dtype = node.outputs[0].dtype
        return tuple(jnp.asarray(r).astype(dtype) for r in results)

    def grad(self, node, output_grads):
        """As Theano's: only the gradient of ``out`` is propagated (that of the returned
        mean and invstd is not, so second derivatives with respect to ``x``, which pass
        through them, miss those paths, as Theano's do)."""
        x, scale, bias, epsilon = node.inputs[:4]
        _, x_mean, x_invstd = node.outputs[:3]
        dy = output_grads[0]
        if dy is None:
            dy = ew.zeros_like(node.outputs[0])
        grads = AbstractBatchNormTrainGrad(self.axes)(x, dy, scale, x_mean, x_invstd, epsilon)
        return list(grads) + [None] * (len(node.inputs) - 3)


class AbstractBatchNormInference(_AxesOp):
    """(x, scale, bias, mean, var, epsilon) -> (x - mean) * scale / sqrt(var + eps) + bias."""

    def make_node(self, x, scale, bias, estimated_mean, estimated_variance, epsilon=1e-4):
        values = [as_tensor_variable(v) for v in (x, scale, bias, estimated_mean,
                                                  estimated_variance)]
        epsilon = as_tensor_variable(epsilon)
        values = _common_dtype(*values)
        if len({v.ndim for v in values}) != 1:
            raise TypeError('AbstractBatchNormInference: x, scale, bias, mean and variance '
                            'must have the same number of dimensions')
        node = Apply(self, values + [epsilon], [values[0].type])
        node.outputs[0].static_shape = values[0].static_shape
        return node

    def jax_impl(self, node, x, scale, bias, mean, var, epsilon):
        out = (x - mean) * (scale / jnp.sqrt(var + epsilon)) + bias
        return out.astype(node.outputs[0].dtype)

    def grad(self, node, output_grads):
        x, scale, bias, est_mean, est_var, epsilon = node.inputs
        (dy,) = output_grads
        axes = self.axes
        self._check_axes(x.ndim)
        scale, bias, est_mean, est_var = (addbroadcast(t, *axes)
                                          for t in (scale, bias, est_mean, est_var))
        est_var_eps = est_var + epsilon
        est_std = ew.sqrt(est_var_eps)
        two = constant(2.)
        dx = dy * (scale / est_std)
        dscale = (dy * (x - est_mean)).sum(axes, keepdims=True) / est_std
        dbias = dy.sum(axes, keepdims=True)
        dmean = -dy.sum(axes, keepdims=True) * (scale / est_std)
        dvar = -(dy * (x - est_mean)).sum(axes, keepdims=True) * \
            (scale / (two * est_var_eps * est_std))
        return [dx, dscale, dbias, dmean, dvar, None]


class AbstractBatchNormTrainGrad(_AxesOp):
    """(x, dy, scale, x_mean, x_invstd, epsilon) -> the gradients of the training
    normalization with respect to x, scale and bias."""

    def make_node(self, x, dy, scale, x_mean, x_invstd, epsilon=1e-4):
        values = [as_tensor_variable(v) for v in (x, dy, scale, x_mean, x_invstd)]
        epsilon = as_tensor_variable(epsilon)
        values = _common_dtype(*values)
        if len({v.ndim for v in values}) != 1:
            raise TypeError('AbstractBatchNormTrainGrad: all inputs must have the same number '
                            'of dimensions')
        x, dy, scale = values[:3]
        node = Apply(self, values + [epsilon], [x.type, scale.type, scale.type])
        node.outputs[0].static_shape = x.static_shape
        return node

    def jax_impl(self, node, x, dy, scale, x_mean, x_invstd, epsilon):
        axes = self.axes
        x_diff = x - x_mean
        mean_dy_x_diff = jnp.mean(dy * x_diff, axis=axes, keepdims=True)
        c = (dy * x_invstd) - (x_diff * mean_dy_x_diff * (x_invstd ** 3))
        g_inputs = scale * (c - jnp.mean(c, axis=axes, keepdims=True))
        g_scale = jnp.sum(dy * x_invstd * x_diff, axis=axes, keepdims=True)
        g_bias = jnp.sum(dy, axis=axes, keepdims=True)
        return g_inputs, g_scale, g_bias

    def grad(self, node, output_grads):
        x, dy, scale, x_mean, x_invstd, epsilon = node.inputs
        ddinputs, ddscale, ddbias = output_grads
        axes = self.axes
        x_diff = x - x_mean
        mean_dy_x_diff = reduce_mean(dy * x_diff, axis=axes, keepdims=True)
        g_wrt_x = g_wrt_dy = g_wrt_scale = g_wrt_x_mean = g_wrt_x_invstd = 0
        if ddinputs is not None:
            ccc = scale * (ddinputs - reduce_mean(ddinputs, axis=axes, keepdims=True))
            ddd = (x_invstd ** 3) * (ccc * reduce_mean(dy * x_diff, axis=axes, keepdims=True) +
                                     dy * reduce_mean(ccc * x_diff, axis=axes, keepdims=True))
            g_wrt_x = g_wrt_x - ddd
            g_wrt_dy = g_wrt_dy + ((ccc * x_invstd) -
                                   ((x_invstd ** 3) * x_diff *
                                    reduce_mean(ccc * x_diff, axis=axes, keepdims=True)))
            eee = (dy * x_invstd) - ((x_invstd ** 3) * x_diff * mean_dy_x_diff)
            g_wrt_scale = g_wrt_scale + reduce_sum(
                ddinputs * (eee - reduce_mean(eee, axis=axes, keepdims=True)), axis=axes,
                keepdims=True)
            g_wrt_x_mean = g_wrt_x_mean + reduce_sum(ddd, axis=axes, keepdims=True)
            g_wrt_x_invstd = g_wrt_x_invstd + reduce_sum(
                ccc * (dy - 3 * (x_invstd ** 2) * x_diff * mean_dy_x_diff), axis=axes,
                keepdims=True)
        if ddscale is not None:
            g_wrt_x = g_wrt_x + (x_invstd * ddscale * dy)
            g_wrt_dy = g_wrt_dy + (x_invstd * ddscale * x_diff)
            g_wrt_x_mean = g_wrt_x_mean - (x_invstd * ddscale *
                                           reduce_sum(dy, axis=axes, keepdims=True))
            g_wrt_x_invstd = g_wrt_x_invstd + (ddscale * reduce_sum(dy * x_diff, axis=axes,
                                                                    keepdims=True))
        if ddbias is not None:
            g_wrt_dy = g_wrt_dy + ew.fill(dy, ddbias)
        results = [g_wrt_x, g_wrt_dy, g_wrt_scale, g_wrt_x_mean, g_wrt_x_invstd, None]
        return [None if (type(r) == int and r == 0) else r for r in results]


__all__ = ['batch_normalization', 'batch_normalization_train', 'batch_normalization_test',
           'AbstractBatchNormTrain', 'AbstractBatchNormInference', 'AbstractBatchNormTrainGrad']
