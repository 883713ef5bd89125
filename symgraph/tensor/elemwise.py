"""Elementwise operations, casts and DimShuffle.

An Elemwise op applies a ScalarOp to every element of its (broadcast) inputs. Each
operation is declared in one block at the end of this file: its dtype rule, JAX function,
host function, printed form and gradient, and the public function that applies it
(``add``, ``exp``, ``T.nnet.sigmoid``...), named as Theano prints it
(``Elemwise{add,no_inplace}``). Adding an operation is adding a block.
"""
import operator

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp
import numpy as np

from symgraph.config import config
from symgraph.graph.basic import Apply, Op, format_trace
from symgraph.tensor.type import (DISCRETE_DTYPES, FLOAT_DTYPES, INT_DTYPES, TensorType,
                                  check_dtype, upcast, upcast_to_float, user_line)
from symgraph.tensor.var import as_tensor_variable, constant


class BroadcastError(ValueError):
    """Shapes that a Theano-style (explicit) broadcast rejects."""


# ---------------------------------------------------------------------------------------
# Scalar ops, and Elemwise: broadcasting as Theano does it.
# ---------------------------------------------------------------------------------------

def _same_upcast(*dtypes):
    return upcast(*dtypes)


def _to_bool(*dtypes):
    return 'bool'


def _float_out(*dtypes):
    return upcast_to_float(*dtypes)


class ScalarOp:
    """An elementwise function of ``nin`` scalars.

    ``out_dtype(*in_dtypes)`` gives the output dtype; ``fn`` is the JAX function, applied
    after the inputs are cast to ``compute_dtype`` (so JAX's promotion rules, which differ
    from numpy's, never decide a result); ``grad(inputs, out, gout)`` returns one gradient
    variable (or None for 'not differentiable') per input. ``host`` is the same function
    on Python numbers, for slice bounds worked out before a call (None: not available
    there); ``pformat`` is pprint's form of an application, e.g. ``'(%s + %s)'`` (None:
    ``name(inputs)``).
    """

    def __init__(self, name, nin, fn, out_dtype=_same_upcast, grad=None, host=None,
                 pformat=None):
        self.name = name
        self.nin = nin
        self.fn = fn
        self.out_dtype = out_dtype
        self.grad = grad
        self.host = host
        self.pformat = pformat

    def compute_dtype(self, in_dtypes, out_dtype):
        """The dtype the inputs are cast to before ``fn`` runs."""
        if self.out_dtype is _to_bool:
            return upcast(*in_dtypes)
        return out_dtype

    def __str__(self):
        return self.name

    def __reduce__(self):
        # Pickled by name: the JAX functions they hold are not picklable themselves.
        return (scalar_op_named, (self.name,))

    def __eq__(self, other):
        return isinstance(other, ScalarOp) and self.name == other.name

    def __hash__(self):
        return hash(self.name)


class Cast(ScalarOp):
    """Conversion to a fixed dtype, printed ``Cast{float64}``.

    On the host it passes values through unchanged, shape tuples included."""

    def __init__(self, dtype):
        self.dtype = dtype
        super().__init__('Cast{%s}' % dtype, 1, _identity, out_dtype=self._out_dtype,
                         grad=_cast_grad, host=_identity, pformat=dtype + '(%s)')

    def _out_dtype(self, *in_dtypes):
        return self.dtype

    def __reduce__(self):
        return (Cast, (self.dtype,))


def _identity(x):
    return x


def _cast_grad(inputs, out, gout):
    (x,) = inputs
    return [gout if x.dtype in DISCRETE_DTYPES else cast(gout, x.dtype)]


class NullTypeGradError(TypeError):
    """A gradient that Theano leaves undefined, or does not implement, was needed."""


class NullGrad:
    """What an op's ``grad`` returns for an input whose gradient Theano leaves undefined or
    does not implement (Theano's ``grad_undefined`` / ``grad_not_implemented``). ``T.grad``
    raises NullTypeGradError, naming the op and the input, only when a variable it is
    asked for depends on that input; an input it does not need costs nothing."""

    def __init__(self, op, position, var, why, comment=''):
        self.op, self.position, self.var, self.why, self.comment = \
            op, position, var, why, comment

    def error(self):
        return NullTypeGradError(
            'tensor.grad encountered a NaN. This variable is Null because the grad method '
            'for input %d (%s) of the %s op is %s. %s'
            % (self.position, self.var, self.op, self.why, self.comment))


def grad_not_implemented(op, position, var, comment=''):
    return NullGrad(op, position, var, 'not implemented', comment)


def grad_undefined(op, position, var, comment=''):
    return NullGrad(op, position, var, 'mathematically undefined', comment)


def _g_not_implemented(name):
    """The scalar gradient rule of an op whose gradient Theano does not implement."""
    def rule(inputs, out, gout):
        return [grad_not_implemented('Elemwise{%s}' % name, k, x) for k, x in enumerate(inputs)]
    return rule


def _describe(var):
    return '%s (%s, broadcastable=%s)' % (var, var.type, var.broadcastable)


def check_broadcast(inputs, shapes, op_name, trace=None, static=False):
    """Raise BroadcastError when two inputs disagree on a non-broadcastable dimension.

    ``shapes`` may hold None for unknown lengths (at graph-build time). A length-1
    dimension only broadcasts when its type says it is broadcastable: the message then
    suggests the ``broadcastable=`` pattern that would make the expression valid.
    """
    ndim = inputs[0].ndim
    for dim in range(ndim):
        known = [(var, shape[dim]) for var, shape in zip(inputs, shapes)
                 if not var.broadcastable[dim] and shape[dim] is not None]
        if not known:
            continue
        first_var, first_len = known[0]
        for var, length in known[1:]:
            if length == first_len:
                continue
            culprit = first_var if first_len == 1 else var if length == 1 else None
            hint = ''
            if culprit is not None:
                pattern = list(culprit.broadcastable)
                pattern[dim] = True
                hint = ('\nHINT: %s has length 1 in dimension %d but its broadcastable pattern '
                        'is %s. To broadcast it, declare it with broadcastable=%s (e.g. '
                        'shared(value, broadcastable=%s)). %s was created at:\n%s'
                        % (culprit, dim, culprit.broadcastable, tuple(pattern), tuple(pattern),
                           culprit, format_trace(culprit.creation_trace)))
            if trace is not None:
                where = '\nThe expression was created at:\n' + format_trace(trace)
            else:
                where = user_line('The expression was created') if static else ''
            raise BroadcastError(
                '%s: input dimension mis-match%s in dimension %d: %s has shape %s but %s has '
                'shape %s. Only broadcastable dimensions may differ.%s%s'
                % (op_name, ' (known when building the graph)' if static else '', dim,
                   _describe(first_var), shape_text(shapes[inputs.index(first_var)]),
                   _describe(var), shape_text(shapes[inputs.index(var)]), hint, where))


def shape_text(shape):
    """'(20, ?)': a shape with ? for lengths unknown when the graph is built."""
    parts = ['?' if s is None else str(s) for s in shape]
    return '(%s)' % (parts[0] + ',' if len(parts) == 1 else ', '.join(parts))


class Elemwise(Op):
    """Apply ``scalar_op`` elementwise; inputs of lower rank are padded on the left."""

    __props__ = ('scalar_op',)

    def __init__(self, scalar_op, name=None):
        self.scalar_op = scalar_op
        self.name = name

    def __str__(self):
        return self.name or 'Elemwise{%s}' % self.scalar_op

    def make_node(self, *inputs):
        if len(inputs) != self.scalar_op.nin:
            raise TypeError('%s takes %d inputs, got %d' % (self, self.scalar_op.nin, len(inputs)))
        inputs = [as_tensor_variable(i) for i in inputs]
        ndim = max(i.ndim for i in inputs)
        inputs = [i if i.ndim == ndim else
                  DimShuffle(i.broadcastable, ['x'] * (ndim - i.ndim) + list(range(i.ndim)))(i)
                  for i in inputs]
        check_broadcast(inputs, [i.static_shape for i in inputs], str(self), static=True)
        out_dtype = self.scalar_op.out_dtype(*[i.dtype for i in inputs])
        bcast = tuple(all(i.broadcastable[d] for i in inputs) for d in range(ndim))
        node = Apply(self, inputs, [TensorType(out_dtype, bcast)])
        out = node.outputs[0]
        out.static_shape = tuple(
            next((i.static_shape[d] for i in inputs
                  if not i.broadcastable[d] and i.static_shape[d] is not None), None)
            if not bcast[d] else 1 for d in range(ndim))
        return node

    def jax_impl(self, node, *values):
        check_broadcast(node.inputs, [v.shape for v in values], str(self), trace=node.trace)
        return on_host(self._compute, node, values, self._in_numpy)

    def _in_numpy(self, node, values):
        """``_compute`` by numpy for the operations of _EXACT_IN_NUMPY on the CPU, else None."""
        exact = _EXACT_IN_NUMPY.get(self.scalar_op) if config.jax_platform == 'cpu' else None
        if exact is None or not all(np.dtype(i.dtype).kind in 'iuf' and i.dtype != 'float16'
                                    for i in node.inputs + node.outputs):
            return None
        fn, flush = exact
        flush = _flushed if flush else np.asarray
        with np.errstate(all='ignore'):  # (as XLA: inf, nan and wrapped integers)
            return self._compute(node, [flush(np.asarray(v)) for v in values], fn, flush)

    def _compute(self, node, values, fn=None, finish=None):
        out_dtype = node.outputs[0].dtype
        dtype = self.scalar_op.compute_dtype([i.dtype for i in node.inputs], out_dtype)
        if self.scalar_op is scalar_switch:
            values = (values[0],) + tuple(_astype(v, dtype) for v in values[1:])
        elif self.scalar_op is not scalar_second:
            values = tuple(_astype(v, dtype) for v in values)
        result = (fn or self.scalar_op.fn)(*values)
        result = result if result.dtype == out_dtype else result.astype(out_dtype)
        return result if finish is None else finish(result)

    def host_impl(self, node):
        """The scalar op's host function, on scalars: shapes reach the host as tuples, which
        only a cast passes through (as it passes everything)."""
        if node.outputs[0].ndim and not isinstance(self.scalar_op, Cast):
            return None
        return self.scalar_op.host

    def pformat(self, node, parts):
        if self.scalar_op.pformat is not None:
            return self.scalar_op.pformat % tuple(parts)
        label = self.name if self.name and not self.name.startswith('Elemwise{') else \
            self.scalar_op.name
        return '%s(%s)' % (label, ', '.join(parts))

    def grad(self, node, output_grads):
        (gout,) = output_grads
        out = node.outputs[0]
        grads = []
        for inp, g in zip(node.inputs, self.scalar_op.grad(node.inputs, out, gout)):
            if g is None or isinstance(g, NullGrad) or inp.dtype in DISCRETE_DTYPES:
                grads.append(g)  # a discrete input's gradient is zero: g only connects it
                continue
            # An input broadcast along a dimension receives the sum over that dimension.
            g = sum_broadcast(g, inp.broadcastable)
            if g.broadcastable != inp.broadcastable:
                g = second(inp, g)
            grads.append(g if g.dtype == inp.dtype else cast(g, inp.dtype))
        return grads


def sum_broadcast(g, broadcastable, keepdims=True):
    """The gradient ``g`` of a value of pattern ``broadcastable`` that was broadcast to the
    shape of ``g``, summed over the axes it was broadcast along: the leading axes it lacks
    and those where it is broadcastable and ``g`` is not.

    The one place where that sum is written; its callers finish the result to the value's
    type each as Theano does, so that their gradient graphs print as Theano's: Elemwise
    (``keepdims``, then ``second`` against the input), the set/increment ops (``keepdims``,
    leading axes dropped, ``patternbroadcast``) and Alloc (``keepdims=False``, then a
    ``reshape`` to the value's shape). It sums through the variable method, so that this
    module needs no import of reduction.py, whose ops are built from elementwise ones.
    """
    lead = g.ndim - len(broadcastable)
    axes = list(range(lead)) + [lead + d for d, b in enumerate(broadcastable)
                                if b and not g.broadcastable[lead + d]]
    if not axes:
        return g
    g = g.sum(axis=axes, keepdims=keepdims)
    if keepdims and lead:
        g = DimShuffle(g.broadcastable, list(range(lead, g.ndim)))(g)
    return g


def _flushed(value):
    """``value`` with its subnormal numbers replaced by zeros of their sign, as the CPU
    computes under XLA (which sets flush-to-zero and denormals-are-zero around every
    program): what numpy computes from a flushed value, flushed again, is then what XLA
    computes, for the correctly rounded operations of _EXACT_IN_NUMPY."""
    if value.dtype.kind != 'f':
        return value
    return np.where(np.abs(value) < np.finfo(value.dtype).tiny, np.copysign(0, value), value) \
        .astype(value.dtype)


def on_host(compute, node, values, in_numpy=None):
    """``compute(node, values)``, kept a numpy value when every input is one.

    Shapes are numpy values even under jit; arithmetic on them (``x.shape[0] * 2``) must
    stay concrete so that reshape, alloc and arange can read it when the graph is traced.
    ``in_numpy(node, values)``, when it gives a value, is that value computed without JAX.
    """
    if all(isinstance(v, (np.ndarray, np.generic)) for v in values):
        result = None if in_numpy is None else in_numpy(node, values)
        if result is not None:
            return result
        with jax.ensure_compile_time_eval():
            return np.asarray(compute(node, values))
    return compute(node, values)


class DimShuffle(Op):
    """Reorder dimensions, drop broadcastable ones, insert new broadcastable ones ('x').

    Printed ``InplaceDimShuffle{1,0}`` as Theano's default (inplace) version is.
    """

    __props__ = ('input_broadcastable', 'new_order')

    def __init__(self, input_broadcastable, new_order):
        self.input_broadcastable = tuple(input_broadcastable)
        self.new_order = tuple(new_order)
        kept = [d for d in self.new_order if d != 'x']
        if sorted(kept) != sorted(set(kept)) or any(
                not isinstance(d, (int, np.integer)) or not 0 <= d < len(self.input_broadcastable)
                for d in kept):
            raise ValueError('Invalid dimshuffle pattern %s for an input with %d dimensions'
                             % (self.new_order, len(self.input_broadcastable)))
        for d in range(len(self.input_broadcastable)):
            if d not in kept and not self.input_broadcastable[d]:
                raise ValueError('You cannot drop a non-broadcastable dimension: dimension %d '
                                 '(pattern %s) is missing from dimshuffle%s; only broadcastable '
                                 'dimensions may be dropped.%s'
                                 % (d, self.input_broadcastable, self.new_order,
                                    user_line('The dimshuffle was made')))
        self.drop = tuple(d for d in range(len(self.input_broadcastable)) if d not in kept)
        self.perm = tuple(kept)

    def __str__(self):
        return 'InplaceDimShuffle{%s}' % ','.join(str(d) for d in self.new_order)

    def pformat(self, node, parts):
        order = list(self.new_order)
        while order and order[0] == 'x':  # leading new axes print as the input itself
            order.pop(0)
        ndim = len(self.input_broadcastable)
        if order == list(range(ndim)):
            return parts[0]
        if order == list(reversed(range(ndim))):
            return '%s.T' % parts[0]
        return 'DimShuffle{%s}(%s)' % (', '.join(str(d) for d in order), parts[0])

    def make_node(self, x):
        x = as_tensor_variable(x)
        if x.broadcastable != self.input_broadcastable:
            if x.ndim != len(self.input_broadcastable):
                raise TypeError('dimshuffle%s expects an input with %d dimensions, got %s with %d'
                                % (self.new_order, len(self.input_broadcastable), x, x.ndim))
        bcast = tuple(True if d == 'x' else x.broadcastable[d] for d in self.new_order)
        node = Apply(self, [x], [TensorType(x.dtype, bcast)])
        node.outputs[0].static_shape = tuple(1 if d == 'x' else x.static_shape[d]
                                             for d in self.new_order)
        return node

    def jax_impl(self, node, x):
        if self.drop:
            x = jnp.squeeze(x, self.drop)
        order = _rank_order(self.perm)
        if order != tuple(range(len(order))):
            x = jnp.transpose(x, order)
        if len(self.perm) != len(self.new_order):
            kept = iter(x.shape)
            x = jnp.reshape(x, tuple(1 if d == 'x' else next(kept) for d in self.new_order))
        return x

    def grad(self, node, output_grads):
        """As Theano builds it: one DimShuffle that puts each input axis back (an axis the
        forward dropped returns as a new broadcastable one), applied to ``identity(gout)``
        (which the rewrites remove)."""
        (gout,) = output_grads
        (x,) = node.inputs
        grad_order = ['x'] * x.ndim
        for position, d in enumerate(self.new_order):
            if d != 'x':
                grad_order[d] = position
        return [DimShuffle(gout.broadcastable, grad_order)(identity(gout))]


def _astype(value, dtype):
    """``value`` as ``dtype``; booleans pass through uint8 on their way to a float, since
    XLA rewrites ``float(b) * x`` into ``select(b, x, 0)``, which gives 0 where IEEE (numpy,
    Theano) gives ``False * nan = nan``."""
    if value.dtype == dtype:
        return value
    if value.dtype == np.bool_ and np.dtype(dtype).kind in 'fc':
        value = value.astype(np.uint8)
    return value.astype(dtype)


def _rank_order(perm):
    """Positions after squeezing: map kept input dims to 0..k-1 preserving their order."""
    ranks = {d: i for i, d in enumerate(sorted(perm))}
    return tuple(ranks[d] for d in perm)


# ---------------------------------------------------------------------------------------
# The operations, one block each: scalar op (name, arity, JAX function, dtype rule,
# gradient, host function, printed form) and the public tensor function that applies it.
# ---------------------------------------------------------------------------------------

SCALAR_OPS = {}
ELEMWISE_FUNCTIONS = {}  # exported by symgraph.tensor as T.<name>


def scalar_op_named(name):
    """The registered ScalarOp called ``name`` (how scalar ops are unpickled)."""
    return SCALAR_OPS[name]


def _scalar(name, nin, fn, out_dtype=_same_upcast, grad=None, host=None, pformat=None):
    op = SCALAR_OPS[name] = ScalarOp(name, nin, fn, out_dtype, grad, host, pformat)
    return op


def _elemwise(name, *args, **kwargs):
    """A registered ScalarOp and its tensor function ``T.<name>``, printed
    ``Elemwise{<name>,no_inplace}``."""
    scalar_op = _scalar(name, *args, **kwargs)
    op = ELEMWISE_FUNCTIONS[name] = _tensor_op(scalar_op, name)
    return scalar_op, op


def _tensor_op(scalar_op, name):
    op = Elemwise(scalar_op, name='Elemwise{%s,no_inplace}' % name)
    op.__name__ = name
    return op


# Gradient rules use, as Theano's do, the unnamed Elemwise ops g_add, g_mul... (printed
# ``Elemwise{mul}``) defined after the table.

def _g_piecewise_constant(inputs, out, gout):
    """floor, round, sgn, //, comparisons, bit operations: connected, with derivative zero
    almost everywhere (as in Theano)."""
    return [zeros_like(gout) for _ in inputs]


def _g_add(inputs, out, gout):
    return [gout for _ in inputs]


scalar_add, add = _elemwise('add', 2, jnp.add, grad=_g_add, host=operator.add,
                            pformat='(%s + %s)')


def _g_sub(inputs, out, gout):
    return [gout, g_neg(gout)]


scalar_sub, sub = _elemwise('sub', 2, jnp.subtract, grad=_g_sub, host=operator.sub,
                            pformat='(%s - %s)')


def _g_mul(inputs, out, gout):
    x, y = inputs
    return [g_mul(gout, y), g_mul(gout, x)]


scalar_mul, mul = _elemwise('mul', 2, jnp.multiply, grad=_g_mul, host=operator.mul,
                            pformat='(%s * %s)')


def _true_div_out(*dtypes):
    """int / int is floatX in Theano (even int8 / int8); otherwise the float upcast."""
    if all(d in DISCRETE_DTYPES for d in dtypes):
        return config.floatX
    return upcast_to_float(*dtypes)


def _g_true_div(inputs, out, gout):
    x, y = inputs
    return [g_true_div(gout, y), g_true_div(g_neg(g_mul(gout, x)), g_mul(y, y))]


scalar_true_div, true_div = _elemwise('true_div', 2, jnp.true_divide, _true_div_out,
                                      grad=_g_true_div, pformat='(%s / %s)')


def _jax_int_div(x, y):
    """Floats as Theano's C code divides them: ``floor(x / y)`` on magnitudes, one less
    when the signs differ and the division is inexact. So -inf // 4 is -inf (numpy: nan)
    and -1 // 0.1 is -11 (numpy: -10)."""
    if not jnp.issubdtype(x.dtype, jnp.floating):
        return x // y
    inexact = jnp.fmod(jnp.abs(x), jnp.abs(y)) != 0
    same_sign = jnp.floor(jnp.abs(x) / jnp.abs(y))
    opposite = -same_sign - jnp.where(inexact, 1, 0).astype(x.dtype)
    return jnp.where((y == 0) | ((x < 0) == (y < 0)), jnp.floor(x / y), opposite)


scalar_int_div, int_div = _elemwise('int_div', 2, _jax_int_div, grad=_g_piecewise_constant,
                                    host=operator.floordiv, pformat='(%s // %s)')
floor_div = int_div


def _g_mod(inputs, out, gout):
    x, y = inputs
    return [gout, g_neg(g_mul(gout, g_int_div(x, y)))]


def _jax_mod(x, y):
    """Floats as Theano's C code takes them modulo: fmod on the magnitudes, moved to the
    sign of y. A zero result is +0 except for a negative x with y < 0 (numpy gives it the
    sign of y)."""
    if not jnp.issubdtype(x.dtype, jnp.floating):
        return jnp.mod(x, y)
    zero = jnp.zeros((), x.dtype)
    both_negative = -jnp.fmod(-x, -y)
    y_negative = jnp.fmod(x, -y)
    y_negative = y_negative + jnp.where(y_negative != 0, y, zero)
    x_negative = jnp.fmod(-x, y)
    x_negative = -x_negative + jnp.where(x_negative != 0, y, zero)
    return jnp.where(y == 0, jnp.fmod(x, y),
                     jnp.where(y < 0, jnp.where(x < 0, both_negative, y_negative),
                               jnp.where(x < 0, x_negative, jnp.fmod(x, y))))


scalar_mod, mod = _elemwise('mod', 2, _jax_mod, grad=_g_mod, host=operator.mod,
                            pformat='(%s %% %s)')


def _g_pow(inputs, out, gout):
    x, y = inputs
    gx = g_mul(g_mul(gout, y), g_pow(x, g_sub(y, 1)))
    gy = g_mul(g_mul(gout, g_log(x)), g_pow(x, y))
    return [gx, gy]


def _pow_out(*dtypes):
    """Theano's ``upcast_out_min8``: booleans raised to booleans give int8."""
    out = upcast(*dtypes)
    return 'int8' if out == 'bool' else out


def _power(x, y):
    """``x ** y``. Behind a select that XLA cannot see through, since XLA rewrites
    ``log(x ** y)`` into ``y * log(|x|)``: a number where numpy and Theano give NaN for a
    negative ``x`` and a fractional ``y``."""
    result = jnp.power(x, y)
    if not jnp.issubdtype(result.dtype, jnp.inexact):
        return result
    return jnp.where(jnp.isnan(result), jnp.nan, result)


scalar_pow, pow = _elemwise('pow', 2, _power, _pow_out, grad=_g_pow,
                            pformat='(%s ** %s)')


def _g_neg(inputs, out, gout):
    return [g_neg(gout)]


scalar_neg, neg = _elemwise('neg', 1, jnp.negative, grad=_g_neg, host=operator.neg,
                            pformat='(-%s)')


# Elementwise operations that numpy computes exactly as XLA does on the CPU (integers wrap
# alike; these float operations are correctly rounded in both), and whether the CPU flushes
# their subnormal numbers under XLA (arithmetic does; a negation flips the sign bit): with
# every input known while a graph is built or traced (a constant folded, a shape's
# arithmetic), numpy computes them, where JAX would compile a program for each (20-40 ms,
# once per process and operation). On a GPU, JAX computes them as the GPU does.
_EXACT_IN_NUMPY = {scalar_add: (np.add, True), scalar_sub: (np.subtract, True),
                   scalar_mul: (np.multiply, True), scalar_true_div: (np.true_divide, True),
                   scalar_neg: (np.negative, False)}


def _g_abs(inputs, out, gout):
    return [g_mul(gout, g_sgn(inputs[0]))]


scalar_abs, abs_ = _elemwise('abs_', 1, jnp.abs, grad=_g_abs, pformat='|%s|')


def _jax_sgn(x):
    return jnp.sign(x)


scalar_sgn, sgn = _elemwise('sgn', 1, _jax_sgn, grad=_g_piecewise_constant)


def _g_maximum(inputs, out, gout):
    # Theano gives the gradient to every input equal to the result (both, on ties).
    x, y = inputs
    return [g_mul(gout, g_eq(out, x)), g_mul(gout, g_eq(out, y))]


scalar_maximum, maximum = _elemwise('maximum', 2, jnp.maximum, grad=_g_maximum, host=max)
scalar_minimum, minimum = _elemwise('minimum', 2, jnp.minimum, grad=_g_maximum, host=min)


def _jax_clip(x, lo, hi):
    return jnp.minimum(jnp.maximum(x, lo), hi)


def _g_clip(inputs, out, gout):
    x, lo, hi = inputs
    inside = g_and(g_ge(x, lo), g_le(x, hi))
    return [g_mul(gout, inside), g_mul(gout, g_lt(x, lo)), g_mul(gout, g_gt(x, hi))]


scalar_clip = _scalar('clip', 3, _jax_clip, grad=_g_clip)
_clip = _tensor_op(scalar_clip, 'clip')


def clip(x, a_min, a_max):
    """Clip ``x`` into [a_min, a_max] (the bounds may be symbolic)."""
    return _clip(x, a_min, a_max)


# Functions of floats.

def _g_exp(inputs, out, gout):
    return [g_mul(gout, g_exp(inputs[0]))]


scalar_exp, exp = _elemwise('exp', 1, jnp.exp, _float_out, grad=_g_exp)


def _g_log(inputs, out, gout):
    return [g_true_div(gout, inputs[0])]


scalar_log, log = _elemwise('log', 1, jnp.log, _float_out, grad=_g_log)


def _g_log1p(inputs, out, gout):
    return [g_true_div(gout, g_add(1.0, inputs[0]))]


scalar_log1p, log1p = _elemwise('log1p', 1, jnp.log1p, _float_out, grad=_g_log1p)


def _g_sqrt(inputs, out, gout):
    return [g_true_div(g_mul(gout, 0.5), g_sqrt(inputs[0]))]


scalar_sqrt, sqrt = _elemwise('sqrt', 1, jnp.sqrt, _float_out, grad=_g_sqrt)


def _g_sqr(inputs, out, gout):
    return [g_mul(g_mul(gout, inputs[0]), 2)]


scalar_sqr, sqr = _elemwise('sqr', 1, jnp.square, grad=_g_sqr)


def _g_tanh(inputs, out, gout):
    return [g_mul(gout, g_sub(1, g_sqr(g_tanh(inputs[0]))))]


scalar_tanh, tanh = _elemwise('tanh', 1, jnp.tanh, _float_out, grad=_g_tanh)


def _g_erf(inputs, out, gout):
    """gout * 2/sqrt(pi) * exp(-x * x), built as Theano builds it."""
    x = inputs[0]
    two_over_sqrt_pi = np.asarray(2 / np.sqrt(np.pi), dtype=upcast(x.dtype, gout.dtype))
    return [g_mul(g_mul(gout, two_over_sqrt_pi), g_exp(g_mul(g_neg(x), x)))]


scalar_erf, erf = _elemwise('erf', 1, jsp.erf, _float_out, grad=_g_erf)


# Trigonometric and hyperbolic functions, their inverses, and the angle conversions; the
# gradients are built as Theano's are (``gz * cos(x)``, ``gz / sqrt(1 - sqr(x))``...).

_UNNAMED = {}


def _u(scalar_op):
    """The unnamed Elemwise of ``scalar_op`` (printed ``Elemwise{cos}``), as gradient
    graphs use it."""
    op = _UNNAMED.get(scalar_op)
    if op is None:
        op = _UNNAMED[scalar_op] = Elemwise(scalar_op)
    return op


def _one(x):
    """Theano's ``np.cast[x.type](1)``: a 1 of the input's dtype."""
    return np.asarray(1, dtype=x.dtype)


def _g_sin(inputs, out, gout):
    return [g_mul(gout, _u(scalar_cos)(inputs[0]))]


def _g_cos(inputs, out, gout):
    return [g_mul(g_neg(gout), _u(scalar_sin)(inputs[0]))]


def _g_tan(inputs, out, gout):
    return [g_true_div(gout, g_sqr(_u(scalar_cos)(inputs[0])))]


def _g_arcsin(inputs, out, gout):
    x = inputs[0]
    return [g_true_div(gout, g_sqrt(g_sub(_one(x), g_sqr(x))))]


def _g_arccos(inputs, out, gout):
    x = inputs[0]
    return [g_true_div(g_neg(gout), g_sqrt(g_sub(_one(x), g_sqr(x))))]


def _g_arctan(inputs, out, gout):
    x = inputs[0]
    return [g_true_div(gout, g_add(_one(x), g_sqr(x)))]


def _g_arctan2(inputs, out, gout):
    y, x = inputs
    norm = g_add(g_sqr(x), g_sqr(y))
    return [g_true_div(g_mul(gout, x), norm), g_true_div(g_mul(gout, g_neg(y)), norm)]


def _g_sinh(inputs, out, gout):
    return [g_mul(gout, _u(scalar_cosh)(inputs[0]))]


def _g_cosh(inputs, out, gout):
    return [g_mul(gout, _u(scalar_sinh)(inputs[0]))]


def _g_arcsinh(inputs, out, gout):
    x = inputs[0]
    return [g_true_div(gout, g_sqrt(g_add(g_sqr(x), _one(x))))]


def _g_arccosh(inputs, out, gout):
    x = inputs[0]
    return [g_true_div(gout, g_sqrt(g_sub(g_sqr(x), _one(x))))]


def _g_arctanh(inputs, out, gout):
    x = inputs[0]
    return [g_true_div(gout, g_sub(_one(x), g_sqr(x)))]


scalar_sin, sin = _elemwise('sin', 1, jnp.sin, _float_out, grad=_g_sin)
scalar_cos, cos = _elemwise('cos', 1, jnp.cos, _float_out, grad=_g_cos)
scalar_tan, tan = _elemwise('tan', 1, jnp.tan, _float_out, grad=_g_tan)
scalar_arcsin, arcsin = _elemwise('arcsin', 1, jnp.arcsin, _float_out, grad=_g_arcsin)
scalar_arccos, arccos = _elemwise('arccos', 1, jnp.arccos, _float_out, grad=_g_arccos)
scalar_arctan, arctan = _elemwise('arctan', 1, jnp.arctan, _float_out, grad=_g_arctan)
scalar_arctan2, arctan2 = _elemwise('arctan2', 2, jnp.arctan2, _float_out, grad=_g_arctan2)
scalar_sinh, sinh = _elemwise('sinh', 1, jnp.sinh, _float_out, grad=_g_sinh)
scalar_cosh, cosh = _elemwise('cosh', 1, jnp.cosh, _float_out, grad=_g_cosh)
scalar_arcsinh, arcsinh = _elemwise('arcsinh', 1, jnp.arcsinh, _float_out, grad=_g_arcsinh)
scalar_arccosh, arccosh = _elemwise('arccosh', 1, jnp.arccosh, _float_out, grad=_g_arccosh)
scalar_arctanh, arctanh = _elemwise('arctanh', 1, jnp.arctanh, _float_out, grad=_g_arctanh)


def _g_deg2rad(inputs, out, gout):
    return [g_mul(gout, np.asarray(np.pi / 180, dtype=gout.dtype))]


def _g_rad2deg(inputs, out, gout):
    return [g_mul(gout, np.asarray(180 / np.pi, dtype=gout.dtype))]


scalar_deg2rad, deg2rad = _elemwise('deg2rad', 1, jnp.deg2rad, _float_out, grad=_g_deg2rad)
scalar_rad2deg, rad2deg = _elemwise('rad2deg', 1, jnp.rad2deg, _float_out, grad=_g_rad2deg)


# Exponentials and logarithms in other bases, and the reciprocal.

def _g_expm1(inputs, out, gout):
    return [g_mul(gout, g_exp(inputs[0]))]


def _g_log2(inputs, out, gout):
    x = inputs[0]
    return [g_true_div(gout, g_mul(x, np.asarray(np.log(2.0), dtype=x.dtype)))]


def _g_log10(inputs, out, gout):
    x = inputs[0]
    return [g_true_div(gout, g_mul(x, np.asarray(np.log(10.0))))]


def _g_exp2(inputs, out, gout):
    x = inputs[0]
    return [g_mul(g_mul(gout, _u(scalar_exp2)(x)), g_log(np.asarray(2, dtype=x.dtype)))]


def _g_inv(inputs, out, gout):
    x = inputs[0]
    return [g_true_div(g_neg(gout), g_mul(x, x))]


scalar_expm1, expm1 = _elemwise('expm1', 1, jnp.expm1, _float_out, grad=_g_expm1)
scalar_log2, log2 = _elemwise('log2', 1, jnp.log2, _float_out, grad=_g_log2)
scalar_log10, log10 = _elemwise('log10', 1, jnp.log10, _float_out, grad=_g_log10)
scalar_exp2, exp2 = _elemwise('exp2', 1, jnp.exp2, _float_out, grad=_g_exp2)
scalar_inv, inv = _elemwise('inv', 1, jnp.reciprocal, _float_out, grad=_g_inv)


# Special functions (Theano's scalar/basic_scipy.py): the error functions, gamma and its
# logarithmic derivatives.

def _two_over_sqrt_pi(x, gout):
    return np.asarray(2 / np.sqrt(np.pi), dtype=upcast(x.dtype, gout.dtype))


def _g_erfc(inputs, out, gout):
    x = inputs[0]
    return [g_mul(g_mul(g_neg(gout), _two_over_sqrt_pi(x, gout)), g_exp(g_mul(g_neg(x), x)))]


def _g_erfcx(inputs, out, gout):
    x = inputs[0]
    return [g_mul(gout, g_add(g_neg(_two_over_sqrt_pi(x, gout)),
                              g_mul(g_mul(2.0, x), _u(scalar_erfcx)(x))))]


def _g_erfinv(inputs, out, gout):
    x = inputs[0]
    half_sqrt_pi = np.asarray(np.sqrt(np.pi) / 2, dtype=upcast(x.dtype, gout.dtype))
    return [g_mul(g_mul(gout, half_sqrt_pi), g_exp(g_pow(_u(scalar_erfinv)(x), 2)))]


def _g_erfcinv(inputs, out, gout):
    x = inputs[0]
    half_sqrt_pi = np.asarray(np.sqrt(np.pi) / 2, dtype=upcast(x.dtype, gout.dtype))
    return [g_mul(g_mul(g_neg(gout), half_sqrt_pi), g_exp(g_pow(_u(scalar_erfcinv)(x), 2)))]


def _jax_erfcinv(x):
    """erfinv(1 - x) without the cancellation of 1 - x for small x."""
    return -jsp.ndtri(x / 2) / x.dtype.type(np.sqrt(2))


def _g_gamma(inputs, out, gout):
    x = inputs[0]
    return [g_mul(g_mul(gout, _u(scalar_gamma)(x)), _u(scalar_psi)(x))]


def _g_gammaln(inputs, out, gout):
    return [g_mul(gout, _u(scalar_psi)(inputs[0]))]


def _g_psi(inputs, out, gout):
    return [g_mul(gout, _u(scalar_tri_gamma)(inputs[0]))]


def _jax_tri_gamma(x):
    return jsp.polygamma(1, x)


scalar_erfc, erfc = _elemwise('erfc', 1, jsp.erfc, _float_out, grad=_g_erfc)
scalar_erfcx, erfcx = _elemwise('erfcx', 1, jsp.erfcx, _float_out, grad=_g_erfcx)
scalar_erfinv, erfinv = _elemwise('erfinv', 1, jsp.erfinv, _float_out, grad=_g_erfinv)
scalar_erfcinv, erfcinv = _elemwise('erfcinv', 1, _jax_erfcinv, _float_out, grad=_g_erfcinv)
scalar_gamma, gamma = _elemwise('gamma', 1, jsp.gamma, _float_out, grad=_g_gamma)
scalar_gammaln, gammaln = _elemwise('gammaln', 1, jsp.gammaln, _float_out, grad=_g_gammaln)
scalar_psi, psi = _elemwise('psi', 1, jsp.digamma, _float_out, grad=_g_psi)
scalar_tri_gamma, tri_gamma = _elemwise('tri_gamma', 1, _jax_tri_gamma, _float_out,
                                        grad=_g_not_implemented('tri_gamma'))


def _g_sigmoid(inputs, out, gout):
    s = g_sigmoid(inputs[0])
    return [g_mul(g_mul(gout, s), g_sub(1.0, g_sigmoid(inputs[0])))]


scalar_sigmoid = _scalar('scalar_sigmoid', 1, jsp.expit, _float_out, grad=_g_sigmoid)
sigmoid = Elemwise(scalar_sigmoid, name='sigmoid')  # T.nnet.sigmoid


def _jax_softplus(x):
    return jnp.logaddexp(x, jnp.zeros_like(x))


def _g_softplus(inputs, out, gout):
    return [g_mul(gout, g_sigmoid(inputs[0]))]


scalar_softplus = _scalar('scalar_softplus', 1, _jax_softplus, _float_out, grad=_g_softplus)
softplus = Elemwise(scalar_softplus, name='softplus')  # T.nnet.softplus


def _jax_xlogx(x):
    return jnp.where(x == 0, jnp.zeros_like(x), x * jnp.log(x))


def _g_xlogx(inputs, out, gout):
    return [g_mul(gout, g_add(g_log(inputs[0]), 1.0))]


scalar_xlogx = _scalar('xlogx', 1, _jax_xlogx, _float_out, grad=_g_xlogx)
xlogx = Elemwise(scalar_xlogx, name='xlogx')  # T.xlogx.xlogx


def _jax_xlogy0(x, y):
    return jnp.where(x == 0, jnp.zeros_like(x), x * jnp.log(y))


def _g_xlogy0(inputs, out, gout):
    x, y = inputs
    return [g_mul(gout, g_log(y)), g_mul(gout, g_true_div(x, y))]


scalar_xlogy0 = _scalar('xlogy0', 2, _jax_xlogy0, _float_out, grad=_g_xlogy0)
xlogy0 = Elemwise(scalar_xlogy0, name='xlogy0')  # T.xlogx.xlogy0


# Rounding.

def _float_only_out(*dtypes):
    """Rounding is defined on floats only, as in Theano."""
    for dtype in dtypes:
        if dtype not in FLOAT_DTYPES:
            raise TypeError('round works on floats only, not on dtype %s; its input is '
                            'already whole: drop the round, or cast to a float first' % dtype)
    return upcast(*dtypes)


def _jax_round_half_away(x):
    """Exact: ``floor(x + 0.5)`` rounds 0.49999999999999994 up and 2**52 + 1 to 2**52 + 2,
    because the addition itself rounds. ``x - trunc(x)`` is exact for every float."""
    whole = jnp.trunc(x)
    return jnp.where(jnp.abs(x - whole) >= 0.5, whole + jnp.sign(x), whole)


scalar_round, round_half_away_from_zero = _elemwise(
    'round_half_away_from_zero', 1, _jax_round_half_away, _float_only_out,
    grad=_g_piecewise_constant)
scalar_round_even, round_half_to_even = _elemwise(
    'round_half_to_even', 1, jnp.round, _float_only_out, grad=_g_piecewise_constant)


def round(x, mode='half_to_even'):
    """Round to the nearest integer, ties to even by default (as numpy and Theano 1.0)."""
    if mode == 'half_away_from_zero':
        return round_half_away_from_zero(x)
    if mode == 'half_to_even':
        return round_half_to_even(x)
    raise ValueError('round mode must be half_away_from_zero or half_to_even, not %r' % mode)


scalar_floor, floor = _elemwise('floor', 1, jnp.floor, _float_out, grad=_g_piecewise_constant)
scalar_ceil, ceil = _elemwise('ceil', 1, jnp.ceil, _float_out, grad=_g_piecewise_constant)


# Comparisons and bit operations.

scalar_eq, eq = _elemwise('eq', 2, jnp.equal, _to_bool, grad=_g_piecewise_constant)
scalar_neq, neq = _elemwise('neq', 2, jnp.not_equal, _to_bool, grad=_g_piecewise_constant)
scalar_lt, lt = _elemwise('lt', 2, jnp.less, _to_bool, grad=_g_piecewise_constant)
scalar_le, le = _elemwise('le', 2, jnp.less_equal, _to_bool, grad=_g_piecewise_constant)
scalar_gt, gt = _elemwise('gt', 2, jnp.greater, _to_bool, grad=_g_piecewise_constant)
scalar_ge, ge = _elemwise('ge', 2, jnp.greater_equal, _to_bool, grad=_g_piecewise_constant)

# isnan and isinf of floats; T.isnan and T.isinf (basic.py) skip them for integers, as
# Theano does, since no integer is NaN or infinite.
scalar_isnan = _scalar('isnan', 1, jnp.isnan, _to_bool, grad=_g_piecewise_constant)
isnan_ = _tensor_op(scalar_isnan, 'isnan')
scalar_isinf = _scalar('isinf', 1, jnp.isinf, _to_bool, grad=_g_piecewise_constant)
isinf_ = _tensor_op(scalar_isinf, 'isinf')


def _bit_out(*dtypes):
    """&, |, ^ work on integers, or on booleans only (bool & int8 is refused, as in Theano)."""
    if all(d == 'bool' for d in dtypes):
        return 'bool'
    for dtype in dtypes:
        if dtype not in INT_DTYPES:
            raise TypeError('input to a BitOp must have type (u)int8, (u)int16, (u)int32 or '
                            '(u)int64 or be all bools not %s' % dtype)
    return upcast(*dtypes)


scalar_and, and_ = _elemwise('and_', 2, jnp.bitwise_and, _bit_out, grad=_g_piecewise_constant)
scalar_or, or_ = _elemwise('or_', 2, jnp.bitwise_or, _bit_out, grad=_g_piecewise_constant)
scalar_xor, xor = _elemwise('xor', 2, jnp.bitwise_xor, _bit_out, grad=_g_piecewise_constant)


def _invert_out(dtype):
    if dtype not in DISCRETE_DTYPES:
        raise TypeError('input to a BitOp must have type (u)int8, (u)int16, (u)int32 or '
                        '(u)int64 or bool not %s' % dtype)
    return dtype


scalar_invert, invert = _elemwise('invert', 1, jnp.invert, _invert_out,
                                  grad=_g_piecewise_constant)


# Selection, filling and identity.

def _switch_dtype(cond, a, b):
    return upcast(a, b)


def _jax_switch(cond, a, b):
    return jnp.where(cond, a, b)


def _g_switch(inputs, out, gout):
    cond, a, b = inputs
    zeros = zeros_like(gout)
    return [zeros, g_switch(cond, gout, zeros), g_switch(cond, zeros, gout)]


scalar_switch, switch = _elemwise('switch', 3, _jax_switch, _switch_dtype, grad=_g_switch)


def _second_dtype(x, y):
    return y


def _jax_second(x, y):
    return jnp.broadcast_to(y, jnp.broadcast_shapes(x.shape, y.shape))


def _g_second(inputs, out, gout):
    return [None, gout]


scalar_second = _scalar('second', 2, _jax_second, _second_dtype, grad=_g_second,
                        pformat='fill(%s, %s)')
second = Elemwise(scalar_second)
fill = _tensor_op(scalar_second, 'second')


def _g_identity(inputs, out, gout):
    return [gout]


scalar_identity = _scalar('identity', 1, _identity, grad=_g_identity, host=_identity)
identity = Elemwise(scalar_identity)


# Unnamed versions, as gradient graphs use them (printed Elemwise{mul}).
g_add, g_sub, g_mul, g_true_div, g_int_div, g_pow, g_neg, g_sgn, g_exp, g_log, g_sqrt, g_sqr, \
    g_tanh, g_sigmoid, g_eq, g_and, g_ge, g_le, g_lt, g_gt, g_switch, g_abs = (
        Elemwise(op) for op in (scalar_add, scalar_sub, scalar_mul, scalar_true_div,
                                scalar_int_div, scalar_pow, scalar_neg, scalar_sgn, scalar_exp,
                                scalar_log, scalar_sqrt, scalar_sqr, scalar_tanh, scalar_sigmoid,
                                scalar_eq, scalar_and, scalar_ge, scalar_le, scalar_lt,
                                scalar_gt, scalar_switch, scalar_abs))


def cast(x, dtype):
    """Convert ``x`` to ``dtype`` (a no-op when it already has it)."""
    x = as_tensor_variable(x)
    dtype = check_dtype(dtype)
    if x.dtype == dtype:
        return x
    return _cast_ops.setdefault(dtype, Elemwise(Cast(dtype)))(x)


_cast_ops = {}


def dimshuffle(x, pattern):
    x = as_tensor_variable(x)
    return DimShuffle(x.broadcastable, pattern)(x)


def transpose(x, axes=None):
    """Reverse (or permute) the dimensions; ``x.T`` is named ``x.name + '.T'``."""
    x = as_tensor_variable(x)
    if axes is None:
        axes = list(range(x.ndim - 1, -1, -1))
    out = DimShuffle(x.broadcastable, axes)(x)
    if x.name and axes == list(range(x.ndim - 1, -1, -1)):
        out.name = x.name + '.T'
    return out


def zeros_like(x, dtype=None):
    """Zeros of the shape (and by default the dtype) of ``x``: ``fill(x, 0)``."""
    x = as_tensor_variable(x)
    return fill(x, constant(0, dtype=dtype or x.dtype))


def ones_like(x, dtype=None):
    x = as_tensor_variable(x)
    return fill(x, constant(1, dtype=dtype or x.dtype))

