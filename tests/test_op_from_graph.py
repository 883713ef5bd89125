"""OpFromGraph: a graph used as one op, lowered into the outer program, differentiated
symbolically (its printed form is checked against Theano in test_goldens.py)."""
import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.graph.basic import clone_replace, toposort

x, y, z = T.dscalar('x'), T.dscalar('y'), T.dscalar('z')
axpy = theano.OpFromGraph([x, y, z], [x + y * z])
a, b, c = T.dscalar('a'), T.dscalar('b'), T.dscalar('c')


def test_values_and_gradients():
    out = axpy(a, b, c) + axpy(c, b, a)
    f = theano.function([a, b, c], [out] + T.grad(out, [a, b, c]))
    value, ga, gb, gc = f(1., 2., 3.)
    assert value == (1 + 2 * 3) + (3 + 2 * 1)
    assert (ga, gb, gc) == (1 + 2, 3 + 1, 2 + 1)


def test_second_derivative_through_the_gradient_op():
    cube = theano.OpFromGraph([x], [x ** 3])
    g = T.grad(cube(a), a)
    h = T.grad(g, a)
    f = theano.function([a], [g, h])
    np.testing.assert_allclose(f(2.), [12., 12.])


def test_matrix_outputs_against_numpy_and_finite_differences():
    m, n = T.dmatrix('m'), T.dmatrix('n')
    both = theano.OpFromGraph([m, n], [m + n, T.dot(m, n)])
    p, q = T.dmatrix('p'), T.dmatrix('q')
    s, d = both(p, q)
    rng = np.random.RandomState(0)
    pv, qv = rng.rand(3, 3), rng.rand(3, 3)
    f = theano.function([p, q], [s, d])
    out_s, out_d = f(pv, qv)
    np.testing.assert_allclose(out_s, pv + qv)
    np.testing.assert_allclose(out_d, pv @ qv)
    theano.gradient.verify_grad(lambda p, q: T.tanh(both(p, q)[1]).sum() + both(p, q)[0].sum(),
                                [pv, qv], rng=rng)


def test_shared_variables_inside_are_implicit_inputs():
    W = theano.shared(np.array([[1., 2.], [3., 4.]]), name='W')
    v = T.dvector('v')
    layer = theano.OpFromGraph([v], [T.dot(W, v)])
    u = T.dvector('u')
    cost = layer(u).sum()
    f = theano.function([u], cost, updates=[(W, W - 0.1 * T.grad(cost, W))])
    assert f(np.array([1., 1.])) == 10.
    np.testing.assert_allclose(W.get_value(), [[0.9, 1.9], [2.9, 3.9]])
    assert f(np.array([1., 1.])) == pytest.approx(9.6)


def test_equal_graphs_make_equal_ops_that_merge():
    x2, y2, z2 = T.dscalar('p'), T.dscalar('q'), T.dscalar('r')
    again = theano.OpFromGraph([x2, y2, z2], [x2 + y2 * z2])
    other = theano.OpFromGraph([x2, y2, z2], [x2 - y2 * z2])
    assert again == axpy and hash(again) == hash(axpy)
    assert other != axpy
    f = theano.function([a, b, c], axpy(a, b, c) * again(a, b, c))
    nodes = [n for n in toposort(f.outputs) if isinstance(n.op, theano.OpFromGraph)]
    assert len(nodes) == 1
    assert f(1., 2., 3.) == 49.


def test_index_checks_inside_the_inner_graph():
    vec, i = T.dvector('vec'), T.lscalar('i')
    pick = theano.OpFromGraph([vec, i], [vec[i]])
    w, j = T.dvector('w'), T.lscalar('j')
    f = theano.function([w, j], pick(w, j))
    assert f(np.arange(3.), 2) == 2.
    with pytest.raises(IndexError, match='index 3 is out of bounds'):
        f(np.arange(3.), 3)


def test_wrong_inputs_are_refused():
    with pytest.raises(TypeError, match='takes 3 inputs, got 2'):
        axpy(a, b)
    with pytest.raises(TypeError, match='Wrong type, expected TensorType\\(float64, scalar\\)'):
        axpy(a, b, T.dvector('v'))


def test_givens_and_clone_reach_shared_variables_inside():
    """An inner graph has no free variables: what it reads from outside is an input of the
    node, so outer walks, givens and clone_replace see it without entering the graph."""
    W = theano.shared(np.array([[1., 2.], [3., 4.]]), name='W')
    v, u, M = T.dvector('v'), T.dvector('u'), T.dmatrix('M')
    layer = theano.OpFromGraph([v], [T.dot(W, v)])
    f = theano.function([u, M], layer(u).sum(), givens={W: M})
    assert f(np.ones(2), np.eye(2)) == 2.
    doubled = clone_replace([layer(u).sum()], {W: 2 * W})[0]
    assert theano.function([u], doubled)(np.ones(2)) == 20.
