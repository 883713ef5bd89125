"""Exact rounding, bit operators, truth values and pickling.

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
from symgraph.graph.basic import ancestors


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
