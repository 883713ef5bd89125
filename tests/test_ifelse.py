"""theano.ifelse.ifelse: values, laziness (the branch not taken never runs, so its bad
index raises nothing), gradients against finite differences, errors, and Theano 1.0.5's
printed graphs (golden text from Theano itself)."""
import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.ifelse import ifelse
from symgraph.printing import debugprint

a, b = T.dscalar('a'), T.dscalar('b')
x, y = T.dmatrix('x'), T.dmatrix('y')


def test_single_and_several_values():
    pick = theano.function([a, b, x, y], ifelse(T.lt(a, b), T.mean(x), T.mean(y)))
    both = theano.function([a, b, x, y], ifelse(T.lt(a, b), [x, a], [y, b]))
    xv, yv = np.arange(6.).reshape(2, 3), -np.ones((2, 3))
    assert pick(1., 2., xv, yv) == xv.mean()
    assert pick(3., 2., xv, yv) == -1.
    got = both(3., 2., xv, yv)
    np.testing.assert_array_equal(got[0], yv)
    assert got[1] == 2.


def test_only_the_taken_branch_runs():
    v, i, c = T.dvector('v'), T.lscalar('i'), T.lscalar('c')
    f = theano.function([c, v, i], ifelse(c, v[i] * 2, v.sum()))
    assert f(0, np.arange(3.), 10) == 3.  # v[10] is in the branch not taken
    assert f(1, np.arange(3.), 2) == 4.
    with pytest.raises(IndexError, match='index 10 is out of bounds'):
        f(1, np.arange(3.), 10)


def test_a_failed_branch_updates_nothing():
    c, i = T.lscalar('c'), T.lscalar('i')
    W = theano.shared(np.zeros(3), name='W')
    g = theano.function([c, i], [], updates=[(W, ifelse(c, T.inc_subtensor(W[i], 1.), W))])
    g(1, 1)
    with pytest.raises(IndexError):
        g(1, 7)
    g(0, 7)
    np.testing.assert_array_equal(W.get_value(), [0., 1., 0.])


def test_nested_branches_and_their_gradient():
    h = ifelse(a > 0, ifelse(a > 1, a ** 3, a ** 2), -a)
    f = theano.function([a], [h, T.grad(h, a)])
    for value, expected, slope in [(2., 8., 12.), (0.5, 0.25, 1.), (-1., 1., -1.)]:
        got = f(value)
        assert got[0] == pytest.approx(expected) and got[1] == pytest.approx(slope)


def test_gradient_against_finite_differences():
    cost = ifelse(T.lt(a, b), T.sum(T.tanh(x) * a), T.sum(y ** 2) * b)
    f = theano.function([a, b, x, y], [cost] + T.grad(cost, [a, b, x, y]))
    rng = np.random.RandomState(0)
    xv, yv = rng.randn(2, 3), rng.randn(2, 3)
    for av, bv in [(0.5, 1.5), (2.0, -0.5)]:
        got = f(av, bv, xv, yv)
        args = [np.array(av), np.array(bv), xv, yv]
        for k in range(4):
            fd = np.zeros_like(args[k])
            for idx in np.ndindex(fd.shape):
                hi = [arg.copy() for arg in args]
                lo = [arg.copy() for arg in args]
                hi[k][idx] += 1e-6
                lo[k][idx] -= 1e-6
                fd[idx] = (f(*hi)[0] - f(*lo)[0]) / 2e-6
            np.testing.assert_allclose(got[1 + k], fd, rtol=1e-6, atol=1e-8)


def test_eval_outside_a_function():
    assert ifelse(T.constant(0), T.constant(1.), T.constant(2.)).eval() == 2.


def test_branches_of_different_types_are_refused_as_in_theano():
    with pytest.raises(TypeError, match=r'The two branches should have identical types, but '
                       r'they are TensorType\(float64, matrix\) and '
                       r'TensorType\(float64, scalar\) respectively'):
        ifelse(T.lt(a, b), x, a)


# Golden text: theano.printing.debugprint(..., file='str') under Theano 1.0.5.
GOLDEN_TWO_OUTPUTS = """\
if{}.0 [id A] ''   
 |Elemwise{lt,no_inplace} [id B] ''   
 | |a [id C]
 | |b [id D]
 |x [id E]
 |a [id C]
 |y [id F]
 |b [id D]
if{}.1 [id A] ''   
"""

GOLDEN_NAMED = """\
if{pick} [id A] ''   
 |a [id B]
 |Elemwise{mul,no_inplace} [id C] ''   
 | |x [id D]
 | |InplaceDimShuffle{x,x} [id E] ''   
 |   |TensorConstant{2} [id F]
 |y [id G]
"""


def test_printed_as_theano_prints_it():
    assert debugprint(ifelse(T.lt(a, b), [x, a], [y, b]), file='str') == GOLDEN_TWO_OUTPUTS
    assert debugprint(ifelse(a, x * 2, y, name='pick'), file='str') == GOLDEN_NAMED
