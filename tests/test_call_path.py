"""The per-call path: arguments checked on every call, also after a good one; programs found
by argument shapes; outputs fresh, writable arrays."""
import inspect

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.compile.executor import Function


def test_a_good_call_does_not_let_a_wrong_dtype_through():
    x = T.fvector('x')
    f = theano.function([x], x + 1)
    good = np.arange(3, dtype='float32')
    for _ in range(2):
        np.testing.assert_array_equal(f(good), good + 1)
    for bad in (np.arange(3.0), np.arange(3)):
        with pytest.raises(TypeError, match='input x'):
            f(bad)
    for safe in (good.astype('>f4'), good.astype('int8')):  # converted, as Theano does
        out = f(safe)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out, good + 1)
    with pytest.raises(TypeError, match='input x'):
        f(np.ones((3, 1), 'float32'))  # wrong number of dimensions
    np.testing.assert_array_equal(f(good), good + 1)
    g = theano.function([x], x + 1, allow_input_downcast=True)
    g(good)
    out = g(np.arange(3.0))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, good + 1)


def test_a_good_call_does_not_let_a_wrong_broadcastable_shape_through():
    x = T.TensorType('float32', (True, False, False))('x')
    f = theano.function([x], x * 2)
    value = np.ones((1, 2, 3), 'float32')
    np.testing.assert_array_equal(f(value), value * 2)
    with pytest.raises(TypeError, match='input x'):
        f(np.ones((2, 2, 3), 'float32'))
    np.testing.assert_array_equal(f(value), value * 2)


def test_scalar_inputs_after_a_good_call():
    x = T.fscalar('x')
    f = theano.function([x], x * 2)
    assert f(np.float32(1.5)) == 3.0
    assert f(np.array(2.5, 'float32')) == 5.0
    assert f(3) == 6.0 and f(np.float32(1.5)) == 3.0
    assert f(np.float64(1.5)) == 3.0 and f(1.5) == 3.0  # float32 holds them exactly
    with pytest.raises(TypeError, match='input x'):
        f(np.float64(1.1))
    with pytest.raises(TypeError, match='input x'):
        f(np.ones(2, 'float32'))
    out = f(np.float32(1.5))
    assert type(out) is np.ndarray and out.shape == () and out.flags.writeable


@pytest.mark.parametrize('n_inputs', [1, 2])
def test_alternating_shapes_find_their_programs(n_inputs):
    xs = [T.dvector('x%d' % k) for k in range(n_inputs)]
    f = theano.function(xs, sum(xs) * 2)
    for n in [2, 3, 2, 3, 2, 5, 3]:
        values = [np.arange(n, dtype='float64') + k for k in range(n_inputs)]
        np.testing.assert_array_equal(f(*values), sum(values) * 2)
    assert f.stats.programs == 3


def test_strided_and_subclassed_arrays_as_numpy_computes_them():
    x = T.dvector('x')
    f = theano.function([x], x * 2)
    base = np.arange(10.0)
    np.testing.assert_array_equal(f(base[:5]), base[:5] * 2)
    np.testing.assert_array_equal(f(base[::2]), base[::2] * 2)

    class Sub(np.ndarray):
        pass
    np.testing.assert_array_equal(f(base[:5].view(Sub)), base[:5] * 2)


def test_large_unaligned_arguments_between_small_ones():
    x = T.fvector('x')
    f = theano.function([x], x.sum())
    big = np.ones(40001, 'float32')
    for value in (big[:4], big[1:], big[:4], big[1:], big[:-1]):
        assert f(value) == value.sum()


def test_outputs_are_fresh_writable_arrays_that_alias_nothing():
    x = T.fvector('x')
    for f in (theano.function([x], x), theano.function([x], x + 0),
              theano.function([x], [x, x * 1])):
        value = np.arange(4, dtype='float32')
        first = f(value)
        second = f(value)
        for out in (first if isinstance(first, list) else [first]):
            assert type(out) is np.ndarray and out.flags.writeable and out.flags.owndata
            assert not np.shares_memory(out, value)
            out[:] = -1
        np.testing.assert_array_equal(value, np.arange(4))
        for out in (second if isinstance(second, list) else [second]):
            np.testing.assert_array_equal(out, np.arange(4))
        again = f(value)
        for out in (again if isinstance(again, list) else [again]):
            np.testing.assert_array_equal(out, np.arange(4))


def test_the_output_of_a_function_with_state_is_a_fresh_writable_array():
    W = theano.shared(np.ones(3), name='W')
    x = T.dvector('x')
    f = theano.function([x], W * x, updates=[(W, W + 1)])
    first = f(np.ones(3))
    first[:] = 100
    np.testing.assert_array_equal(f(np.ones(3)), [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(W.get_value(), [3.0, 3.0, 3.0])


def test_call_through_the_class_and_signature():
    x = T.dscalar('x')
    f = theano.function([x], x + 1)
    assert Function.__call__(f, 2.0) == 3.0
    assert f.__call__(2.0) == 3.0 and callable(f)
    assert str(inspect.signature(f)) == '(*args, **kwargs)'


def test_trust_input_with_alternating_shapes():
    x, y = T.dvector('x'), T.dvector('y')
    f = theano.function([x, y], x * y)
    f.trust_input = True
    for n in (2, 3, 2):
        np.testing.assert_array_equal(f(np.ones(n), np.full(n, 2.0)), np.full(n, 2.0))


def test_a_function_with_state_checks_every_call():
    W = theano.shared(np.ones((3, 1)), name='W', broadcastable=(False, True))
    x = T.TensorType('float64', (False, True))('x')
    f = theano.function([x], (W * x).sum(), updates=[(W, W + 1)])
    column = np.full((3, 1), 2.0)
    assert f(column) == 6.0 and f(column) == 12.0
    with pytest.raises(TypeError, match='input x'):
        f(np.ones((3, 2)))
    with pytest.raises(TypeError, match='input x'):
        f(np.ones((3, 1), 'complex128'))
    assert f(column.astype('float32')) == 18.0  # a safe cast, as Theano makes it
    assert f(column) == 24.0
    np.testing.assert_array_equal(W.get_value(), np.full((3, 1), 5.0))


def test_c_and_fortran_ordered_matrices_in_turn():
    W = theano.shared(np.arange(6.0).reshape(2, 3), name='W')
    x = T.dmatrix('x')
    f = theano.function([x], T.dot(W, x), updates=[(W, W * 1)])
    data = np.arange(12.0).reshape(3, 4)
    for value in (data, np.asfortranarray(data), data, data.T.T, np.asfortranarray(data),
                  data[:, 1:3], np.asfortranarray(data)[:, 1:3]):
        np.testing.assert_allclose(f(value), np.arange(6.0).reshape(2, 3) @ value)
