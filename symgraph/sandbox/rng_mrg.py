"""MRG31k3p random streams, number for number as Theano 1.0.5 draws them.

``MRG_RandomStreams`` (``theano.sandbox.rng_mrg``) is L'Ecuyer's combined multiple
recursive generator MRG31k3p with many streams. Everything about how Theano uses it is
reproduced, so a seeded Theano program draws the same numbers here:

* the state of one draw is an int32 matrix with one row of six numbers per stream; row 0
  is the generator's current state and row i is row i-1 jumped ahead 2**72 steps (the
  A1p72/A2p72 matrices). Each draw then moves the generator 2**134 steps on (A1p134/A2p134),
  so the next draw starts from fresh streams;
* the number of streams is Theano's guess: for a size of plain ints, the number of
  elements, divided by 6 when there are more than 6, at most 60 * 256; for a symbolic
  size, 60 * 256. Element i of a draw comes from stream ``i % n_streams``, so a stream
  serves ``ceil(n / n_streams)`` consecutive elements and the streams past the end of the
  last round do not move;
* a sample is the integer ``x11 - x21`` (plus M1 when ``x11 <= x21``) times 2**-31, the
  integer first rounded to float32 and multiplied in float32 for float32 draws (Theano's C
  code), exactly for float64;
* ``uniform`` is ``u * (high - low) + low``; ``binomial`` (n=1 only, as in Theano) is
  ``cast(uniform < p, dtype)``; ``normal`` draws an even number of uniforms (always with
  60 * 256 streams unless ``nstreams`` is given: its size is symbolic) and applies
  Box-Muller to the two halves, keeping the first ``prod(size)``; ``multinomial`` and
  ``choice`` (without replacement, as far as Theano 1.0.5 goes) turn uniforms into
  outcomes with sandbox/multinomial.py; ``truncated_normal`` redraws the samples beyond two
  standard deviations from a second uniform draw.

The state of each draw is a shared variable whose ``default_update`` is the state after
the draw, so every function that draws advances it, ``no_default_updates`` freezes it, and
``scan`` returns it in its updates. The integer recurrence runs inside the function's one
XLA program, vectorized over the streams (``mrg_uniform.jax_impl``); only the streams'
starting states are worked out on the host, once, when a draw is built. Parameters of the
distributions are wrapped in ``undefined_grad``, as in Theano: a draw is a constant for
``T.grad``, and differentiating with respect to ``low``, ``p`` or ``avg`` raises.

Float32 normals: log, sin and cos are XLA's, not the C library's that Theano called, so
about 5 % of float32 Box-Muller samples differ from Theano's by a few units in the last
place (at most about 1e-6). Everything else (float64 normals, uniforms, binomials,
multinomials, choices) is bit for bit Theano's. The float32 conversion of the integer
sample is written so that XLA cannot contract it with a later addition into a fused
multiply-add (see ``_to_float``); Theano's own fused ``u * (high - low) + low`` is a
multiply-add in its C code as in XLA's, and they agree.
"""
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from symgraph.config import config
from symgraph.graph.basic import Apply, Op, Variable
from symgraph.gradient import grad_undefined, undefined_grad
from symgraph.sandbox import multinomial
from symgraph.tensor import elemwise as ew
from symgraph.tensor.basic import MakeVector, join, stack
from symgraph.tensor.reduction import prod
from symgraph.tensor.shape import Shape, reshape
from symgraph.tensor.sharedvar import shared
from symgraph.tensor.type import DISCRETE_DTYPES, TensorType, upcast
from symgraph.tensor.var import TensorConstant, as_tensor_variable, constant

# MRG31k3p's constants.
M1 = 2147483647  # 2**31 - 1
M2 = 2147462579  # 2**31 - 21069
MASK12 = 511  # 2**9 - 1
MASK13 = 16777215  # 2**24 - 1
MASK2 = 65535  # 2**16 - 1
MULT2 = 21069
NORM = 4.656612873077392578125e-10  # 2**-31

A1p72 = np.asarray([[1516919229, 758510237, 499121365],
                    [1884998244, 1516919229, 335398200],
                    [601897748, 1884998244, 358115744]], dtype='int64')
A2p72 = np.asarray([[1228857673, 1496414766, 954677935],
                    [1133297478, 1407477216, 1496414766],
                    [2002613992, 1639496704, 1407477216]], dtype='int64')
A1p134 = np.asarray([[1702500920, 1849582496, 1656874625],
                     [828554832, 1702500920, 1512419905],
                     [1143731069, 828554832, 102237247]], dtype='int64')
A2p134 = np.asarray([[796789021, 1464208080, 607337906],
                     [1241679051, 1431130166, 1464208080],
                     [1401213391, 1178684362, 1431130166]], dtype='int64')

_DEFAULT_STREAMS = 60 * 256
_UNROLLED_ROUNDS = 8  # rounds of the recurrence written out; more run in a lax.scan


# ---------------------------------------------------------------------------------------
# The host side: stream starting states (jumps are 3x3 matrix products modulo M1 and M2)
# ---------------------------------------------------------------------------------------

def matVecModM(A, s, m):
    """``A @ s`` modulo ``m`` for rows of states ``s`` (shape (..., 3)), exact in int64:
    each product is below 2**62, and is reduced before the sum, as in Theano."""
    s = np.asarray(s, dtype='int64')
    return np.sum((A * s[..., None, :]) % m, axis=-1) % m


def multMatVect(v, A, m1, B, m2):
    """The first half of each state in ``v`` times ``A`` modulo ``m1``, the second times
    ``B`` modulo ``m2`` (Theano's jump of a stream)."""
    v = np.asarray(v)
    return np.concatenate([matVecModM(A, v[..., :3], m1),
                           matVecModM(B, v[..., 3:], m2)], axis=-1).astype('int32')


def _mat_mul_mod(A, B, m):
    """``A @ B`` modulo ``m`` for 3x3 matrices, exactly (Python integers)."""
    return np.array([[sum(int(A[i, k]) * int(B[k, j]) for k in range(3)) % m
                      for j in range(3)] for i in range(3)], dtype='int64')


def ff_2p134(rstate):
    return multMatVect(rstate, A1p134, M1, A2p134, M2)


def ff_2p72(rstate):
    return multMatVect(rstate, A1p72, M1, A2p72, M2)


def substream_states(rstate, n_streams):
    """The (n_streams, 6) int32 starting states: ``rstate`` and its successive 2**72 jumps.

    Theano makes them one jump at a time; here a block of states is jumped at once by
    the matrix to the power of the block's length, doubling the block each time, which
    gives the same integers in log2(n_streams) vectorized steps.
    """
    states = np.zeros((n_streams, 6), dtype='int32')
    states[0] = rstate
    A1, A2 = A1p72, A2p72  # jump by `done` streams
    done = 1
    while done < n_streams:
        take = min(done, n_streams - done)
        states[done:done + take] = multMatVect(states[:take], A1, M1, A2, M2)
        A1, A2 = _mat_mul_mod(A1, A1, M1), _mat_mul_mod(A2, A2, M2)
        done += take
    return states


def guess_n_streams(size, warn=False):
    """Theano's number of streams for a draw of ``size``: the number of elements (divided
    by 6 when more than 6), at most 60 * 256; 60 * 256 when the size is symbolic, and, as
    in Theano under Python 3, when it holds numpy integers rather than Python ints."""
    if isinstance(size, (tuple, list)) and all(isinstance(i, int) for i in size):
        r = 1
        for s in size:
            r *= int(s)
        if r > 6:
            r = r // 6
        return min(r, _DEFAULT_STREAMS)
    if warn:
        warnings.warn("MRG_RandomStreams Can't determine #streams from size (%s), guessing "
                      "60*256" % str(size), stacklevel=3)
    return _DEFAULT_STREAMS


# ---------------------------------------------------------------------------------------
# The program side: the recurrence, vectorized over streams
# ---------------------------------------------------------------------------------------

def _wrap(y, m):
    """Theano's ``if (y < 0 || y >= m) y -= m`` in wrapping int32 arithmetic."""
    return jnp.where((y < 0) | (y >= m), y - jnp.int32(m), y)


def _next(x11, x12, x13, x21, x22, x23):
    """One step of every stream: the new state and the integer sample in [1, M1]."""
    i32 = jnp.int32
    y1 = (((x12 & i32(MASK12)) << 22) + (x12 >> 9)
          + ((x13 & i32(MASK13)) << 7) + (x13 >> 24))
    y1 = _wrap(_wrap(y1, M1) + x13, M1)
    x13, x12, x11 = x12, x11, y1
    y1 = _wrap(((x21 & i32(MASK2)) << 15) + i32(MULT2) * (x21 >> 16), M2)
    y2 = _wrap(((x23 & i32(MASK2)) << 15) + i32(MULT2) * (x23 >> 16), M2)
    y2 = _wrap(_wrap(y2 + x23, M2) + y1, M2)
    x23, x22, x21 = x22, x21, y2
    sample = jnp.where(x11 <= x21, x11 - x21 + i32(M1), x11 - x21)
    return (x11, x12, x13, x21, x22, x23), sample


def _to_float(k, dtype):
    """Theano's conversion of the integer sample to ``dtype``."""
    if dtype == 'float32':
        # Theano's C code: float(k) * 4.6566126e-10f, in float32. That constant is
        # 2**-31 * (1 - 2**-24), and for every float K >= 1 the float32 product
        # K * 2**-31 * (1 - 2**-24) is the float just below K, times 2**-31 (exactly).
        # Written so, the product is exact: XLA's CPU code contracts a float32 product
        # with an addition that uses it into one fused multiply-add, which here would
        # round differently (``u * (high - low) + low``).
        below = jax.lax.bitcast_convert_type(
            jax.lax.bitcast_convert_type(k.astype('float32'), jnp.int32) - 1, jnp.float32)
        return below * jnp.float32(2.0 ** -31)
    if dtype == 'float64':
        return k.astype('float64') * NORM
    if dtype == 'float16':  # Theano's Python code: 15 bits, offset 1, product in float64
        return (((k & 0x7fff) + 1).astype('float64')
                * float(np.float16(3.0458e-05))).astype('float16')
    raise TypeError('mrg_uniform: cannot draw samples of dtype %s' % dtype)


def mrg_draw(rstate, n_elements, dtype, n_valid=None):
    """(new state, ``n_elements`` samples) from the (n_streams, 6) int32 ``rstate``.

    Element i comes from stream ``i % n_streams``; the streams run in rounds, all at
    once, and a stream whose element of the last round lies past the end keeps its state.
    With ``n_valid`` (traced), only the first ``n_valid`` elements are drawn (the streams
    move as for a draw of that many) and the rest are padding.
    """
    n_streams = rstate.shape[0]
    rounds = -(-n_elements // n_streams)
    columns = tuple(rstate[:, j] for j in range(6))
    count = n_elements if n_valid is None else n_valid
    stream = jnp.arange(n_streams)

    def round_(columns, first):
        new, k = _next(*columns)
        if n_valid is None and first + n_streams <= n_elements:
            return new, k
        moves = first + stream < count
        return tuple(jnp.where(moves, a, b) for a, b in zip(new, columns)), k

    if rounds <= _UNROLLED_ROUNDS or n_valid is not None and rounds <= 2 * _UNROLLED_ROUNDS:
        samples = []
        for r in range(rounds):
            columns, k = round_(columns, r * n_streams)
            samples.append(k)
        samples = jnp.concatenate(samples) if len(samples) > 1 else samples[0]
    else:  # full rounds in a loop, the partial last one after it
        full = n_elements // n_streams if n_valid is None else 0

        def body(columns, first):
            if n_valid is None:
                return _next(*columns)
            return round_(columns, first)
        loop_rounds = full if n_valid is None else rounds
        columns, ks = jax.lax.scan(body, columns, jnp.arange(loop_rounds) * n_streams)
        samples = [ks.reshape(-1)]
        if loop_rounds < rounds:
            columns, k = round_(columns, loop_rounds * n_streams)
            samples.append(k)
        samples = jnp.concatenate(samples) if len(samples) > 1 else samples[0]
    new_state = jnp.stack(columns, axis=1)
    return new_state, _to_float(samples[:n_elements], dtype)


def _static_entry(size, i):
    """Entry ``i`` of a size vector when it is fixed while building the graph, else None
    (a constant, a MakeVector of constants, or the shape of a broadcastable dimension; a
    shared variable's current length is not fixed: set_value may change it)."""
    if isinstance(size, TensorConstant):
        return int(np.asarray(size.data).reshape(-1)[i])
    node = size.owner
    if node is not None and isinstance(node.op, MakeVector):
        entry = node.inputs[i]
        while entry.owner is not None and isinstance(entry.owner.op, ew.Elemwise) and \
                isinstance(entry.owner.op.scalar_op, ew.Cast):
            entry = entry.owner.inputs[0]
        if isinstance(entry, TensorConstant):
            return int(entry.data)
    if node is not None and isinstance(node.op, Shape) and node.inputs[0].broadcastable[i]:
        return 1
    return None


def get_vector_length(v):
    """The length of a symbolic vector known while building the graph (Theano's)."""
    if v.ndim != 1:
        raise TypeError('argument must be symbolic vector, got %s with %d dimensions'
                        % (v, v.ndim))
    if v.static_shape[0] is not None:
        return v.static_shape[0]
    if v.owner is not None and isinstance(v.owner.op, Shape):
        return v.owner.inputs[0].ndim
    raise ValueError('length not known: %s' % v)


class mrg_uniform_base(Op):
    """A draw of uniform numbers: (new state, sample). Named, printed and compared by its
    output type and whether it works in place, as in Theano."""

    __props__ = ('output_type', 'inplace')
    #: A draw depends on its state, which changes at every call: never folded.
    fold_constants = False

    def __init__(self, output_type, inplace=False):
        self.output_type = output_type
        self.inplace = inplace

    def __str__(self):
        return '%s{%s,%s}' % (type(self).__name__, self.output_type,
                              'inplace' if self.inplace else 'no_inplace')

    def grad(self, node, output_grads):
        return [grad_undefined(self, k, inp, 'No gradient defined through random sampling op')
                for k, inp in enumerate(node.inputs)]


class mrg_uniform(mrg_uniform_base):
    """The MRG31k3p draw: ``mrg_uniform(rstate, size)`` -> (new rstate, sample of ``size``).

    With a third input ``n_valid`` (truncated_normal's redraw, whose size depends on the
    values drawn before), ``size`` is the largest possible length and only the first
    ``n_valid`` elements are drawn.
    """

    def make_node(self, rstate, size, n_valid=None):
        rstate = as_tensor_variable(rstate)
        size = as_tensor_variable(size)
        if rstate.dtype != 'int32' or rstate.ndim != 2:
            raise TypeError('mrg_uniform: the state must be an int32 matrix, got %s of type %s'
                            % (rstate, rstate.type))
        if size.ndim != 1 or size.dtype not in DISCRETE_DTYPES:
            raise TypeError('mrg_uniform: size must be an integer vector, got %s of type %s'
                            % (size, size.type))
        ndim = self.output_type.ndim
        static = [_static_entry(size, i) for i in range(ndim)]
        output_type = TensorType(self.output_type.dtype, [s == 1 for s in static])
        inputs = [rstate, size] + ([] if n_valid is None else [as_tensor_variable(n_valid)])
        node = Apply(self, inputs, [rstate.type, output_type])
        node.outputs[1].static_shape = tuple(static)
        return node

    @classmethod
    def new(cls, rstate, ndim, dtype, size):
        v_size = as_tensor_variable(size)
        if ndim is None:
            ndim = get_vector_length(v_size)
        op = cls(TensorType(dtype, (False,) * ndim))
        return op(rstate, v_size)

    def static_inputs(self, node):
        return (1,)

    def jax_impl(self, node, rstate, size, n_valid=None):
        dims = tuple(int(d) for d in np.asarray(size).reshape(-1))
        if len(dims) != self.output_type.ndim:
            raise ValueError('size must have length %d (not %d)'
                             % (self.output_type.ndim, len(dims)))
        n_elements = int(np.prod(dims, dtype='int64'))
        if n_elements > M1:
            raise ValueError('rng_mrg cpu-implementation does not support more than '
                             '(2**31 -1) samples')
        if min(dims, default=1) < 0:
            raise ValueError('mrg_uniform: negative dimensions in size %s' % (dims,))
        if rstate.shape[1] != 6:
            raise ValueError('rstate must have 6 columns')
        if n_elements == 0:
            return rstate, jnp.zeros(dims, self.output_type.dtype)
        new_state, sample = mrg_draw(jnp.asarray(rstate), n_elements,
                                     self.output_type.dtype, n_valid)
        return new_state, sample.reshape(dims)


# ---------------------------------------------------------------------------------------
# MRG_RandomStreams
# ---------------------------------------------------------------------------------------

def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


class MRG_RandomStreams:
    """Theano's MRG_RandomStreams: symbolic draws whose numbers replay Theano's.

    ``seed``: an int in [1, M2), replicated six times, or six ints (the first three below
    M1 and not all zero, the last three below M2 and not all zero).
    """

    def __init__(self, seed=12345):
        self.state_updates = []  # (state, its update, size, nstreams) of each draw
        self.default_instance_seed = seed
        self.set_rstate(seed)

    def updates(self):
        return list(self.state_updates)

    def set_rstate(self, seed):
        if _is_int(seed):
            if seed == 0:
                raise ValueError('seed should not be 0', seed)
            elif seed >= M2:
                raise ValueError('seed should be less than %i' % M2, seed)
            self.rstate = np.asarray([seed] * 6, dtype='int32')
        elif len(seed) == 6:
            if seed[0] == 0 and seed[1] == 0 and seed[2] == 0:
                raise ValueError('The first 3 values of seed should not be all 0', seed)
            if seed[3] == 0 and seed[4] == 0 and seed[5] == 0:
                raise ValueError('The last 3 values of seed should not be all 0', seed)
            if seed[0] >= M1 or seed[1] >= M1 or seed[2] >= M1:
                raise ValueError('The first 3 values of seed should be less than %i' % M1,
                                 seed)
            if seed[3] >= M2 or seed[4] >= M2 or seed[5] >= M2:
                raise ValueError('The last 3 values of seed should be less than %i' % M2,
                                 seed)
            self.rstate = np.asarray(seed, dtype='int32')
        else:
            raise TypeError('seed should be 1 integer or 6 integers')

    def seed(self, seed=None):
        """Re-seed: the generator, then each draw made so far gets new starting states,
        in the order the draws were made (as a fresh stream object would give them)."""
        if seed is None:
            seed = self.default_instance_seed
        self.set_rstate(seed)
        for old_r, new_r, size, nstreams in self.state_updates:
            if nstreams is None:
                nstreams = self.n_streams(size)
            rstates = self.get_substream_rstates(nstreams, new_r.owner.outputs[1].dtype)
            assert old_r.get_value(borrow=True).shape == rstates.shape
            old_r.set_value(rstates, borrow=True)

    def inc_rstate(self):
        """Move the generator 2**134 steps on, to the start of the next set of streams."""
        self.rstate = ff_2p134(self.rstate)

    def get_substream_rstates(self, n_streams, dtype, inc_rstate=True):
        """The starting states of ``n_streams`` streams, 2**72 steps apart."""
        n_streams = int(n_streams)
        assert 0 < n_streams < 2 ** 72
        rval = substream_states(self.rstate, n_streams)
        if inc_rstate:
            self.inc_rstate()
        return rval

    def n_streams(self, size):
        return guess_n_streams(size)

    def pretty_return(self, node_rstate, new_rstate, sample, size, nstreams):
        sample.rstate = node_rstate
        sample.update = (node_rstate, new_rstate)
        self.state_updates.append((node_rstate, new_rstate, size, nstreams))
        node_rstate.default_update = new_rstate
        return sample

    def _new_state(self, size, nstreams, dtype, kwargs):
        if kwargs:
            raise TypeError('uniform() got unexpected keyword arguments %s'
                            % (str(kwargs.keys()),))
        orig_nstreams = nstreams
        if nstreams is None:
            nstreams = self.n_streams(size)
        node_rstate = shared(self.get_substream_rstates(nstreams, dtype))
        node_rstate.tag.is_rng = True
        return node_rstate, orig_nstreams

    def uniform(self, size, low=0.0, high=1.0, ndim=None, dtype=None, nstreams=None,
                **kwargs):
        """Samples of ``size`` uniform in [low, high); ``dtype`` defaults to the upcast of
        floatX and the bounds' dtypes."""
        low, high = as_tensor_variable(low), as_tensor_variable(high)
        if dtype is None:
            dtype = upcast(config.floatX, low.dtype, high.dtype)
        low = undefined_grad(ew.cast(low, dtype))
        high = undefined_grad(ew.cast(high, dtype))
        _check_uniform_size(size)
        kwargs.pop('target', None)
        node_rstate, orig_nstreams = self._new_state(size, nstreams, dtype, kwargs)
        u = self.pretty_return(node_rstate, *mrg_uniform.new(node_rstate, ndim, dtype, size),
                               size=size, nstreams=orig_nstreams)
        r = u * (high - low) + low
        if u.type.broadcastable != r.type.broadcastable:
            raise NotImplementedError('Increase the size to match the broadcasting pattern of '
                                      '`low` and `high` arguments')
        assert r.dtype == dtype
        return r

    def binomial(self, size=None, n=1, p=0.5, ndim=None, dtype='int64', nstreams=None,
                 **kwargs):
        """``cast(uniform(size) < p, dtype)``: only n=1, as in Theano."""
        if _is_int(n) and n == 1:
            p = undefined_grad(as_tensor_variable(p))
            x = self.uniform(size=size, nstreams=nstreams, **kwargs)
            return ew.cast(ew.lt(x, p), dtype)
        raise NotImplementedError('MRG_RandomStreams.binomial with n > 1')

    def multinomial(self, size=None, n=1, pvals=None, ndim=None, dtype='int64',
                    nstreams=None, **kwargs):
        """Counts of ``n`` draws per row of the matrix ``pvals`` (no check that its rows
        are probabilities, as in Theano); ``size`` and ``ndim`` must be None."""
        if pvals is None:
            raise TypeError('You have to specify pvals')
        pvals = undefined_grad(as_tensor_variable(pvals))
        if size is not None:
            if any(_is_int(i) and i <= 0 for i in size):
                raise ValueError('The specified size contains a dimension with value <= 0',
                                 size)
            raise ValueError('Provided a size argument to MRG_RandomStreams.multinomial, '
                             'which does not use the size argument.')
        if ndim is not None:
            raise ValueError('Provided an ndim argument to MRG_RandomStreams.multinomial, '
                             'which does not use the ndim argument.')
        if pvals.ndim != 2:
            raise NotImplementedError('MRG_RandomStreams.multinomial only implemented for '
                                      'pvals.ndim = 2')
        size = pvals[:, 0].shape * n
        unis = self.uniform(size=size, ndim=1, nstreams=nstreams, **kwargs)
        op = multinomial.MultinomialFromUniform(dtype)
        return op(pvals, unis, as_tensor_variable(n))

    def choice(self, size=1, a=None, replace=True, p=None, ndim=None, dtype='int64',
               nstreams=None, **kwargs):
        """``size`` outcomes per row of the matrix ``p``, without replacement (Theano
        1.0.5 implements only that: ``replace=False`` must be given, ``a`` must be None)."""
        if replace:
            raise NotImplementedError('MRG_RandomStreams.choice only works without '
                                      'replacement for now.')
        if a is not None:
            raise TypeError('For now, a has to be None in MRG_RandomStreams.choice. Sampled '
                            'values are between 0 and p.shape[1]-1')
        if p is None:
            raise TypeError('For now, p has to be specified in MRG_RandomStreams.choice.')
        p = undefined_grad(as_tensor_variable(p))
        if ndim is not None:
            raise ValueError('ndim argument to MRG_RandomStreams.choice is not used.')
        if p.ndim != 2:
            raise NotImplementedError('MRG_RandomStreams.choice is only implemented for '
                                      'p.ndim = 2')
        shape = p[:, 0].shape * size
        unis = self.uniform(size=shape, ndim=1, nstreams=nstreams, **kwargs)
        op = multinomial.ChoiceFromUniform(odtype=dtype)
        return op(p, unis, as_tensor_variable(size))

    def multinomial_wo_replacement(self, size=None, n=1, pvals=None, ndim=None,
                                   dtype='int64', nstreams=None, **kwargs):
        warnings.warn('MRG_RandomStreams.multinomial_wo_replacement() is deprecated and will '
                      'be removed in the next release of Theano. Please use '
                      'MRG_RandomStreams.choice() instead.')
        assert size is None
        return self.choice(size=n, a=None, replace=False, p=pvals, dtype=dtype,
                           nstreams=nstreams, ndim=ndim, **kwargs)

    def normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None, nstreams=None,
               truncate=False, **kwargs):
        """Normal samples by Box-Muller on an even number of uniforms (the first half gives
        the radii, the second the angles; cosines then sines, the first ``prod(size)``
        kept). ``truncate``: samples beyond two standard deviations are redrawn."""
        size = _check_size(size)
        avg = undefined_grad(as_tensor_variable(avg))
        std = undefined_grad(as_tensor_variable(std))
        if dtype is None:
            dtype = upcast(config.floatX, avg.dtype, std.dtype)
        avg = ew.cast(avg, dtype)
        std = ew.cast(std, dtype)
        n_odd_samples = prod(size, dtype='int64')
        n_even_samples = n_odd_samples + n_odd_samples % 2
        uniform = self.uniform((n_even_samples,), low=0., high=1., ndim=1, dtype=dtype,
                               nstreams=nstreams, **kwargs)
        u1 = uniform[:n_even_samples // 2]
        u2 = uniform[n_even_samples // 2:]
        r = ew.sqrt(-2.0 * ew.log(u1))
        theta = np.array(2.0 * np.pi, dtype=dtype) * u2
        cos_theta, sin_theta = ew.cos(theta), ew.sin(theta)
        z0 = r * cos_theta
        z1 = r * sin_theta
        if truncate:
            norm_samples = self._truncated(z0, z1, cos_theta, sin_theta, n_even_samples,
                                           dtype, nstreams, kwargs)
        else:
            norm_samples = join(0, z0, z1)
        samples = norm_samples[:n_odd_samples]
        samples = reshape(samples, newshape=size, ndim=ndim)
        samples = samples * std
        samples = samples + avg
        return samples

    def _truncated(self, z0, z1, cos_theta, sin_theta, n_even_samples, dtype, nstreams,
                   kwargs):
        """Theano's redraw of the samples beyond +-2: the valid cosine samples, the redrawn
        ones (radii from uniforms in [e**-2, 1) times the cosines they replace), then the
        same for the sines. The redraw's length depends on the values, so it is drawn at
        the largest length with only that many elements taken (``mrg_uniform``'s
        ``n_valid``); the streams move as Theano's do."""
        to_fix0 = ew.or_(ew.lt(z0, -2.), ew.gt(z0, 2.))
        to_fix1 = ew.or_(ew.lt(z1, -2.), ew.gt(z1, 2.))
        n_fix0 = to_fix0.sum(dtype='int64')
        n_fix_samples = n_fix0 + to_fix1.sum(dtype='int64')
        lower = constant(1. / np.e ** 2, dtype=dtype)
        if kwargs:
            raise TypeError('uniform() got unexpected keyword arguments %s'
                            % (str(kwargs.keys()),))
        size = (n_fix_samples,)
        orig_nstreams = nstreams
        if nstreams is None:
            nstreams = self.n_streams(size)
        node_rstate = shared(self.get_substream_rstates(nstreams, dtype))
        node_rstate.tag.is_rng = True
        op = mrg_uniform(TensorType(dtype, (False,)))
        new_rstate, u = op(node_rstate, stack([n_even_samples]), n_fix_samples)
        u = self.pretty_return(node_rstate, new_rstate, u, size=size, nstreams=orig_nstreams)
        high = undefined_grad(constant(1., dtype=dtype))
        low = undefined_grad(lower)
        u_fix = u * (high - low) + low
        r_fix = ew.sqrt(-2. * ew.log(u_fix))
        return TruncatedJoin()(z0, z1, cos_theta, sin_theta, to_fix0, to_fix1, r_fix, n_fix0)

    def truncated_normal(self, size, avg=0.0, std=1.0, ndim=None, dtype=None,
                         nstreams=None, **kwargs):
        """Normal samples truncated symmetrically at two standard deviations (``std`` is
        scaled so that the result has standard deviation ``std``)."""
        std = std / constant(.87962566103423978)
        return self.normal(size=size, avg=avg, std=std, truncate=True, ndim=ndim,
                           dtype=dtype, nstreams=nstreams, **kwargs)


class TruncatedJoin(Op):
    """truncated_normal's assembly, as Theano's ``join(z0_valid, z0_fixed, z1_valid,
    z1_fixed)``: in each half, the samples within +-2 in their order, then the redrawn
    ones (the redrawn radii in order times the cosines, then sines, they replace)."""

    fold_constants = False

    def make_node(self, z0, z1, cos_theta, sin_theta, to_fix0, to_fix1, r_fix, n_fix0):
        inputs = [as_tensor_variable(v) for v in (z0, z1, cos_theta, sin_theta, to_fix0,
                                                  to_fix1, r_fix, n_fix0)]
        return Apply(self, inputs, [TensorType(inputs[0].dtype, (False,))])

    def jax_impl(self, node, z0, z1, cos_theta, sin_theta, to_fix0, to_fix1, r_fix, n_fix0):
        def half(z, trig, bad, r_offset):
            order = jnp.argsort(bad, stable=True)  # valid ones first, each group in order
            n_valid = z.shape[0] - bad.sum()
            i = jnp.arange(z.shape[0])
            fixed = jnp.take(r_fix, jnp.clip(r_offset + i - n_valid, 0, r_fix.shape[0] - 1))
            return jnp.where(i < n_valid, z[order], fixed * trig[order])
        return jnp.concatenate([half(z0, cos_theta, to_fix0, 0),
                                half(z1, sin_theta, to_fix1, n_fix0)])

    def grad(self, node, output_grads):
        return [grad_undefined(self, k, inp, 'No gradient defined through random sampling op')
                for k, inp in enumerate(node.inputs)]


def _check_uniform_size(size):
    if isinstance(size, tuple):
        msg = 'size must be a tuple of int or a Theano variable'
        assert all(isinstance(i, (np.integer, int, Variable)) for i in size), msg
        if any(_is_int(i) and i <= 0 for i in size):
            raise ValueError('The specified size contains a dimension with value <= 0', size)
    elif not (isinstance(size, Variable) and size.ndim == 1):
        raise TypeError('size must be a tuple of int or a Theano Variable with 1 dimension, '
                        'got ' + str(size) + ' of type ' + str(type(size)))


def _check_size(size):
    """``size`` as a symbolic int vector (an int, a tuple or list, a scalar or a vector)."""
    if isinstance(size, Variable):
        if size.ndim == 1:
            return size
        elif size.ndim == 0:
            return stack([size])
        raise ValueError('Theano variable must have 1 dimension to be a valid size.', size)
    elif _is_int(size):
        return constant([size], ndim=1)
    elif not isinstance(size, (tuple, list)):
        raise ValueError('Size must be a int, tuple, list or Theano variable.', size)
    for i in size:
        if isinstance(i, Variable):
            if i.ndim != 0:
                raise ValueError('Non-scalar Theano variable in size', size, i)
        elif _is_int(i):
            if i <= 0:
                raise ValueError('Non-positive dimensions not allowed in size.', size, i)
        else:
            raise ValueError('Only Theano variables and integers are allowed in a size-tuple.',
                             size, i)
    return as_tensor_variable(size, ndim=1)


__all__ = ['MRG_RandomStreams', 'mrg_uniform', 'mrg_uniform_base', 'guess_n_streams']
