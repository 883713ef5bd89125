"""Exact rounding, bit operators, truth values, pickling, zero gradients, subnormals.

Expected values come from independent references (``decimal``, numpy, finite reasoning)
or from Theano 1.0.5 itself, whose outputs are quoted where a test checks them.
"""
import decimal
import pickle
import sys

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.gradient import DisconnectedInputError
from symgraph.graph.basic import ancestors, toposort
from symgraph.tensor.elemwise import Elemwise


# ---------------------------------------------------------------------------------------
# round(x, 'half_away_from_zero')
# ---------------------------------------------------------------------------------------

def _round_half_up(value):
    """Round half away from zero in exact decimal arithmetic (a float is an exact decimal)."""
    return float(decimal.Decimal(float(value)).quantize(
        decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP, context=decimal.Context(prec=400)))


@pytest.mark.parametrize('dtype', ['float64', 'float32'])
def test_round_half_away_from_zero_is_exact(dtype):
    finfo = np.finfo(dtype)
    big = 2.0 ** finfo.nmant  # from here on, x + 0.5 is not representable
    values = [0.5 - finfo.epsneg / 2, big + 1, 0.5, 1.5, 2.5, -0.5, -2.5, -0.4, 1 - finfo.epsneg,
              -(big + 1), big / 2 + 0.5, -(big / 2 + 1.5), 2 * big - 1, 2 * big + 2, 1e30, -7.5]
    v = np.array(values, dtype=dtype)
    x = T.vector('x', dtype=dtype)
    got = theano.function([x], T.round(x, 'half_away_from_zero'))(v)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, [_round_half_up(e) for e in v])
    assert got[0] == 0.0 and got[1] == big + 1  # the reported cases: not 1.0, not big + 2


def test_round_half_away_from_zero_special_values():
    # Theano 1.0.5: [0.5, -0.5, -0.0, -0.4, inf, -inf, nan] -> [1, -1, -0.0, -0.0, inf, -inf, nan]
    x = T.vector('x')
    got = theano.function([x], T.round(x, 'half_away_from_zero'))(
        np.array([0.5, -0.5, -0.0, -0.4, np.inf, -np.inf, np.nan]))
    np.testing.assert_array_equal(got, [1, -1, 0, 0, np.inf, -np.inf, np.nan])
    assert list(np.signbit(got[:4])) == [False, True, True, True]


# ---------------------------------------------------------------------------------------
# &, |, ^ and their reflected forms
# ---------------------------------------------------------------------------------------

def test_bit_operators_and_reflected_forms():
    x, y = T.ivector('x'), T.ivector('y')
    xv = np.array([1, 2, 3, -7], dtype='int32')
    yv = np.array([5, 6, 7, 8], dtype='int32')
    outs = [2 & x, 2 | x, x ^ y, 5 ^ x, x | 3, x & 6, x ^ 2]
    expected = [2 & xv, 2 | xv, xv ^ yv, 5 ^ xv, xv | 3, xv & 6, xv ^ 2]
    got = theano.function([x, y], outs)(xv, yv)
    for g, e in zip(got, expected):
        assert g.dtype == 'int32'
        np.testing.assert_array_equal(g, e)
    # Theano 1.0.5's debugprint of [2 & x, 2 | x, x ^ y, 5 ^ x]
    assert theano.printing.debugprint(outs[:4], file='str') == (
        "Elemwise{and_,no_inplace} [id A] ''   \n"
        " |InplaceDimShuffle{x} [id B] ''   \n"
        " | |TensorConstant{2} [id C]\n"
        " |x [id D]\n"
        "Elemwise{or_,no_inplace} [id E] ''   \n"
        " |InplaceDimShuffle{x} [id F] ''   \n"
        " | |TensorConstant{2} [id C]\n"
        " |x [id D]\n"
        "Elemwise{xor,no_inplace} [id G] ''   \n"
        " |x [id D]\n"
        " |y [id H]\n"
        "Elemwise{xor,no_inplace} [id I] ''   \n"
        " |InplaceDimShuffle{x} [id J] ''   \n"
        " | |TensorConstant{5} [id K]\n"
        " |x [id D]\n")
    assert theano.printing.pprint(2 ^ x) == 'xor(TensorConstant{2}, x)'


def test_bit_operators_take_integers_or_only_booleans():
    b = T.TensorType('bool', (False,))('b')
    x, f = T.ivector('x'), T.vector('f')
    assert (b & b).dtype == 'bool' and (b ^ b).dtype == 'bool' and (~b).dtype == 'bool'
    bv = np.array([True, False, True])
    np.testing.assert_array_equal((b ^ ~b).eval({b: bv}), [True, True, True])
    # Theano 1.0.5's messages
    with pytest.raises(TypeError, match=r'or be all bools not bool$'):
        b & x
    with pytest.raises(TypeError, match=r'or be all bools not float64$'):
        f | x
    with pytest.raises(TypeError, match=r'\(u\)int64 or bool not float64$'):
        ~f


# ---------------------------------------------------------------------------------------
# Truth values
# ---------------------------------------------------------------------------------------

def test_variables_are_true_except_comparison_results():
    """Theano 1.0.5: bool() is True for every variable but the result of <, <=, >, >=."""
    a, b, c = T.vector('a'), T.vector('b'), T.vector('c')
    W = theano.shared(np.zeros(3), name='W')
    for var in [a, W, T.constant(0), a + b, T.lt(a, b), T.eq(a, b), T.neq(a, b),
                (a < b) * 1, (a < b).sum(), (a < b)[0], ~(a < b)]:
        assert bool(var) is True
        assert not (not var)
    for var in [a < b, a <= b, a > b, a >= b, W < 1, 1 < a]:
        with pytest.raises(TypeError, match='^Variables do not support boolean operations'):
            bool(var)
    with pytest.raises(TypeError, match='^Variables do not support boolean operations'):
        a < b < c
    assert (W or None) is W and (a or None) is a  # ``if not W: W = shared(...)`` works


# ---------------------------------------------------------------------------------------
# Pickling
# ---------------------------------------------------------------------------------------

def _graph():
    x = T.vector('x')
    W = theano.shared(np.arange(3.0), name='W')
    h = T.tanh(x * W)
    return x, W, h, [h.sum(), (h * 2).max(), W + 1]


@pytest.mark.parametrize('protocol', range(pickle.HIGHEST_PROTOCOL + 1))
def test_graphs_and_functions_pickle_with_every_protocol(protocol):
    x, W, h, outs = _graph()
    f = theano.function([x], outs[:2], updates=[(W, outs[2])])
    x2, W2, h2, outs2, f2 = pickle.loads(pickle.dumps((x, W, h, outs, f), protocol=protocol))
    # one graph: the inputs, the shared variable and the shared subexpression are the same
    # objects in every variable that uses them
    product = h2.owner.inputs[0].owner
    assert product.inputs[0] is x2 and product.inputs[1] is W2
    assert outs2[0].owner.inputs[0] is h2 and outs2[2].owner.inputs[0] is W2
    assert h2 in ancestors([outs2[1]]) and x2 in ancestors([outs2[1]])
    assert str(outs2[0].type) == str(outs[0].type) and h2.static_shape == h.static_shape
    assert theano.printing.debugprint(outs2, file='str') == \
        theano.printing.debugprint(outs, file='str')
    xv = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(theano.function([x2], outs2[:2])(xv),
                               [np.tanh(xv * np.arange(3.0)).sum(),
                                (np.tanh(xv * np.arange(3.0)) * 2).max()])
    np.testing.assert_allclose(f2(xv), f(xv))
    f2(xv)  # f2 updates its own W
    np.testing.assert_allclose(W2.get_value(), np.arange(3.0) + 2)
    np.testing.assert_allclose(W.get_value(), np.arange(3.0) + 1)


def test_a_deep_graph_pickles_without_recursion():
    """A 10,000-node chain (Theano 1.0.5 raises RecursionError here)."""
    x = T.scalar('x')
    out = x
    for k in range(10000):
        out = out * 1.0001 + 1 if k % 2 else T.tanh(out)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        data = pickle.dumps([x, out], protocol=2)
        x2, out2 = pickle.loads(data)
    finally:
        sys.setrecursionlimit(limit)
    inputs = [v for v in ancestors([out2]) if v.owner is None and v.name == 'x']
    assert inputs == [x2]
    np.testing.assert_allclose(out2.eval({x2: 0.3}), out.eval({x: 0.3}), rtol=1e-12)


# ---------------------------------------------------------------------------------------
# Zero gradients
# ---------------------------------------------------------------------------------------

def _grad_value(cost, wrt, value):
    return theano.function([wrt], T.grad(cost, wrt))(value)


ZERO_GRADIENT_COSTS = {  # Theano 1.0.5 gives [0, 0] for each at x = [1.5, -2]
    'int_div': lambda x: T.sum(x ** 2) // 2,
    'floor': lambda x: T.sum(T.floor(x)),
    'ceil': lambda x: T.sum(T.ceil(x)),
    'round': lambda x: T.sum(T.round(x)),
    'round_away': lambda x: T.sum(T.round(x, 'half_away_from_zero')),
    'sgn': lambda x: T.sum(T.sgn(x)),
    'lt': lambda x: T.sum(T.lt(x, 0)) * 1.0,
    'eq': lambda x: T.sum(T.eq(x, 0)) * 1.0,
    'int_cast': lambda x: T.cast(x, 'int32').sum() * 1.0,
    'argmax': lambda x: T.argmax(x) * 1.0,
    'switch_condition': lambda x: T.sum(T.switch(x > 0, 1.0, 2.0)),
    'zero_grad': lambda x: T.sum(theano.gradient.zero_grad(x)),
    'times_zero': lambda x: T.sum(T.exp(x)) * 0,
}


@pytest.mark.parametrize('name', sorted(ZERO_GRADIENT_COSTS))
def test_zero_gradients_compile_to_zeros(name):
    x = T.vector('x')
    g = T.grad(ZERO_GRADIENT_COSTS[name](x), x)
    f = theano.function([x], g)
    np.testing.assert_array_equal(f(np.array([1.5, -2.0])), [0, 0])
    # Theano 1.0.5 compiles Alloc(TensorConstant{(1,) of 0.0}, Shape_i{0}(x)): the same
    # zeros shaped like x, with nothing of the cost left
    assert theano.printing.debugprint(f, file='str') == (
        "Elemwise{second,no_inplace} [id A] ''   0\n"
        " |x [id B]\n"
        " |TensorConstant{(1,) of 0.0} [id C]\n")


def test_zero_times_infinity_in_a_gradient_is_zero():
    """Theano 1.0.5 gives [0, 0]; multiplying the backward pass by zeros gave [0, nan]."""
    x = T.vector('x')
    np.testing.assert_array_equal(_grad_value(T.sum(x ** 2) // 2, x, np.array([1.0, np.inf])),
                                  [0, 0])


def test_nonzero_gradients_next_to_zero_ones():
    x = T.vector('x')
    v = np.array([1.5, -2.0, 0.25])
    np.testing.assert_array_equal(_grad_value(T.sum(x % 2), x, v), [1, 1, 1])  # as Theano
    np.testing.assert_array_equal(_grad_value(T.sum((x < 0) * x), x, v), [0, 1, 0])
    np.testing.assert_allclose(_grad_value(T.sum(T.floor(x) * x ** 2) + T.sum(x) // 3, x, v),
                               2 * np.floor(v) * v)
    np.testing.assert_array_equal(_grad_value(T.max(x) + T.argmax(x), x, v), [1, 0, 0])
    # a zero-gradient path does not make a variable connected when it is used by a shape only
    with pytest.raises(DisconnectedInputError):
        T.grad(T.cast(x.shape[0], 'float64') // 2, x)


def test_grad_clip_of_a_zero_gradient_is_clipped():
    """grad_clip is not linear: a zero gradient below its range comes out as its lower bound."""
    x = T.vector('x')
    cost = T.sum(theano.gradient.grad_clip(x, 0.5, 2.0) // 1)
    np.testing.assert_array_equal(_grad_value(cost, x, np.array([1.0, 3.0])), [0.5, 0.5])


def test_products_with_zeros_are_rewritten_to_zeros():
    x, y = T.vector('x'), T.vector('y')
    outs = [T.exp(x) * 0, 0 / x, T.cast(T.zeros_like(x), 'float32'), T.zeros_like(x) * x,
            x // 1 * 0]
    f = theano.function([x], outs)
    # Theano 1.0.5 gives these zeros too, for 0 * inf, 0 / 0 and 0 * nan
    for g, dtype in zip(f(np.array([0.0, np.inf, -np.inf, np.nan])),
                        ['float64', 'float64', 'float32', 'float64', 'float64']):
        assert g.dtype == dtype
        np.testing.assert_array_equal(g, np.zeros(4))
    for out in f.outputs:  # zeros shaped like x: the product and exp(x) are gone
        assert out.owner.op == T.fill and not np.any(out.owner.inputs[1].data), out
        names = [n.op.scalar_op.name for n in toposort([out]) if isinstance(n.op, Elemwise)]
        assert not {'mul', 'true_div', 'exp', 'Cast{float32}'} & set(names), out
    # An input needed only for its shape is never dropped (function() would call it unused).
    g = theano.function([x, y], T.zeros_like(x) / y)
    np.testing.assert_array_equal(g(np.ones(2), np.array([3.0, 2.0])), [0, 0])


def _contractive_autoencoder(n_visible=6, n_hidden=4, batch=5):
    """The DeepLearningTutorials cA cost, whose ``// batch`` makes the Jacobian term's
    gradient zero in Theano."""
    rng = np.random.RandomState(0)
    x = T.matrix('x')
    W = theano.shared(rng.uniform(-0.5, 0.5, (n_visible, n_hidden)), name='W')
    b = theano.shared(np.zeros(n_hidden), name='b')
    b_prime = theano.shared(np.zeros(n_visible), name='b_prime')
    y = T.nnet.sigmoid(T.dot(x, W) + b)
    z = T.nnet.sigmoid(T.dot(y, W.T) + b_prime)
    J = T.reshape(y * (1 - y), (batch, 1, n_hidden)) * T.reshape(W, (1, n_visible, n_hidden))
    L_rec = -T.sum(x * T.log(z) + (1 - x) * T.log(1 - z), axis=1)
    L_jacob = T.sum(J ** 2) // batch
    cost = T.mean(L_rec) + 0.1 * T.mean(L_jacob)
    return x, [W, b, b_prime], cost, rng.rand(batch, n_visible)


def test_contractive_autoencoder_gradient_has_no_jacobian_backward_pass():
    x, params, cost, data = _contractive_autoencoder()
    f = theano.function([x], [cost] + T.grad(cost, params))
    # numpy: the reconstruction term alone (the Jacobian term's gradient is zero)
    W, b, bp = [p.get_value() for p in params]
    y = 1 / (1 + np.exp(-(data @ W + b)))
    z = 1 / (1 + np.exp(-(y @ W.T + bp)))
    dz = (z - data) / len(data)
    dy = dz @ W * y * (1 - y)
    got = f(data)
    J = (y * (1 - y))[:, None, :] * W[None]
    np.testing.assert_allclose(got[0], np.mean(-np.sum(data * np.log(z) + (1 - data) *
                                                       np.log(1 - z), axis=1))
                               + 0.1 * (np.sum(J ** 2) // len(data)), rtol=1e-12)
    for g, want in zip(got[1:], [data.T @ dy + dz.T @ y, dy.sum(0), dz.sum(0)]):
        np.testing.assert_allclose(g, want, rtol=1e-10)
    # Only the forward pass of the Jacobian term is 3-d: two reshapes, the product, the
    # square (a backward pass would add its gradient's 3-d products, fills and sums).
    three_d = sorted(str(n.op) for n in f._nodes if n.outputs[0].ndim == 3)
    assert three_d == ['Elemwise{mul,no_inplace}', 'Elemwise{sqr,no_inplace}', 'Reshape{3}',
                       'Reshape{3}']


# ---------------------------------------------------------------------------------------
# Subnormal numbers
# ---------------------------------------------------------------------------------------

@pytest.mark.xfail(strict=True, reason='XLA:CPU runs every computation in flush-to-zero mode '
                   '(see configure_jax_backend); this fails loudly once it no longer does')
def test_subnormal_numbers_on_cpu():
    v = T.vector('v')
    f = theano.function([v], [v * 2, T.log(v)])
    doubled, logged = f(np.array([1e-320]))
    np.testing.assert_array_equal(doubled, np.array([1e-320]) * 2)
    np.testing.assert_allclose(logged, np.log([1e-320]))


@pytest.mark.parametrize('dtype', ['bool', 'uint8', 'uint64', 'int8', 'float32'])
def test_min_and_argmin_of_every_kind_of_dtype(dtype):
    x = T.tensor(dtype, (False, False), name='x')
    value = (np.random.RandomState(0).rand(3, 4) * 200).astype(dtype)
    low, where, lowest = theano.function([x], [T.min(x, axis=1), T.argmin(x, axis=0),
                                               T.min(x)])(value)
    assert low.dtype == value.dtype
    np.testing.assert_array_equal(low, value.min(axis=1))
    np.testing.assert_array_equal(where, value.argmin(axis=0))
    assert lowest == value.min()


def test_float_floor_division_as_theano():
    """Theano's C code, not numpy's floor_divide (golden values from Theano 1.0.5)."""
    x, y = T.dvector('x'), T.dvector('y')
    got = theano.function([x, y], x // y)(
        np.array([-1., 1., -7.5, 7.5, -np.inf, np.inf, -3., 0., 5.]),
        np.array([0.1, -0.1, 2., -2., 4., -4., 0., -3., 0.]))
    np.testing.assert_array_equal(got, [-11., -11., -4., -4., -np.inf, -np.inf, -np.inf, -0.,
                                        np.inf])


def test_booleans_raised_to_booleans_are_int8():
    """Theano's upcast_out_min8 for pow (dtype and values from Theano 1.0.5)."""
    b = T.tensor('bool', (False,), name='b')
    power = b ** b
    assert power.dtype == 'int8'
    np.testing.assert_array_equal(theano.function([b], power)(np.array([True, False])), [1, 1])


@pytest.mark.parametrize('dtype', ['float64', 'float32'])
def test_booleans_times_nan_and_infinity_follow_ieee(dtype):
    """False * nan is nan and False / nan is nan in numpy and Theano, in products and
    quotients the compiler would otherwise turn into selects."""
    b = T.tensor('bool', (False,), name='b')
    x = T.tensor(dtype, (False,), name='x')
    f = theano.function([b, x], [b * x, x * b, b / x, T.cast(b, dtype) * x])
    flags = np.array([False, True, False, False])
    values = np.array([np.nan, np.inf, -3., np.inf], dtype=dtype)
    with np.errstate(all='ignore'):
        expected = [flags * values, values * flags, flags / values, flags * values]
    for got, want in zip(f(flags, values), expected):
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


def test_floor_division_and_modulo_of_booleans_stay_boolean():
    """Theano's upcast_out: // and % of booleans are bool (Theano 1.0.5), unlike pow."""
    b = T.tensor('bool', (False,), name='b')
    assert (b // b).dtype == 'bool' and (b % b).dtype == 'bool'
    got = theano.function([b], [b // b, b % b])(np.array([True, True]))
    np.testing.assert_array_equal(got[0], [True, True])
    np.testing.assert_array_equal(got[1], [False, False])


def test_log_of_a_negative_base_to_a_fractional_power_is_nan():
    """log(x ** y) is not y * log(|x|): NaN for x < 0 and a fractional y, as in numpy."""
    x, y = T.dvector('x'), T.dvector('y')
    base, exponent = np.array([-5., 4., -2.]), np.array([1.93, 2.5, 2.])
    got = theano.function([x, y], T.log(x ** y))(base, exponent)
    with np.errstate(invalid='ignore'):
        np.testing.assert_array_equal(got, np.log(base ** exponent))


def test_float_modulo_as_theano():
    """Theano's C code, signs of zero included (golden values from Theano 1.0.5)."""
    x, y = T.dvector('x'), T.dvector('y')
    got = theano.function([x, y], x % y)(
        np.array([1.0, -1.0, 2.0, -2.0, 0.0, -0.0, 7.5, -7.5, 7.5, -7.5]),
        np.array([-1.0, 1.0, 1.0, -1.0, -1.0, 1.0, 2.0, 2.0, -2.0, -2.0]))
    expected = np.array([0., 0., 0., -0., 0., -0., 1.5, 0.5, -0.5, -1.5])
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))
