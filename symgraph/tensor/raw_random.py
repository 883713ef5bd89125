"""Random draws from JAX keys: ``RandomFunction`` (Theano's ``theano.tensor.raw_random``).

A draw is ``RandomFunction{fn}(key, size, *parameters) -> (new key, sample)``: the key is
split inside the program, one half drawing the sample with ``jax.random``, the other
becoming the state for the next draw. ``RandomStreams`` (shared_randomstreams.py) keeps
each key in a shared variable whose ``default_update`` is the new key.

Theano drew these with numpy's ``RandomState``, so the numbers differ from Theano's (the
distributions do not); shared_randomstreams.py lists the other differences.

The shape rules are Theano's (``_infer_ndim_bcast``): ``size`` is a tuple of ints and
symbolic scalars (-1 borrows the length of a parameter's dimension), a symbolic vector,
or None for the broadcast shape of the parameters.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np

from symgraph.config import config
from symgraph.graph.basic import Apply, Op
from symgraph.tensor import elemwise as ew
from symgraph.tensor.basic import patternbroadcast, stack
from symgraph.tensor.shape import Shape, shape as shape_of
from symgraph.tensor.type import INT_DTYPES, TensorType, upcast
from symgraph.tensor.var import TensorConstant, as_tensor_variable, constant

_KEY_IMPL = 'threefry2x32'


def new_key(seed):
    """The raw (uint32, shape (2,)) JAX key of an integer seed, as numpy."""
    return np.asarray(jax.random.key_data(jax.random.key(int(seed), impl=_KEY_IMPL)),
                      dtype='uint32')


# ---------------------------------------------------------------------------------------
# Samplers: fn name -> (draw function, positions of parameters needed as Python values)
# Each draw function is (key, shape or None, *parameters, dtype=) -> array.
# ---------------------------------------------------------------------------------------

def _shape(shape, *params):
    return shape if shape is not None else jnp.broadcast_shapes(*[jnp.shape(p)
                                                                  for p in params])


def _uniform(key, shape, low, high, dtype):
    shape = _shape(shape, low, high)
    low, high = jnp.asarray(low, dtype), jnp.asarray(high, dtype)
    return jax.random.uniform(key, shape, dtype, low, high)


def _normal(key, shape, avg, std, dtype):
    shape = _shape(shape, avg, std)
    return (jnp.asarray(avg, dtype)
            + jnp.asarray(std, dtype) * jax.random.normal(key, shape, dtype))


_SMALL_DRAW = 1 << 22  # up to this many Bernoulli/categorical trials: drawn one by one


def _concrete(value):
    """The value as numpy when it is known while tracing (a constant), else None."""
    return None if isinstance(value, jax.core.Tracer) else np.asarray(value)


def _binomial(key, shape, n, p, dtype):
    shape = _shape(shape, n, p)
    trials = _concrete(n)
    if trials is not None and np.all(trials == 1):
        return jax.random.bernoulli(key, p, shape).astype(dtype)
    if trials is not None and trials.size and trials.max() * np.prod(shape) <= _SMALL_DRAW:
        # A sum of Bernoulli trials: cheap to compile, unlike binomial's rejection loop.
        most = int(trials.max())
        hits = jax.random.bernoulli(key, p, (most,) + tuple(shape))
        used = jnp.arange(most).reshape((most,) + (1,) * len(shape)) < trials
        return (hits & used).sum(axis=0).astype(dtype)
    counts = jax.random.binomial(key, jnp.asarray(n, 'float64'), jnp.asarray(p, 'float64'),
                                 shape)
    return counts.astype(dtype)


def _random_integers(key, shape, low, high, dtype):
    shape = _shape(shape, low, high)
    return jax.random.randint(key, shape, low, jnp.asarray(high) + 1, dtype=dtype)


def _choice(key, shape, a, replace, p, dtype):
    a = int(a) if np.ndim(a) == 0 else a
    p = None if np.size(p) == 0 else p
    return jax.random.choice(key, a, shape or (), bool(replace), p).astype(dtype)


def _poisson(key, shape, lam, dtype):
    return jax.random.poisson(key, lam, _shape(shape, lam)).astype(dtype)


def _permutation(key, shape, n, dtype):
    """Permutations of range(n): the order that sorts n random 64-bit words (ties, with
    probability below n**2 / 2**65, keep the smaller index first)."""
    shape = tuple(shape or ())
    words = jax.random.bits(key, shape + (int(n),), 'uint64')
    return jnp.argsort(words, axis=-1, stable=True).astype(dtype)


def _multinomial(key, shape, n, pvals, dtype):
    batch = tuple(shape if shape is not None else
                  jnp.broadcast_shapes(jnp.shape(n), jnp.shape(pvals)[:-1]))
    pvals = jnp.broadcast_to(jnp.asarray(pvals, 'float64'), batch + pvals.shape[-1:])
    trials = _concrete(n)
    if trials is not None and trials.size and \
            trials.max() * np.prod(batch) * pvals.shape[-1] <= _SMALL_DRAW:
        # n categorical draws per distribution, counted: cheap to compile.
        most = int(trials.max())
        picks = jax.random.categorical(key, jnp.log(pvals), shape=(most,) + batch)
        used = jnp.arange(most).reshape((most,) + (1,) * len(batch)) < trials
        hits = (picks[..., None] == jnp.arange(pvals.shape[-1])) & used[..., None]
        return hits.sum(axis=0).astype(dtype)
    n = jnp.broadcast_to(jnp.asarray(n, 'float64'), batch)
    return jax.random.multinomial(key, n, pvals).astype(dtype)


SAMPLERS = {
    'uniform': (_uniform, ()),
    'normal': (_normal, ()),
    'binomial': (_binomial, ()),
    'random_integers': (_random_integers, ()),
    'choice': (_choice, (3,)),  # replace; also a, when it is a number (see static_inputs)
    'poisson': (_poisson, ()),
    'permutation': (_permutation, (2,)),
    'multinomial': (_multinomial, ()),
}


class RandomFunction(Op):
    """``(key, size, *parameters) -> (new key, sample)``: one draw of ``fn`` from a JAX key.

    Printed ``RandomFunction{fn}`` as in Theano; ``ndim_added`` is the number of
    dimensions the sample has beyond ``size`` (1 for permutations and multinomials).
    """

    __props__ = ('fn', 'outtype', 'inplace', 'ndim_added')
    #: A draw depends on its key, which changes at every call: never folded.
    fold_constants = False

    def __init__(self, fn, outtype, inplace=False, ndim_added=0):
        if fn not in SAMPLERS:
            raise ValueError('RandomFunction: unknown distribution %r; known: %s'
                             % (fn, ', '.join(sorted(SAMPLERS))))
        self.fn, self.outtype, self.inplace, self.ndim_added = fn, outtype, inplace, ndim_added

    def __str__(self):
        return 'RandomFunction{%s}' % self.fn

    def make_node(self, r, shape, *args):
        r = as_tensor_variable(r)
        if r.dtype != 'uint32' or r.ndim != 1:
            raise TypeError('RandomFunction: the state must be a JAX key (a uint32 vector), '
                            'got %s of type %s' % (r, r.type))
        shape = as_tensor_variable(shape, ndim=1) if not (isinstance(shape, tuple) and
                                                          not shape) else \
            constant(np.zeros(0, dtype='int64'))
        if shape.dtype not in INT_DTYPES:
            raise TypeError('RandomFunction: size must be an integer vector, got %s of type %s'
                            % (shape, shape.type))
        args = [as_tensor_variable(a) for a in args]
        node = Apply(self, [r, shape] + args, [r.type, self.outtype])
        if isinstance(shape, TensorConstant) and self.ndim_added == 0 and shape.data.size:
            node.outputs[1].static_shape = tuple(int(s) for s in shape.data)
        return node

    def static_inputs(self, node):
        static = (1,) + SAMPLERS[self.fn][1]
        if self.fn == 'choice' and node.inputs[2].ndim == 0:
            static += (2,)
        return static

    def jax_impl(self, node, key, shape, *args):
        shape = tuple(int(s) for s in np.asarray(shape).reshape(-1))
        if shape and self.outtype.ndim != len(shape) + self.ndim_added:
            raise ValueError('Shape mismatch: self.outtype.ndim (%i) != len(shape) (%i) + '
                             'self.ndim_added (%i)'
                             % (self.outtype.ndim, len(shape), self.ndim_added))
        key = jax.random.wrap_key_data(jnp.asarray(key, 'uint32'), impl=_KEY_IMPL)
        next_key, draw_key = jax.random.split(key)
        draw = SAMPLERS[self.fn][0]
        value = draw(draw_key, shape or None, *args, dtype=self.outtype.dtype)
        if value.ndim != self.outtype.ndim:
            value = value.reshape((1,) * (self.outtype.ndim - value.ndim) + value.shape)
        if shape and tuple(value.shape[:len(shape)]) != shape:
            raise ValueError('Shape mismatch: "out" should have shape %s, but the value '
                             'produced has shape %s' % (shape, value.shape))
        return jax.random.key_data(next_key), value

    def grad(self, node, output_grads):
        from symgraph.gradient import grad_undefined  # upward: gradient.py is above tensor/
        return [grad_undefined(self, k, inp, 'No gradient defined through raw random numbers op')
                for k, inp in enumerate(node.inputs)]


# ---------------------------------------------------------------------------------------
# Shapes (Theano's rules)
# ---------------------------------------------------------------------------------------

def _infer_ndim_bcast(ndim, shape, *args):
    """(ndim, size as an int64 vector, broadcastable pattern) from ``size`` and the
    parameters, as Theano infers them."""
    args_ndim = max((arg.ndim for arg in args), default=0)
    if isinstance(shape, (tuple, list)):
        if ndim is None:
            ndim = len(shape)
        elif len(shape) != ndim:
            raise ValueError('ndim should be equal to len(shape), but\n',
                             'ndim = %s, len(shape) = %s, shape = %s'
                             % (ndim, len(shape), shape))
        bcast, entries = [], []
        for i, s in enumerate(shape):
            if hasattr(s, 'type'):
                bcast.append(False)
                entries.append(s)
            elif s >= 0:
                entries.append(as_tensor_variable(s))
                bcast.append(s == 1)
            elif s == -1:
                for a in args:
                    if i >= ndim - a.ndim and not a.broadcastable[i + a.ndim - ndim]:
                        entries.append(shape_of(a)[i + a.ndim - ndim])
                        bcast.append(False)
                        break
                else:
                    if not any(i >= ndim - a.ndim for a in args):
                        raise ValueError('Auto-shape of -1 must overlapwith the shape of one '
                                         'of the broadcastableinputs')
                    entries.append(as_tensor_variable(1))
                    bcast.append(True)
            else:
                raise ValueError('negative shape', s)
        v_shape = stack(entries) if entries else constant(np.zeros(0, dtype='int64'))
    elif shape is None:
        if not args:
            raise TypeError('_infer_ndim_bcast cannot infer shape without either shape or '
                            'args')
        template = functools.reduce(lambda a, b: a + b, args)
        v_shape, bcast, ndim = shape_of(template), template.broadcastable, template.ndim
    else:
        v_shape = as_tensor_variable(shape)
        if v_shape.ndim != 1:
            raise TypeError("shape must be a vector or list of scalar, got '%s'" % v_shape)
        if ndim is None:
            ndim = _vector_length(v_shape)
        bcast = [False] * ndim
    if v_shape.ndim != 1:
        raise TypeError("shape must be a vector or list of scalar, got '%s'" % v_shape)
    if v_shape.dtype not in INT_DTYPES:
        raise TypeError('shape must be an integer vector or list', v_shape.dtype)
    if args_ndim > ndim:
        raise ValueError('ndim should be at least as big as required by args value',
                         (ndim, args_ndim), args)
    return ndim, ew.cast(v_shape, 'int64'), tuple(bcast)


def _vector_length(v):
    if v.static_shape[0] is not None:
        return v.static_shape[0]
    if v.owner is not None and isinstance(v.owner.op, Shape):
        return v.owner.inputs[0].ndim
    raise ValueError('the length of the size %s is not known; give ndim=' % v)


# ---------------------------------------------------------------------------------------
# The distributions (Theano's raw_random functions)
# ---------------------------------------------------------------------------------------

def uniform(random_state, size=None, low=0.0, high=1.0, ndim=None, dtype=None):
    low, high = as_tensor_variable(low), as_tensor_variable(high)
    if dtype is None:
        dtype = upcast(config.floatX, low.dtype, high.dtype)
    ndim, size, bcast = _infer_ndim_bcast(ndim, size, low, high)
    op = RandomFunction('uniform', TensorType(dtype, bcast))
    return op(random_state, size, low, high)


def normal(random_state, size=None, avg=0.0, std=1.0, ndim=None, dtype=None):
    avg, std = as_tensor_variable(avg), as_tensor_variable(std)
    if dtype is None:
        dtype = upcast(config.floatX, avg.dtype, std.dtype)
    ndim, size, bcast = _infer_ndim_bcast(ndim, size, avg, std)
    op = RandomFunction('normal', TensorType(dtype, bcast))
    return op(random_state, size, avg, std)


def binomial(random_state, size=None, n=1, p=0.5, ndim=None, dtype='int64', prob=None):
    if prob is not None:
        p = prob
    n, p = as_tensor_variable(n), as_tensor_variable(p)
    ndim, size, bcast = _infer_ndim_bcast(ndim, size, n, p)
    op = RandomFunction('binomial', TensorType(dtype, (False,) * ndim))
    return op(random_state, size, n, p)


def random_integers(random_state, size=None, low=0, high=1, ndim=None, dtype='int64'):
    low, high = as_tensor_variable(low), as_tensor_variable(high)
    ndim, size, bcast = _infer_ndim_bcast(ndim, size, low, high)
    op = RandomFunction('random_integers', TensorType(dtype, bcast))
    return op(random_state, size, low, high)


def choice(random_state, size=None, a=2, replace=True, p=None, ndim=None, dtype='int64'):
    a = as_tensor_variable(a)
    replace = constant(replace, dtype='int8') if isinstance(replace, bool) else \
        as_tensor_variable(replace)
    p = as_tensor_variable(p if p is not None else np.zeros(0, dtype=config.floatX))
    ndim, size, bcast = _infer_ndim_bcast(ndim, size)
    op = RandomFunction('choice', TensorType(dtype, bcast))
    return op(random_state, size, a, replace, p)


def poisson(random_state, size=None, lam=1.0, ndim=None, dtype='int64'):
    lam = as_tensor_variable(lam)
    ndim, size, bcast = _infer_ndim_bcast(ndim, size)
    op = RandomFunction('poisson', TensorType(dtype, bcast))
    return op(random_state, size, lam)


def permutation(random_state, size=None, n=1, ndim=None, dtype='int64'):
    if size is None or size == ():
        if not (ndim is None or ndim == 1):
            raise TypeError('You asked for just one permutation but asked for more then 1 '
                            'dimensions.')
        ndim, size, bcast = 1, (), ()
    else:
        ndim, size, bcast = _infer_ndim_bcast(ndim, size)
    op = RandomFunction('permutation', TensorType(dtype, bcast + (False,)), ndim_added=1)
    return op(random_state, size, n)


def multinomial(random_state, size=None, n=1, pvals=(0.5, 0.5), ndim=None, dtype='int64'):
    n, pvals = as_tensor_variable(n), as_tensor_variable(list(pvals) if isinstance(
        pvals, tuple) else pvals)
    tmp = pvals.T[0].T
    ndim, size, bcast = _infer_ndim_bcast(ndim, size, n, tmp)
    bcast = bcast + (pvals.type.broadcastable[-1],)
    op = RandomFunction('multinomial', TensorType(dtype, bcast), ndim_added=1)
    return op(random_state, size, n, pvals)


# ---------------------------------------------------------------------------------------
# permute_row_elements (shuffle_row_elements)
# ---------------------------------------------------------------------------------------

class PermuteRowElements(Op):
    """``x`` with the entries of each row (last axis) reordered by the integer array ``y``
    (``x[..., y[..., i]]``; with ``inverse``, put at those places instead). ``y``'s
    leading dimensions broadcast against ``x``'s, as in Theano."""

    __props__ = ('inverse',)

    def __init__(self, inverse=False):
        self.inverse = bool(inverse)

    def __str__(self):
        return 'PermuteRowElements'

    def make_node(self, x, y):
        x, y = as_tensor_variable(x), as_tensor_variable(y)
        if y.dtype not in INT_DTYPES:
            raise TypeError('permute_row_elements: the permutation must be integers, got %s'
                            % y.type)
        ndim = max(x.ndim, y.ndim)
        xb = (True,) * (ndim - x.ndim) + x.broadcastable
        yb = (True,) * (ndim - y.ndim) + y.broadcastable
        bcast = tuple(a and b for a, b in zip(xb, yb))
        return Apply(self, [x, y], [TensorType(x.dtype, bcast)])

    def jax_impl(self, node, x, y):
        ndim = node.outputs[0].ndim
        x = jnp.reshape(x, (1,) * (ndim - x.ndim) + x.shape)
        y = jnp.reshape(y, (1,) * (ndim - y.ndim) + y.shape)
        lead = jnp.broadcast_shapes(x.shape[:-1], y.shape[:-1])
        x = jnp.broadcast_to(x, lead + x.shape[-1:])
        y = jnp.broadcast_to(y, lead + y.shape[-1:])
        if y.shape[-1] != x.shape[-1]:
            raise ValueError('permute_row_elements: the rows of %s have %d entries but the '
                             'permutation %d' % (node.inputs[0], x.shape[-1], y.shape[-1]))
        if self.inverse:
            lead_index = jnp.indices(y.shape, sparse=True)[:-1]
            return jnp.zeros_like(x).at[tuple(lead_index) + (y,)].set(x)
        return jnp.take_along_axis(x, y, axis=-1)

    def grad(self, node, output_grads):
        x, y = node.inputs
        gx = ew.sum_broadcast(PermuteRowElements(not self.inverse)(output_grads[0], y),
                              x.broadcastable)
        return [patternbroadcast(ew.cast(gx, x.dtype), x.broadcastable), None]


def permute_row_elements(x, y, inverse=0):
    return PermuteRowElements(inverse)(x, y)
