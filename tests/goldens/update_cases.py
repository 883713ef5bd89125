"""Cases for the goldens of the update rules: Lasagne's ``lasagne.updates`` on Theano 1.0.5
against ``symgraph.updates``.

Every case trains the same small problem for ``STEPS`` steps: a tanh layer with a weight
matrix ``W``, a bias vector ``b`` and an output offset ``c`` declared broadcastable along the
batch (a ``(1, 2)`` row), fitted by mean squared error to a fixed minibatch per step.
:func:`run_case` builds the updates with the module given (``lasagne.updates`` or
``symgraph.updates``), compiles one step, and returns per step the loss and the value of
every updated variable (the parameters and the rules' state, in the order of the updates
dictionary). The code runs unchanged under both libraries; ``make_update_goldens.py``
writes ``updates.json`` with Lasagne's results, ``tests/test_updates.py`` compares.
"""
from collections import OrderedDict

import numpy as np

STEPS = 3

# name: (rule, keyword arguments, how the rule is applied); a keyword given as
# ('shared', v) becomes a shared scalar of floatX holding v.
CASES = OrderedDict([
    ('sgd', ('sgd', {'learning_rate': 0.1}, 'loss')),
    ('momentum', ('momentum', {'learning_rate': 0.1, 'momentum': 0.8}, 'loss')),
    ('nesterov_momentum', ('nesterov_momentum', {'learning_rate': 0.1}, 'loss')),
    ('adagrad', ('adagrad', {}, 'loss')),
    ('adagrad_lr', ('adagrad', {'learning_rate': 0.05, 'epsilon': 1e-3}, 'loss')),
    ('rmsprop', ('rmsprop', {}, 'loss')),
    ('rmsprop_shared_rho', ('rmsprop', {'learning_rate': 0.01, 'rho': ('shared', 0.8)}, 'loss')),
    ('adadelta', ('adadelta', {}, 'loss')),
    ('adadelta_lr', ('adadelta', {'learning_rate': 0.5, 'rho': 0.9, 'epsilon': 1e-4}, 'loss')),
    ('adam', ('adam', {}, 'loss')),
    # a large epsilon makes its place in the bias correction visible
    ('adam_eps', ('adam', {'learning_rate': 0.05, 'beta1': 0.8, 'beta2': 0.95, 'epsilon': 0.1},
                  'loss')),
    ('adamax', ('adamax', {}, 'loss')),
    ('adamax_eps', ('adamax', {'learning_rate': 0.05, 'beta1': 0.5, 'epsilon': 0.1}, 'loss')),
    ('amsgrad', ('amsgrad', {'learning_rate': 0.05}, 'loss')),
    ('sgd_grads', ('sgd', {'learning_rate': 0.1}, 'grads')),
    ('rmsprop_then_momentum', ('rmsprop', {'learning_rate': 0.01}, 'apply_momentum')),
    ('sgd_then_nesterov_on_W', ('sgd', {'learning_rate': 0.1}, 'apply_nesterov_momentum_W')),
    ('sgd_total_norm', ('sgd', {'learning_rate': 0.1}, 'total_norm_constraint')),
    ('sgd_norm_W', ('sgd', {'learning_rate': 2.0}, 'norm_constraint')),
    ('sgd_norm_W_axis1', ('sgd', {'learning_rate': 2.0}, 'norm_constraint_axis1')),
    ('sgd_schedule', ('sgd', {'learning_rate': ('shared', 0.4)}, 'schedule')),
    ('adam_schedule', ('adam', {'learning_rate': ('shared', 0.05)}, 'schedule')),
])

# The learning rates the schedule cases set before each step.
SCHEDULE = [0.4, 0.2, 0.05]


def problem_data(seed=42):
    """Initial parameters and the minibatches, as plain numpy float64."""
    rng = np.random.RandomState(seed)
    return {
        'W': rng.uniform(-1, 1, (3, 2)),
        'b': rng.uniform(-0.5, 0.5, (2,)),
        'c': rng.uniform(-0.5, 0.5, (1, 2)),
        'x': [rng.uniform(-1, 1, (4, 3)) for _ in range(STEPS)],
        'y': [rng.uniform(-1, 1, (4, 2)) for _ in range(STEPS)],
    }


def build(name, theano, T, updates_module, data):
    """(x, y, loss, updates dictionary, shared learning rate or None) for case ``name``."""
    rule, kwargs, how = CASES[name]
    floatX = theano.config.floatX
    W = theano.shared(np.asarray(data['W'], dtype=floatX), name='W')
    b = theano.shared(np.asarray(data['b'], dtype=floatX), name='b')
    c = theano.shared(np.asarray(data['c'], dtype=floatX), name='c', broadcastable=(True, False))
    params = [W, b, c]
    x, y = T.matrix('x'), T.matrix('y')
    loss = T.mean((T.tanh(T.dot(x, W) + b) + c - y) ** 2)
    shared_scalars = {}
    for key, value in kwargs.items():
        if isinstance(value, tuple):
            shared_scalars[key] = theano.shared(np.asarray(value[1], dtype=floatX), name=key)
    kwargs = dict(kwargs, **shared_scalars)
    rule = getattr(updates_module, rule)
    if how in ('loss', 'schedule'):
        updates = rule(loss, params, **kwargs)
    elif how == 'grads':
        updates = rule(T.grad(loss, params), params, **kwargs)
    elif how == 'apply_momentum':
        updates = updates_module.apply_momentum(rule(loss, params, **kwargs), params, momentum=0.9)
    elif how == 'apply_nesterov_momentum_W':
        updates = updates_module.apply_nesterov_momentum(rule(loss, params, **kwargs), [W],
                                                         momentum=0.7)
    elif how == 'total_norm_constraint':
        grads = updates_module.total_norm_constraint(T.grad(loss, params), max_norm=0.05)
        updates = rule(grads, params, **kwargs)
    elif how in ('norm_constraint', 'norm_constraint_axis1'):
        updates = rule(loss, params, **kwargs)
        axes = (1,) if how == 'norm_constraint_axis1' else None
        updates[W] = updates_module.norm_constraint(updates[W], max_norm=0.9, norm_axes=axes)
    else:
        raise ValueError(how)
    return x, y, loss, updates, shared_scalars.get('learning_rate')


def run_case(name, theano, T, updates_module, data):
    """[(loss, [value of each updated variable after the step])] for ``STEPS`` steps."""
    floatX = theano.config.floatX
    x, y, loss, updates, lr = build(name, theano, T, updates_module, data)
    step = theano.function([x, y], loss, updates=updates)
    results = []
    for k in range(STEPS):
        if lr is not None:
            lr.set_value(np.asarray(SCHEDULE[k], dtype=floatX))
        value = step(np.asarray(data['x'][k], dtype=floatX), np.asarray(data['y'][k], dtype=floatX))
        results.append((float(value), [np.array(v.get_value()) for v in updates]))
    return results


def update_types(name, theano, T, updates_module, data):
    """[(str(type) of the updated variable, str(type) of its update)] in dictionary order."""
    _, _, _, updates, _ = build(name, theano, T, updates_module, data)
    return [(str(v.type), str(u.type)) for v, u in updates.items()]
