"""Update rules for ``function(updates=...)``: Lasagne's ``lasagne.updates``, and Theano's
``OrderedUpdates``, the updates dictionary scan returns.

Each rule takes a scalar loss (differentiated here with ``grad``) or a list of gradients,
one per parameter, and returns an ``OrderedDict`` {shared variable: new value} that holds
the parameters' updates and those of the rule's state. The state (velocities, moment
estimates, the step count) lives in new shared variables, created with each parameter's
dtype and broadcastable pattern so that an update never changes a variable's type.

The formulas are those of Lasagne's master branch, the version that runs on Theano 1.0
(Lasagne 0.1 imports ``theano.tensor.signal.downsample``, gone since Theano 0.9). They
differ from 0.1 in three places: ``adamax`` and ``amsgrad`` are new; ``1 - rho`` and
``1 - beta`` are written with an integer constant, so a float32 hyperparameter given as a
shared variable keeps the updates in float32; and ``get_or_compute_grads`` refuses
parameters that are not shared variables. Adam's bias correction is the same in both: it
is folded into the step size, ``a_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)``, and
``epsilon`` is added to ``sqrt(v_t)``, not to the square root of the corrected ``v_t``
(Kingma and Ba's Algorithm 1 writes the latter; the two differ only in how ``epsilon``
is scaled).

Hyperparameters may be numbers or symbolic scalars. A shared scalar, e.g.
``lr = shared(np.float32(0.1))``, changed with ``lr.set_value`` between calls, gives a
learning-rate schedule without compiling again; its dtype should be the parameters' (a
float64 rate makes float64 updates of float32 parameters, which ``function`` refuses).
"""
import collections

import numpy as np

from symgraph.config import config
from symgraph.graph.basic import format_trace
from symgraph.gradient import grad
from symgraph import tensor as T
from symgraph.tensor.sharedvar import SharedVariable, shared

__all__ = ['OrderedUpdates', 'get_or_compute_grads', 'sgd', 'apply_momentum', 'momentum',
           'apply_nesterov_momentum', 'nesterov_momentum', 'adagrad', 'rmsprop', 'adadelta',
           'adam', 'adamax', 'amsgrad', 'norm_constraint', 'total_norm_constraint']


class OrderedUpdates(collections.OrderedDict):
    """An ordered {shared variable: new value} dict that refuses other keys and refuses
    two different updates of one variable when merged, as Theano's does."""

    def __setitem__(self, key, value):
        if not isinstance(key, SharedVariable):
            raise TypeError('OrderedUpdates keys must be shared variables, got %r of type %s'
                            % (key, type(key).__name__))
        super().__setitem__(key, value)

    def update(self, other=None, **kwargs):
        if other is None:
            return
        items = other.items() if isinstance(other, dict) else other
        for key, value in items:
            if key in self and self[key] != value:
                raise KeyError('Collision: two different updates of %s' % key)
            self[key] = value

    def __add__(self, other):
        merged = OrderedUpdates()
        merged.update(self)
        merged.update(other)
        return merged

    def __radd__(self, other):
        merged = OrderedUpdates()
        merged.update(other)
        merged.update(self)
        return merged


def get_or_compute_grads(loss_or_grads, params):
    """``loss_or_grads`` itself when it is a list (or tuple) of one gradient per parameter,
    else ``grad(loss_or_grads, params)``. Every parameter must be a shared variable: a rule
    could differentiate with respect to anything, but it can only update shared variables."""
    for param in params:
        if not isinstance(param, SharedVariable):
            raise ValueError(
                'params must contain shared variables only, but %s is a %s of type %s. An '
                'update rule writes new values into its parameters; pass the shared '
                'variables the expression is built from.\nThe variable was created at:\n%s'
                % (param, type(param).__name__, getattr(param, 'type', '?'),
                   format_trace(getattr(param, 'creation_trace', None))))
    if isinstance(loss_or_grads, (list, tuple)):
        if len(loss_or_grads) != len(params):
            raise ValueError('Got %d gradient expressions for %d parameters (%s)'
                             % (len(loss_or_grads), len(params),
                                ', '.join(str(p) for p in params)))
        return list(loss_or_grads)
    return grad(loss_or_grads, list(params))


def _zeros_like(param):
    """A new shared variable of zeros with ``param``'s shape, dtype and broadcastable
    pattern: a rule's state for that parameter."""
    shape = param.get_value(borrow=True, return_internal_type=True).shape
    return shared(np.zeros(shape, dtype=param.dtype), broadcastable=param.broadcastable)


def _step_counter():
    """Adam's ``t``, a floatX scalar shared by all parameters of one rule."""
    return shared(np.asarray(0., dtype=config.floatX))


def sgd(loss_or_grads, params, learning_rate):
    """``param := param - learning_rate * gradient``."""
    grads = get_or_compute_grads(loss_or_grads, params)
    updates = collections.OrderedDict()
    for param, g in zip(params, grads):
        updates[param] = param - learning_rate * g
    return updates


def apply_momentum(updates, params=None, momentum=0.9):
    """A copy of ``updates`` with momentum added for ``params`` (all keys by default):
    ``velocity := momentum * velocity + updates[param] - param``,
    ``param := param + velocity``."""
    params = list(updates.keys()) if params is None else params
    updates = collections.OrderedDict(updates)
    for param in params:
        velocity = _zeros_like(param)
        x = momentum * velocity + updates[param]
        updates[velocity] = x - param
        updates[param] = x
    return updates


def momentum(loss_or_grads, params, learning_rate, momentum=0.9):
    """SGD with momentum: ``velocity := momentum * velocity - learning_rate * gradient``,
    ``param := param + velocity``."""
    return apply_momentum(sgd(loss_or_grads, params, learning_rate), momentum=momentum)


def apply_nesterov_momentum(updates, params=None, momentum=0.9):
    """A copy of ``updates`` with Nesterov momentum added for ``params`` (all keys by
    default): ``velocity := momentum * velocity + updates[param] - param``,
    ``param := param + momentum * velocity + updates[param] - param``. This form evaluates
    the gradient at the current parameters, not at the look-ahead point."""
    params = list(updates.keys()) if params is None else params
    updates = collections.OrderedDict(updates)
    for param in params:
        velocity = _zeros_like(param)
        x = momentum * velocity + updates[param] - param
        updates[velocity] = x
        updates[param] = momentum * x + updates[param]
    return updates


def nesterov_momentum(loss_or_grads, params, learning_rate, momentum=0.9):
    """SGD with Nesterov momentum: ``velocity := momentum * velocity - learning_rate *
    gradient``, ``param := param + momentum * velocity - learning_rate * gradient``."""
    return apply_nesterov_momentum(sgd(loss_or_grads, params, learning_rate),
                                   momentum=momentum)


def adagrad(loss_or_grads, params, learning_rate=1.0, epsilon=1e-6):
    """Adagrad: each step divided by the root of the sum of all squared gradients so far,
    ``param := param - learning_rate * g / sqrt(accu + epsilon)``."""
    grads = get_or_compute_grads(loss_or_grads, params)
    updates = collections.OrderedDict()
    for param, g in zip(params, grads):
        accu = _zeros_like(param)
        accu_new = accu + g ** 2
        updates[accu] = accu_new
        updates[param] = param - learning_rate * g / T.sqrt(accu_new + epsilon)
    return updates


def rmsprop(loss_or_grads, params, learning_rate=1.0, rho=0.9, epsilon=1e-6):
    """RMSProp: each step divided by the root of a moving average of squared gradients,
    ``accu := rho * accu + (1 - rho) * g**2``."""
    grads = get_or_compute_grads(loss_or_grads, params)
    updates = collections.OrderedDict()
    one = T.constant(1)  # keeps (1 - rho) in float32 when rho is a float32 variable
    for param, g in zip(params, grads):
        accu = _zeros_like(param)
        accu_new = rho * accu + (one - rho) * g ** 2
        updates[accu] = accu_new
        updates[param] = param - learning_rate * g / T.sqrt(accu_new + epsilon)
    return updates


def adadelta(loss_or_grads, params, learning_rate=1.0, rho=0.95, epsilon=1e-6):
    """Adadelta: the step is the gradient scaled by the ratio of the RMS of past steps
    (before this one) to the RMS of gradients (with this one)."""
    grads = get_or_compute_grads(loss_or_grads, params)
    updates = collections.OrderedDict()
    one = T.constant(1)
    for param, g in zip(params, grads):
        accu = _zeros_like(param)        # squared gradients
        delta_accu = _zeros_like(param)  # squared steps
        accu_new = rho * accu + (one - rho) * g ** 2
        updates[accu] = accu_new
        step = g * T.sqrt(delta_accu + epsilon) / T.sqrt(accu_new + epsilon)
        updates[param] = param - learning_rate * step
        updates[delta_accu] = rho * delta_accu + (one - rho) * step ** 2
    return updates


def adam(loss_or_grads, params, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Adam (Kingma and Ba, 2014), with the bias correction folded into the step size:
    ``param := param - a_t * m_t / (sqrt(v_t) + epsilon)``,
    ``a_t = learning_rate * sqrt(1 - beta2**t) / (1 - beta1**t)``."""
    grads = get_or_compute_grads(loss_or_grads, params)
    t_prev = _step_counter()
    updates = collections.OrderedDict()
    one = T.constant(1)
    t = t_prev + 1
    a_t = learning_rate * T.sqrt(one - beta2 ** t) / (one - beta1 ** t)
    for param, g in zip(params, grads):
        m_prev, v_prev = _zeros_like(param), _zeros_like(param)
        m_t = beta1 * m_prev + (one - beta1) * g
        v_t = beta2 * v_prev + (one - beta2) * g ** 2
        updates[m_prev] = m_t
        updates[v_prev] = v_t
        updates[param] = param - a_t * m_t / (T.sqrt(v_t) + epsilon)
    updates[t_prev] = t
    return updates


def adamax(loss_or_grads, params, learning_rate=0.002, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Adamax, Adam's variant with the infinity norm: ``u_t = max(beta2 * u_prev, |g|)``,
    ``param := param - learning_rate / (1 - beta1**t) * m_t / (u_t + epsilon)``."""
    grads = get_or_compute_grads(loss_or_grads, params)
    t_prev = _step_counter()
    updates = collections.OrderedDict()
    one = T.constant(1)
    t = t_prev + 1
    a_t = learning_rate / (one - beta1 ** t)
    for param, g in zip(params, grads):
        m_prev, u_prev = _zeros_like(param), _zeros_like(param)
        m_t = beta1 * m_prev + (one - beta1) * g
        u_t = T.maximum(beta2 * u_prev, abs(g))
        updates[m_prev] = m_t
        updates[u_prev] = u_t
        updates[param] = param - a_t * m_t / (u_t + epsilon)
    updates[t_prev] = t
    return updates


def amsgrad(loss_or_grads, params, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """AMSGrad: Adam whose step divides by the largest ``sqrt(v_t)`` seen so far."""
    grads = get_or_compute_grads(loss_or_grads, params)
    t_prev = _step_counter()
    updates = collections.OrderedDict()
    one = T.constant(1)
    t = t_prev + 1
    a_t = learning_rate * T.sqrt(one - beta2 ** t) / (one - beta1 ** t)
    for param, g in zip(params, grads):
        m_prev, v_prev, v_hat_prev = _zeros_like(param), _zeros_like(param), _zeros_like(param)
        m_t = beta1 * m_prev + (one - beta1) * g
        v_t = beta2 * v_prev + (one - beta2) * g ** 2
        v_hat_t = T.maximum(v_hat_prev, v_t)
        updates[m_prev] = m_t
        updates[v_prev] = v_t
        updates[v_hat_prev] = v_hat_t
        updates[param] = param - a_t * m_t / (T.sqrt(v_hat_t) + epsilon)
    updates[t_prev] = t
    return updates


def norm_constraint(tensor_var, max_norm, norm_axes=None, epsilon=1e-7):
    """``tensor_var`` with each slice whose norm exceeds ``max_norm`` scaled down to it.

    The norm is taken over ``norm_axes``; by default over axis 0 of a matrix (a dense
    layer's incoming weights) and over all axes but the first of a 3-, 4- or 5-dimensional
    tensor (a convolution's filters).
    """
    ndim = tensor_var.ndim
    if norm_axes is not None:
        sum_over = tuple(norm_axes)
    elif ndim == 2:
        sum_over = (0,)
    elif ndim in (3, 4, 5):
        sum_over = tuple(range(1, ndim))
    else:
        raise ValueError('norm_constraint: %s has %d dimensions; the default norm axes are '
                         'defined for 2 to 5, so pass norm_axes.\nThe variable was created '
                         'at:\n%s' % (tensor_var, ndim, format_trace(tensor_var.creation_trace)))
    dtype = np.dtype(config.floatX).type
    norms = T.sqrt(T.sum(T.sqr(tensor_var), axis=sum_over, keepdims=True))
    target_norms = T.clip(norms, 0, dtype(max_norm))
    return tensor_var * (target_norms / (dtype(epsilon) + norms))


def total_norm_constraint(tensor_vars, max_norm, epsilon=1e-7, return_norm=False):
    """``tensor_vars`` all scaled by one factor so that their combined norm is at most
    ``max_norm`` (gradient clipping, e.g. for recurrent networks); with ``return_norm``,
    also the combined norm before scaling."""
    norm = T.sqrt(sum(T.sum(tensor ** 2) for tensor in tensor_vars))
    dtype = np.dtype(config.floatX).type
    target_norm = T.clip(norm, 0, dtype(max_norm))
    multiplier = target_norm / (dtype(epsilon) + norm)
    scaled = [tensor * multiplier for tensor in tensor_vars]
    return (scaled, norm) if return_norm else scaled
