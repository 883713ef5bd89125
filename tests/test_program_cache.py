"""Programs kept by the graph they come from (compile/programcache.py): a function built
again, here or in a later process, takes its program from ``compiledir`` without tracing
it, and keeps every check its tracing had recorded; anything that changes the program
changes its entry; what the graph cannot fully describe is not kept."""
import os

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.compile import executor
from symgraph.compile.nanguardmode import NanGuardMode
from symgraph.graph.basic import Apply, Op


@pytest.fixture
def compiledir(tmp_path):
    """A fresh ``compiledir`` for the test, the previous one restored after it."""
    with theano.change_flags(compiledir=str(tmp_path)):
        yield tmp_path


@pytest.fixture
def untraceable(monkeypatch):
    """Make any tracing of a call's or a loop's program fail, and of its shapes (whether a
    graph can be padded): it must come from the cache."""
    def refuse(*args, **kwargs):
        raise AssertionError('the program was traced, not taken from the cache')

    def untraced():
        monkeypatch.setattr(executor.Function, '_jitted', refuse)
        monkeypatch.setattr(executor.Function, 'step', lambda self, lengths: refuse)
        monkeypatch.setattr(executor.jax, 'eval_shape', refuse)
    return untraced


def kept_entries(folder):
    """The entries kept under ``folder`` (beside JAX's own, in its folder per pool size)."""
    return [name for path, _, names in os.walk(folder) for name in names
            if os.path.basename(path) == 'programs']


def lxmls_update(W0, b0):
    """The LXMLS update: a softmax layer's SGD step, labels indexing the probabilities."""
    W = theano.shared(W0.copy(), name='W')
    b = theano.shared(b0.copy(), name='b', broadcastable=(False, True))
    x, y = T.matrix('x'), T.ivector('y')
    p = T.nnet.softmax((T.dot(W, x) + b).T)
    cost = -T.mean(T.log(p[T.arange(y.shape[0]), y]))
    gW, gb = T.grad(cost, [W, b])
    f = theano.function([x, y], cost, updates=[(W, W - 0.5 * gW), (b, b - 0.5 * gb)])
    return f, W, b


def test_a_function_built_again_takes_its_program_without_tracing(compiledir, untraceable):
    rng = np.random.RandomState(0)
    W0, b0 = rng.randn(3, 4).astype('float32'), rng.randn(3, 1).astype('float32')
    x, y = rng.randn(4, 5).astype('float32'), np.array([0, 2, 1, 1, 0], 'int32')
    first, W1, b1 = lxmls_update(W0, b0)
    costs = [first(x, y) for _ in range(3)]
    assert len(kept_entries(compiledir)) == 1 and first.stats.kept == 0
    # In a folder of this release of symgraph, with JAX's own entries, so that a new
    # release never finds programs only in JAX's cache, which cannot be kept here.
    (programs,) = [path for path, _, _ in os.walk(compiledir)
                   if os.path.basename(path) == 'programs']
    assert os.path.basename(os.path.dirname(programs)) == 'symgraph-' + theano.__version__
    untraceable()
    again, W2, b2 = lxmls_update(W0, b0)
    assert [again(x, y) for _ in range(3)] == costs
    np.testing.assert_array_equal(W2.get_value(), W1.get_value())
    np.testing.assert_array_equal(b2.get_value(), b1.get_value())
    assert again.stats.kept == 1 and again.stats.programs == 1
    # The label index is checked on the host, as the traced program said.
    with pytest.raises(IndexError, match='index 3 is out of bounds for axis 1 with size 3'):
        again(x, np.array([0, 3, 1, 1, 0], 'int32'))
    np.testing.assert_array_equal(W2.get_value(), W1.get_value())


def test_checks_made_in_the_program_come_with_it(compiledir, untraceable):
    def build():
        v = theano.shared(np.arange(4.), name='v')
        i = T.lvector('i')
        return theano.function([i], v[i + 1].sum(), updates=[(v, v * 2)]), v
    first, _ = build()
    assert first([0, 2]) == 4.
    untraceable()
    again, v = build()
    assert again([0, 2]) == 4.
    with pytest.raises(IndexError, match='index 4 is out of bounds') as info:
        again([0, 3])
    assert 'v[i + 1]' in str(info.value)  # the user's line, from the kept node
    np.testing.assert_array_equal(v.get_value(), np.arange(4.) * 2)


def test_nan_guard_flags_come_with_the_program(compiledir, untraceable):
    def build():
        x = T.dvector('x')
        W = theano.shared(np.ones(2), name='W')
        return theano.function([x], T.log(x).sum(), updates=[(W, W + x)],
                               mode=NanGuardMode(nan_is_error=True, inf_is_error=True,
                                                 big_is_error=True)), W
    build()[0](np.ones(2))
    untraceable()
    again, W = build()
    with pytest.raises(AssertionError, match='NaN detected') as info:
        again(np.array([-1., 1.]))
    assert 'Elemwise{log,no_inplace}(x)' in str(info.value)
    np.testing.assert_array_equal(W.get_value(), np.ones(2))


def test_padded_programs_keep_their_cut_outputs(compiledir, untraceable):
    # A scan over a sentence runs the program of its length's bucket, whose outputs come
    # back cut to the sentence's length.
    def build():
        E = theano.shared(np.arange(12.).reshape(6, 2), name='E')
        ids = T.lvector('ids')
        h, _ = theano.scan(lambda e, h: T.tanh(h + e), sequences=E[ids],
                           outputs_info=T.zeros(2))
        return theano.function([ids], h, updates=[(E, E * 0.5)])
    first = build()
    wanted = [first(np.array(s)) for s in ([0, 1, 5], [2, 3])]
    untraceable()
    again = build()
    for s, want in zip(([0, 1, 5], [2, 3]), wanted):
        got = again(np.array(s))
        assert got.shape == (len(s), 2)
        np.testing.assert_array_equal(got, want)
    # Both lengths' bucket (4) was found padded in the cache, without tracing shapes.
    assert again.stats.kept == again.stats.programs == 1


def test_loop_epochs_are_kept_with_their_checks(compiledir, untraceable):
    def build():
        W = theano.shared(np.zeros(4), name='W')
        i = T.lscalar('i')
        return theano.function([i], W[i], updates=[(W, T.inc_subtensor(W[i], 1.))]), W
    first, _ = build()
    np.testing.assert_array_equal(first.loop(np.array([0, 1, 1])), [0., 0., 1.])
    untraceable()
    again, W = build()
    np.testing.assert_array_equal(again.loop(np.array([0, 1, 1])), [0., 0., 1.])
    assert again.stats.kept == 1
    with pytest.raises(IndexError, match='index 4 is out of bounds'):
        again.loop(np.array([0, 1, 4]))
    np.testing.assert_array_equal(W.get_value(), [1., 2., 0., 0.])  # the loop is all or nothing


class _Doubled(Op):
    """An op whose code lives outside symgraph: it may change while its name stays."""
    __props__ = ()

    def make_node(self, x):
        return Apply(self, [x], [x.type()])

    def jax_impl(self, node, x):
        return x * 2


def test_graphs_with_code_from_outside_are_not_kept(compiledir):
    x = T.dvector('x')
    f = theano.function([x], _Doubled()(x) + 1)
    np.testing.assert_array_equal(f(np.arange(3.)), [1., 3., 5.])
    assert kept_entries(compiledir) == []


def test_programs_calling_library_kernels_are_not_kept(compiledir):
    # JAX sets up LAPACK's kernels while lowering, which a process reading the program
    # from the cache never does: such a program is compiled in every process.
    m = T.dmatrix('m')
    f = theano.function([m], T.nlinalg.matrix_inverse(m))
    np.testing.assert_allclose(f(np.diag([2., 4.])), np.diag([.5, .25]))
    assert kept_entries(compiledir) == []


def test_a_damaged_entry_is_compiled_again(compiledir):
    x = T.dvector('x')
    theano.function([x], T.tanh(x) * 3)(np.zeros(2))
    (name,) = kept_entries(compiledir)
    path = next(os.path.join(folder, name) for folder, _, names in os.walk(compiledir)
                if name in names)
    with open(path, 'wb') as file:
        file.write(b'not a program')
    again = theano.function([x], T.tanh(x) * 3)
    np.testing.assert_allclose(again(np.ones(2)), np.tanh(1.) * 3)
    assert again.stats.kept == 0


def test_what_changes_the_program_changes_its_entry(compiledir):
    def build_and_call(dtype='float64', op=T.tanh, factor=2.0, length=3, **flags):
        with theano.change_flags(**flags):
            x = T.TensorType(dtype, (False,))('x')
            W = theano.shared(np.ones(length, dtype), name='W')
            i = T.lscalar('i')
            f = theano.function([x, i], op(x * factor).sum() + W[i], updates=[(W, W + x)])
        f(np.ones(length, dtype), 1)
        return f.stats.kept

    assert build_and_call() == 0 and len(kept_entries(compiledir)) == 1
    assert build_and_call() == 1  # the same graph built again: the same entry
    variants = [dict(dtype='float32'), dict(op=T.nnet.sigmoid), dict(factor=3.0),
                dict(check_indices=False), dict(length=4)]
    for variant in variants:  # none takes the program kept for another
        assert build_and_call(**variant) == 0, variant
