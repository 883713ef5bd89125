"""Bad input gives errors that speak to the user.

Each error must name the variable, its type, what was expected and what was given, and
show the line of user code involved: the tests look for this file's own source text in
the message. Where Theano 1.0.5 has a message for the same mistake (tests/goldens/
errors.json), symgraph keeps its key phrase so that users and search engines recognise it.
"""
import json
import os
import sys

import numpy as np
import pytest

import cases
from conftest import run_snippet

import symgraph as theano
import symgraph.tensor as T
from symgraph.graph.basic import clone_replace, toposort
from symgraph.tensor.elemwise import BroadcastError

GOLDENS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'goldens')
with open(os.path.join(GOLDENS, 'errors.json'), encoding='utf-8') as _f:
    THEANO_ERRORS = json.load(_f)


def message_of(excinfo):
    return str(excinfo.value)


# ---------------------------------------------------------------------------------------
# dtypes and types
# ---------------------------------------------------------------------------------------

def test_invalid_dtype_in_tensor_type():
    with pytest.raises(TypeError) as err:
        T.TensorType('flot32', (False, True))
    msg = message_of(err)
    assert "'flot32'" in msg
    assert 'float32' in msg and 'Did you mean' in msg
    assert "T.TensorType('flot32', (False, True))" in msg  # the user's line
    assert __file__ in msg


def test_invalid_dtype_in_constructor_names_the_variable():
    with pytest.raises(TypeError) as err:
        T.matrix('x', dtype='foo')
    msg = message_of(err)
    assert "matrix x" in msg and "'foo'" in msg
    assert 'expected one of' in msg and 'float64' in msg
    assert "T.matrix('x', dtype='foo')" in msg
    with pytest.raises(TypeError) as err:
        T.tensor(dtype='flaot64', broadcastable=(False,), name='t')
    assert 'tensor t' in message_of(err) and "Did you mean 'float64'" in message_of(err)


def test_invalid_dtype_in_cast():
    x = T.matrix('x')
    with pytest.raises(TypeError) as err:
        T.cast(x, 'in32')
    msg = message_of(err)
    assert "'in32'" in msg and "Did you mean 'int32'" in msg
    assert "T.cast(x, 'in32')" in msg


def test_numpy_dtypes_are_accepted():
    assert T.TensorType(np.float32, (False,)).dtype == 'float32'
    assert T.matrix(dtype=np.dtype('int64')).dtype == 'int64'
    assert T.vector(dtype='floatX').dtype == theano.config.floatX


# ---------------------------------------------------------------------------------------
# shared() and set_value
# ---------------------------------------------------------------------------------------

def test_shared_broadcastable_of_the_wrong_length():
    with pytest.raises(TypeError) as err:
        theano.shared(np.zeros((3, 1)), name='b1', broadcastable=(True,))
    msg = message_of(err)
    assert "'b1'" in msg and '(True,)' in msg and '(3, 1)' in msg and '2 dimensions' in msg
    assert "theano.shared(np.zeros((3, 1)), name='b1', broadcastable=(True,))" in msg


def test_shared_broadcastable_contradicting_the_value():
    with pytest.raises(TypeError) as err:
        theano.shared(np.zeros((3, 2)), name='b2', broadcastable=(False, True))
    msg = message_of(err)
    assert "'b2'" in msg and '(False, True)' in msg and '(3, 2)' in msg
    assert 'dimension 1' in msg and 'length 1' in msg
    assert "theano.shared(np.zeros((3, 2)), name='b2', broadcastable=(False, True))" in msg


def test_shared_of_a_symbolic_variable():
    m = T.matrix('m')
    with pytest.raises(TypeError) as err:
        theano.shared(m, name='W')
    msg = message_of(err)
    assert 'symbolic variable' in msg and 'm' in msg and 'TensorType(float64, matrix)' in msg
    assert "theano.shared(m, name='W')" in msg


def test_shared_of_unsupported_values():
    with pytest.raises(TypeError, match='not a numeric'):
        theano.shared(['a', None], name='strings')
    with pytest.raises(TypeError, match='unexpected arguments dtype'):
        theano.shared(np.zeros(3), dtype='float32')


def _assert_unchanged(var, value):
    kept = var.get_value()
    assert kept.dtype == value.dtype and kept.shape == value.shape
    np.testing.assert_array_equal(kept, value)


def test_set_value_non_unit_length_on_a_broadcastable_dimension():
    old = np.arange(3.0).reshape(3, 1)
    bb = theano.shared(old, name='bb', broadcastable=(False, True))
    with pytest.raises(TypeError) as err:
        bb.set_value(np.ones((3, 2)))
    msg = message_of(err)
    assert 'Non-unit value on shape on a broadcastable dimension' in msg  # Theano's phrase
    assert "'bb'" in msg and 'TensorType(float64, col)' in msg
    assert '(3, 2)' in msg and '(False, True)' in msg
    assert "bb = theano.shared(old, name='bb', broadcastable=(False, True))" in msg
    _assert_unchanged(bb, old)
    bb.set_value(np.full((5, 1), 2.0))  # other dimensions may change length
    assert bb.get_value().shape == (5, 1)


def test_set_value_wrong_number_of_dimensions():
    old = np.zeros((3, 2))
    W = theano.shared(old, name='W')
    with pytest.raises(TypeError) as err:
        W.set_value(np.zeros(3))
    msg = message_of(err)
    assert 'Wrong number of dimensions: expected 2, got 1' in msg  # Theano's phrase
    assert "'W'" in msg and 'TensorType(float64, matrix)' in msg and '(3,)' in msg
    assert "W = theano.shared(old, name='W')" in msg
    _assert_unchanged(W, old)


def test_set_value_unsafe_dtype():
    old = np.ones((2, 2), dtype='float32')
    W = theano.shared(old, name='W32')
    with pytest.raises(TypeError) as err:
        W.set_value(np.zeros((2, 2)))
    msg = message_of(err)
    assert 'cannot store a value of dtype float64 without risking loss of precision' in msg
    assert "'W32'" in msg and 'TensorType(float32, matrix)' in msg
    assert "W = theano.shared(old, name='W32')" in msg
    _assert_unchanged(W, old)
    # Safe casts are made: int8 and float32 data into a float64 variable.
    D = theano.shared(np.zeros(2), name='D')
    D.set_value(np.array([1, 2], dtype='int8'))
    assert D.get_value().dtype == np.float64
    I = theano.shared(np.zeros(2, dtype='int32'), name='I')
    with pytest.raises(TypeError, match='dtype int64 without risking loss of precision'):
        I.set_value(np.zeros(2, dtype='int64'))
    with pytest.raises(TypeError, match='dtype float64'):
        I.set_value(np.array([0.5, 1.0]))


def test_set_value_of_a_symbolic_variable():
    old = np.zeros((2, 2))
    W = theano.shared(old, name='Wsym')
    m = T.matrix('m')
    with pytest.raises(TypeError) as err:
        W.set_value(m)
    msg = message_of(err)
    assert 'Expected an array-like object, but found a Variable' in msg  # Theano's phrase
    assert 'm of type TensorType(float64, matrix)' in msg and "'Wsym'" in msg
    _assert_unchanged(W, old)


def test_failed_function_call_leaves_shared_variables_unchanged():
    x = T.matrix('x')
    old = np.arange(6.0).reshape(2, 3)
    W = theano.shared(old.copy(), name='Wacc')
    step = theano.function([x], (W * x).sum(), updates=[(W, W + x)])
    with pytest.raises(TypeError):
        step(np.zeros(3))  # wrong ndim: rejected before running
    _assert_unchanged(W, old)
    with pytest.raises(BroadcastError):
        step(np.zeros((3, 3)))  # shapes only clash inside the program
    _assert_unchanged(W, old)
    step(np.ones((2, 3)))
    np.testing.assert_array_equal(W.get_value(), old + 1)


# ---------------------------------------------------------------------------------------
# Shape mismatches known when the graph is built
# ---------------------------------------------------------------------------------------

def test_lxmls_bias_column_without_broadcastable_fails_at_build_time():
    W = theano.shared(np.ones((20, 5)), name='W')
    b = theano.shared(np.zeros((20, 1)), name='b')
    with pytest.raises(BroadcastError) as err:
        W + b
    msg = message_of(err)
    assert 'W' in msg and 'b' in msg
    assert '(20, 5)' in msg and '(20, 1)' in msg
    assert 'TensorType(float64, matrix)' in msg
    assert 'broadcastable=(False, True)' in msg  # the fix
    assert 'known when building the graph' in msg
    assert "b = theano.shared(np.zeros((20, 1)), name='b')" in msg  # where to fix it
    assert 'W + b' in msg  # where it failed
    assert isinstance(err.value, ValueError)


def test_lxmls_bias_column_with_broadcastable_works():
    Wv = np.arange(100.0).reshape(20, 5)
    bv = np.arange(20.0).reshape(20, 1)
    W = theano.shared(Wv, name='W')
    b = theano.shared(bv, name='b', broadcastable=(False, True))
    out = W + b
    assert out.broadcastable == (False, False)
    np.testing.assert_array_equal(out.eval(), Wv + bv)
    x = T.matrix('x')
    f = theano.function([x], T.dot(x, W.T) + b.T)
    xv = np.ones((3, 5))
    np.testing.assert_allclose(f(xv), xv @ Wv.T + bv.T)


def test_build_time_mismatch_between_symbolic_and_shared():
    W = theano.shared(np.ones((4, 3)), name='W')
    r = T.row('r')
    with pytest.raises(BroadcastError) as err:
        W * theano.shared(np.ones((4, 2)), name='V')
    assert 'dimension 1' in message_of(err) and 'V' in message_of(err)
    assert (W * r).broadcastable == (False, False)  # broadcastable rows are fine


def test_runtime_mismatch_names_both_inputs_and_the_line():
    x, y = T.matrix('x'), T.matrix('y')
    z = x + y
    with pytest.raises(BroadcastError) as err:
        z.eval({x: np.zeros((2, 3)), y: np.zeros((3, 3))})
    msg = message_of(err)
    assert 'x' in msg and 'y' in msg and '(2, 3)' in msg and '(3, 3)' in msg
    assert 'z = x + y' in msg
    f = theano.function([x, y], z)
    with pytest.raises(BroadcastError) as err:
        f(np.zeros((2, 3)), np.zeros((2, 4)))
    assert 'dimension 1' in message_of(err) and 'z = x + y' in message_of(err)


def test_runtime_mismatch_with_a_length_one_non_broadcastable_input_suggests_the_fix():
    W = theano.shared(np.ones((20, 4)), name='W')
    b = theano.shared(np.zeros((20, 1)), name='bias')
    x = T.matrix('x')
    h = T.dot(W, x) + b  # not known until x's shape is known
    with pytest.raises(BroadcastError) as err:
        h.eval({x: np.zeros((4, 5))})
    msg = message_of(err)
    assert 'bias' in msg and 'broadcastable=(False, True)' in msg
    assert 'h = T.dot(W, x) + b' in msg
    np.testing.assert_array_equal(h.eval({x: np.zeros((4, 1))}), np.zeros((20, 1)))


def test_dot_shape_mismatch_at_build_time():
    W = theano.shared(np.ones((20, 5)), name='W1')
    V = theano.shared(np.ones((4, 3)), name='V1')
    with pytest.raises(ValueError) as err:
        T.dot(W, V)
    msg = message_of(err)
    assert 'W1' in msg and 'V1' in msg and '(20, 5)' in msg and '(4, 3)' in msg
    assert 'TensorType(float64, matrix)' in msg and 'not aligned' in msg
    assert 'T.dot(W, V)' in msg


def test_dot_shape_mismatch_at_run_time():
    W = theano.shared(np.ones((20, 4)), name='W2')
    x = T.matrix('x')
    out = T.dot(W, x)
    with pytest.raises(ValueError) as err:
        out.eval({x: np.zeros((3, 5))})
    msg = message_of(err)
    assert 'not aligned' in msg and '(20, 4)' in msg and '(3, 5)' in msg
    assert 'out = T.dot(W, x)' in msg


def test_join_and_dimshuffle_errors():
    v, m = T.vector('v'), T.matrix('m')
    with pytest.raises(TypeError) as err:
        T.concatenate([v, m])
    msg = message_of(err)
    assert 'can only join tensors with the same number of dimensions' in msg  # Theano
    assert 'v' in msg and 'm' in msg and 'T.concatenate([v, m])' in msg
    with pytest.raises(ValueError) as err:
        m.dimshuffle(0)
    msg = message_of(err)
    assert 'cannot drop a non-broadcastable dimension' in msg  # Theano
    assert 'm.dimshuffle(0)' in msg
    a, b = T.matrix('a'), T.matrix('b')
    with pytest.raises(ValueError, match='other dimensions must match'):
        T.concatenate([a, b], axis=1).eval({a: np.zeros((2, 2)), b: np.zeros((3, 2))})


def test_reshape_to_the_wrong_size():
    x = T.matrix('x')
    with pytest.raises(ValueError) as err:
        x.reshape((7,)).eval({x: np.zeros((2, 3))})
    assert '(2, 3)' in message_of(err) and '(7,)' in message_of(err)


# ---------------------------------------------------------------------------------------
# Indexing
# ---------------------------------------------------------------------------------------

def test_indexing_with_a_python_float():
    v = T.vector('v')
    with pytest.raises(TypeError) as err:
        v[1.5]
    msg = message_of(err)
    assert 'Expected an integer' in msg and '1.5' in msg  # Theano's phrase
    assert 'v of type TensorType(float64, vector)' in msg
    assert 'v[1.5]' in msg


def test_indexing_with_a_float_variable():
    v = T.vector('v')
    s = T.scalar('s')
    with pytest.raises(TypeError) as err:
        v[s]
    msg = message_of(err)
    assert 'Expected an integer' in msg and 's of type TensorType(float64, scalar)' in msg
    assert 'v[s]' in msg
    fv = T.vector('fv')
    with pytest.raises(TypeError) as err:
        v[fv]
    assert 'fv of type TensorType(float64, vector)' in message_of(err)


def test_slicing_with_float_bounds():
    v = T.vector('v')
    with pytest.raises(TypeError) as err:
        v[1.0:3]
    assert 'Expected an integer' in message_of(err) and 'slice bound' in message_of(err)
    s = T.scalar('s')
    with pytest.raises(TypeError) as err:
        v[:s * 2]
    assert 'TensorType(float64, scalar)' in message_of(err)
    assert 'v[:s * 2]' in message_of(err)


def test_indexing_with_a_float_array_or_too_many_indices():
    v = T.vector('v')
    with pytest.raises(TypeError) as err:
        v[np.array([1.0, 2.0])]
    assert 'integer' in message_of(err) and 'v[np.array([1.0, 2.0])]' in message_of(err)
    with pytest.raises(IndexError, match='too many indices'):
        v[0, 1]


def test_set_subtensor_of_something_not_indexed():
    x = T.vector('x')
    with pytest.raises(TypeError) as err:
        T.set_subtensor(x * 2, 0)
    msg = message_of(err)
    assert 'must be the result of a subtensor operation' in msg  # Theano's phrase
    assert 'T.set_subtensor(x * 2, 0)' in msg


# ---------------------------------------------------------------------------------------
# A variable where a value is expected
# ---------------------------------------------------------------------------------------

def test_eval_with_a_variable_as_value():
    x = T.matrix('x')
    m = T.matrix('m')
    with pytest.raises(TypeError) as err:
        (x * 2).eval({x: m})
    msg = message_of(err)
    assert 'Expected an array-like object, but found a Variable' in msg
    assert 'm of type TensorType(float64, matrix)' in msg and 'x' in msg


def test_eval_with_a_value_of_the_wrong_rank_or_a_missing_input():
    x, y = T.matrix('x'), T.matrix('y')
    with pytest.raises(TypeError) as err:
        (x * 2).eval({x: np.zeros(3)})
    assert 'Wrong number of dimensions: expected 2, got 1' in message_of(err)
    with pytest.raises(TypeError) as err:
        (x + y).eval({x: np.zeros((2, 2))})
    msg = message_of(err)
    assert 'y of type TensorType(float64, matrix) has no value' in msg
    assert "x, y = T.matrix('x'), T.matrix('y')" in msg


def test_symbolic_truth_value_and_len():
    x = T.vector('x')
    with pytest.raises(TypeError, match='truth value'):
        bool(x > 0)
    with pytest.raises(TypeError, match=r'x.shape\[0\]'):
        len(x)


# ---------------------------------------------------------------------------------------
# Deep graphs
# ---------------------------------------------------------------------------------------

def test_ten_thousand_deep_chain_has_no_recursion_error():
    depth = 10000
    x = T.vector('x')
    y = x
    for _ in range(depth):
        y = y + 1
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # the default: no walk may recurse per node
    try:
        nodes = toposort([y])
        assert len(nodes) >= depth and nodes[-1] is y.owner
        z = T.vector('z')
        (cloned,) = clone_replace([y], {x: z})
        text = theano.printing.debugprint(y, file='str')
        assert len(text.splitlines()) > depth
        np.testing.assert_array_equal(y.eval({x: np.zeros(2)}), [depth, depth])
        np.testing.assert_array_equal(cloned.eval({z: np.ones(2)}), [depth + 1, depth + 1])
    finally:
        sys.setrecursionlimit(limit)


# ---------------------------------------------------------------------------------------
# The same mistakes as Theano 1.0.5's recorded errors: same class, Theano's key phrase.
# ---------------------------------------------------------------------------------------

# case -> the phrase of Theano's message that symgraph keeps (symgraph may add context).
THEANO_PHRASES = {
    'set_value_dtype': 'TensorType(float32, vector) cannot store a value of dtype float64 '
                       'without risking loss of precision. If you do not mind this loss, you '
                       'can: 1) explicitly cast your data to float32, or 2) set '
                       '"allow_input_downcast=True" when calling "function". Value: '
                       '"array([0., 0., 0.])"',
    'set_value_int_into_int_downcast': 'TensorType(int32, vector) cannot store a value of '
                                       'dtype int64 without risking loss of precision',
    'set_value_ndim': 'Wrong number of dimensions: expected 1, got 2 with shape (3, 2).',
    'set_value_broadcastable': 'Non-unit value on shape on a broadcastable dimension',
    'call_bad_dtype_float_to_int': 'TensorType(int32, vector) cannot store a value of dtype '
                                   'float64 without risking loss of precision',
    'call_bad_dtype_float64_to_float32': 'TensorType(float32, vector) cannot store a value of '
                                         'dtype float64 without risking loss of precision',
    'call_wrong_ndim': 'Wrong number of dimensions: expected 1, got 2 with shape (2, 2).',
    'call_missing_arg': 'Missing required input: y',
    'function_missing_input': 'Input 1 of the graph (indices start from 0), used to compute '
                              'Elemwise{add,no_inplace}(x, y), was not provided and not given '
                              'a value',
    'function_unused_input': 'was asked to create a function computing outputs given certain '
                             'inputs, but the provided input variable at index 1 is not part '
                             'of the computational graph needed to compute the outputs: y.',
    'function_shared_as_input': 'Cannot use a shared variable (s) as explicit input. Consider '
                                'substituting a non-shared variable via the `givens` parameter',
    'function_update_type_mismatch': 'An update must have the same type as the original '
                                      'shared variable (shared_var=s, shared_var.type='
                                      'TensorType(float32, vector), update_val=Elemwise{add,'
                                      'no_inplace}.0, update_val.type=TensorType(float64, '
                                      'vector)).',
    'function_update_ndim_mismatch': 'update_val.type=TensorType(float64, scalar)',
    'function_update_not_shared': 'update target must be a SharedVariable',
    'function_givens_type_mismatch': 'Cannot convert Type TensorType(float32, vector) (of '
                                     'Variable s) into Type TensorType(float64, vector). You '
                                     'can try to manually convert s into a TensorType(float64, '
                                     'vector).',
    'grad_non_scalar_cost': 'cost must be a scalar.',
    'grad_disconnected_input': 'grad method was asked to compute the gradient with respect to '
                               'a variable that is not part of the computational graph of the '
                               'cost, or is used only by a non-differentiable operator: y',
    'grad_wrt_not_variable': "Expected Variable, got 3 of type <class 'int'>",
    'call_unknown_kwarg': 'Unknown input or state: z.',
    'call_broadcastable_mismatch': 'Non-unit value on shape on a broadcastable dimension',
    'function_inputs_not_list': 'should be contained in a list, even when there is a single '
                                'input',
    'set_subtensor_not_subtensor': 'x must be the result of a subtensor operation',
    'dimshuffle_drop_non_broadcastable': 'cannot drop a non-broadcastable dimension',
    'concatenate_ndim_mismatch': 'can only join tensors with the same number of dimensions',
    'index_with_float': 'Expected an integer',
    'call_too_many_args': 'Too many parameter',
}


def test_every_recorded_theano_error_has_a_phrase():
    assert sorted(THEANO_PHRASES) == sorted(cases.ERROR_CASES) == sorted(THEANO_ERRORS)


@pytest.mark.parametrize('name', sorted(THEANO_PHRASES))
def test_error_keeps_theanos_wording(name):
    golden = THEANO_ERRORS[name]
    with pytest.raises(Exception) as err:
        run_snippet(cases.ERROR_CASES[name])
    # Same class as Theano's (by name; Theano's plain Exception may be any subclass).
    names = [c.__name__ for c in type(err.value).__mro__]
    assert golden['type'] in names, (golden['type'], names)
    phrase = THEANO_PHRASES[name]
    theano_text = golden['message']
    if name == 'grad_disconnected_input':
        # Theano 1.0.5 raises it with an empty message (its intended text appears only in
        # the disconnected_inputs='warn' warning); symgraph raises the intended text.
        assert theano_text == ''
    else:
        assert phrase.lower() in theano_text.lower(), 'the phrase must be Theano\'s own'
    assert phrase.lower() in message_of(err).lower()
