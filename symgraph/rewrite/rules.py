"""The local rewrites: canonicalization, constant folding and numerical stabilization.

Each rewrite is ``fn(node, ctx)`` returning the replacement outputs of ``node`` or None,
documented by its first docstring line; ``register`` files it under the optimizer levels
that use it and the op classes it looks at. Patterns name the ops they match by the op
(``scalar_op is ew.scalar_log``), never by a printed name.
"""
import numpy as np

from symgraph.graph.basic import Constant
from symgraph.rewrite.engine import register
from symgraph.tensor import elemwise as ew
from symgraph.tensor.basic import Alloc
from symgraph.tensor.nnet import (CrossentropyCategorical1Hot, LogSoftmax, Softmax,
                                  SoftmaxWithBias,
                                  crossentropy_softmax_argmax_1hot_with_bias, logsoftmax_op,
                                  softmax_op, softplus)
from symgraph.tensor.reduction import Sum, prod
from symgraph.tensor.shape import Shape, shape
from symgraph.tensor.subtensor import (AdvancedIncSubtensor, AdvancedIncSubtensor1,
                                       AdvancedSubtensor, AdvancedSubtensor1, ScalarConstant,
                                       Subtensor)
from symgraph.tensor.type import FLOAT_DTYPES, IndexScalarType, TensorType
from symgraph.tensor.var import TensorConstant

_FOLD_MAX_SIZE = 10000  # larger constant results are left to XLA instead of stored


def _scalar_op(node):
    """The scalar op an Elemwise node applies (None for other ops)."""
    return node.op.scalar_op if isinstance(node.op, ew.Elemwise) else None


def _owner_elemwise(var, scalar_op):
    """``var.owner`` when it is an Elemwise applying ``scalar_op``."""
    owner = var.owner
    return owner if owner is not None and _scalar_op(owner) is scalar_op else None


def scalar_value(var):
    """The single value of a constant whose elements are all equal (through broadcasts)."""
    while var.owner is not None and isinstance(var.owner.op, ew.DimShuffle):
        var = var.owner.inputs[0]
    if isinstance(var, TensorConstant) and var.data.size > 0:
        flat = var.data.reshape(-1)
        if np.all(flat == flat[0]):
            return flat[0].item()
    return None


# ---------------------------------------------------------------------------------------
# Constant folding and shapes
# ---------------------------------------------------------------------------------------

@register('fast_run', 'fast_compile', tracks=None)
def constant_folding(node, ctx):
    """Compute nodes whose inputs are all constants once, at compile time."""
    if not node.op.fold_constants or not node.inputs or \
            not all(isinstance(i, Constant) for i in node.inputs):
        return None
    result = node.op.jax_impl(node, *[i.data for i in node.inputs])
    values = result if len(node.outputs) > 1 else (result,)
    folded = []
    for out, value in zip(node.outputs, values):
        data = np.asarray(value, dtype=out.dtype)
        if data.size > _FOLD_MAX_SIZE:
            return None
        cls = ScalarConstant if isinstance(out.type, IndexScalarType) else TensorConstant
        folded.append(cls(out.type, data))
    return folded


@register('fast_run', tracks=(Subtensor,))
def known_shape_entry(node, ctx):
    """shape(x)[i] -> constant when dimension i of x cannot change: a broadcastable
    dimension or a constant's (static shapes seen through shared variables are only hints,
    since set_value may change them)."""
    if not isinstance(node.op, Subtensor) or len(node.op.idx_list) != 1 or \
            isinstance(node.op.idx_list[0], slice):
        return None
    shape_var, index = node.inputs
    if shape_var.owner is None or not isinstance(shape_var.owner.op, Shape) or \
            not isinstance(index, Constant):
        return None
    x = shape_var.owner.inputs[0]
    dim = int(index.data)
    if not -x.ndim <= dim < x.ndim:
        return None
    if x.broadcastable[dim]:
        length = 1
    elif isinstance(x, TensorConstant):
        length = x.data.shape[dim]
    else:
        return None
    return [TensorConstant(node.outputs[0].type, np.asarray(length, dtype='int64'))]


# ---------------------------------------------------------------------------------------
# Canonicalization
# ---------------------------------------------------------------------------------------

def _drop_neutral(node, scalar_op, neutral, positions):
    if _scalar_op(node) is not scalar_op or len(node.inputs) != 2:
        return None
    out = node.outputs[0]
    for pos in positions:
        other = node.inputs[1 - pos]
        if scalar_value(node.inputs[pos]) == neutral and other.type == out.type:
            return [other]
    return None


@register('fast_run', tracks=(ew.Elemwise,))
def mul_by_one(node, ctx):
    """x * 1 -> x (when the type is unchanged)."""
    return _drop_neutral(node, ew.scalar_mul, 1, (0, 1))


@register('fast_run', tracks=(ew.Elemwise,))
def power_one(node, ctx):
    """x ** 1 -> x (when the type is unchanged)."""
    return _drop_neutral(node, ew.scalar_pow, 1, (1,))


@register('fast_run', tracks=(ew.Elemwise,))
def add_zero(node, ctx):
    """x + 0 and x - 0 -> x (when the type is unchanged)."""
    return _drop_neutral(node, ew.scalar_add, 0, (0, 1)) or \
        _drop_neutral(node, ew.scalar_sub, 0, (1,))


@register('fast_run', tracks=(ew.Elemwise,))
def zero_product(node, ctx):
    """x * 0, 0 / x and cast(0) -> zeros shaped like the result, without computing x.

    As in Theano, 0 * inf and 0 / 0 give 0 rather than nan. Each input stays in the graph
    for its shape (XLA drops its value), so the rewrite applies only where every input is
    needed for that: dropping one would make ``function`` report it unused."""
    scalar_op = _scalar_op(node)
    if scalar_op is ew.scalar_mul:
        found = any(_is_zeros(i) for i in node.inputs)
    elif scalar_op in (ew.scalar_true_div, ew.scalar_int_div, ew.scalar_identity) or \
            isinstance(scalar_op, ew.Cast):
        found = _is_zeros(node.inputs[0])
    else:
        return None
    if not found or all(isinstance(i, Constant) for i in node.inputs):
        return None  # (constant folding computes it)
    sources = []
    for inp in sorted(node.inputs, key=lambda i: -i.broadcastable.count(False)):
        inp = _shape_source(inp)
        if isinstance(inp, Constant) or any(inp is s for s in sources):
            continue
        if not any(not b and all(s.broadcastable[d] for s in sources)
                   for d, b in enumerate(inp.broadcastable)):
            return None  # its shape is given by the others
        sources.append(inp)
    out = node.outputs[0]
    result = TensorConstant(TensorType(out.dtype, ()), np.zeros((), dtype=out.dtype))
    for source in sources:
        result = ew.fill(source, result)
    return [result]


def _shape_source(var):
    """The variable ``var`` takes its shape from, through elementwise ops whose other inputs
    are constants (``exp(x)``, ``x ** 2``, ``fill(x, 0)`` are shaped like ``x``)."""
    while isinstance(var.owner and var.owner.op, ew.Elemwise):
        same = [i for i in var.owner.inputs if i.broadcastable == var.broadcastable and
                not isinstance(i, Constant)]
        if len(same) != 1 or not all(isinstance(i, Constant) or i is same[0]
                                     for i in var.owner.inputs):
            break
        var = same[0]
    return var


def _is_zeros(var):
    """Whether every element of ``var`` is 0: a constant, ``fill(x, 0)`` or ``alloc(0, ...)``."""
    while var.owner is not None and isinstance(var.owner.op, ew.DimShuffle):
        var = var.owner.inputs[0]
    if var.owner is not None and (isinstance(var.owner.op, Alloc) or
                                  _scalar_op(var.owner) is ew.scalar_second):
        var = var.owner.inputs[0 if isinstance(var.owner.op, Alloc) else 1]
    return scalar_value(var) == 0


@register('fast_run', tracks=(ew.Elemwise,))
def div_by_one(node, ctx):
    """x / 1 -> x (when the type is unchanged)."""
    return _drop_neutral(node, ew.scalar_true_div, 1, (1,))


@register('fast_run', tracks=(ew.Elemwise,))
def neg_neg(node, ctx):
    """-(-x) -> x."""
    if _scalar_op(node) is not ew.scalar_neg:
        return None
    inner = _owner_elemwise(node.inputs[0], ew.scalar_neg)
    return [inner.inputs[0]] if inner is not None else None


@register('fast_run', 'fast_compile', tracks=(ew.Elemwise,))
def drop_identity(node, ctx):
    """identity(x) -> x (gradients of DimShuffle apply one, as Theano's do)."""
    if _scalar_op(node) is ew.scalar_identity:
        return [node.inputs[0]]
    return None


@register('fast_run', tracks=(ew.Elemwise,))
def square_power(node, ctx):
    """x ** 2 -> sqr(x), as Theano specializes it: a product, not a power function."""
    if _scalar_op(node) is not ew.scalar_pow or scalar_value(node.inputs[1]) != 2:
        return None
    x, out = node.inputs[0], node.outputs[0]
    if x.broadcastable != out.broadcastable:
        return None
    square = ew.sqr(x)
    return [square if square.dtype == out.dtype else ew.cast(square, out.dtype)]


@register('fast_run', 'fast_compile', tracks=(ew.DimShuffle,))
def compose_dimshuffles(node, ctx):
    """DimShuffle(DimShuffle(x)) -> one DimShuffle, and an identity DimShuffle -> x."""
    if not isinstance(node.op, ew.DimShuffle):
        return None
    order = node.op.new_order
    source = node.inputs[0]
    inner = source.owner
    if inner is not None and isinstance(inner.op, ew.DimShuffle):
        order = tuple('x' if d == 'x' else inner.op.new_order[d] for d in order)
        source = inner.inputs[0]
    if order == tuple(range(source.ndim)):
        return [source]
    if source is node.inputs[0]:
        return None
    return [ew.DimShuffle(source.broadcastable, order)(source)]


# Index arrays along an axis other than the first. ``W[:, ids]`` is built as
# ``W.T[ids].T``, as in Theano; XLA gathers and scatters along any axis, so the rewrites
# below index ``W`` itself and spare a transposed copy of all of ``W`` (in the read, and in
# its gradient, which would be scattered into zeros of ``W.T`` and transposed back).

def _swapped_axis(var):
    """k > 0 when ``var`` is a DimShuffle that swaps axes 0 and k of its input, else None."""
    owner = var.owner
    if owner is None or not isinstance(owner.op, ew.DimShuffle) or owner.op.drop or \
            'x' in owner.op.new_order or var.ndim < 2:
        return None
    k = owner.op.new_order[0]
    swap = list(range(var.ndim))
    swap[0], swap[k] = k, 0
    return k if k > 0 and tuple(swap) == owner.op.new_order else None


def _array_on_axis(k, ndim):
    return [slice(None)] * k + ['array'] + [slice(None)] * (ndim - k - 1)


@register('fast_run', tracks=(AdvancedSubtensor1,))
def take_along_axis(node, ctx):
    """W.T[ids] -> W[:, ids].T: the rows of a transpose are picked from W itself."""
    source, ids = node.inputs
    k = _swapped_axis(source)
    if k is None:
        return None
    shuffle = source.owner
    picked = AdvancedSubtensor(_array_on_axis(k, source.ndim))(shuffle.inputs[0], ids)
    out = ew.DimShuffle(picked.broadcastable, shuffle.op.new_order)(picked)
    return [out] if out.type == node.outputs[0].type else None


@register('fast_run', tracks=(ew.DimShuffle,))
def inc_along_axis(node, ctx):
    """inc(x, y, ids) swapped back -> swapped x incremented at [:, ids] by swapped y."""
    k = _swapped_axis(node.outputs[0])
    inc = node.inputs[0].owner
    if k is None or inc is None or not isinstance(inc.op, AdvancedIncSubtensor1):
        return None
    x, y, ids = inc.inputs
    if y.ndim != x.ndim:
        return None
    order = node.op.new_order
    out = AdvancedIncSubtensor(_array_on_axis(k, x.ndim), inc.op.set_instead_of_inc)(
        ew.DimShuffle(x.broadcastable, order)(x), ew.DimShuffle(y.broadcastable, order)(y), ids)
    return [out] if out.type == node.outputs[0].type else None


@register('fast_run', tracks=(ew.Elemwise,))
def merge_casts(node, ctx):
    """cast(cast(x, a), b) -> cast(x, b) when the inner cast loses nothing."""
    if not isinstance(node.op, ew.Elemwise) or not isinstance(node.op.scalar_op, ew.Cast):
        return None
    inner = node.inputs[0].owner
    if inner is None or not isinstance(inner.op, ew.Elemwise) or \
            not isinstance(inner.op.scalar_op, ew.Cast):
        return None
    x = inner.inputs[0]
    if not _lossless_cast(x.dtype, inner.op.scalar_op.dtype):
        return None
    return [ew.cast(x, node.op.scalar_op.dtype)]


def _lossless_cast(src, dst):
    """Whether every value of dtype ``src`` survives a cast to ``dst`` exactly. numpy's
    'safe' also allows int64 -> float64, which rounds integers beyond 2**53."""
    src, dst = np.dtype(src), np.dtype(dst)
    if not np.can_cast(src, dst, casting='safe'):
        return False
    if src.kind in 'iub' and dst.kind in 'fc':
        value_bits = 1 if src.kind == 'b' else src.itemsize * 8 - (src.kind == 'i')
        return value_bits <= np.finfo(dst).nmant + 1
    return True


@register('fast_run', tracks=(ew.Elemwise,))
def fill_to_value(node, ctx):
    """second(x, y) -> y when y already has the result's type (the shapes then agree)."""
    if _scalar_op(node) is not ew.scalar_second:
        return None
    value = node.inputs[1]
    return [value] if value.type == node.outputs[0].type else None


@register('fast_run', tracks=(Sum,))
def sum_of_fill(node, ctx):
    """sum(fill(x, c)) over all axes -> c * size(x), as gradient graphs produce."""
    if not isinstance(node.op, Sum) or node.outputs[0].ndim != 0:
        return None
    fill = _owner_elemwise(node.inputs[0], ew.scalar_second)
    if fill is None:
        return None
    value = fill.inputs[1]
    if not all(value.broadcastable):
        return None
    out_dtype = node.outputs[0].dtype
    scalar = ew.DimShuffle(value.broadcastable, ())(value) if value.ndim else value
    size = ew.cast(prod(shape(fill.inputs[0])), out_dtype)
    return [ew.cast(ew.mul(ew.cast(scalar, out_dtype), size), out_dtype)]


# ---------------------------------------------------------------------------------------
# Stabilization
# ---------------------------------------------------------------------------------------

_VIEW_OPS = (ew.DimShuffle, Subtensor, AdvancedSubtensor, AdvancedSubtensor1)


def _view_of_softmax(var):
    """True when ``var`` is a softmax output seen through transposes and indexing."""
    while var.owner is not None and isinstance(var.owner.op, _VIEW_OPS):
        var = var.owner.inputs[0]
    return var.owner is not None and isinstance(var.owner.op, Softmax)


@register('fast_run', 'stabilize', tracks=(ew.Elemwise,))
def log_softmax(node, ctx):
    """log(softmax(x)) -> log_softmax(x), which cannot underflow to log(0)."""
    if _scalar_op(node) is not ew.scalar_log:
        return None
    p = node.inputs[0]
    if p.owner is None or not isinstance(p.owner.op, Softmax) or \
            not ctx.can_replace_through(p):
        return None
    return [logsoftmax_op(p.owner.inputs[0])]


@register('fast_run', 'stabilize', tracks=(ew.Elemwise,))
def log_through_views(node, ctx):
    """log(view(softmax)) -> view(log(softmax)) for transposes and indexing, so the
    cross-entropy idioms ``log(softmax(z.T).T[y, arange(n)])`` meet log_softmax."""
    if _scalar_op(node) is not ew.scalar_log:
        return None
    view = node.inputs[0]
    if view.owner is None or not isinstance(view.owner.op, _VIEW_OPS) or \
            not _view_of_softmax(view) or not ctx.can_replace_through(view):
        return None
    source, rest = view.owner.inputs[0], view.owner.inputs[1:]
    return [view.owner.op(ew.log(source), *rest)]


@register('fast_run', 'stabilize', tracks=(ew.Elemwise,))
def log_sigmoid(node, ctx):
    """log(sigmoid(x)) -> -softplus(-x)."""
    if _scalar_op(node) is not ew.scalar_log:
        return None
    sig = _owner_elemwise(node.inputs[0], ew.scalar_sigmoid)
    if sig is None or sig.inputs[0].dtype not in FLOAT_DTYPES or \
            not ctx.can_replace_through(node.inputs[0]):
        return None
    return [ew.neg(softplus(ew.neg(sig.inputs[0])))]


@register('fast_run', 'stabilize', tracks=(ew.Elemwise,))
def log_one_minus_sigmoid(node, ctx):
    """log(1 - sigmoid(x)) -> -softplus(x)."""
    if _scalar_op(node) is not ew.scalar_log:
        return None
    diff = _owner_elemwise(node.inputs[0], ew.scalar_sub)
    if diff is None or scalar_value(diff.inputs[0]) != 1 or \
            not ctx.can_replace_through(node.inputs[0]):
        return None
    sig = _owner_elemwise(diff.inputs[1], ew.scalar_sigmoid)
    if sig is None or sig.inputs[0].dtype not in FLOAT_DTYPES or \
            sig.outputs[0].type != node.inputs[0].type:
        return None
    return [ew.neg(softplus(sig.inputs[0]))]


@register('fast_run', 'stabilize', tracks=(ew.Elemwise,))
def log_one_plus_exp(node, ctx):
    """log(1 + exp(x)) and log1p(exp(x)) -> softplus(x)."""
    scalar_op = _scalar_op(node)
    if scalar_op is ew.scalar_log1p:
        exp = _owner_elemwise(node.inputs[0], ew.scalar_exp)
    elif scalar_op is ew.scalar_log:
        total = _owner_elemwise(node.inputs[0], ew.scalar_add)
        if total is None or len(total.inputs) != 2:
            return None
        exp = None
        for pos in (0, 1):
            if scalar_value(total.inputs[pos]) == 1:
                exp = _owner_elemwise(total.inputs[1 - pos], ew.scalar_exp)
    else:
        return None
    if exp is None or exp.inputs[0].type != node.outputs[0].type or \
            not ctx.can_replace_through(node.inputs[0]):
        return None
    return [softplus(exp.inputs[0])]


@register('fast_run', 'stabilize', tracks=(ew.Elemwise,))
def exp_of_log_softmax(node, ctx):
    """exp(log_softmax(x)) -> softmax(x) (gradients of log_softmax produce it)."""
    if _scalar_op(node) is not ew.scalar_exp:
        return None
    inner = node.inputs[0].owner
    if inner is None or not isinstance(inner.op, LogSoftmax):
        return None
    return [softmax_op(inner.inputs[0])]


@register('fast_run', 'stabilize', tracks=(CrossentropyCategorical1Hot,))
def crossentropy_of_softmax(node, ctx):
    """crossentropy_categorical_1hot(softmax(x [+ b]), y) -> the fused softmax
    cross-entropy (CrossentropySoftmaxArgmax1HotWithBias), which cannot overflow."""
    if not isinstance(node.op, CrossentropyCategorical1Hot):
        return None
    dist, y = node.inputs
    owner = dist.owner
    if owner is None or not isinstance(owner.op, (Softmax, SoftmaxWithBias)) or \
            owner.inputs[0].ndim != 2 or not ctx.can_replace_through(dist):
        return None
    x = owner.inputs[0]
    b = owner.inputs[1] if isinstance(owner.op, SoftmaxWithBias) else ew.zeros_like(x[0, :])
    return [crossentropy_softmax_argmax_1hot_with_bias(x, b, y)[0]]
