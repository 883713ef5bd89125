"""The guarantees a user relies on without thinking: an index out of range raises (and
changes nothing), a failed call or loop loses nothing, threads see every update, shared
variables never alias the caller's arrays, and bad values are named."""
import pickle
import threading

import jax
import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.graph.basic import Apply, Op

v = T.vector('v')
i = T.lscalar('i')
iv = T.lvector('iv')
jv = T.lvector('jv')
m = T.matrix('m')


@pytest.fixture(scope='module')
def index_fns():
    """Functions indexing with run-time values, compiled once for the module."""
    return dict(
        scalar=theano.function([v, i], v[i]),
        vector=theano.function([v, iv], v[iv]),
        pair=theano.function([m, iv, jv], m[iv, jv]),
        inc=theano.function([v, iv], T.inc_subtensor(v[iv], 10.)),
        set_scalar=theano.function([v, i], T.set_subtensor(v[i], 7.)),
        nll=theano.function([m, iv], -T.log(m[T.arange(iv.shape[0]), iv]).mean()),
    )


@pytest.mark.parametrize('name, args, bad', [
    ('scalar', (np.arange(3.), 5), 5),
    ('scalar', (np.arange(3.), -4), -4),
    ('vector', (np.arange(3.), [-4]), -4),
    ('vector', (np.arange(3.), [0, 3]), 3),
    ('pair', (np.ones((2, 3)), [0, 1], [0, 3]), 3),
    ('inc', (np.arange(3.), [3]), 3),
    ('set_scalar', (np.arange(3.), 3), 3),
    ('nll', (np.full((2, 3), 0.5), [1, 3]), 3),  # labels numbered 1..K
])
def test_index_out_of_range_raises(index_fns, name, args, bad):
    with pytest.raises(IndexError, match='index %d is out of bounds for axis' % bad) as info:
        index_fns[name](*args)
    assert 'Apply node that caused the error' in str(info.value)
    assert __file__ in str(info.value)  # the user's line that built the node


@pytest.mark.parametrize('name, args, expected', [
    ('scalar', (np.arange(3.), -3), 0.0),
    ('scalar', (np.arange(3.), 2), 2.0),
    ('vector', (np.arange(3.), [-3, 2, -1]), [0., 2., 2.]),
    ('inc', (np.arange(3.), [0, 0, -1]), [20., 1., 12.]),
    ('vector', (np.arange(3.), np.zeros(0, 'int64')), np.zeros(0)),
])
def test_indices_in_range_are_unchanged(index_fns, name, args, expected):
    np.testing.assert_array_equal(index_fns[name](*args), expected)


def test_index_error_applies_no_update():
    W = theano.shared(np.arange(4.), name='W')
    count = theano.shared(np.int64(0), name='count')
    step = theano.function([iv], W.sum(), updates=[(W, T.inc_subtensor(W[iv], 1.)),
                                                   (count, count + 1)])
    step([1, 1])
    with pytest.raises(IndexError, match='index 4 is out of bounds'):
        step([0, 4])
    np.testing.assert_array_equal(W.get_value(), [0., 3., 2., 3.])
    assert count.get_value() == 1
    step([3])
    np.testing.assert_array_equal(W.get_value(), [0., 3., 2., 4.])


def test_embedding_lookup_with_unknown_id():
    E = theano.shared(np.eye(3), name='E')
    ids = T.lvector('ids')
    cost = E[ids].sum()
    f = theano.function([ids], cost, updates=[(E, E - 0.1 * T.grad(cost, E))])
    with pytest.raises(IndexError, match='index 3 is out of bounds'):
        f([0, 3])
    np.testing.assert_array_equal(E.get_value(), np.eye(3))


def test_index_inputs_are_checked_against_each_programs_own_sizes():
    # An index input is checked on the host before the call, against the size of the
    # axis it indexes in the program that runs: a shared variable resized by set_value
    # gets a program of its own, and each keeps its own size.
    W = theano.shared(np.zeros((5, 2)), name='W')
    steps = theano.shared(np.int64(0), name='steps')
    f = theano.function([iv], W[iv].sum(), updates=[(steps, steps + 1)])
    f([4, -5])
    W.set_value(np.ones((3, 2)))
    with pytest.raises(IndexError, match='index 4 is out of bounds for axis 0 with size 3'):
        f([0, 4])
    with pytest.raises(IndexError, match='index -4 is out of bounds for axis 0 with size 3'):
        f([-4])
    assert f([2, -3]) == 4.
    W.set_value(np.zeros((5, 2)))
    f([4])
    with pytest.raises(IndexError, match='index 5 is out of bounds for axis 0 with size 5'):
        f([5])
    assert steps.get_value() == 3


def test_scalar_and_matrix_index_inputs_are_checked():
    W = theano.shared(np.arange(6.).reshape(3, 2), name='W')
    i, rows = T.lscalar('i'), T.imatrix('rows')
    f = theano.function([i, rows], W[i].sum() + W[rows].sum(), updates=[(W, W + 1)])
    assert f(-3, [[0, 2], [1, -1]]) == 1. + (1. + 9. + 5. + 9.)
    with pytest.raises(IndexError, match='index 3 is out of bounds for axis 0 with size 3'):
        f(3, [[0, 0]])
    with pytest.raises(IndexError, match='index -4 is out of bounds for axis 0 with size 3'):
        f(0, np.array([[0, -4], [1, 1]], 'int32', order='F'))
    np.testing.assert_array_equal(W.get_value(), np.arange(6.).reshape(3, 2) + 1)


def test_index_inputs_of_a_padded_program_are_checked():
    # A sentence of 3 words runs the program of 8 steps: its word ids are checked as
    # given, and a bad one changes no parameter.
    E = theano.shared(np.arange(8.).reshape(4, 2), name='E')
    ids = T.lvector('ids')
    h, _ = theano.scan(lambda e, h: h + e, sequences=E[ids], outputs_info=T.zeros(2))
    cost = h[-1].sum()
    f = theano.function([ids], cost, updates=[(E, E - T.grad(cost, E))])
    f([0, 1, 3])
    before = E.get_value()
    with pytest.raises(IndexError, match='index 4 is out of bounds for axis 0 with size 4'):
        f([0, 4, 1])
    np.testing.assert_array_equal(E.get_value(), before)
    assert f.stats.programs == 1


def test_index_checks_can_be_turned_off():
    theano.config.check_indices = False
    unchecked = theano.function([v, iv], v[iv])
    theano.config.check_indices = True
    np.testing.assert_array_equal(unchecked(np.arange(3.), [1, 2]), [1., 2.])
    unchecked(np.arange(3.), [5])  # XLA clamps, and nothing raises
    with pytest.raises(ValueError, match='True or False'):
        theano.config.check_indices = 'maybe'


def test_shape_hint_follows_set_value():
    s = theano.shared(np.arange(3.), name='s')
    s.set_value(np.arange(5.))
    J = theano.gradient.jacobian(s ** 2, s)
    np.testing.assert_allclose(J.eval(), np.diag(2 * np.arange(5.)))
    jacobian = theano.function([], J)
    s.set_value(np.arange(7.))  # the graph has five rows: it must refuse, not truncate
    with pytest.raises(AssertionError, match='dim 0 of input has shape 7, expected 5'):
        jacobian()
    S = theano.shared(np.ones((2, 3)), name='S')
    S.set_value(np.ones((2, 4)))
    V = theano.shared(np.ones(4), name='V')
    np.testing.assert_allclose(T.dot(S, V).eval(), [4., 4.])
    np.testing.assert_allclose((S + T.ones((2, 4))).eval(), np.full((2, 4), 2.))


@pytest.mark.parametrize('make', [
    lambda data: theano.shared(data),
    lambda data: theano.shared(data, borrow=False),
])
def test_shared_copies_unless_borrowed(make):
    for _ in range(20):
        data = np.random.rand(100, 20)
        X = make(data)
        data *= -1
        assert (X.get_value() >= 0).all()
    X = theano.shared(np.zeros(64))
    new = np.random.rand(64)
    X.set_value(new)
    new *= -1
    assert (X.get_value() >= 0).all()


class _FailingOp(Op):
    """Identity that raises inside the running program when ``fail`` says so."""

    calls_host = True

    def __init__(self, fail):
        self.fail = fail

    def make_node(self, x):
        return Apply(self, [x], [x.type])

    def jax_impl(self, node, x):
        def host(value):
            if self.fail():
                raise RuntimeError('the host callback failed')
            return value
        return jax.pure_callback(host, jax.ShapeDtypeStruct(x.shape, x.dtype), x)


def test_failed_call_keeps_donated_state():
    fail_now = []
    W = theano.shared(np.arange(3.), name='W')
    x = T.vector('x')
    f = theano.function([x], _FailingOp(lambda: bool(fail_now))(x).sum(),
                        updates=[(W, W + 1)])
    f(np.ones(2))
    f(np.ones(2))
    fail_now.append(True)
    with pytest.raises(Exception, match='the host callback failed'):
        f(np.ones(2))
    np.testing.assert_array_equal(W.get_value(), [2., 3., 4.])
    fail_now.clear()
    f(np.ones(2))
    np.testing.assert_array_equal(W.get_value(), [3., 4., 5.])


def test_first_run_failure_keeps_donated_state():
    W = theano.shared(np.arange(3.), name='W')
    x = T.vector('x')
    failing = _FailingOp(lambda: True)
    f = theano.function([x], failing(x).sum(), updates=[(W, W * 2)])
    with pytest.raises(Exception, match='the host callback failed'):
        f(np.ones(2))
    np.testing.assert_array_equal(W.get_value(), [0., 1., 2.])
    assert (W * 1).eval().tolist() == [0., 1., 2.]


def test_loop_is_all_or_nothing():
    W = theano.shared(np.zeros(3), name='W')
    index = T.lscalar('index')
    data = theano.shared(np.arange(10.), name='data')
    batch = data[index * 4:(index + 1) * 4]
    step = theano.function([index], batch.sum(),
                           updates=[(W, W + batch.reshape((2, 2)).sum(axis=0).sum())])
    with pytest.raises(Exception):
        step.loop(index=np.arange(3))  # the last batch has 2 entries and cannot reshape
    np.testing.assert_array_equal(W.get_value(), np.zeros(3))
    with pytest.raises(IndexError):
        theano.function([iv], [], updates=[(W, T.inc_subtensor(W[iv], 1.))]).loop(
            np.array([[0], [1], [3]]))
    np.testing.assert_array_equal(W.get_value(), np.zeros(3))
    step.loop(index=np.arange(2))
    np.testing.assert_array_equal(W.get_value(), np.full(3, 6. + 22.))


def _run_threads(work, n):
    """Run ``work(k)`` in ``n`` threads at once, k = 0..n-1, and wait for all."""
    threads = [threading.Thread(target=work, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_threads_see_every_update():
    counter = theano.shared(np.float64(0), name='counter')
    total = theano.shared(np.zeros(2), name='total')
    x = T.vector('x')
    bump = theano.function([], [], updates=[(counter, counter + 1)])
    add = theano.function([x], counter, updates=[(total, total + x), (counter, counter + 1)])
    read = theano.function([], total.sum() + counter)
    separate = theano.shared(np.float64(0), name='separate')
    other = theano.function([], [], updates=[(separate, separate + 1)])
    errors = []

    def work(k):
        try:
            for _ in range(100):
                (bump if k % 2 else add)(*([] if k % 2 else [np.ones(2)]))
                read()
                other()
                counter.get_value()
        except Exception as err:  # noqa: BLE001 - the test reports any failure
            errors.append(err)
    _run_threads(work, 8)
    assert not errors
    assert counter.get_value() == 800
    np.testing.assert_array_equal(total.get_value(), [400., 400.])
    assert separate.get_value() == 800


def test_keyword_arguments_on_first_call():
    x = T.vector('xin')
    f = theano.function([x], x * 2)
    np.testing.assert_array_equal(f(xin=np.ones(2)), [2., 2.])
    np.testing.assert_array_equal(f(xin=np.ones(3)), [2., 2., 2.])


@pytest.mark.parametrize('value, message', [
    ('abc', "input x of type TensorType\\(float64, matrix\\).*Cannot convert 'abc'"),
    ([[1, 2], [3]], '(?s)input x .*no regular shape'),
])
def test_bad_values_name_the_input(value, message):
    x = T.matrix('x')
    f = theano.function([x], x * 2)
    with pytest.raises(ValueError, match=message) as info:
        f(value)
    assert __file__ in str(info.value)


def test_bad_shared_values_name_the_variable():
    W = theano.shared(np.ones(3), name='W')
    with pytest.raises(ValueError, match="shared variable 'W'.*Cannot convert 'abc'"):
        W.set_value('abc')
    with pytest.raises(TypeError, match="update of shared variable W .*got 'abc'"):
        theano.function([], updates=[(W, 'abc')])


def test_pickled_function_keeps_index_checks():
    f = pickle.loads(pickle.dumps(theano.function([v, iv], v[iv])))
    with pytest.raises(IndexError):
        f(np.arange(3.), [3])


def test_unused_inputs_are_judged_before_rewrites():
    x, y = T.vector('x'), T.vector('y')
    np.testing.assert_array_equal(theano.function([x, y], T.fill(x, y))(
        np.ones(2), np.full(2, 3.)), [3., 3.])
    zero = theano.function([x, y], T.grad(T.sum(x * y) // 2, x))
    np.testing.assert_array_equal(zero(np.ones(2), np.ones(2)), [0., 0.])


def _misaligned_copy(array):
    """``array`` copied to memory 8 bytes past a 64-byte boundary."""
    raw = np.empty(array.nbytes + 128, dtype=np.uint8)
    start = -raw.ctypes.data % 64 + 8
    out = raw[start:start + array.nbytes].view(array.dtype).reshape(array.shape)
    out[...] = array
    return out


def test_threads_calling_a_function_without_state():
    """Large unaligned arguments go through the function's staging buffers."""
    x = T.matrix('x')
    double = theano.function([x], x * 2)
    errors = []

    def work(k):
        value = np.full((300, 300), float(k))
        for _ in range(20):
            if not np.array_equal(double(_misaligned_copy(value)), value * 2):
                errors.append(k)
    _run_threads(work, 6)
    assert not errors


def test_new_argument_shapes_keep_donated_state():
    W = theano.shared(np.zeros(2), name='W')
    x = T.vector('x')
    f = theano.function([x], x.sum(), updates=[(W, W + 1)])
    for n in (3, 4, 3, 5):
        assert f(np.ones(n)) == n
    np.testing.assert_array_equal(W.get_value(), [4., 4.])
