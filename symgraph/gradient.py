"""Symbolic reverse-mode differentiation over the graph IR.

``grad`` walks the cost's graph backwards and asks each op for the gradient of its
inputs (``Op.grad``, written next to the op), so the result is an ordinary graph: it can
be printed, rewritten and compiled like any other. No ``jax.grad`` is involved.
"""
import warnings

import numpy as np

from symgraph.config import config
from symgraph.graph.basic import (Apply, Constant, Op, Type, Variable, clone_replace,
                                  format_trace, paused_gc, toposort)
from symgraph.tensor import elemwise as ew
from symgraph.tensor.basic import (Alloc, Rebroadcast, arange, patternbroadcast, specify_shape,
                                   stack)
from symgraph.tensor.reduction import Sum, sum as reduce_sum
from symgraph.tensor.shape import Reshape
from symgraph.tensor.type import DISCRETE_DTYPES, FLOAT_DTYPES, TensorType
from symgraph.tensor.var import as_tensor_variable, constant


class DisconnectedInputError(ValueError):
    """A variable to differentiate with respect to is not part of the cost's graph."""


class NullTypeGradError(TypeError):
    """A gradient that an op declares undefined (``grad_undefined``) was needed."""


class NullType(Type):
    """The type of an undefined gradient (Theano's): ``why_null`` says why. An op's
    ``grad`` returns one for an input whose gradient is undefined; ``grad`` raises
    NullTypeGradError if that gradient is needed."""

    _props = ('why_null',)
    variable_class = Variable

    def __init__(self, why_null='(no explanation given)'):
        self.why_null = why_null

    def __str__(self):
        return 'NullType'


class DisconnectedType(Type):
    """The type of the gradient of an input the outputs do not depend on (Theano's): an
    op's ``grad`` may return ``DisconnectedType()()``, which counts as no gradient."""

    variable_class = Variable

    def __str__(self):
        return 'DisconnectedType'


def disconnected_type():
    return DisconnectedType()()


def grad_undefined(op, x_pos, x, comment=''):
    """The gradient of input ``x_pos`` (``x``) of ``op``, which is mathematically undefined."""
    return NullType('This variable is Null because the grad method for input %s (%s) of the '
                    '%s op is mathematically undefined. %s' % (x_pos, x, op, comment))()


def grad_not_implemented(op, x_pos, x, comment=''):
    """The gradient of input ``x_pos`` (``x``) of ``op``, which is not implemented."""
    return NullType('This variable is Null because the grad method for input %s (%s) of the '
                    '%s op is not implemented. %s' % (x_pos, x, op, comment))()


def _grad_name(cost, wrt):
    if cost is not None and cost.name is not None and wrt.name is not None:
        return '(d%s/d%s)' % (cost.name, wrt.name)
    return None


def _fit(g, var):
    """Make gradient ``g`` have exactly the type of ``var`` (dtype and broadcast pattern)."""
    if g.dtype != var.dtype:
        g = ew.cast(g, var.dtype)
    if g.ndim < var.ndim or any(gb and not vb for gb, vb in zip(g.broadcastable,
                                                                  var.broadcastable)):
        g = ew.second(var, g)
    if g.broadcastable != var.broadcastable:
        g = patternbroadcast(g, var.broadcastable)
    return g


def _check_wrt(wrt):
    for var in wrt:
        if not isinstance(var, Variable):
            raise TypeError('Expected Variable, got %r of type %s: grad can only differentiate '
                            'with respect to symbolic variables' % (var, type(var)))
        if var.type.dtype in DISCRETE_DTYPES:
            raise TypeError('grad: cannot differentiate with respect to %s of type %s: integer '
                            'and boolean variables have no gradient. Differentiate with '
                            'respect to a float variable (e.g. cast the data to floatX).\n'
                            'The variable was created at:\n%s'
                            % (var, var.type, format_trace(var.creation_trace)))


def grad(cost, wrt, consider_constant=None, disconnected_inputs='raise', add_names=True,
         known_grads=None, return_disconnected='zero', null_gradients='raise'):
    """Symbolic gradient of scalar ``cost`` with respect to ``wrt`` (a variable or a list).

    ``consider_constant`` variables are treated as constants (no gradient flows through
    them); ``known_grads`` maps variables to gradients to start from (with ``cost`` None
    or in addition to it). Gradients are named ``'(dcost/dW)'`` when both have names.
    """
    if cost is None and not known_grads:
        raise ValueError('grad needs a cost, or known_grads to start from')
    from symgraph.rewrite import stabilize  # upward call: rewrite/ is above gradient.py
    single = not isinstance(wrt, (list, tuple))
    wrt_list = [wrt] if single else list(wrt)
    _check_wrt(wrt_list)
    if cost is not None:
        cost = as_tensor_variable(cost)
        if cost.ndim != 0:
            raise TypeError('cost must be a scalar. %s has type %s (%d dimensions); reduce it '
                            'first, e.g. with .sum() or .mean().\nThe cost was created at:\n%s'
                            % (cost, cost.type, cost.ndim, format_trace(cost.creation_trace)))
    if cost is not None and config.optimizer != 'None':
        # Differentiate the numerically stable form (log_softmax for log(softmax), ...),
        # so that the gradient graph is stable too.
        keep = set(wrt_list) | set(consider_constant or ()) | set(known_grads or ())
        cost = stabilize([cost], protected=keep)[0]
    seeds = {}
    if cost is not None:
        seeds[cost] = _float_ones_like(cost)
    for var, g in (known_grads or {}).items():
        g = as_tensor_variable(g)
        if g.type.ndim != var.type.ndim or (var.dtype in FLOAT_DTYPES and
                                            g.dtype not in FLOAT_DTYPES):
            raise TypeError('known_grads: the gradient given for %s (type %s) has type %s; it '
                            'must have the same number of dimensions and a float dtype'
                            % (var, var.type, g.type))
        seeds[var] = _fit(g, var) if var.dtype in FLOAT_DTYPES else g
    with paused_gc():
        grads = backpropagate(seeds, wrt_list, set(consider_constant or ()))
    results = []
    for var in wrt_list:
        g = grads.get(var)
        if g is None:
            message = ('grad method was asked to compute the gradient with respect to a '
                       'variable that is not part of the computational graph of the cost, or '
                       'is used only by a non-differentiable operator: %s' % var)
            if disconnected_inputs == 'raise':
                raise DisconnectedInputError(
                    message + '\nThe variable was created at:\n%s\nTo ignore this, pass '
                    "disconnected_inputs='ignore' (or 'warn') to grad."
                    % format_trace(var.creation_trace))
            if disconnected_inputs == 'warn':
                warnings.warn(message, stacklevel=2)
            elif disconnected_inputs != 'ignore':
                raise ValueError("disconnected_inputs must be 'raise', 'warn' or 'ignore'")
            if return_disconnected == 'None':
                results.append(None)
                continue
            g = _zeros_like(var)
        elif add_names and _grad_name(cost, var) and g.name is None:
            g.name = _grad_name(cost, var)
        results.append(g)
    if single:
        return results[0]
    return tuple(results) if isinstance(wrt, tuple) else results


def _is_tensor(var):
    return isinstance(getattr(var, 'type', None), TensorType) or not isinstance(var, Variable)


def _zeros_like(var):
    """Zeros of the type of ``var``: a tensor's, or another kind's own (``var.zeros_like()``
    of a sparse matrix)."""
    return ew.zeros_like(var) if _is_tensor(var) else var.zeros_like()


def _float_ones_like(var):
    dtype = var.dtype if var.dtype in FLOAT_DTYPES else 'float64'
    return ew.fill(var, constant(1.0, dtype=dtype))


class _Zero:
    """The gradient of a variable that is zero by construction: recorded instead of built.

    A gradient is linear in the gradients of the outputs, so an op whose output
    gradients are all zero passes zero to its inputs, and the graph behind it (the whole
    backward pass of ``T.sum(J ** 2) // n``) is never built. Zero terms drop out of sums;
    a ``wrt`` whose every term is zero gets ``zeros_like(wrt)``, also where the terms
    would have multiplied a zero by an infinity (as Theano's optimized graphs give 0).
    """

    def __repr__(self):
        return 'ZERO'


ZERO = _Zero()


def backpropagate(seeds, wrt, constants=()):
    """{variable: gradient} for the ``wrt`` variables, starting from ``seeds``.

    Only nodes on a path from a ``wrt`` variable to a seed are differentiated; variables
    in ``constants`` block the flow. As in Theano, a gradient reaching a discrete variable
    is zero (integers do not vary infinitesimally), but still connects what it came from.
    The gradient terms of a variable are added in the order Theano's grad adds them
    (``_term_order``), so that gradient graphs print as Theano prints them.
    """
    wrt_set = set(wrt)
    roots = list(seeds)
    nodes = toposort(roots, stop=constants)
    connected = set(v for v in wrt_set if v not in constants)
    for node in nodes:
        if any(i in connected for i in node.inputs):
            connected.update(node.outputs)
    zero_memo = {}
    order = _term_order(roots, constants)
    terms = {var: [(-1, _term(g, var, zero_memo))] for var, g in seeds.items()}
    grads = {}
    for node in reversed(nodes):
        if not any(out in terms for out in node.outputs):
            continue
        if not any(i in connected and i not in constants for i in node.inputs):
            continue
        output_grads = [_total(out, terms, grads) for out in node.outputs]
        input_grads, all_zero = _node_grads(node, output_grads)
        if len(input_grads) != len(node.inputs):
            raise ValueError('%s.grad returned %d gradients for %d inputs'
                             % (node.op, len(input_grads), len(node.inputs)))
        discrete_node = all(out.dtype in DISCRETE_DTYPES for out in node.outputs)
        keep_zeros = node.op.keeps_zero_grads
        for var, g in zip(node.inputs, input_grads):
            if isinstance(getattr(g, 'type', None), (NullType, DisconnectedType)):
                if isinstance(g.type, NullType) and var in connected and var not in \
                        constants and var.dtype not in DISCRETE_DTYPES:
                    raise NullTypeGradError('grad: the gradient through input %d (%s) of %s is '
                                            'undefined: %s' % (node.inputs.index(var), var,
                                                               node.op, g.type.why_null))
                g = None
            if var not in connected or var in constants:
                continue
            rank = order.get((var, node), len(order))
            if var.dtype in DISCRETE_DTYPES:
                # An integer computed from integers (a sum, a cast, an index) is connected
                # to them, with gradient zero, whatever the op says.
                if g is not None or discrete_node:
                    terms.setdefault(var, []).append((rank, ZERO))
            elif isinstance(g, ew.NullGrad):  # Theano's undefined or unimplemented gradient
                raise g.error()
            elif g is not None:
                term = ZERO if all_zero else _term(g, var, zero_memo, keep_zeros)
                terms.setdefault(var, []).append((rank, term))
    for var in wrt:
        if var in terms and _total(var, terms, grads) is ZERO:
            grads[var] = _zeros_like(var)
        if var in grads:  # what pruning left out still counts as used (see function())
            grads[var].tag.differentiated = tuple(seeds)
    return grads


def _term_order(roots, constants):
    """{(variable, node using it): rank}: the order in which Theano's grad meets the uses
    of each variable, and so adds up its gradient terms. Theano walks depth first from
    the cost, through each node's inputs in order, entering only the inputs connected to
    the output it came from (here: float inputs of float outputs, since shapes, indices
    and other integers carry no gradient), and records a use when it passes it."""
    rank, visited = {}, set()

    def uses(var):
        node = var.owner
        if node is None or node in visited or var in constants:
            return
        visited.add(node)
        if var.dtype in DISCRETE_DTYPES:
            return
        for inp in node.inputs:
            if inp.dtype not in DISCRETE_DTYPES:
                rank.setdefault((inp, node), len(rank))
                yield inp

    for root in roots:
        if root in visited:
            continue
        visited.add(root)
        stack = [uses(root)]
        while stack:
            var = next(stack[-1], None)
            if var is None:
                stack.pop()
            elif var not in visited:
                visited.add(var)
                stack.append(uses(var))
    return rank


def _node_grads(node, output_grads):
    """(input gradients of ``node``, whether they are all known to be zero).

    When every output gradient is zero the op's ``grad`` is still asked, with zeros, but
    only which inputs it connects (None means disconnected) is used from its answer.
    """
    all_zero = all(g is None or g is ZERO for g in output_grads) and node.op.linear_grad
    if all_zero:  # (zeros for every output: the argmax alone connects max_and_argmax)
        passed = [_zeros_like(out) for out in node.outputs]
    else:  # a discrete output's gradient is None, as op.grad expects it
        passed = [_zeros_like(out) if g is ZERO and out.dtype in FLOAT_DTYPES
                  else None if g is ZERO else g for out, g in zip(node.outputs, output_grads)]
    return node.op.grad(node, passed), all_zero


def _term(g, var, zero_memo, keep_zeros=False):
    """A gradient term for ``var``: ZERO when ``g`` is zero by construction (unless the op
    keeps its zero gradients, as Theano prints them). A gradient that is not a tensor (a
    sparse matrix's) is the op's to shape."""
    if g is ZERO or (not keep_zeros and _is_zero(g, zero_memo)):
        return ZERO
    if not _is_tensor(g):
        return g
    g = as_tensor_variable(g)
    return _fit(g, var) if var.dtype in FLOAT_DTYPES else g


def _total(var, terms, grads):
    """Sum of the gradient terms of ``var`` in Theano's order (computed once, then
    reused); ZERO when every term is zero, None when there is none (disconnected)."""
    if var in grads:
        return grads[var]
    parts = terms.get(var)
    if not parts:
        return None
    nonzero = [part for _, part in sorted(parts, key=lambda p: p[0]) if part is not ZERO]
    total = nonzero[0] if nonzero else ZERO
    for part in nonzero[1:]:
        total = total + part
    grads[var] = total
    return total


def _is_zero(var, memo=None):
    """True when ``var`` is zero by construction: a zero constant, or ``fill``, ``alloc``,
    reshape, view, cast, negation or sum of one, a product with one among its factors, a
    quotient with one as numerator. (A zero factor wins over an infinite one, as in
    Theano's rewrites.) ``memo`` caches answers across calls on one graph.
    """
    memo = {} if memo is None else memo
    stack, visited, found = [var], [], False
    while stack and not found:
        v = stack.pop()
        if v in memo:
            found = memo[v]
            continue
        memo[v] = False
        visited.append(v)
        sources = _zero_if_any_is(v)
        if sources is True:
            found = True
        else:
            stack.extend(sources)
    if found:
        for v in visited:  # undecided: the walk stopped at the first zero it met
            del memo[v]
        memo[var] = True
    return found


def _zero_if_any_is(var):
    """True if ``var`` is a zero constant, else the variables any zero of which makes it zero."""
    if isinstance(var, Constant):
        return True if np.size(var.data) and not np.any(var.data) else []
    node = var.owner
    if node is None:
        return []
    op = node.op
    if isinstance(op, ew.Elemwise):
        scalar_op = op.scalar_op
        if scalar_op is ew.scalar_mul:
            return node.inputs
        if scalar_op is ew.scalar_second:
            return [node.inputs[1]]
        if scalar_op in (ew.scalar_neg, ew.scalar_identity, ew.scalar_true_div,
                         ew.scalar_int_div) or isinstance(scalar_op, ew.Cast):
            return [node.inputs[0]]
        return []
    if isinstance(op, (ew.DimShuffle, Rebroadcast, Reshape, Sum, Alloc)):
        return [node.inputs[0]]
    return []


# ---------------------------------------------------------------------------------------
# Gradient-shaping ops
# ---------------------------------------------------------------------------------------

class _ViewOp(Op):
    """Identity in the forward pass; subclasses change what the backward pass sees."""

    def make_node(self, x):
        x = as_tensor_variable(x)
        node = Apply(self, [x], [x.type])
        node.outputs[0].static_shape = x.static_shape
        return node

    def jax_impl(self, node, x):
        return x


class DisconnectedGrad(_ViewOp):
    """No gradient flows through (``disconnected_grad``)."""

    def grad(self, node, output_grads):
        return [None]


class ZeroGrad(_ViewOp):
    """The gradient through is zero (``zero_grad``)."""

    def grad(self, node, output_grads):
        return [ew.zeros_like(node.inputs[0])]


class GradClip(_ViewOp):
    """Clips the gradient flowing through into [lower, upper] (``grad_clip``)."""

    __props__ = ('lower', 'upper')

    def __init__(self, lower, upper):
        if lower > upper:
            raise ValueError('grad_clip: lower bound %r is above upper bound %r' % (lower, upper))
        self.lower, self.upper = lower, upper

    @property
    def linear_grad(self):
        """Clipping is not linear: bounds above (or below) zero turn a zero gradient into one."""
        return self.lower <= 0 <= self.upper

    def grad(self, node, output_grads):
        return [ew.clip(output_grads[0], self.lower, self.upper)]


class UndefinedGrad(_ViewOp):
    """Its gradient is undefined: differentiating with respect to what it reads raises
    NullTypeGradError (``undefined_grad``; the random streams wrap their parameters in it,
    as Theano does)."""

    def grad(self, node, output_grads):
        return [grad_undefined(self, 0, node.inputs[0])]


def disconnected_grad(x):
    return DisconnectedGrad()(x)


def undefined_grad(x):
    return UndefinedGrad()(x)


def zero_grad(x):
    return ZeroGrad()(x)


def grad_clip(x, lower_bound, upper_bound):
    return GradClip(lower_bound, upper_bound)(x)


def consider_constant(x):
    """Deprecated in Theano; like Theano's, it passes a zero gradient (``zero_grad``)."""
    return zero_grad(x)


# ---------------------------------------------------------------------------------------
# Jacobian, Hessian, Lop, Rop
# ---------------------------------------------------------------------------------------

def jacobian(expression, wrt, consider_constant=None, disconnected_inputs='raise'):
    """d expression / d wrt for a vector (or scalar) ``expression``, one row per element.

    For a length known when the graph is built, the rows are built symbolically, one
    gradient per element; otherwise, as in Theano, a ``scan`` over the entries computes
    one row per step.
    """
    expression = as_tensor_variable(expression)
    single = not isinstance(wrt, (list, tuple))
    wrt_list = [wrt] if single else list(wrt)
    if expression.ndim == 0:
        result = grad(expression, wrt_list, consider_constant, disconnected_inputs)
        return result[0] if single else result
    if expression.ndim != 1:
        raise TypeError('jacobian expects a 1 dimensional variable as `expression`. If not '
                        'use flatten to make it a vector; %s has type %s'
                        % (expression, expression.type))
    if expression.static_shape[0] is None:
        return _scanned_jacobian(expression, wrt_list, single, consider_constant,
                                 disconnected_inputs)
    # One row per entry: the graph holds only for values of the length known now.
    expression = specify_shape(expression, expression.static_shape)
    rows = [grad(expression[i], wrt_list, consider_constant, disconnected_inputs)
            for i in range(expression.static_shape[0])]
    result = [stack([row[k] for row in rows]) for k in range(len(wrt_list))]
    return result[0] if single else result


def _scanned_jacobian(expression, wrt_list, single, consider_constant, disconnected_inputs):
    """The rows of a jacobian of a vector of unknown length, one per step of a scan (the
    step receives the outer variables, as Theano's scan gives them)."""
    from symgraph import scan_module  # upward call: scan's op is built on this module

    def row(i, expr, *wrt_vars):
        return [grad(expr[i], w, consider_constant, disconnected_inputs) for w in wrt_vars]
    rows, _ = scan_module.scan(row, sequences=arange(expression.shape[0]),
                               non_sequences=[expression] + wrt_list)
    rows = rows if isinstance(rows, list) else [rows]
    return rows[0] if single else rows


def hessian(cost, wrt, consider_constant=None, disconnected_inputs='raise'):
    """The matrix of second derivatives of scalar ``cost`` for each vector in ``wrt``."""
    single = not isinstance(wrt, (list, tuple))
    wrt_list = [wrt] if single else list(wrt)
    result = []
    for var in wrt_list:
        if var.ndim != 1:
            raise TypeError('hessian: %s of type %s must be a vector' % (var, var.type))
        g = grad(cost, var, consider_constant, disconnected_inputs)
        result.append(jacobian(g, var, consider_constant, disconnected_inputs))
    return result[0] if single else result


def Lop(f, wrt, eval_points, consider_constant=None, disconnected_inputs='raise'):
    """Vector-Jacobian product: ``eval_points`` times d f / d wrt."""
    fs = f if isinstance(f, (list, tuple)) else [f]
    points = eval_points if isinstance(eval_points, (list, tuple)) else [eval_points]
    single = not isinstance(wrt, (list, tuple))
    wrt_list = [wrt] if single else list(wrt)
    _check_wrt(wrt_list)
    seeds = {as_tensor_variable(o): _fit(as_tensor_variable(p), as_tensor_variable(o))
             for o, p in zip(fs, points)}
    grads = backpropagate(seeds, wrt_list, set(consider_constant or ()))
    result = []
    for var in wrt_list:
        g = grads.get(var)
        if g is None:
            if disconnected_inputs == 'raise':
                raise DisconnectedInputError('Lop: %s is not part of the graph of %s'
                                             % (var, fs))
            g = ew.zeros_like(var)
        result.append(g)
    return result[0] if single else result


def Rop(f, wrt, eval_points):
    """Jacobian-vector product d f / d wrt times ``eval_points``.

    Computed as the derivative of the Lop with respect to a dummy cotangent, which needs
    only the reverse-mode rules every op already has.
    """
    single_f = not isinstance(f, (list, tuple))
    fs = [f] if single_f else list(f)
    wrt_list = wrt if isinstance(wrt, (list, tuple)) else [wrt]
    points = eval_points if isinstance(eval_points, (list, tuple)) else [eval_points]
    results = []
    for out in fs:
        out = as_tensor_variable(out)
        dummy = out.type('dummy_cotangent')
        if config.compute_test_value != 'off':
            try:
                dummy.tag.test_value = np.zeros_like(out.get_test_value())
            except AttributeError:
                pass
        vjps = Lop(out, wrt_list, dummy, disconnected_inputs='ignore')
        inner = sum_all([ew.mul(v, p) for v, p in zip(vjps, points)])
        jvp = grad(inner, dummy, disconnected_inputs='ignore')
        # The Lop is linear in the cotangent, so the result does not depend on its value,
        # only (through shape ops) on its shape: any array shaped like ``out`` will do.
        results.append(clone_replace([jvp], {dummy: ew.zeros_like(out)})[0])
    return results[0] if single_f else results


def sum_all(terms):
    total = reduce_sum(terms[0])
    for term in terms[1:]:
        total = total + reduce_sum(term)
    return total


def __getattr__(name):
    """``symgraph.gradient.verify_grad`` (and GradientError), where Theano users find them.

    They live in symgraph/testing.py: verify_grad compiles functions, so it sits above
    compile/, which imports this module. A module ``__getattr__`` (PEP 562) resolves the
    names when they are first asked for, once every module is loaded; an import at the top
    would be a cycle, and setting the attribute from ``symgraph/__init__.py`` would hide
    where the names come from.
    """
    if name in ('verify_grad', 'GradientError'):
        from symgraph import testing  # upward: testing.py compiles, so it is above compile/
        return getattr(testing, name)
    raise AttributeError('module %r has no attribute %r' % (__name__, name))
