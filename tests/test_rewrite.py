"""The graph rewrite engine (symgraph.rewrite): each rewrite alone, merging, numerical
stabilization against float64 log-sum-exp references, random graphs compiled with and
without rewrites, the cost of rewriting long chains, the optimizer flags, and the size of
the compiled LXMLS update.

``SYMGRAPH_RANDOM_GRAPHS`` (default 30) sets how many random graphs are checked and
``SYMGRAPH_TEST_SEED`` changes their seed.
"""
import gc
import os
import time

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.graph.basic import ancestors, toposort
from symgraph.rewrite import REGISTRY, rewrite_graph, rewrites_for
from symgraph.rewrite.engine import Rewrite, Rewriter
from symgraph.tensor import elemwise as ew
from symgraph.tensor.nnet import LogSoftmax, Softmax
from symgraph.tensor.reduction import Sum
from symgraph.tensor.subtensor import (AdvancedIncSubtensor, AdvancedIncSubtensor1,
                                       AdvancedSubtensor, AdvancedSubtensor1, Subtensor)
from symgraph.tensor.var import TensorConstant

N_RANDOM_GRAPHS = int(os.environ.get('SYMGRAPH_RANDOM_GRAPHS', '30'))
SEED = int(os.environ.get('SYMGRAPH_TEST_SEED', '1234'))
NO_REWRITES = theano.Mode(optimizer=None)


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------

def rewrite_only(name, outputs, merge=False):
    """``outputs`` rewritten by the registered rewrite ``name`` alone; also the Rewriter,
    whose ``applied`` counter says how often each rewrite fired."""
    chosen = [r for r in REGISTRY if r.name == name]
    assert len(chosen) == 1, 'no rewrite named %r' % name
    rewriter = Rewriter(chosen, merge=merge)
    return rewriter(list(outputs)), rewriter


def nodes_of(outputs):
    return toposort(list(outputs))


def scalar_names(outputs):
    """Names of the scalar ops of the Elemwise nodes in the graph of ``outputs``."""
    return [n.op.scalar_op.name for n in nodes_of(outputs) if isinstance(n.op, ew.Elemwise)]


def op_types(outputs):
    return [type(n.op) for n in nodes_of(outputs)]


def count_scalar(outputs, name):
    return scalar_names(outputs).count(name)


def is_cast(node):
    return isinstance(node.op, ew.Elemwise) and isinstance(node.op.scalar_op, ew.Cast)


def assert_same_values(before, after, given, rtol=1e-12, atol=0.0):
    """Evaluate both graphs (node by node, with ``.eval``) and compare them."""
    for b, a in zip(before, after):
        vb, va = b.eval(given), a.eval(given)
        assert va.shape == vb.shape and va.dtype == vb.dtype, (va.shape, vb.shape)
        np.testing.assert_allclose(va, vb, rtol=rtol, atol=atol, equal_nan=True)


def check_single(name, outputs, given, rtol=1e-12, atol=0.0, merge=False):
    """Rewrite with ``name`` alone; assert it fired and changed no value. Returns the result."""
    new, rewriter = rewrite_only(name, outputs, merge=merge)
    assert rewriter.applied[name] >= 1, '%s did not fire' % name
    for old, out in zip(outputs, new):
        assert out.type == old.type
    assert_same_values(outputs, new, given, rtol=rtol, atol=atol)
    return new


def logsumexp(z, axis):
    m = np.max(z, axis=axis, keepdims=True)
    return m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))


def softmax_ref(z, axis):
    return np.exp(z - logsumexp(z, axis))


def expit(x):
    """Stable float64 logistic function."""
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def is_view_of_softmax(var):
    views = (ew.DimShuffle, Subtensor, AdvancedSubtensor, AdvancedSubtensor1)
    while var.owner is not None and isinstance(var.owner.op, views):
        var = var.owner.inputs[0]
    return var.owner is not None and isinstance(var.owner.op, Softmax)


def log_of_softmax_nodes(nodes):
    """The ``log`` nodes whose input is a softmax, directly or through views."""
    return [n for n in nodes if isinstance(n.op, ew.Elemwise) and n.op.scalar_op.name == 'log'
            and is_view_of_softmax(n.inputs[0])]


RNG = np.random.RandomState(SEED)


def rand(*shape):
    return RNG.uniform(-2.0, 2.0, size=shape)


# ---------------------------------------------------------------------------------------
# 1. Each rewrite alone
# ---------------------------------------------------------------------------------------

def test_registry_names_and_levels():
    names = [r.name for r in REGISTRY]
    assert len(names) == len(set(names))
    for expected in ('constant_folding', 'known_shape_entry', 'mul_by_one', 'add_zero',
                     'div_by_one', 'neg_neg', 'compose_dimshuffles', 'merge_casts',
                     'fill_to_value', 'sum_of_fill', 'log_softmax', 'log_through_views',
                     'log_sigmoid', 'log_one_minus_sigmoid', 'log_one_plus_exp',
                     'exp_of_log_softmax'):
        assert expected in names
    for r in REGISTRY:
        assert r.tags and r.tags <= {'fast_run', 'fast_compile', 'stabilize'}, r
        assert r.doc, r.name
    stabilize = {r.name for r in rewrites_for('stabilize')[0]}
    assert stabilize == {'log_softmax', 'log_through_views', 'log_sigmoid',
                         'log_one_minus_sigmoid', 'log_one_plus_exp', 'exp_of_log_softmax',
                         'crossentropy_of_softmax',
                         'scan_inner_graph'}  # the stabilizations inside a scan's step
    # fast_run includes every stabilization.
    assert stabilize <= {r.name for r in rewrites_for('fast_run')[0]}
    with pytest.raises(ValueError):
        rewrites_for('fast')


def test_constant_folding():
    x = T.vector('x')
    c1 = T.constant(np.arange(4.0))
    c2 = T.constant(np.array([0.5, -1.0, 2.0, 3.0]))
    folded_part = T.exp(c1 * c2 + 3) - c2.sum()
    out = x * folded_part
    given = {x: rand(4)}
    new, = check_single('constant_folding', [out], given)
    # Only x * <constant> is left; no node has all-constant inputs.
    nodes = nodes_of([new])
    assert len(nodes) == 1 and count_scalar([new], 'mul') == 1
    const = [i for i in nodes[0].inputs if isinstance(i, TensorConstant)]
    assert len(const) == 1
    np.testing.assert_allclose(const[0].data,
                               np.exp(np.arange(4.0) * c2.data + 3) - c2.data.sum())


def test_constant_folding_leaves_big_results_and_generators():
    x = T.vector('x')
    big = T.constant(np.ones(20001)) * 2.0   # 20001 results: left to XLA
    ar = T.arange(5)                        # ARange is never folded
    new, rewriter = rewrite_only('constant_folding', [x + big, ar])
    assert count_scalar([new[0]], 'mul') == 1
    assert any(type(n.op).__name__ == 'ARange' for n in nodes_of([new[1]]))


def test_known_shape_entry_folds_lengths_that_cannot_change():
    x = T.matrix('x')
    c = T.constant(np.ones((3, 4)))
    r = T.row('r')                              # dimension 0 is broadcastable: length 1
    outs = [r.shape[0], T.cast(T.shape(c)[-1], 'float64') * x, x.shape[0] + r.shape[-2]]
    given = {x: rand(3, 4), r: rand(1, 5)}
    new = check_single('known_shape_entry', outs, given)
    assert isinstance(new[0], TensorConstant) and int(new[0].data) == 1
    for out in new[1:]:
        shapes_read = [n.inputs[0].owner.inputs[0] for n in nodes_of([out])
                       if isinstance(n.op, Subtensor) and n.inputs[0].owner is not None
                       and isinstance(n.inputs[0].owner.op, T.Shape)]
        assert shapes_read == ([x] if out is new[2] else []), \
            theano.printing.debugprint(out, file='str')
    # x.shape[0] is unknown and stays symbolic.
    unknown, rewriter = rewrite_only('known_shape_entry', [x.shape[0]])
    assert rewriter.applied['known_shape_entry'] == 0
    assert any(isinstance(n.op, T.Shape) for n in nodes_of(unknown))
    # A length that only the static shape of an expression knows may be folded or not, but
    # never to a wrong value.
    y = x + c
    derived = [T.cast(y.shape[1], 'float64') * x, T.dot(x, c.T).shape[1] + 0 * x.shape[0]]
    assert_same_values(derived, rewrite_only('known_shape_entry', derived)[0], given)


def test_known_shape_entry_leaves_shared_variables_alone():
    W = theano.shared(np.zeros((3, 4)), name='W')
    out = W.shape[0]
    new, rewriter = rewrite_only('known_shape_entry', [out])
    assert rewriter.applied['known_shape_entry'] == 0
    f = theano.function([], W.shape[0])
    W.set_value(np.zeros((5, 4)))
    assert int(f()) == 5


def test_known_shape_entry_leaves_shapes_derived_from_shared_variables_alone():
    """Expressions computed from a shared variable take its shape when it is created
    (static_shape), but set_value may change it: their lengths must not be folded either.
    """
    W = theano.shared(np.zeros((3, 4)), name='W')
    v = T.vector('v')
    exprs = {'W.T.shape[1]': W.T.shape[1], '(W * 2).shape[0]': (W * 2).shape[0],
             'dot(W, v).shape[0]': T.dot(W, v).shape[0]}
    funcs = {k: theano.function([v], e, on_unused_input='ignore') for k, e in exprs.items()}
    W.set_value(np.zeros((5, 4)))
    got = {k: int(f(np.zeros(4))) for k, f in funcs.items()}
    assert got == {k: 5 for k in exprs}, got


def test_mul_by_one():
    x = T.matrix('x')
    one_matrix = T.constant(np.ones((1, 1)))          # broadcastable (True, True)
    outs = [x * 1, 1 * x, x * np.float64(1.0), x * one_matrix, T.tanh(x * 1) * 1]
    given = {x: rand(3, 4)}
    new = check_single('mul_by_one', outs, given)
    for out in new:
        assert count_scalar([out], 'mul') == 0, theano.printing.debugprint(out, file='str')
    # A type change (int -> float, row -> matrix) keeps the multiplication.
    iv = T.ivector('iv')
    r = T.row('r')
    kept, rewriter = rewrite_only('mul_by_one', [iv * 1.0, r * np.ones((3, 1)), x * 2])
    assert rewriter.applied['mul_by_one'] == 0
    assert all(count_scalar([k], 'mul') == 1 for k in kept)


def test_power_one():
    """Theano's optimized gradient of x ** 2 prints as '(TensorConstant{2.0} * x)'."""
    x = T.matrix('x')
    given = {x: np.random.RandomState(11).uniform(-2.0, 2.0, (3, 4))}  # (not the module's
    new = check_single('power_one', [x ** 1, T.exp(x) ** np.int8(1)], given)  # stream)
    assert all(count_scalar([out], 'pow') == 0 for out in new)
    kept, rewriter = rewrite_only('power_one', [T.imatrix('i') ** 1.0, x ** 2])
    assert rewriter.applied['power_one'] == 0
    d = T.dscalar('d')
    f = theano.function([d], T.grad(d ** 2, d))
    assert theano.pp(f.maker.fgraph.outputs[0]) == '(TensorConstant{2.0} * d)'


def test_add_zero():
    x = T.matrix('x')
    outs = [x + 0, 0 + x, x - 0, x + np.zeros((1, 1)), T.exp(x + 0.0) - 0]
    new = check_single('add_zero', outs, {x: rand(3, 4)})
    for out in new:
        names = scalar_names([out])
        assert 'add' not in names and 'sub' not in names, names
    # 0 - x is a negation, not x.
    kept, rewriter = rewrite_only('add_zero', [0 - x, x + 1])
    assert rewriter.applied['add_zero'] == 0
    assert scalar_names([kept[0]]) == ['sub'] and scalar_names([kept[1]]) == ['add']


def test_div_by_one():
    x = T.matrix('x')
    new = check_single('div_by_one', [x / 1, T.tanh(x) / 1.0], {x: rand(3, 4)})
    assert all(count_scalar([o], 'true_div') == 0 for o in new)
    kept, rewriter = rewrite_only('div_by_one', [1 / x, x / 2])
    assert rewriter.applied['div_by_one'] == 0
    assert all(count_scalar([o], 'true_div') == 1 for o in kept)


def test_neg_neg():
    x = T.vector('x')
    new = check_single('neg_neg', [-(-x), -(-(-x)), T.exp(-(-x))], {x: rand(5)})
    assert new[0] is x
    assert count_scalar([new[1]], 'neg') == 1
    assert scalar_names([new[2]]) == ['exp']


def test_compose_dimshuffles():
    x = T.matrix('x')
    t3 = T.tensor3('t3')
    v = T.vector('v')
    outs = [x.T.T, T.tanh(x.T.T), t3.dimshuffle(2, 0, 1).dimshuffle(1, 2, 0),
            x.T.dimshuffle(0, 'x', 1), v.dimshuffle('x', 0).dimshuffle(1)]
    given = {x: rand(3, 4), t3: rand(2, 3, 4), v: rand(5)}
    new = check_single('compose_dimshuffles', outs, given)
    assert new[0] is x                                          # double transpose: identity
    assert new[2] is t3
    assert new[4] is v
    assert op_types([new[1]]) == [T.Elemwise]
    ds = [n for n in nodes_of([new[3]]) if isinstance(n.op, ew.DimShuffle)]
    assert len(ds) == 1 and ds[0].inputs[0] is x and tuple(ds[0].op.new_order) == (1, 'x', 0)


def test_index_arrays_on_the_second_axis_read_and_scatter_in_place():
    # W[:, ids] is built as W.T[ids].T; the rewrites pick and scatter along W's own axis
    W, ids, C = T.matrix('W'), T.ivector('ids'), T.matrix('C')
    picked = W[:, ids].T
    grad = theano.grad(T.sum(picked * C), W)
    rng = np.random.RandomState(7)  # (the module's stream is left to the tests after)
    given = {W: rng.randn(3, 7), ids: np.array([1, 6, 1, -2, 0], 'int32'), C: rng.randn(5, 3)}
    rewriter = Rewriter([r for r in REGISTRY if r.name in (
        'take_along_axis', 'inc_along_axis', 'drop_identity')])  # (the transpose's gradient)
    new = rewriter([picked, grad])
    assert rewriter.applied['take_along_axis'] and rewriter.applied['inc_along_axis']
    kinds = op_types(new)
    assert AdvancedSubtensor1 not in kinds and AdvancedIncSubtensor1 not in kinds
    assert AdvancedSubtensor in kinds and AdvancedIncSubtensor in kinds
    expected_grad = np.zeros((3, 7))
    np.add.at(expected_grad.T, given[ids], given[C])  # repeated ids accumulate
    got = theano.function([W, ids, C], new)(*given.values())
    np.testing.assert_allclose(got[0], given[W][:, given[ids]].T, rtol=1e-12)
    np.testing.assert_allclose(got[1], expected_grad, rtol=1e-12)


def test_merge_casts():
    iv = T.ivector('iv')
    x = T.vector('x')
    lossless = T.cast(T.cast(iv, 'int64'), 'float64')
    roundtrip = T.cast(T.cast(iv, 'float64'), 'int32')
    lossy = T.cast(T.cast(x, 'float32'), 'float64')       # float64 -> float32 loses bits
    given = {iv: np.array([-3, 0, 7, 2 ** 30], dtype='int32'), x: rand(6)}
    new = check_single('merge_casts', [lossless, roundtrip], given)
    casts = [n for n in nodes_of([new[0]]) if is_cast(n)]
    assert len(casts) == 1 and casts[0].inputs[0] is iv
    assert new[1] is iv
    kept, rewriter = rewrite_only('merge_casts', [lossy])
    assert rewriter.applied['merge_casts'] == 0
    assert len([n for n in nodes_of(kept) if is_cast(n)]) == 2
    value = kept[0].eval({x: given[x]})
    np.testing.assert_array_equal(value, given[x].astype('float32').astype('float64'))


def test_merge_casts_keeps_the_rounding_of_int64_through_float64():
    """np.can_cast(int64, float64, 'safe') is True, but float64 holds integers exactly only
    up to 2**53: cast(cast(i, float64), int64) rounds, and the rewrite must keep that."""
    i = T.lvector('i')
    out = T.cast(T.cast(i, 'float64'), 'int64')
    value = np.array([2 ** 53 + 1, -(2 ** 60) - 1, 3], dtype='int64')
    expected = value.astype('float64').astype('int64')
    assert not np.array_equal(expected, value)
    np.testing.assert_array_equal(theano.function([i], out, mode=NO_REWRITES)(value), expected)
    np.testing.assert_array_equal(theano.function([i], out)(value), expected)


def test_fill_to_value():
    x, y = T.matrix('x'), T.matrix('y')
    r = T.row('r')
    new = check_single('fill_to_value', [T.fill(x, y), T.exp(T.second(x, y))],
                       {x: rand(3, 4), y: rand(3, 4)})
    assert new[0] is y
    assert scalar_names([new[1]]) == ['exp']
    # The value does not have the result's type: the fill broadcasts it and must stay.
    kept, rewriter = rewrite_only('fill_to_value', [T.fill(x, 2.0), T.fill(x, r),
                                                   T.ones_like(x)])
    assert rewriter.applied['fill_to_value'] == 0
    assert all(count_scalar([k], 'second') == 1 for k in kept)


def test_sum_of_fill():
    x = T.matrix('x')
    iv = T.ivector('iv')
    outs = [T.sum(T.ones_like(x)), T.sum(T.fill(x, 3.5)), T.sum(T.zeros_like(iv)),
            T.sum(T.fill(x, np.int8(3)))]
    given = {x: rand(3, 4), iv: np.arange(5, dtype='int32')}
    new = check_single('sum_of_fill', outs, given)
    for out in new:
        assert not any(isinstance(n.op, Sum) for n in nodes_of([out]))
        assert count_scalar([out], 'second') == 0
    assert float(new[0].eval(given)) == 12.0 and float(new[1].eval(given)) == 42.0
    assert int(new[3].eval(given)) == 36
    # Partial sums and non-constant fills are left alone.
    y = T.matrix('y')
    kept, rewriter = rewrite_only('sum_of_fill', [T.sum(T.ones_like(x), axis=0),
                                                 T.sum(T.fill(x, y))])
    assert rewriter.applied['sum_of_fill'] == 0


def test_log_softmax():
    z = T.matrix('z')
    v = T.vector('v')
    outs = [T.log(T.nnet.softmax(z)), T.log(T.nnet.softmax(v)).sum()]
    new = check_single('log_softmax', outs, {z: rand(3, 5), v: rand(4)})
    for out in new:
        types = op_types([out])
        assert LogSoftmax in types and Softmax not in types
        assert count_scalar([out], 'log') == 0


def test_log_through_views():
    z = T.matrix('z')
    y = T.ivector('y')
    p = T.nnet.softmax(z.T).T
    outs = [T.log(p[y, T.arange(y.shape[0])]), T.log(p.T), T.log(p[1:, 0]),
            T.log(T.nnet.softmax(z)[y])]
    given = {z: rand(3, 4), y: np.array([2, 0, 1, 1], dtype='int32')}
    new = check_single('log_through_views', outs, given)
    for out in new:
        logs = [n for n in nodes_of([out]) if isinstance(n.op, ew.Elemwise)
                and n.op.scalar_op.name == 'log']
        # The log now applies to the softmax itself, where log_softmax can meet it.
        assert len(logs) == 1
        assert isinstance(logs[0].inputs[0].owner.op, Softmax), \
            theano.printing.debugprint(out, file='str')
    # Together with log_softmax: no softmax left at all.
    both = Rewriter([r for r in REGISTRY if r.name in ('log_softmax', 'log_through_views')],
                    merge=False)(outs)
    for out in both:
        assert LogSoftmax in op_types([out]) and Softmax not in op_types([out])
        assert count_scalar([out], 'log') == 0
    assert_same_values(outs, both, given, rtol=1e-12)


def test_log_sigmoid():
    x = T.matrix('x')
    new = check_single('log_sigmoid', [T.log(T.nnet.sigmoid(x))], {x: rand(3, 4) * 5},
                       rtol=1e-13)
    names = scalar_names(new)
    assert 'log' not in names and 'scalar_sigmoid' not in names
    assert 'scalar_softplus' in names


def test_log_one_minus_sigmoid():
    x = T.matrix('x')
    new = check_single('log_one_minus_sigmoid', [T.log(1 - T.nnet.sigmoid(x))],
                       {x: rand(3, 4) * 5}, rtol=1e-12)
    names = scalar_names(new)
    assert 'log' not in names and 'scalar_sigmoid' not in names and 'sub' not in names
    assert names.count('scalar_softplus') == 1
    # log(2 - sigmoid(x)) is something else.
    kept, rewriter = rewrite_only('log_one_minus_sigmoid', [T.log(2 - T.nnet.sigmoid(x))])
    assert rewriter.applied['log_one_minus_sigmoid'] == 0


def test_log_one_plus_exp():
    x = T.matrix('x')
    outs = [T.log(1 + T.exp(x)), T.log(T.exp(x) + 1), T.log1p(T.exp(x))]
    new = check_single('log_one_plus_exp', outs, {x: rand(3, 4) * 5}, rtol=1e-12)
    for out in new:
        assert scalar_names([out]) == ['scalar_softplus']
        assert out.owner.inputs[0] is x
    kept, rewriter = rewrite_only('log_one_plus_exp', [T.log(2 + T.exp(x))])
    assert rewriter.applied['log_one_plus_exp'] == 0


def test_exp_of_log_softmax():
    z = T.matrix('z')
    new = check_single('exp_of_log_softmax', [T.exp(T.nnet.log_softmax(z))],
                       {z: rand(3, 5)}, rtol=1e-13)
    assert op_types(new) == [Softmax]


def test_merge_equal_subexpressions():
    x, y = T.matrix('x'), T.matrix('y')
    a = T.tanh(x) * y          # built twice, separately
    b = T.tanh(x) * y
    out = a + b
    f = theano.function([x, y], out)
    g = theano.function([x, y], out, mode=NO_REWRITES)
    tanhs = lambda fn: sum(1 for n in fn._nodes if isinstance(n.op, ew.Elemwise)
                           and n.op.scalar_op.name == 'tanh')
    assert tanhs(f) == 1 and tanhs(g) == 2
    assert len(f._nodes) == 3 and len(g._nodes) == 5
    vx, vy = rand(3, 4), rand(3, 4)
    np.testing.assert_allclose(f(vx, vy), 2 * np.tanh(vx) * vy, rtol=1e-14)
    np.testing.assert_allclose(g(vx, vy), 2 * np.tanh(vx) * vy, rtol=1e-14)
    # Outputs that merge into one variable still come back as independent arrays.
    s = theano.shared(np.zeros((3, 4)), name='s')
    h = theano.function([x, y], [a, b, x * 1, x], updates=[(s, T.tanh(x) * y + 0)])
    assert len(h._nodes) == 2
    ra, rb, rx1, rx = h(vx, vy)
    ra[0, 0] = 100.0
    np.testing.assert_allclose(rb, np.tanh(vx) * vy, rtol=1e-14)
    np.testing.assert_allclose(s.get_value(), np.tanh(vx) * vy, rtol=1e-14)
    np.testing.assert_array_equal(rx1, vx)
    np.testing.assert_array_equal(rx, vx)


def test_merge_equal_constants():
    x = T.matrix('x')
    c1 = T.constant(np.arange(4.0))
    c2 = T.constant(np.arange(4.0))   # equal value, another object
    c3 = T.constant(np.arange(4.0) + 1)
    merged = Rewriter([], merge=True)([x + c1, x + c2, x + c3])
    assert merged[0] is merged[1]
    assert merged[2] is not merged[0]
    unmerged = Rewriter([], merge=False)([x + c1, x + c2])
    assert unmerged[0] is not unmerged[1]
    f = theano.function([x], [x * c1, x * c2])
    consts = {id(i) for n in f._nodes for i in n.inputs if isinstance(i, TensorConstant)}
    assert len(f._nodes) == 1 and len(consts) == 1
    vx = rand(2, 4)
    for value in f(vx):
        np.testing.assert_allclose(value, vx * np.arange(4.0), rtol=1e-15)


def test_rewrites_compose_to_a_fixed_point():
    """One pass reaches the fixed point: rewriting again changes nothing."""
    x = T.matrix('x')
    z = T.matrix('z')
    out = T.log(T.nnet.softmax((-(-(x * 1 + 0)).T.T) / 1)).sum() + \
        T.log(1 - T.nnet.sigmoid(z + T.constant(np.zeros((1, 1))) * 3)).sum()
    once = rewrite_graph([out], 'fast_run')
    twice = rewrite_graph(once, 'fast_run')
    assert twice[0] is once[0]
    # All that is left of the elementwise part is -softplus(z) and the final add.
    assert sorted(scalar_names(once)) == ['add', 'neg', 'scalar_softplus']
    assert LogSoftmax in op_types(once)
    given = {x: rand(3, 4), z: rand(2, 2)}
    assert_same_values([out], once, given, rtol=1e-12)


def test_engine_keeps_the_output_a_rewrite_chose_of_a_multi_output_node():
    """A rewrite of a one-output node may answer with output 1 of a two-output node
    (here argmax, output 1 of MaxAndArgmax): that output, not output 0, replaces it."""
    def abs_of_argmax(node, ctx):
        if isinstance(node.op, ew.Elemwise) and node.op.scalar_op.name == 'abs_':
            inner = node.inputs[0].owner
            if inner is not None and isinstance(inner.op, T.MaxAndArgmax) and \
                    node.inputs[0] is inner.outputs[1]:
                return [T.max_and_argmax(inner.inputs[0], axis=1)[1]]
        return None
    rewrite = Rewrite('abs_of_argmax', 'abs(argmax(x)) -> argmax(x)', abs_of_argmax,
                      frozenset(), (ew.Elemwise,))
    x = T.matrix('x')
    out = abs(T.argmax(x, axis=1))
    new, = Rewriter([rewrite], merge=False)([out])
    assert new.type == out.type, new.type
    value = np.array([[0.0, 5.0, 1.0], [7.0, 2.0, 3.0]])
    np.testing.assert_array_equal(new.eval({x: value}), [1, 0])


# ---------------------------------------------------------------------------------------
# 2. Stabilization matters: logits of magnitude ~1000
# ---------------------------------------------------------------------------------------

D_IN, HIDDEN, N_CLASSES, BATCH = 6, 5, 3, 4


def lxmls_values():
    rng = np.random.RandomState(7)
    W1 = rng.randn(HIDDEN, D_IN)
    b1 = rng.randn(HIDDEN, 1)
    W2 = rng.randn(N_CLASSES, HIDDEN) * 1000.0
    b2 = rng.randn(N_CLASSES, 1)
    x = rng.randn(D_IN, BATCH)
    h = 1 / (1 + np.exp(-(W1 @ x + b1)))
    z2 = W2 @ h + b2
    y = np.argmin(z2, axis=0).astype('int32')       # the true class has the lowest logit
    gaps = z2.max(axis=0) - z2.min(axis=0)
    assert np.all(gaps > 800) and np.abs(z2).max() > 500, gaps   # exp(-800) == 0.0
    return dict(W1=W1, b1=b1, W2=W2, b2=b2), x, y


def lxmls_reference(params, x, y):
    """Cost and gradients of -mean(log softmax(z2)[y, i]), derived by hand, in float64."""
    W1, b1, W2, b2 = params['W1'], params['b1'], params['W2'], params['b2']
    n = x.shape[1]
    h = expit(W1 @ x + b1)
    z2 = W2 @ h + b2
    logp = z2 - logsumexp(z2, axis=0)
    cost = -np.mean(logp[y, np.arange(n)])
    dz2 = softmax_ref(z2, axis=0)
    dz2[y, np.arange(n)] -= 1
    dz2 /= n
    dz1 = (W2.T @ dz2) * h * (1 - h)
    return cost, [dz1 @ x.T, dz1.sum(axis=1, keepdims=True), dz2 @ h.T,
                  dz2.sum(axis=1, keepdims=True)]


def lxmls_function(params):
    """The LXMLS cost and its gradients, compiled with the default mode (built under the
    current config.optimizer)."""
    shared = [theano.shared(params[k].copy(), name=k,
                            broadcastable=(False, True) if k.startswith('b') else None)
              for k in ('W1', 'b1', 'W2', 'b2')]
    W1, b1, W2, b2 = shared
    x, y = T.matrix('x'), T.ivector('y')
    z1 = T.dot(W1, x) + b1
    h = T.nnet.sigmoid(z1)
    z2 = T.dot(W2, h) + b2
    cost = -T.mean(T.log(T.nnet.softmax(z2.T).T[y, T.arange(y.shape[0])]))
    grads = T.grad(cost, shared)
    return theano.function([x, y], [cost] + list(grads))


def test_lxmls_cost_and_gradients_are_stable():
    params, x, y = lxmls_values()
    f = lxmls_function(params)
    assert not log_of_softmax_nodes(f._nodes)
    assert any(isinstance(n.op, LogSoftmax) for n in f._nodes)
    cost, *grads = f(x, y)
    ref_cost, ref_grads = lxmls_reference(params, x, y)
    assert np.isfinite(cost) and cost > 500
    np.testing.assert_allclose(cost, ref_cost, rtol=1e-10)
    for name, g, r in zip(('W1', 'b1', 'W2', 'b2'), grads, ref_grads):
        assert np.all(np.isfinite(g)), name
        np.testing.assert_allclose(g, r, rtol=1e-7, atol=1e-9, err_msg=name)


def test_lxmls_cost_overflows_without_rewrites():
    theano.config.optimizer = 'None'      # before the graph and its gradients are built
    params, x, y = lxmls_values()
    f = lxmls_function(params)
    assert log_of_softmax_nodes(f._nodes)
    assert not any(isinstance(n.op, LogSoftmax) for n in f._nodes)
    cost, *grads = f(x, y)
    assert np.isinf(cost)
    for name, g in zip(('W1', 'b1', 'W2', 'b2'), grads):
        assert not np.all(np.isfinite(g)), name


def dlt_values():
    n, d, k = 5, 4, 3
    for seed in range(100):    # the first seed whose logits are all far apart
        rng = np.random.RandomState(seed)
        x = rng.randn(n, d)
        W = rng.randn(d, k) * 600.0
        b = rng.randn(k)
        z = x @ W + b
        if np.all(z.max(axis=1) - z.min(axis=1) > 800):       # exp(-800) == 0.0
            y = np.argmin(z, axis=1).astype('int32')          # the lowest logit is true
            return x, W, b, y
    raise AssertionError('no seed gives logits 800 apart')


def dlt_function():
    """DeepLearningTutorials' LogisticRegression.negative_log_likelihood (row layout)."""
    x_val, W_val, b_val, y_val = dlt_values()
    W = theano.shared(W_val.copy(), name='W')
    b = theano.shared(b_val.copy(), name='b')
    x, y = T.matrix('x'), T.ivector('y')
    p_y_given_x = T.nnet.softmax(T.dot(x, W) + b)
    cost = -T.mean(T.log(p_y_given_x)[T.arange(y.shape[0]), y])
    gW, gb = T.grad(cost, [W, b])
    return theano.function([x, y], [cost, gW, gb]), (x_val, W_val, b_val, y_val)


def test_dlt_negative_log_likelihood_is_stable():
    f, (x, W, b, y) = dlt_function()
    assert not log_of_softmax_nodes(f._nodes)
    cost, gW, gb = f(x, y)
    n = x.shape[0]
    z = x @ W + b
    logp = z - logsumexp(z, axis=1)
    dz = softmax_ref(z, axis=1)
    dz[np.arange(n), y] -= 1
    dz /= n
    assert np.isfinite(cost) and cost > 500
    np.testing.assert_allclose(cost, -np.mean(logp[np.arange(n), y]), rtol=1e-10)
    np.testing.assert_allclose(gW, x.T @ dz, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(gb, dz.sum(axis=0), rtol=1e-7, atol=1e-12)


def test_dlt_negative_log_likelihood_overflows_without_rewrites():
    theano.config.optimizer = 'None'
    f, (x, W, b, y) = dlt_function()
    assert log_of_softmax_nodes(f._nodes)
    cost, gW, gb = f(x, y)
    assert np.isinf(cost)
    assert not np.all(np.isfinite(gW)) and not np.all(np.isfinite(gb))


BIG_X = np.array([-1000.0, -800.0, -40.0, -3.0, 0.0, 0.5, 40.0, 800.0, 1000.0])


def sigmoid_family_function():
    x = T.vector('x')
    outs = [T.log(T.nnet.sigmoid(x)), T.log(1 - T.nnet.sigmoid(x)), T.log(1 + T.exp(x)),
            T.log1p(T.exp(x))]
    grads = [T.grad(o.sum(), x) for o in outs]
    return theano.function([x], outs + grads)


def test_sigmoid_family_is_stable_at_large_magnitudes():
    values = sigmoid_family_function()(BIG_X)
    softplus = np.logaddexp(0.0, BIG_X)
    softplus_neg = np.logaddexp(0.0, -BIG_X)
    expected = [-softplus_neg, -softplus, softplus, softplus,
                expit(-BIG_X), -expit(BIG_X), expit(BIG_X), expit(BIG_X)]
    for k, (got, ref) in enumerate(zip(values, expected)):
        assert np.all(np.isfinite(got)), (k, got)
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-300, err_msg=str(k))


def test_sigmoid_family_overflows_without_rewrites():
    theano.config.optimizer = 'None'
    values = sigmoid_family_function()(BIG_X)
    for k, got in enumerate(values[:4]):
        assert np.any(np.isinf(got)), (k, got)
    # d/dx log(sigmoid(x)) at x = -1000 is (1/0) * 0; d/dx log1p(exp(x)) at 1000 is inf/inf.
    assert not np.all(np.isfinite(values[4])) and not np.all(np.isfinite(values[5]))


def test_grad_with_respect_to_a_rewritten_intermediate():
    """T.grad stabilizes the cost before differentiating; a ``wrt`` or ``consider_constant``
    variable that the stabilization would rewrite (or rebuild) must be kept as it is."""
    a = T.vector('a')
    z = T.matrix('z')
    h = T.log(T.nnet.sigmoid(a))
    lp = T.log(T.nnet.softmax(z))
    va, vz = rand(3), rand(2, 3)
    # d(sum h)/dh = 1 and d(sum(lp))/d lp = 1, whatever h and lp are.
    np.testing.assert_array_equal(T.grad(h.sum(), h).eval({a: va}), np.ones(3))
    np.testing.assert_array_equal(T.grad(lp.sum(), lp).eval({z: vz}), np.ones((2, 3)))
    deeper = T.tanh(T.log(T.nnet.sigmoid(a)))
    np.testing.assert_array_equal(T.grad(deeper.sum(), deeper).eval({a: va}), np.ones(3))
    # With lp held constant, d sum(lp * z) / dz is lp itself.
    g = T.grad(T.sum(lp * z), z, consider_constant=[lp]).eval({z: vz})
    np.testing.assert_allclose(g, vz - logsumexp(vz, axis=1), rtol=1e-12)


# ---------------------------------------------------------------------------------------
# 3. Random graphs: rewrites never change results
# ---------------------------------------------------------------------------------------

SHAPES = {'A': (3, 4), 'B': (3, 4), 'C': (4, 3), 'S': (3, 3), 'u': (4,), 'v': (3,)}


class Expr:
    """A random expression: its variable, static shape, a bound on |value|, and a text."""

    def __init__(self, var, shape, bound, text):
        self.var, self.shape, self.bound, self.text = var, tuple(shape), bound, text


class RandomGraphs:
    """Builds random expressions over a few matrix and vector inputs.

    Values are kept moderate (inputs in [-1.5, 1.5], |values| squashed with tanh when a
    bound exceeds 20, exp only of bounded values, the log forms only where they are well
    conditioned), so that a stabilizing rewrite may change a result by rounding only.
    """

    def __init__(self):
        self.inputs = {name: (T.matrix(name) if len(shape) == 2 else T.vector(name))
                       for name, shape in SHAPES.items()}

    def values(self, rng):
        return {var: rng.uniform(-1.5, 1.5, size=SHAPES[name])
                for name, var in self.inputs.items()}

    def build(self, rng, steps):
        """The expressions that ``steps`` random steps made and no later step used."""
        pool = [Expr(var, SHAPES[name], 1.5, name) for name, var in self.inputs.items()]
        self.used = set()
        const_shape = [(3, 4), (4,), (3, 3)][rng.randint(3)]
        c1 = T.constant(rng.uniform(-1, 1, size=const_shape))
        c2 = T.constant(rng.uniform(-1, 1, size=const_shape))
        pool.append(Expr(T.tanh(c1 * 2 + c2) - c2, const_shape, 3.0, 'const'))
        for _ in range(steps):
            base = pool[-1] if rng.rand() < 0.7 else pool[rng.randint(len(pool))]
            new = self.step(rng, base, pool)
            self.used.add(id(base))
            if rng.rand() < 0.2:
                new = self.neutral(rng, new)
            if new.bound > 20:
                scale = 1.0 / new.bound
                new = Expr(T.tanh(new.var * scale), new.shape, 1.0,
                           'tanh(%s * %.3g)' % (new.text, scale))
            pool.append(new)
        made = pool[len(self.inputs) + 1:]
        return [e for e in made if id(e) not in self.used and e.var.owner is not None]

    def partner(self, rng, pool, shape):
        same = [e for e in pool if e.shape == shape]
        if not same:
            return None
        chosen = same[rng.randint(len(same))]
        self.used.add(id(chosen))
        return chosen

    NEUTRAL = [(lambda v: v * 1, '%s * 1'), (lambda v: 1 * v, '1 * %s'),
               (lambda v: v + 0, '%s + 0'), (lambda v: 0 + v, '0 + %s'),
               (lambda v: v - 0, '%s - 0'), (lambda v: v / 1, '%s / 1'),
               (lambda v: v / 1.0, '%s / 1.0'), (lambda v: -(-v), '-(-%s)'),
               (lambda v: v * 1.0 + 0.0, '%s * 1.0 + 0.0')]

    def neutral(self, rng, e):
        """``e`` through an operation that does nothing (x * 1, x + 0, -(-x), ...)."""
        fn, text = self.NEUTRAL[rng.randint(len(self.NEUTRAL))]
        return Expr(fn(e.var), e.shape, e.bound, text % e.text)

    def step(self, rng, e, pool):
        x, s, b, t = e.var, e.shape, e.bound, e.text
        choices = ['unary', 'neutral', 'scalar_const', 'binary', 'binary', 'log', 'log',
                   'cast', 'fill', 'reduce', 'shape_entry']
        if len(s) == 2:
            choices += ['matrix', 'matrix', 'dot']
        if len(s) == 1:
            choices += ['vector', 'dot']
        if len(s) == 0:
            choices += ['scalar_mix']
        kind = choices[rng.randint(len(choices))]
        c = float(np.round(rng.uniform(-2, 2), 2))
        if kind == 'unary':
            k = rng.randint(4)
            if k == 0:
                return Expr(T.tanh(x), s, 1.0, 'tanh(%s)' % t)
            if k == 1:
                return Expr(T.nnet.sigmoid(x), s, 1.0, 'sigmoid(%s)' % t)
            if k == 2:
                return Expr(-x, s, b, '-(%s)' % t)
            if b <= 3:
                return Expr(T.exp(x), s, float(np.exp(b)), 'exp(%s)' % t)
            return Expr(T.tanh(x), s, 1.0, 'tanh(%s)' % t)
        if kind == 'neutral':
            return self.neutral(rng, e)
        if kind == 'scalar_const':
            k = rng.randint(3)
            if k == 0:
                return Expr(x * c, s, b * abs(c), '%s * %s' % (t, c))
            if k == 1:
                return Expr(c - x, s, b + abs(c), '%s - %s' % (c, t))
            return Expr(x / (x * x + 1), s, b, '%s / (%s^2 + 1)' % (t, t))
        if kind == 'binary':
            if len(s) == 2 and rng.rand() < 0.3:
                vec = self.partner(rng, pool, (s[1],))
                if vec is not None:
                    return Expr(x * vec.var, s, b * vec.bound, '%s * row(%s)' % (t, vec.text))
            if len(s) == 2 and rng.rand() < 0.3:
                vec = self.partner(rng, pool, (s[0],))
                if vec is not None:
                    return Expr(x + vec.var.dimshuffle(0, 'x'), s, b + vec.bound,
                                '%s + col(%s)' % (t, vec.text))
            other = self.partner(rng, pool, s)
            o = other.var
            k = rng.randint(4)
            if k == 0:
                return Expr(x + o, s, b + other.bound, '(%s + %s)' % (t, other.text))
            if k == 1:
                return Expr(x - o, s, b + other.bound, '(%s - %s)' % (t, other.text))
            if k == 2:
                return Expr(x * o, s, b * other.bound, '(%s * %s)' % (t, other.text))
            return Expr(x / (o * o + 1), s, b, '(%s / (%s^2 + 1))' % (t, other.text))
        if kind == 'log':
            k = rng.randint(6)
            if k == 0:
                return Expr(T.log(T.nnet.sigmoid(x)), s, b + 1, 'log(sigmoid(%s))' % t)
            if k == 1 and b <= 10:
                return Expr(T.log(1 - T.nnet.sigmoid(x)), s, b + 1,
                            'log(1 - sigmoid(%s))' % t)
            if k == 2 and b <= 10:
                return Expr(T.log(1 + T.exp(x)), s, b + 1, 'log(1 + exp(%s))' % t)
            if k == 3 and b <= 10:
                return Expr(T.log1p(T.exp(x)), s, b + 1, 'log1p(exp(%s))' % t)
            if k == 4 and len(s) == 2 and b <= 10:
                if rng.rand() < 0.5:
                    return Expr(T.log(T.nnet.softmax(x)), s, 2 * b + 2,
                                'log(softmax(%s))' % t)
                return Expr(T.log(T.nnet.softmax(x.T).T), s, 2 * b + 2,
                            'log(softmax(%s.T).T)' % t)
            return Expr(T.log(x * x + 0.5), s, b * b + 1, 'log(%s^2 + 0.5)' % t)
        if kind == 'cast':
            if rng.rand() < 0.5:
                return Expr(T.cast(T.cast(x, 'float32'), 'float64'), s, b,
                            'f64(f32(%s))' % t)
            return Expr(T.cast(T.cast(x, 'float64'), 'float64') * 1.0, s, b, 'f64(%s)' % t)
        if kind == 'fill':
            k = rng.randint(6)
            if k == 0:
                return Expr(T.ones_like(x) * x, s, b, 'ones_like(%s) * %s' % (t, t))
            if k == 1:
                other = self.partner(rng, pool, s)
                return Expr(T.zeros_like(x) + other.var, s, other.bound,
                            'zeros_like(%s) + %s' % (t, other.text))
            if k == 2 or k == 5:
                return Expr(T.sum(T.ones_like(x)) * T.tanh(x), s, float(np.prod(s) or 1),
                            'sum(ones_like(%s)) * tanh(%s)' % (t, t))
            if k == 3:
                return Expr(T.fill(x, c) + x, s, b + abs(c), 'fill(%s, %s) + %s' % (t, c, t))
            other = self.partner(rng, pool, s)
            return Expr(T.fill(x, other.var), s, other.bound,
                        'fill(%s, %s)' % (t, other.text))
        if kind == 'reduce':
            if len(s) == 0:
                return Expr(T.tanh(x) * 2, s, 2.0, 'tanh(%s) * 2' % t)
            axis = rng.randint(len(s))
            rest = tuple(d for i, d in enumerate(s) if i != axis)
            if rng.rand() < 0.5:
                return Expr(T.sum(x, axis=axis), rest, b * s[axis],
                            'sum(%s, %d)' % (t, axis))
            if rng.rand() < 0.5:
                return Expr(T.mean(x, axis=axis), rest, b, 'mean(%s, %d)' % (t, axis))
            return Expr(T.mean(x), (), b, 'mean(%s)' % t)
        if kind == 'shape_entry':
            if len(s) == 0:
                return Expr(x * 3, s, 3 * b, '%s * 3' % t)
            i = rng.randint(-len(s), len(s))
            return Expr(x * T.cast(x.shape[i], 'float64'), s, b * s[i],
                        '%s * %s.shape[%d]' % (t, t, i))
        if kind == 'matrix':
            k = rng.randint(6)
            if k == 5 and b <= 10:
                return Expr(T.log(T.nnet.softmax(x)).T, s[::-1], 2 * b + 2,
                            'log(softmax(%s)).T' % t)
            if k == 0:
                return Expr(x.T, s[::-1], b, '%s.T' % t)
            if k == 1:
                return Expr(x.T.T, s, b, '%s.T.T' % t)
            if k == 2 and b <= 20:
                return Expr(T.nnet.softmax(x), s, 1.0, 'softmax(%s)' % t)
            if k == 3 and b <= 20:
                return Expr(T.exp(T.nnet.log_softmax(x.T)).T, s, 1.0,
                            'exp(log_softmax(%s.T)).T' % t)
            return Expr(x.dimshuffle(1, 'x', 0).dimshuffle(2, 0), s, b,
                        'dimshuffle(%s)' % t)
        if kind == 'vector':
            k = rng.randint(3)
            if k == 0:
                return Expr(x.dimshuffle('x', 0).T.dimshuffle(0), s, b, 'ds(%s)' % t)
            if k == 1 and b <= 20:  # (a vector's softmax is a (1, n) row, as in Theano)
                return Expr(T.nnet.softmax(x)[0], s, 1.0, 'softmax(%s)[0]' % t)
            other = self.partner(rng, pool, (3,) + s)
            if other is not None:
                return Expr(other.var + x, other.shape, b + other.bound,
                            '%s + %s' % (other.text, t))
            return Expr(T.tanh(x), s, 1.0, 'tanh(%s)' % t)
        if kind == 'dot':
            candidates = [e2 for e2 in pool if len(e2.shape) >= 1 and e2.shape[0] == s[-1]]
            other = candidates[rng.randint(len(candidates))]
            self.used.add(id(other))
            shape = s[:-1] + other.shape[1:]
            return Expr(T.dot(x, other.var), shape, b * other.bound * s[-1],
                        'dot(%s, %s)' % (t, other.text))
        # scalar_mix: a scalar times a random pool member
        other = pool[rng.randint(len(pool))]
        self.used.add(id(other))
        return Expr(x * other.var, other.shape, b * other.bound,
                    '%s * %s' % (t, other.text))


def compare_modes(inputs, outputs, texts, given_values, extra=()):
    """Compile ``outputs`` with FAST_RUN, FAST_COMPILE and without rewrites; all results
    must agree with the unrewritten ones. ``extra`` adds (label, function) pairs."""
    funcs = [('FAST_RUN', theano.function(inputs, outputs, mode='FAST_RUN',
                                          on_unused_input='ignore')),
             ('FAST_COMPILE', theano.function(inputs, outputs, mode='FAST_COMPILE',
                                              on_unused_input='ignore'))] + list(extra)
    reference = theano.function(inputs, outputs, mode=NO_REWRITES, on_unused_input='ignore')
    args = [given_values[v] for v in inputs]
    expected = reference(*args)
    for label, f in funcs:
        got = f(*args)
        for k, (g, e) in enumerate(zip(got, expected)):
            assert g.shape == e.shape and g.dtype == e.dtype, (label, texts[k])
            np.testing.assert_allclose(
                g, e, rtol=1e-6, atol=1e-8, equal_nan=True,
                err_msg='%s differs from the unrewritten graph for %s' % (label, texts[k]))
    return len(funcs) + 1


GROUP = 5     # random graphs compiled together in one function


def random_graph_groups():
    seeds = [SEED * 1000 + k for k in range(N_RANDOM_GRAPHS)]
    return [seeds[i:i + GROUP] for i in range(0, len(seeds), GROUP)]


@pytest.mark.parametrize('seeds', random_graph_groups(),
                         ids=lambda s: 'graphs%d-%d' % (s[0] % 1000, s[-1] % 1000))
def test_random_graphs_agree_across_optimizers(seeds):
    gen = RandomGraphs()
    outputs, texts = [], []
    for seed in seeds:
        rng = np.random.RandomState(seed)
        for expr in gen.build(rng, steps=rng.randint(6, 15)):
            outputs.append(expr.var)
            texts.append('seed %d: %s' % (seed, expr.text))
    values = gen.values(np.random.RandomState(seeds[0]))
    inputs = list(gen.inputs.values())
    compare_modes(inputs, outputs, texts, values)


@pytest.mark.parametrize('seeds', random_graph_groups()[::2],
                         ids=lambda s: 'graphs%d-%d' % (s[0] % 1000, s[-1] % 1000))
def test_random_graph_gradients_agree_across_optimizers(seeds):
    """T.grad of each graph's sum w.r.t. one of its inputs; the gradient built with the
    stabilized cost (default) and with config.optimizer='None' must agree too."""
    gen = RandomGraphs()
    built = []
    for seed in seeds:
        rng = np.random.RandomState(seed + 500000)
        exprs = gen.build(rng, steps=rng.randint(5, 12))
        cost = sum(e.var.sum() for e in exprs)
        used = [v for v in ancestors([cost]) if v in set(gen.inputs.values())]
        if not used:
            continue
        wrt = used[rng.randint(len(used))]
        text = ' + '.join('sum(%s)' % e.text for e in exprs)
        built.append((cost, wrt, 'seed %d: d(%s) / d %s' % (seed, text, wrt)))
    # (wrt may reach the cost only through a shape, as in zeros_like(wrt): gradient zero)
    grads = [T.grad(cost, wrt, disconnected_inputs='ignore') for cost, wrt, _ in built]
    theano.config.optimizer = 'None'
    plain_grads = [T.grad(cost, wrt, disconnected_inputs='ignore') for cost, wrt, _ in built]
    inputs = list(gen.inputs.values())
    plain = theano.function(inputs, plain_grads, on_unused_input='ignore')
    theano.config.optimizer = 'fast_run'
    values = gen.values(np.random.RandomState(seeds[0] + 1))
    compare_modes(inputs, grads, [t for _, _, t in built], values,
                  extra=[('grads of the unstabilized cost', plain)])


def test_random_graph_generator_covers_the_rewrites():
    """The random graphs exercise most rewrites (else the agreement test proves little)."""
    gen = RandomGraphs()
    fired = set()
    for k in range(max(N_RANDOM_GRAPHS, 30)):
        rng = np.random.RandomState(SEED * 1000 + k)
        exprs = gen.build(rng, steps=rng.randint(6, 15))
        chosen, _ = rewrites_for('fast_run')
        rewriter = Rewriter(chosen, merge=True)
        rewriter([e.var for e in exprs])
        fired |= {name for name, n in rewriter.applied.items() if n}
    expected = {'constant_folding', 'mul_by_one', 'add_zero', 'div_by_one', 'neg_neg',
                'compose_dimshuffles', 'sum_of_fill', 'log_softmax', 'log_one_plus_exp',
                'log_one_minus_sigmoid'}
    assert expected <= fired, expected - fired


# ---------------------------------------------------------------------------------------
# 4. Rewriting is linear in the size of the graph
# ---------------------------------------------------------------------------------------

def tanh_chain(n):
    x = T.vector('x')
    out = x
    for _ in range(n):
        out = T.tanh(out * 1 + 0)
    return x, out


def best_rewrite_time(out, runs=3):
    """Best CPU time of this thread over ``runs`` rewrites, without the garbage collector:
    other processes on the machine lengthen wall time, not this, and the collector's passes
    grow with everything alive in the process, not with the rewrites' work."""
    times = []
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            start = time.thread_time()
            result = rewrite_graph([out], 'fast_run')
            times.append(time.thread_time() - start)
        finally:
            gc.enable()
    return min(times), result


def test_rewriting_time_is_linear():
    n = 1000
    x, small = tanh_chain(n)
    x2, large = tanh_chain(2 * n)
    t_small, r_small = best_rewrite_time(small)
    t_large, r_large = best_rewrite_time(large)
    for x_in, count, result in ((x, n, r_small), (x2, 2 * n, r_large)):
        nodes = nodes_of(result)
        assert len(nodes) == count          # only the tanh nodes are left
        assert all(isinstance(nd.op, ew.Elemwise) and nd.op.scalar_op.name == 'tanh'
                   for nd in nodes)
        assert nodes[0].inputs[0] is x_in
    assert t_large < 3 * t_small, (t_small, t_large)


def test_deep_chain_rewrites_without_recursion_error():
    x = T.vector('x')
    out = x
    for _ in range(10000):
        out = T.tanh(-(-out))
    result = rewrite_graph([out], 'fast_run')
    nodes = nodes_of(result)
    assert len(nodes) == 10000 and nodes[0].inputs[0] is x
    stable = rewrite_graph([T.log(T.nnet.sigmoid(out))], 'stabilize')
    assert count_scalar(stable, 'log') == 0


# ---------------------------------------------------------------------------------------
# 5. Optimizer flags
# ---------------------------------------------------------------------------------------

def lxmls_cost_graph():
    z = T.matrix('z')
    y = T.ivector('y')
    return z, y, -T.mean(T.log(T.nnet.softmax(z.T).T[y, T.arange(y.shape[0])]))


def test_optimizer_excluding_keeps_log_of_softmax():
    theano.config.optimizer_excluding = 'log_softmax:log_through_views'
    z, y, cost = lxmls_cost_graph()
    f = theano.function([z, y], cost)
    assert log_of_softmax_nodes(f._nodes)
    assert not any(isinstance(n.op, LogSoftmax) for n in f._nodes)
    vz, vy = rand(3, 4), np.array([0, 2, 1, 1], dtype='int32')
    ref = -np.mean((vz - logsumexp(vz, axis=0))[vy, np.arange(4)])
    np.testing.assert_allclose(f(vz, vy), ref, rtol=1e-12)
    # Excluding only one of the two leaves the idiom unstabilized as well.
    theano.config.optimizer_excluding = 'log_through_views'
    assert log_of_softmax_nodes(theano.function([z, y], cost)._nodes)
    theano.config.optimizer_excluding = ''
    f = theano.function([z, y], cost)
    assert not log_of_softmax_nodes(f._nodes)
    assert any(isinstance(n.op, LogSoftmax) for n in f._nodes)


def test_optimizer_excluding_merge():
    x = T.matrix('x')
    out = T.tanh(x) + T.tanh(x)
    assert len(theano.function([x], out)._nodes) == 2
    theano.config.optimizer_excluding = 'merge'
    assert len(theano.function([x], out)._nodes) == 3


def test_optimizer_including_adds_to_fast_compile():
    x = T.matrix('x')
    out = T.log(T.nnet.softmax(x)) * 1
    f = theano.function([x], out, mode='FAST_COMPILE')
    assert log_of_softmax_nodes(f._nodes) and count_scalar(f.outputs, 'mul') == 1
    theano.config.optimizer_including = 'log_softmax,mul_by_one'
    g = theano.function([x], out, mode='FAST_COMPILE')
    assert [type(n.op) for n in g._nodes] == [LogSoftmax]
    vx = rand(2, 5)
    np.testing.assert_allclose(g(vx), f(vx), rtol=1e-12)
    names = {r.name for r in rewrites_for('fast_compile')[0]}
    assert {'log_softmax', 'mul_by_one'} <= names


def test_optimizer_none_leaves_the_graph_as_built():
    x, y = T.matrix('x'), T.matrix('y')
    out = T.log(T.nnet.softmax((x * 1 + 0).T.T)) + T.tanh(y) + T.tanh(y) + \
        T.constant(2.0) * T.constant(3.0)
    built = nodes_of([out])
    g = theano.function([x, y], out, mode=NO_REWRITES)
    assert g._nodes == built and g.outputs[0] is out
    theano.config.optimizer = 'None'
    f = theano.function([x, y], out)
    assert f._nodes == built and f.outputs[0] is out
    assert rewrite_graph([out], 'None')[0] is out
    theano.config.optimizer = 'fast_run'
    h = theano.function([x, y], out)
    assert len(h._nodes) < len(built)


def test_fast_compile_runs_only_its_subset():
    names = {r.name for r in rewrites_for('fast_compile')[0]}
    assert 'log_softmax' not in names and 'mul_by_one' not in names
    assert {'constant_folding', 'compose_dimshuffles'} <= names
    x = T.matrix('x')
    out = T.log(T.nnet.softmax(x.T.T)) * 1 + T.constant(2.0) * T.constant(3.0)
    f = theano.function([x], out, mode='FAST_COMPILE')
    assert log_of_softmax_nodes(f._nodes)                    # no stabilization
    assert not any(isinstance(n.op, ew.DimShuffle) for n in f._nodes)   # x.T.T is x
    assert count_scalar(f.outputs, 'mul') == 1               # x * 1 kept; 2 * 3 folded
    theano.config.optimizer = 'fast_compile'                 # the flag selects it too
    g = theano.function([x], out)
    assert [type(n.op) for n in g._nodes] == [type(n.op) for n in f._nodes]
    vx = rand(3, 4)
    np.testing.assert_allclose(f(vx), np.log(softmax_ref(vx, 1)) + 6.0, rtol=1e-12)


# ---------------------------------------------------------------------------------------
# 6. The compiled LXMLS update prints short
# ---------------------------------------------------------------------------------------

def lxmls_update(mode=None):
    params, x, y = lxmls_values()
    shared = [theano.shared(params[k].copy(), name=k,
                            broadcastable=(False, True) if k.startswith('b') else None)
              for k in ('W1', 'b1', 'W2', 'b2')]
    W1, b1, W2, b2 = shared
    xv, yv = T.matrix('x'), T.ivector('y')
    h = T.nnet.sigmoid(T.dot(W1, xv) + b1)
    z2 = T.dot(W2, h) + b2
    cost = -T.mean(T.log(T.nnet.softmax(z2.T).T[yv, T.arange(yv.shape[0])]))
    grads = T.grad(cost, shared)
    updates = [(p, p - 0.01 * g) for p, g in zip(shared, grads)]
    return theano.function([xv, yv], cost, updates=updates, mode=mode), shared, params, x, y


def test_lxmls_update_debugprint_is_short():
    f, shared, params, x, y = lxmls_update()
    text = theano.printing.debugprint(f, file='str')
    lines = text.strip().splitlines()
    raw, *_ = lxmls_update(NO_REWRITES)
    raw_lines = theano.printing.debugprint(raw, file='str').strip().splitlines()
    # The rewritten update has 51 nodes and prints in 89 lines: one line per node plus one
    # per leaf or repeated reference. The cost's forward pass needs ~30 of them and each of
    # the four updates shares it; 100 leaves room for an equivalent but different layout
    # while catching any duplicated gradient subgraph (the unrewritten one prints 114).
    assert len(lines) <= 100, len(lines)
    assert len(lines) <= 0.85 * len(raw_lines), (len(lines), len(raw_lines))
    assert len(f._nodes) <= 0.8 * len(raw._nodes), (len(f._nodes), len(raw._nodes))
    assert 'LogSoftmax' in text
    assert not log_of_softmax_nodes(f._nodes)
    # And the update is the right one.
    cost, ref_grads = lxmls_reference(params, x, y)
    np.testing.assert_allclose(f(x, y), cost, rtol=1e-10)
    for p, name, g in zip(shared, ('W1', 'b1', 'W2', 'b2'), ref_grads):
        np.testing.assert_allclose(p.get_value(), params[name] - 0.01 * g, rtol=1e-9,
                                   atol=1e-12, err_msg=name)
