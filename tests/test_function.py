"""function(): one jitted program with givens and updates, checked against numpy."""
import pickle
import warnings

import jax
import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.compile.io import MissingInputError, UnusedInputError

RNG = np.random.RandomState(1234)


def test_outputs_single_list_and_none():
    x = T.vector('x')
    value = np.arange(3.0)
    single = theano.function([x], x * 2)
    assert isinstance(single(value), np.ndarray)
    np.testing.assert_allclose(single(value), value * 2)
    both = theano.function([x], [x + 1, x.sum()])
    out = both(value)
    assert isinstance(out, list) and len(out) == 2
    np.testing.assert_allclose(out[0], value + 1)
    np.testing.assert_allclose(out[1], value.sum())
    counter = theano.shared(np.float64(0.0), name='counter')
    none = theano.function([], updates=[(counter, counter + 1)])
    assert none() == []
    none()
    assert counter.get_value() == 2.0


def test_outputs_are_writable_copies_unless_borrowed():
    x = T.vector('x')
    f = theano.function([x], [x * 2, theano.Out(x * 3, borrow=True)])
    copied, borrowed = f(np.ones(3))
    copied[0] = 7.0  # a fresh array the caller owns
    np.testing.assert_allclose(borrowed, 3.0)


def test_in_defaults_and_keyword_calls():
    x = T.scalar('x')
    lr = T.scalar('lr')
    f = theano.function([x, theano.In(lr, value=0.5)], x * lr)
    assert f(4.0) == 2.0
    assert f(4.0, 0.25) == 1.0
    assert f(x=4.0, lr=2.0) == 8.0
    with pytest.raises(TypeError, match='Missing required input: x'):
        f(lr=1.0)
    with pytest.raises(TypeError, match='Unknown input or state: z'):
        f(1.0, z=2.0)
    with pytest.raises(TypeError, match='Too many parameters'):
        f(1.0, 2.0, 3.0)


def test_updates_are_simultaneous_and_use_pre_call_values():
    a = theano.shared(np.array([1.0, 2.0]), name='a')
    b = theano.shared(np.array([10.0, 20.0]), name='b')
    f = theano.function([], a + b, updates=[(a, b), (b, a)])
    np.testing.assert_allclose(f(), [11.0, 22.0])
    np.testing.assert_allclose(a.get_value(), [10.0, 20.0])
    np.testing.assert_allclose(b.get_value(), [1.0, 2.0])


def test_updates_as_ordered_dict_and_default_update():
    from collections import OrderedDict
    step = theano.shared(np.int64(0), name='step')
    step.default_update = step + 1
    w = theano.shared(np.zeros(2), name='w')
    x = T.vector('x')
    f = theano.function([x], w.sum() + step, updates=OrderedDict([(w, w + x)]))
    f(np.ones(2))
    f(np.ones(2))
    assert step.get_value() == 2
    np.testing.assert_allclose(w.get_value(), [2.0, 2.0])
    g = theano.function([x], x.sum() + step, no_default_updates=True)
    g(np.ones(2))
    assert step.get_value() == 2
    h = theano.function([x], step * 1, updates=[(step, step + 10)], on_unused_input='ignore')
    h(np.ones(2))
    assert step.get_value() == 12  # an explicit update wins over the default one


def test_one_program_with_donated_updates():
    w = theano.shared(np.ones((4, 3)), name='w')
    x = T.matrix('x')
    f = theano.function([x], T.dot(x, w).sum(), updates=[(w, w * 0.5)])
    before = w.get_value(return_internal_type=True)
    f(np.ones((2, 4)))
    assert len(f._programs) == 1
    text = f.xla_text()
    assert text.count('func.func public @main') == 1
    assert 'tf.aliasing_output' in text  # the update is written into the donated buffer
    assert before.is_deleted()  # donation really happened on this device
    np.testing.assert_allclose(w.get_value(), 0.5)


def _minibatch_function(n_rows=23, batch=5):
    data = RNG.rand(n_rows, 4)
    labels = RNG.randint(0, 3, n_rows).astype('int32')
    X = theano.shared(data, name='X')
    Y = theano.shared(labels, name='Y')
    index = T.lscalar('index')
    x, y = T.matrix('x'), T.ivector('y')
    f = theano.function([index], [x, y], givens={x: X[index * batch:(index + 1) * batch],
                                                  y: Y[index * batch:(index + 1) * batch]})
    return f, data, labels


def test_givens_minibatch_slices_have_python_semantics_without_retracing():
    f, data, labels = _minibatch_function()
    for i in range(5):
        xb, yb = f(i)
        np.testing.assert_array_equal(xb, data[i * 5:(i + 1) * 5])
        np.testing.assert_array_equal(yb, labels[i * 5:(i + 1) * 5])
    assert f(4)[0].shape == (3, 4)  # the short last batch, not a shifted window
    assert f(7)[0].shape == (0, 4)
    np.testing.assert_array_equal(f(-1)[0], data[-5:0])
    # one program for full batches and one for the short one, never one per index
    assert len(f._programs) <= 4
    compiled = sum(len(by_shape) for by_shape in f._programs.values())
    for i in range(4):
        f(i)
    assert sum(len(by_shape) for by_shape in f._programs.values()) == compiled


def test_givens_column_slices_as_in_lxmls():
    data = np.asfortranarray(RNG.rand(6, 17))
    X = theano.shared(data, name='X')
    j = T.lscalar('j')
    x = T.matrix('x')
    f = theano.function([j], x.sum(axis=0), givens={x: X[:, j * 4:(j + 1) * 4]})
    for k in range(5):
        np.testing.assert_allclose(f(k), data[:, k * 4:(k + 1) * 4].sum(axis=0))
    # X is read only through column slices, so it is passed as a transposed copy: a new
    # value must be seen at once, also through loop().
    X.set_value(data * 2)
    np.testing.assert_allclose(f(1), 2 * data[:, 4:8].sum(axis=0))
    np.testing.assert_allclose(f.loop(j=np.arange(4))[3], 2 * data[:, 12:16].sum(axis=0))


def test_fortran_ordered_arguments_run_without_copy_and_match_numpy():
    W = theano.shared(RNG.rand(3, 8), name='W')
    x = T.matrix('x')
    f = theano.function([x], T.dot(W, x))
    big = np.asfortranarray(RNG.rand(8, 20))
    for k in range(4):
        batch = big[:, k * 5:(k + 1) * 5]
        assert batch.flags.f_contiguous and not batch.flags.c_contiguous
        np.testing.assert_allclose(f(batch), W.get_value() @ batch)
    np.testing.assert_allclose(f(np.ascontiguousarray(big)), W.get_value() @ big)


def test_input_conversion_follows_theano_rules():
    xf = T.fvector('xf')
    f = theano.function([xf], xf * 2)
    with pytest.raises(TypeError) as err:
        f(np.array([1.5, 2.0]))
    message = str(err.value)
    for part in ('index 0', 'xf', 'TensorType(float32, vector)', 'float64',
                 'cannot store a value of dtype float64 without risking loss of precision',
                 "xf = T.fvector('xf')"):
        assert part in message
    np.testing.assert_allclose(f([1, 2]), [2, 4])  # Python ints fit float32 safely
    lenient = theano.function([xf], xf * 2, allow_input_downcast=True)
    assert lenient(np.array([1.5, 2.0])).dtype == np.float32
    s = T.fscalar('s')
    with pytest.raises(TypeError, match='cannot store'):
        theano.function([s], s * 2)(0.1)  # 0.1 is not exactly a float32
    assert theano.function([s], s * 2)(0.5).dtype == np.float32  # but 0.5 is
    m = T.matrix('m')
    g = theano.function([m], m.sum())
    with pytest.raises(TypeError, match='Wrong number of dimensions: expected 2, got 1'):
        g(np.ones(3))
    col = T.TensorType('float64', (False, True))('col')
    h = theano.function([col], col * 2)
    with pytest.raises(TypeError, match='broadcastable'):
        h(np.ones((3, 2)))
    iv = T.ivector('iv')
    assert theano.function([iv], iv + 1)([1, 2, 3]).dtype == np.int32
    theano.config.floatX = 'float32'
    assert theano.function([s], s * 2)(0.1).dtype == np.float32  # Python float -> floatX


def test_compile_time_errors():
    x, y, z = T.matrix('x'), T.matrix('y'), T.matrix('z')
    w = theano.shared(np.ones((2, 2)), name='w')
    with pytest.raises(TypeError, match='contained in a list'):
        theano.function(x, x)
    with pytest.raises(MissingInputError) as err:
        theano.function([x], x + y)
    assert 'y' in str(err.value) and 'Elemwise{add,no_inplace}(x, y)' in str(err.value)
    assert "x, y, z = T.matrix('x')" in str(err.value)
    with pytest.raises(UnusedInputError, match='index 1 is not part of the computational'):
        theano.function([x, z], x * 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        theano.function([x, z], x * 2, on_unused_input='warn')
    assert any('index 1' in str(c.message) for c in caught)
    theano.function([x, z], x * 2, on_unused_input='ignore')
    with pytest.raises(TypeError, match=r'Cannot use a shared variable \(w\) as explicit input'):
        theano.function([w], w * 2)
    with pytest.raises(UnusedInputError, match='used twice in inputs'):
        theano.function([x, x], x * 2)
    with pytest.raises(TypeError, match='update target must be a SharedVariable'):
        theano.function([x], x, updates=[(x, x + 1)])
    with pytest.raises(ValueError, match='updated twice'):
        theano.function([x], x, updates=[(w, w + 1), (w, w - 1)])
    with pytest.raises(ValueError, match='list of lists/tuples with 2'):
        theano.function([x], x, updates=[w])
    b = theano.shared(np.ones((2, 1)), name='b', broadcastable=(False, True))
    with pytest.raises(TypeError) as err:
        theano.function([x], x, updates=[(b, b + x)])
    assert 'An update must have the same type' in str(err.value)
    assert 'TensorType(float64, col)' in str(err.value) and 'unbroadcast' in str(err.value)
    yi = T.ivector('yi')
    with pytest.raises(TypeError, match=r'Cannot convert Type TensorType\(int32, vector\)'):
        theano.function([x], x.sum(), givens={z: yi})
    with pytest.raises(RuntimeError, match='is an input to your function'):
        theano.function([x], x.sum(), givens={x: y})


def test_errors_inside_the_computation_name_the_op_shapes_and_line():
    a, b = T.matrix('a'), T.matrix('b')
    product = T.dot(a, b)  # the line the error must point to
    f = theano.function([a, b], product)
    with pytest.raises(ValueError) as err:
        f(np.ones((2, 3)), np.ones((4, 5)))
    message = str(err.value)
    assert 'Apply node that caused the error: dot(a, b)' in message
    assert 'Inputs shapes: [(2, 3), (4, 5)]' in message
    assert 'product = T.dot(a, b)  # the line the error must point to' in message
    total = a + b
    g = theano.function([a, b], total)
    with pytest.raises(ValueError, match='input dimension mis-match'):
        g(np.ones((2, 3)), np.ones((2, 4)))
    v = T.vector('v')
    h = theano.function([v], v[5])
    with pytest.raises(IndexError, match='index 5 is out of bounds'):
        h(np.ones(3))


def test_failed_call_leaves_every_shared_variable_unchanged():
    w = theano.shared(np.arange(6.0).reshape(2, 3), name='w')
    count = theano.shared(np.int64(0), name='count')
    x = T.matrix('x')
    f = theano.function([x], T.dot(x, w).sum(),
                        updates=[(w, w - 0.1 * T.dot(x.T, T.ones_like(T.dot(x, w)))),
                                 (count, count + 1)])
    f(np.ones((4, 2)))
    before_w, before_count = w.get_value(), count.get_value()
    with pytest.raises(ValueError):
        f(np.ones((4, 5)))  # accepted as a matrix, fails inside the computation
    np.testing.assert_array_equal(w.get_value(), before_w)
    assert count.get_value() == before_count
    f(np.ones((4, 2)))
    assert count.get_value() == before_count + 1


def test_modes_agree():
    x = T.matrix('x')
    expr = T.log(T.nnet.softmax(x)).sum() + T.nnet.sigmoid(x).mean()
    value = RNG.randn(3, 4)
    expected = expr.eval({x: value})
    for mode in ('FAST_RUN', 'FAST_COMPILE', 'py', theano.Mode(optimizer=None)):
        np.testing.assert_allclose(theano.function([x], expr, mode=mode)(value), expected,
                                   rtol=1e-12)
    theano.config.optimizer = 'None'
    assert 'Softmax' in theano.printing.debugprint(theano.function([x], expr), file='str')
    theano.config.optimizer = 'fast_run'
    assert 'LogSoftmax' in theano.printing.debugprint(theano.function([x], expr), file='str')


def test_py_mode_names_the_failing_node():
    a, b = T.vector('a'), T.vector('b')
    f = theano.function([a, b], T.exp(a) + b, mode='py')
    with pytest.raises(ValueError) as err:
        f(np.ones(2), np.ones(3))
    assert 'Elemwise{add,no_inplace}' in str(err.value)


def test_debugprint_of_function_lists_outputs_then_updates_with_order():
    w = theano.shared(np.ones(3), name='w')
    x = T.vector('x')
    f = theano.function([x], (x * w).sum(), updates=[(w, w + x)])
    lines = theano.printing.debugprint(f, file='str').splitlines()
    assert lines[0].startswith('Sum{acc_dtype=float64} [id A] \'\'   ')
    order = [int(line.rsplit('   ', 1)[1]) for line in lines if "'   " in line]
    assert sorted(set(order)) == list(range(len(set(order))))
    assert any(line.startswith('Elemwise{add,no_inplace}') for line in lines)


def test_pickle_shared_and_function_roundtrip():
    w = theano.shared(np.arange(3.0), name='w')
    x = T.vector('x')
    f = theano.function([x], (x * w).sum(), updates=[(w, w + 1)])
    f(np.ones(3))
    f2, w2 = pickle.loads(pickle.dumps((f, w)))
    np.testing.assert_allclose(w2.get_value(), w.get_value())
    assert f2(np.ones(3)) == f(np.ones(3))
    np.testing.assert_allclose(w2.get_value(), w.get_value())  # each function updates its own w


def test_loop_equals_separate_calls():
    def build():
        f, data, labels = _minibatch_function(n_rows=23, batch=5)
        return f
    data = RNG.rand(23, 4)
    results = []
    for use_loop in (False, True):
        X = theano.shared(data, name='X')
        w = theano.shared(np.zeros(4), name='w')
        index = T.lscalar('index')
        x = T.matrix('x')
        cost = T.dot(x, w).sum() + x.sum()
        f = theano.function([index], cost, updates=[(w, w + 0.1 * x.mean(axis=0))],
                            givens={x: X[index * 5:(index + 1) * 5]})
        costs = f.loop(index=np.arange(5)) if use_loop else [f(i) for i in range(5)]
        results.append((np.asarray(costs), w.get_value()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)
    assert build is not None


def test_device_flag():
    if not any(d.platform == 'gpu' for d in jax.devices()):
        theano.config.device = 'cuda'
        with pytest.raises(RuntimeError):
            theano.shared(np.ones(2))
        return
    theano.config.device = 'cuda'
    w = theano.shared(np.ones(3), name='w')
    assert w.get_value(return_internal_type=True).devices().pop().platform == 'gpu'
    x = T.vector('x')
    f = theano.function([x], (x * w).sum(), updates=[(w, w * 2)])
    assert f(np.ones(3)) == 3.0
    np.testing.assert_allclose(w.get_value(), 2.0)
