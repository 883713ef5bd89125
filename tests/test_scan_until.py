"""Scans that stop with ``until``: as many steps as the condition lets run (counted by a
small program before the call's), outputs of that length, gradients through them, and
Theano 1.0.5's printed graph (golden text from Theano itself)."""
import numpy as np

import symgraph as theano
import symgraph.tensor as T
from symgraph.printing import debugprint
from symgraph.scan_module import until

max_value = T.scalar('max_value')


def power_of_2(previous_power, max_value):
    return previous_power * 2, until(previous_power * 2 > max_value)


powers, _ = theano.scan(power_of_2, outputs_info=T.constant(1.), non_sequences=max_value,
                        n_steps=1024)

GOLDEN_POWERS = """\
Subtensor{int64::} [id A] ''   
 |do_while{cpu,scan_fn} [id B] ''   
 | |TensorConstant{1024} [id C]
 | |IncSubtensor{Set;:int64:} [id D] ''   
 | | |AllocEmpty{dtype='float32'} [id E] ''   
 | | | |Elemwise{add,no_inplace} [id F] ''   
 | | |   |TensorConstant{1024} [id C]
 | | |   |Subtensor{int64} [id G] ''   
 | | |     |Shape [id H] ''   
 | | |     | |Rebroadcast{0} [id I] ''   
 | | |     |   |InplaceDimShuffle{x} [id J] ''   
 | | |     |     |TensorConstant{1.0} [id K]
 | | |     |Constant{0} [id L]
 | | |Rebroadcast{0} [id I] ''   
 | | |ScalarFromTensor [id M] ''   
 | |   |Subtensor{int64} [id G] ''   
 | |max_value [id N]
 |Constant{1} [id O]

Inner graphs of the scan ops:

do_while{cpu,scan_fn} [id B] ''   
 >Elemwise{mul,no_inplace} [id P] ''   
 > |<TensorType(float32, scalar)> [id Q] -> [id D]
 > |TensorConstant{2} [id R]
 >Elemwise{gt,no_inplace} [id S] ''   
 > |Elemwise{mul,no_inplace} [id T] ''   
 > | |<TensorType(float32, scalar)> [id Q] -> [id D]
 > | |TensorConstant{2} [id R]
 > |max_value_copy [id U] -> [id N]
"""


def test_powers_of_two_until_a_bound():
    f = theano.function([max_value], powers)
    np.testing.assert_array_equal(f(45), [2, 4, 8, 16, 32, 64])  # Theano 1.0.5's values
    np.testing.assert_array_equal(f(3), [2, 4])
    np.testing.assert_array_equal(f(1e9), 2.0 ** np.arange(1, 31))
    assert powers.eval({max_value: np.float64(45)}).tolist() == [2, 4, 8, 16, 32, 64]


def test_printed_as_theano_prints_it():
    assert debugprint(powers, file='str') == GOLDEN_POWERS


def test_at_most_n_steps():
    x = T.dscalar('x')
    grown, _ = theano.scan(lambda h: (h + 1, until(h + 1 > 100)), outputs_info=x, n_steps=5)
    np.testing.assert_array_equal(theano.function([x], grown)(0.), [1, 2, 3, 4, 5])


def _numpy_cost(xv, av):
    h, total = 0.5, 0.
    for x_t in xv:
        h = h * av + x_t
        total += h * h
        if h > 5:
            break
    return total


def test_gradient_through_the_steps_that_ran():
    x, a = T.dvector('x'), T.dscalar('a')

    def step(x_t, h, a):
        new = h * a + x_t
        return new, until(new > 5)

    hs, _ = theano.scan(step, sequences=x, outputs_info=T.constant(np.float64(0.5)),
                        non_sequences=a)
    cost = T.sum(hs ** 2)
    f = theano.function([x, a], [hs, cost] + T.grad(cost, [x, a]))
    xv, av, eps = np.array([0.5, 1., 2., 3., 4., 5.]), 1.3, 1e-6
    got_hs, got_cost, got_gx, got_ga = f(xv, av)
    assert len(got_hs) == 3
    assert got_cost == np.float64(_numpy_cost(xv, av))
    fd_x = [(_numpy_cost(xv + eps * e, av) - _numpy_cost(xv - eps * e, av)) / (2 * eps)
            for e in np.eye(len(xv))]
    fd_a = (_numpy_cost(xv, av + eps) - _numpy_cost(xv, av - eps)) / (2 * eps)
    np.testing.assert_allclose(got_gx, fd_x, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(got_ga, fd_a, rtol=1e-6)
