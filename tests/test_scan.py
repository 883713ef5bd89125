"""theano.scan and its shorthands (map, reduce, foldl, foldr) and until: forward values
against numpy loops written here (and a few numbers from Theano 1.0.5), gradients against
central finite differences (and, for truncate_gradient, against numbers from Theano 1.0.5),
the errors scan raises, and the index checks inside a loop.

Functions shared by several tests are built and compiled once, in module-scoped fixtures.
Graphs whose compilation has aborted the interpreter run in a child process (run_child).
"""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.scan_module import Scan
from symgraph.updates import OrderedUpdates


def rng_for(seed):
    return np.random.RandomState(seed)


def assert_close(actual, expected, rtol=1e-10, atol=1e-12):
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def central_difference(f, args, eps=1e-6):
    """The gradient of the scalar ``f(*args)`` with respect to each array in ``args``
    (float64), by central differences."""
    args = [np.array(a, dtype='float64') for a in args]
    grads = []
    for a in args:
        g = np.zeros_like(a)
        flat, gflat = a.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            saved = flat[i]
            flat[i] = saved + eps
            plus = f(*args)
            flat[i] = saved - eps
            minus = f(*args)
            flat[i] = saved
            gflat[i] = (plus - minus) / (2 * eps)
        grads.append(g)
    return grads


# The folder holding the symgraph package this session imported, for child processes.
SYMGRAPH_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(theano.__file__)))


def run_child(code, timeout=300):
    """Run ``code`` in a fresh interpreter (importing the same symgraph) and return the
    lines it prints. Used for graphs whose compilation has aborted the interpreter, so that
    such a crash fails one test instead of ending the session."""
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([SYMGRAPH_ROOT] + [p for p in [env.get('PYTHONPATH')]
                                                           if p])
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          timeout=timeout, cwd=SYMGRAPH_ROOT, env=env)
    assert proc.returncode == 0, 'exit status %d\n%s' % (proc.returncode, proc.stderr[-3000:])
    return proc.stdout.splitlines()


def child_json(code):
    """The JSON value printed on the last line by ``code`` run in a child (see run_child)."""
    return json.loads(run_child(code)[-1])


def scan_nodes(outputs):
    """The Scan nodes of the graph of ``outputs``."""
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    seen, stack, found = set(), list(outputs), []
    while stack:
        var = stack.pop()
        node = var.owner
        if node is None or node in seen:
            continue
        seen.add(node)
        if isinstance(node.op, Scan):
            found.append(node)
        stack.extend(node.inputs)
    return found


# =======================================================================================
# Forward
# =======================================================================================

def test_sit_sot_with_sequence():
    x, h0 = T.matrix('x'), T.vector('h0')
    hs, updates = theano.scan(lambda x_t, h: T.tanh(x_t + 0.5 * h), sequences=x,
                              outputs_info=h0)
    assert isinstance(updates, OrderedUpdates) and len(updates) == 0
    assert hs.type == T.matrix().type
    f = theano.function([x, h0], hs)
    rng = rng_for(1)
    xv, h0v = rng.uniform(-1, 1, (6, 3)), rng.uniform(-1, 1, 3)
    expected, h = [], h0v
    for x_t in xv:
        h = np.tanh(x_t + 0.5 * h)
        expected.append(h)
    assert_close(f(xv, h0v), expected)
    # another length on the same function
    assert_close(f(xv[:2], h0v), expected[:2])


def test_mit_sot_taps():
    x0 = T.matrix('x0')
    s = T.vector('s')
    out, _ = theano.scan(lambda s_t, a, b: a - 0.5 * b + s_t, sequences=s,
                         outputs_info=dict(initial=x0, taps=[-2, -1]))
    f = theano.function([x0, s], out)
    rng = rng_for(2)
    x0v, sv = rng.uniform(-1, 1, (2, 3)), rng.uniform(-1, 1, 7)
    rows = list(x0v)
    for s_t in sv:
        rows.append(rows[-2] - 0.5 * rows[-1] + s_t)
    # the initial rows are not part of the result
    assert_close(f(x0v, sv), rows[2:])


def test_mit_sot_taps_in_given_order():
    # the step receives the taps in the order they are listed, not sorted
    h0 = T.matrix('h0')
    out, _ = theano.scan(lambda a, b: a + 10 * b, outputs_info=dict(initial=h0, taps=[-1, -3]),
                         n_steps=3)
    f = theano.function([h0], out)
    h0v = np.arange(6.0).reshape(3, 2)
    rows = list(h0v)
    for _ in range(3):
        rows.append(rows[-1] + 10 * rows[-3])
    assert_close(f(h0v), rows[3:])
    # Theano 1.0.5 gives the same numbers
    assert_close(f(h0v), [[4.0, 15.0], [24.0, 45.0], [64.0, 95.0]])


def test_nit_sot_map_like():
    x = T.matrix('x')
    W = T.matrix('W')
    out, _ = theano.scan(lambda x_t, W: T.dot(W, x_t) ** 2, sequences=x, outputs_info=None,
                         non_sequences=W)
    f = theano.function([x, W], out)
    rng = rng_for(3)
    xv, Wv = rng.uniform(-1, 1, (5, 3)), rng.uniform(-1, 1, (4, 3))
    assert_close(f(xv, Wv), [Wv.dot(x_t) ** 2 for x_t in xv])


def test_several_outputs_mixed():
    # outputs_info: a sit-sot, a nit-sot, a mit-sot; the step gets the sequence slice, then
    # the taps of the recurrent outputs in the order of outputs_info, then non-sequences.
    x = T.matrix('x')
    h0 = T.vector('h0')
    y0 = T.matrix('y0')
    c = T.scalar('c')

    def step(x_t, h, y_tm2, y_tm1, c):
        h_new = h * c + x_t
        z = T.sum(h_new * y_tm1)
        y_new = y_tm2 + 0.25 * y_tm1 * h
        return h_new, z, y_new

    (hs, zs, ys), _ = theano.scan(step, sequences=x,
                                  outputs_info=[h0, None, dict(initial=y0, taps=[-2, -1])],
                                  non_sequences=c)
    f = theano.function([x, h0, y0, c], [hs, zs, ys])
    rng = rng_for(4)
    xv, h0v, y0v = rng.uniform(-1, 1, (5, 3)), rng.uniform(-1, 1, 3), rng.uniform(-1, 1, (2, 3))
    cv = 0.7
    h, ys_ref = h0v, list(y0v)
    e_h, e_z = [], []
    for x_t in xv:
        h_new = h * cv + x_t
        e_z.append(np.sum(h_new * ys_ref[-1]))
        ys_ref.append(ys_ref[-2] + 0.25 * ys_ref[-1] * h)
        h = h_new
        e_h.append(h)
    got = f(xv, h0v, y0v, cv)
    assert_close(got[0], e_h)
    assert_close(got[1], e_z)
    assert_close(got[2], ys_ref[2:])


def test_sequence_taps():
    x = T.matrix('x')
    out, _ = theano.scan(lambda a, b, c: a + 10 * b + 100 * c,
                         sequences=dict(input=x, taps=[-1, 0, 1]))
    f = theano.function([x], out)
    xv = np.arange(8.0).reshape(4, 2)
    expected = [xv[t - 1] + 10 * xv[t] + 100 * xv[t + 1] for t in range(1, 3)]
    assert_close(f(xv), expected)
    assert_close(f(xv), [[420.0, 531.0], [642.0, 753.0]])  # Theano 1.0.5


def test_sequence_future_taps_and_second_sequence():
    # taps all positive: the sequence is cut as if tap 0 were used; the shorter of the
    # two cut sequences decides the number of steps
    x, y = T.matrix('x'), T.vector('y')
    out, _ = theano.scan(lambda a, b, y_t: a + 10 * b + y_t,
                         sequences=[dict(input=x, taps=[2, 1]), y])
    f = theano.function([x, y], out)
    xv = np.arange(10.0).reshape(5, 2)
    yv = np.array([0.5, 0.25, 0.125, 1.0, 2.0, 4.0])
    expected = [xv[t + 2] + 10 * xv[t + 1] + yv[t] for t in range(3)]
    assert_close(f(xv, yv), expected)
    expected = [xv[t + 2] + 10 * xv[t + 1] + yv[t] for t in range(2)]
    assert_close(f(xv, yv[:2]), expected)


def test_go_backwards():
    x, h0 = T.matrix('x'), T.vector('h0')
    hs, _ = theano.scan(lambda x_t, h: h * 0.5 + x_t, sequences=x, outputs_info=h0,
                        go_backwards=True)
    f = theano.function([x, h0], hs)
    rng = rng_for(5)
    xv, h0v = rng.uniform(-1, 1, (5, 2)), rng.uniform(-1, 1, 2)
    expected, h = [], h0v
    for x_t in xv[::-1]:
        h = h * 0.5 + x_t
        expected.append(h)
    assert_close(f(xv, h0v), expected)


def test_go_backwards_with_taps():
    # each cut of the sequence is reversed: step t reads x[n-2-t] (tap -1) and x[n-1-t]
    x = T.matrix('x')
    out, _ = theano.scan(lambda a, b: a * 10 + b, sequences=dict(input=x, taps=[-1, 0]),
                         go_backwards=True)
    f = theano.function([x], out)
    xv = np.arange(8.0).reshape(4, 2)
    expected = [xv[:-1][::-1][t] * 10 + xv[1:][::-1][t] for t in range(3)]
    assert_close(f(xv), expected)
    assert_close(f(xv), [[46.0, 57.0], [24.0, 35.0], [2.0, 13.0]])  # Theano 1.0.5


def test_go_backwards_with_n_steps():
    # the reversed sequence is cut to n_steps: its last entries
    v = T.vector('v')
    out, _ = theano.scan(lambda a: a * 1, sequences=v, n_steps=2, go_backwards=True)
    f = theano.function([v], out)
    assert_close(f(np.array([1.0, 2.0, 3.0, 4.0])), [4.0, 3.0])  # Theano 1.0.5


def test_explicit_non_sequences():
    x = T.matrix('x')
    h0 = T.vector('h0')
    W = T.matrix('W')
    scale = np.float64(0.5)   # a numpy non-sequence becomes a constant
    hs, _ = theano.scan(lambda x_t, h, W, s: T.tanh(T.dot(h, W) * s + x_t), sequences=x,
                        outputs_info=h0, non_sequences=[W, scale])
    f = theano.function([x, h0, W], hs)
    rng = rng_for(6)
    xv, h0v, Wv = rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, 3), rng.uniform(-1, 1, (3, 3))
    expected, h = [], h0v
    for x_t in xv:
        h = np.tanh(h.dot(Wv) * 0.5 + x_t)
        expected.append(h)
    assert_close(f(xv, h0v, Wv), expected)


def test_implicit_shared_and_free_variables():
    # W (shared) and c (a free symbolic variable) are used without being passed
    x, h0, c = T.matrix('x'), T.vector('h0'), T.scalar('c')
    W = theano.shared(rng_for(7).uniform(-1, 1, (3, 3)), name='W')
    hs, _ = theano.scan(lambda x_t, h: T.tanh(T.dot(h, W) + c * x_t), sequences=x,
                        outputs_info=h0)
    f = theano.function([x, h0, c], hs)
    rng = rng_for(8)
    xv, h0v = rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, 3)

    def ref(Wv):
        out, h = [], h0v
        for x_t in xv:
            h = np.tanh(h.dot(Wv) + 1.5 * x_t)
            out.append(h)
        return out

    assert_close(f(xv, h0v, 1.5), ref(W.get_value()))
    # the compiled function reads the shared variable's current value
    W.set_value(np.eye(3) * 0.3)
    assert_close(f(xv, h0v, 1.5), ref(np.eye(3) * 0.3))


def test_n_steps_int_without_sequences():
    h0 = T.vector('h0')
    hs, _ = theano.scan(lambda h: h * 2 + 1, outputs_info=h0, n_steps=4)
    f = theano.function([h0], hs)
    h0v = np.array([0.0, 1.0])
    expected, h = [], h0v
    for _ in range(4):
        h = h * 2 + 1
        expected.append(h)
    assert_close(f(h0v), expected)


def test_n_steps_symbolic_power():
    A, k = T.vector('A'), T.iscalar('k')
    result, updates = theano.scan(lambda prior, A: prior * A, outputs_info=T.ones_like(A),
                                  non_sequences=A, n_steps=k)
    f = theano.function([A, k], result[-1], updates=updates)
    g = theano.function([A, k], result)
    Av = np.array([0.5, 1.0, 2.0, 3.0])
    for kv in [1, 3, 5, 2, 3]:   # several values on one compiled function
        assert_close(f(Av, kv), Av ** kv)
        assert_close(g(Av, kv), [Av ** (i + 1) for i in range(kv)])


def test_n_steps_takes_precedence_over_sequences():
    x = T.matrix('x')
    n = T.iscalar('n')
    fixed, _ = theano.scan(lambda x_t: x_t * 2, sequences=x, n_steps=3)
    symbolic, _ = theano.scan(lambda x_t: x_t * 2, sequences=x, n_steps=n)
    f = theano.function([x], fixed)
    g = theano.function([x, n], symbolic)
    xv = np.arange(15.0).reshape(5, 3)
    assert_close(f(xv), xv[:3] * 2)
    assert_close(g(xv, 2), xv[:2] * 2)
    assert_close(g(xv, 5), xv * 2)


def test_several_sequences_shorter_wins():
    x, y = T.matrix('x'), T.vector('y')
    out, _ = theano.scan(lambda x_t, y_t: x_t * y_t, sequences=[x, y])
    f = theano.function([x, y], out)
    xv = np.arange(15.0).reshape(5, 3)
    assert_close(f(xv, np.arange(3.0)), xv[:3] * np.arange(3.0)[:, None])
    assert_close(f(xv[:2], np.arange(4.0)), xv[:2] * np.arange(2.0)[:, None])


def test_return_list_and_single_output():
    x = T.vector('x')
    single, _ = theano.scan(lambda x_t: x_t * 2, sequences=x)
    assert isinstance(single, T.TensorVariable)
    listed, _ = theano.scan(lambda x_t: x_t * 2, sequences=x, return_list=True)
    assert isinstance(listed, list) and len(listed) == 1
    two, _ = theano.scan(lambda x_t: [x_t * 2, x_t + 1], sequences=x)
    assert isinstance(two, list) and len(two) == 2
    f = theano.function([x], [single] + listed + two)
    xv = np.array([1.0, 2.0, 3.0])
    got = f(xv)
    assert_close(got[0], xv * 2)
    assert_close(got[1], xv * 2)
    assert_close(got[2], xv * 2)
    assert_close(got[3], xv + 1)


def test_n_steps_one_builds_no_loop():
    x, h0 = T.matrix('x'), T.vector('h0')
    W = theano.shared(np.ones((3, 3)), name='W')
    outs, updates = theano.scan(lambda x_t, h: [T.dot(h, W) + x_t, x_t.sum()], sequences=x,
                                outputs_info=[h0, None], n_steps=1)
    assert scan_nodes(outs) == []
    # a leading axis of length 1, not broadcastable (as Theano's unbroadcast(padleft))
    assert outs[0].broadcastable == (False, False)
    assert outs[1].broadcastable == (False,)
    f = theano.function([x, h0], outs)
    got = f(np.arange(6.0).reshape(2, 3), np.ones(3))
    assert_close(got[0], [[3.0, 4.0, 5.0]])   # Theano 1.0.5
    assert_close(got[1], [3.0])
    single, _ = theano.scan(lambda h: h * 2, outputs_info=h0, n_steps=1)
    assert scan_nodes(single) == []
    assert_close(theano.function([h0], single)(np.array([1.0, 2.0])), [[2.0, 4.0]])


def test_updates_shared_counter():
    count = theano.shared(np.int64(0), name='count')
    x = T.matrix('x')
    out, updates = theano.scan(lambda x_t: (x_t * 2, {count: count + 1}), sequences=x)
    assert isinstance(updates, OrderedUpdates)
    assert list(updates) == [count]
    f = theano.function([x], out, updates=updates)
    xv = np.arange(15.0).reshape(5, 3)
    assert_close(f(xv), xv * 2)
    assert count.get_value() == 5
    f(xv[:3])
    assert count.get_value() == 8
    # without the updates, the counter does not move
    g = theano.function([x], out)
    g(xv)
    assert count.get_value() == 8


def test_updates_read_inside_the_loop():
    # a shared variable with an update is a state of the loop: each step reads the value
    # the previous step wrote, and the update gives the last one
    acc = theano.shared(np.float64(1.5), name='acc')
    v = T.vector('v')
    out, updates = theano.scan(lambda a: (acc * 1.0, {acc: acc + a}), sequences=v)
    f = theano.function([v], out, updates=updates)
    assert_close(f(np.array([1.0, 2.0, 3.0])), [1.5, 2.5, 4.5])   # Theano 1.0.5
    assert acc.get_value() == 7.5
    assert_close(f(np.array([0.5])), [7.5])
    assert acc.get_value() == 8.0


def test_updates_is_mutable_ordered_updates():
    W = theano.shared(np.ones(3), name='W')
    count = theano.shared(np.int64(0), name='count')
    step_count = theano.shared(np.int64(0), name='step_count')
    x = T.matrix('x')
    out, updates = theano.scan(lambda x_t: (T.dot(x_t, W), {step_count: step_count + 1}),
                               sequences=x)
    assert isinstance(updates, OrderedUpdates)
    cost = out.sum()
    updates[W] = W - 0.1 * T.grad(cost, W)
    updates.update({count: count + 1})
    assert list(updates) == [step_count, W, count]
    with pytest.raises(TypeError):
        updates[x] = x * 2     # only shared variables can be updated
    f = theano.function([x], cost, updates=updates)
    xv = np.arange(6.0).reshape(2, 3)
    assert_close(f(xv), xv.dot(np.ones(3)).sum())
    assert_close(W.get_value(), np.ones(3) - 0.1 * xv.sum(axis=0))
    assert count.get_value() == 1 and step_count.get_value() == 2
    both = updates + OrderedUpdates([(theano.shared(0.0, name='z'), T.constant(1.0))])
    assert isinstance(both, OrderedUpdates) and len(both) == 4


def test_map():
    x = T.matrix('x')
    b = T.vector('b')
    out, updates = theano.map(lambda x_t, b: T.exp(x_t) + b, sequences=x, non_sequences=b)
    assert len(updates) == 0
    f = theano.function([x, b], out)
    rng = rng_for(9)
    xv, bv = rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, 3)
    assert_close(f(xv, bv), np.exp(xv) + bv)


def test_map_two_sequences():
    p, q = T.vector('p'), T.vector('q')
    out, _ = theano.map(lambda a, b: a * b, sequences=[p, q])
    f = theano.function([p, q], out)
    assert_close(f(np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])), [4.0, 10.0, 18.0])


def test_reduce_foldl_foldr():
    v = T.vector('v')
    zero = T.constant(np.float64(0))
    red, _ = theano.reduce(lambda a, acc: acc * 2 + a, sequences=v, outputs_info=zero)
    left, _ = theano.foldl(lambda a, acc: acc * 2 + a, sequences=v, outputs_info=zero)
    right, _ = theano.foldr(lambda a, acc: acc * 2 + a, sequences=v, outputs_info=zero)
    assert red.ndim == 0 and left.ndim == 0 and right.ndim == 0
    f = theano.function([v], [red, left, right])
    vv = np.array([1.0, 2.0, 3.0, 0.5])

    def fold(values):
        acc = 0.0
        for a in values:
            acc = acc * 2 + a
        return acc

    got = f(vv)
    assert_close(got[0], fold(vv))
    assert_close(got[1], fold(vv))
    assert_close(got[2], fold(vv[::-1]))
    got = f(vv[:3])
    assert_close(got[1], 11.0)   # Theano 1.0.5
    assert_close(got[2], 17.0)


def test_reduce_several_outputs_and_non_sequences():
    x = T.matrix('x')
    m0, s0 = T.vector('m0'), T.vector('s0')
    w = T.scalar('w')
    (m, s), _ = theano.reduce(lambda x_t, m, s, w: [T.maximum(m, x_t), s + w * x_t],
                              sequences=x, outputs_info=[m0, s0], non_sequences=w)
    f = theano.function([x, m0, s0, w], [m, s])
    rng = rng_for(10)
    xv = rng.uniform(-1, 1, (5, 3))
    m0v, s0v = np.full(3, -2.0), np.zeros(3)
    got = f(xv, m0v, s0v, 0.5)
    assert_close(got[0], xv.max(axis=0))
    assert_close(got[1], 0.5 * xv.sum(axis=0), rtol=1e-12)


# =======================================================================================
# Gradients
# =======================================================================================

RNN_N, RNN_D, RNN_H = 5, 3, 4


def rnn_numpy_cost(xv, h0v, Wv, Uv, bv):
    h, cost = h0v, 0.0
    for t, x_t in enumerate(xv):
        h = np.tanh(x_t.dot(Wv) + h.dot(Uv) + bv)
        cost += np.sum(h ** 2) * (t + 1) / len(xv)
    return cost + np.sum(h * np.arange(1.0, len(h) + 1))


RNN_SETUP = """
import numpy as np
import symgraph as theano
import symgraph.tensor as T

rng = np.random.RandomState(11)
values = dict(x=rng.uniform(-1, 1, (%(n)d, %(d)d)), h0=rng.uniform(-1, 1, %(h)d),
              W=rng.uniform(-1, 1, (%(d)d, %(h)d)), U=rng.uniform(-1, 1, (%(h)d, %(h)d)),
              b=rng.uniform(-1, 1, %(h)d), V=rng.uniform(-1, 1, (%(d)d, %(h)d)))
x, h0 = T.matrix('x'), T.vector('h0')
W = theano.shared(values['W'], name='W')
U = theano.shared(values['U'], name='U')
b = theano.shared(values['b'], name='b')
hs, _ = theano.scan(lambda x_t, h: T.tanh(T.dot(x_t, W) + T.dot(h, U) + b),
                    sequences=x, outputs_info=h0)
weights = (T.arange(hs.shape[0]) + 1).astype('float64') / hs.shape[0]
cost = T.sum(T.sum(hs ** 2, axis=1) * weights) + T.sum(hs[-1] * T.arange(1, %(h)d + 1))
""" % dict(n=RNN_N, d=RNN_D, h=RNN_H)


@pytest.fixture(scope='module')
def rnn():
    """An RNN with shared weights used implicitly in the step; compiled once."""
    namespace = {}
    exec(RNN_SETUP, namespace)
    x, h0, cost = namespace['x'], namespace['h0'], namespace['cost']
    W, U, b = namespace['W'], namespace['U'], namespace['b']
    f = theano.function([x, h0], [cost] + T.grad(cost, [x, h0, W, U, b]))
    return dict(values=namespace['values'], f=f, shared=dict(W=W, U=U, b=b))


def test_rnn_cost(rnn):
    v = rnn['values']
    got = rnn['f'](v['x'], v['h0'])
    assert_close(got[0], rnn_numpy_cost(v['x'], v['h0'], v['W'], v['U'], v['b']))


def test_rnn_gradients_finite_differences(rnn):
    v = rnn['values']
    got = rnn['f'](v['x'], v['h0'])
    expected = central_difference(rnn_numpy_cost, [v['x'], v['h0'], v['W'], v['U'], v['b']])
    for name, g, e in zip(['x', 'h0', 'W', 'U', 'b'], got[1:6], expected):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-8, err_msg=name)


HVP_CHILD = RNN_SETUP + """
import json
V = T.matrix('V')
gW = T.grad(cost, W)
hvp = T.grad(T.sum(gW * V), W)
f = theano.function([x, h0, V], hvp)
print(json.dumps(f(values['x'], values['h0'], values['V']).tolist()))
"""


def test_rnn_hessian_vector_product_finite_differences(rnn):
    # T.grad(T.sum(T.grad(cost, W) * V), W): the gradient of a backward scan (run in a
    # child process, see run_child)
    got = np.array(child_json(HVP_CHILD))
    v = rnn['values']

    def grad_W(Wv):
        return central_difference(
            lambda W_: rnn_numpy_cost(v['x'], v['h0'], W_, v['U'], v['b']), [Wv], eps=1e-5)[0]

    def directional(Wv):   # sum(grad(cost, W) * V), with symgraph's first-order gradient
        rnn['shared']['W'].set_value(Wv)
        try:
            return np.sum(rnn['f'](v['x'], v['h0'])[3] * v['V'])
        finally:
            rnn['shared']['W'].set_value(v['W'])

    expected = central_difference(directional, [v['W']], eps=1e-5)[0]
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)
    # the same product from finite differences of finite differences: H V = d/de grad(W + eV)
    eps = 1e-4
    fd_hv = (grad_W(v['W'] + eps * v['V']) - grad_W(v['W'] - eps * v['V'])) / (2 * eps)
    np.testing.assert_allclose(got, fd_hv, rtol=1e-4, atol=1e-5)


def test_mit_sot_gradients_finite_differences():
    y0, p = T.matrix('y0'), T.vector('p')
    s = T.matrix('s')
    ys, _ = theano.scan(lambda s_t, a, b, p: T.tanh(a * p + 0.5 * b + s_t), sequences=s,
                        outputs_info=dict(initial=y0, taps=[-3, -1]), non_sequences=p)
    cost = T.sum(ys ** 2) + T.sum(ys[-1] * ys[-2])
    f = theano.function([y0, p, s], [cost] + T.grad(cost, [y0, p, s]))
    rng = rng_for(12)
    y0v, pv, sv = rng.uniform(-1, 1, (3, 2)), rng.uniform(-1, 1, 2), rng.uniform(-1, 1, (6, 2))

    def ref(y0v, pv, sv):
        rows = list(y0v)
        for s_t in sv:
            rows.append(np.tanh(rows[-3] * pv + 0.5 * rows[-1] + s_t))
        out = np.array(rows[3:])
        return np.sum(out ** 2) + np.sum(out[-1] * out[-2])

    got = f(y0v, pv, sv)
    assert_close(got[0], ref(y0v, pv, sv))
    for name, g, e in zip(['y0', 'p', 's'], got[1:], central_difference(ref, [y0v, pv, sv])):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-8, err_msg=name)


GO_BACKWARDS_GRAD_CHILD = """
import json
import numpy as np
import symgraph as theano
import symgraph.tensor as T

x = T.matrix('x')
w = T.vector('w')
h0 = T.vector('h0')
(hs, zs), _ = theano.scan(
    lambda a, b, c, h, w: [T.tanh(a * w + b * h - c), T.sum(a * c * w)],
    sequences=dict(input=x, taps=[-1, 0, 2]), outputs_info=[h0, None],
    non_sequences=w, go_backwards=True)
cost = T.sum(hs[-1]) + T.sum(zs * T.arange(zs.shape[0]))
f = theano.function([x, w, h0], [cost] + T.grad(cost, [x, w, h0]))
rng = np.random.RandomState(13)
xv, wv, h0v = rng.uniform(-1, 1, (7, 2)), rng.uniform(-1, 1, 2), rng.uniform(-1, 1, 2)
print(json.dumps([xv.tolist(), wv.tolist(), h0v.tolist()]
                 + [np.asarray(v).tolist() for v in f(xv, wv, h0v)]))
"""


def test_gradient_sequence_taps_go_backwards_and_nit_sot():
    result = child_json(GO_BACKWARDS_GRAD_CHILD)
    xv, wv, h0v = (np.array(v) for v in result[:3])
    got = [np.array(v) for v in result[3:]]

    def ref(xv, wv, h0v):
        n = len(xv) - 3
        cuts = [xv[0:-3][::-1], xv[1:-2][::-1], xv[3:][::-1]]
        h, cost = h0v, 0.0
        for t in range(n):
            a, b, c = cuts[0][t], cuts[1][t], cuts[2][t]
            cost += np.sum(a * c * wv) * t
            h = np.tanh(a * wv + b * h - c)
        return cost + np.sum(h)

    assert_close(got[0], ref(xv, wv, h0v))
    for name, g, e in zip(['x', 'w', 'h0'], got[1:], central_difference(ref, [xv, wv, h0v])):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-8, err_msg=name)


GO_BACKWARDS_MAP_GRAD_CHILD = """
import json
import numpy as np
import symgraph as theano
import symgraph.tensor as T

x = T.vector('x')
out, _ = theano.map(lambda a: a ** 2, sequences=x, go_backwards=True)
cost = T.sum(out * T.arange(1, 4))
f = theano.function([x], T.grad(cost, x))
print(json.dumps(f(np.array([0.5, -1.0, 2.0])).tolist()))
"""


def test_gradient_of_map_going_backwards():
    # out[t] = x[2 - t] ** 2, cost = sum((t + 1) * out[t]): d cost / d x[i] = 2 x[i] (3 - i)
    got = child_json(GO_BACKWARDS_MAP_GRAD_CHILD)
    assert_close(got, [2 * 0.5 * 3, 2 * -1.0 * 2, 2 * 2.0 * 1])


# truncate_gradient: Theano backpropagates through the last k steps only (fully among
# them), so the sequence rows before them and the initial state get zero gradient.
# Theano 1.0.5, for the graph of test_truncate_gradient_matches_theano:
TRUNC_THEANO = {
    -1: dict(
        x=[[0.9714838796623732, 1.1682124554032878, 0.7244220579988648],
           [-0.4164552938797374, -0.7562420445961662, 0.1253393134393935],
           [1.0279938014969987, 1.7084167205259162, -0.039249141405014266],
           [-0.9045887937433964, -1.5783148645099225, 0.16248430549010295],
           [1.5121077517320936, 2.387946052442063, 0.15558543596361776]],
        h0=[0.5005422867727299, 0.16366236590697247],
        W=[[0.1709873202840387, 0.4171179048269374], [1.1188868823026816, 2.3406959250498596],
           [-0.027637872073889333, -0.5387889585423701]],
        U=[[-0.2750918710717558, 1.1632711575878378], [-1.4937377933619798, -4.459188545368486]],
        b=[2.07394339383515, 1.4575808062075355]),
    2: dict(
        x=[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0],
           [-0.9045887937433964, -1.5783148645099225, 0.16248430549010295],
           [1.5121077517320936, 2.387946052442063, 0.15558543596361776]],
        h0=[0.0, 0.0],
        W=[[0.05937701618975372, 0.6779566901799234], [0.48141342035549956, 0.7892280784000719],
           [-0.4504133929578871, -1.8872858099834262]],
        U=[[0.5575634548335634, 0.3408535126746617], [-0.26860564383562746, -2.001654015936541]],
        b=[0.5825276997662052, 0.39545761551748093]),
}


def truncated_bptt(xv, h0v, Wv, Uv, bv, k):
    """Gradients of sum(hs ** 2) + sum(hs[-1] * [1, 2, ...]) through the last k steps."""
    n = len(xv)
    hs = [h0v]
    for x_t in xv:
        hs.append(np.tanh(x_t.dot(Wv) + hs[-1].dot(Uv) + bv))
    gx, gW, gU, gb = np.zeros_like(xv), np.zeros_like(Wv), np.zeros_like(Uv), np.zeros_like(bv)
    carry = np.zeros_like(h0v)
    steps = n if k < 0 else min(n, k)
    for t in range(n - 1, n - 1 - steps, -1):
        g_h = 2 * hs[t + 1] + carry + (np.arange(1.0, len(h0v) + 1) if t == n - 1 else 0)
        g_pre = g_h * (1 - hs[t + 1] ** 2)
        gx[t] = Wv.dot(g_pre)
        gW += np.outer(xv[t], g_pre)
        gU += np.outer(hs[t], g_pre)
        gb += g_pre
        carry = Uv.dot(g_pre)
    gh0 = carry if steps == n else np.zeros_like(h0v)
    return dict(x=gx, h0=gh0, W=gW, U=gU, b=gb)


@pytest.fixture(scope='module')
def truncated():
    rng = np.random.RandomState(0)
    n, d, h = 5, 3, 2
    values = dict(x=rng.uniform(-1, 1, (n, d)), h0=rng.uniform(-1, 1, h))
    values.update(W=rng.uniform(-1, 1, (d, h)), U=rng.uniform(-1, 1, (h, h)),
                  b=rng.uniform(-1, 1, h))
    x, h0 = T.matrix('x'), T.vector('h0')
    W = theano.shared(values['W'], 'W')
    U = theano.shared(values['U'], 'U')
    b = theano.shared(values['b'], 'b')
    outs = []
    for k in [-1, 2]:
        hs, _ = theano.scan(lambda x_t, hp: T.tanh(T.dot(x_t, W) + T.dot(hp, U) + b),
                            sequences=x, outputs_info=h0, truncate_gradient=k)
        cost = T.sum(hs ** 2) + T.sum(hs[-1] * np.arange(1.0, h + 1))
        outs += T.grad(cost, [x, h0, W, U, b])
    f = theano.function([x, h0], outs)
    got = f(values['x'], values['h0'])
    names = ['x', 'h0', 'W', 'U', 'b']
    return values, {-1: dict(zip(names, got[:5])), 2: dict(zip(names, got[5:]))}


@pytest.mark.parametrize('k', [-1, 2])
def test_truncate_gradient_matches_theano(truncated, k):
    _, got = truncated
    for name, expected in TRUNC_THEANO[k].items():
        np.testing.assert_allclose(got[k][name], expected, rtol=1e-10, atol=1e-13,
                                   err_msg=name)


@pytest.mark.parametrize('k', [-1, 2])
def test_truncate_gradient_matches_truncated_bptt(truncated, k):
    values, got = truncated
    expected = truncated_bptt(values['x'], values['h0'], values['W'], values['U'],
                              values['b'], k)
    for name in expected:
        np.testing.assert_allclose(got[k][name], expected[name], rtol=1e-10, atol=1e-13,
                                   err_msg=name)


def test_truncate_gradient_longer_than_the_loop_is_the_full_gradient():
    x, h0 = T.matrix('x'), T.vector('h0')
    W = T.matrix('W')
    hs, _ = theano.scan(lambda x_t, h, W: T.tanh(x_t + T.dot(h, W)), sequences=x,
                        outputs_info=h0, non_sequences=W, truncate_gradient=3)
    cost = T.sum(hs ** 2)
    f = theano.function([x, h0, W], T.grad(cost, [x, h0, W]))
    rng = rng_for(14)
    xv, h0v, Wv = rng.uniform(-1, 1, (4, 2)), rng.uniform(-1, 1, 2), rng.uniform(-1, 1, (2, 2))

    def ref(xv, h0v, Wv, steps):
        hs_ = [h0v]
        for x_t in xv:
            hs_.append(np.tanh(x_t + hs_[-1].dot(Wv)))
        gx, gW, carry = np.zeros_like(xv), np.zeros_like(Wv), np.zeros(2)
        for t in range(len(xv) - 1, len(xv) - 1 - steps, -1):
            g_pre = (2 * hs_[t + 1] + carry) * (1 - hs_[t + 1] ** 2)
            gx[t] = g_pre
            gW += np.outer(hs_[t], g_pre)
            carry = Wv.dot(g_pre)
        return gx, (carry if steps == len(xv) else np.zeros(2)), gW

    for n, steps in [(4, 3), (3, 3), (2, 2)]:
        got = f(xv[:n], h0v, Wv)
        for name, g, e in zip(['x', 'h0', 'W'], got, ref(xv[:n], h0v, Wv, steps)):
            np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-13, err_msg='%d %s' % (n, name))
    # the untruncated part agrees with finite differences when the whole loop is covered
    full = central_difference(
        lambda xv_, h0v_, Wv_: np.sum(np.array(_tanh_loop(xv_, h0v_, Wv_)) ** 2),
        [xv[:3], h0v, Wv])
    for g, e in zip(f(xv[:3], h0v, Wv), full):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-8)


def _tanh_loop(xv, h0v, Wv):
    out, h = [], h0v
    for x_t in xv:
        h = np.tanh(x_t + h.dot(Wv))
        out.append(h)
    return out


def test_nested_scan_gradient_finite_differences():
    # the step of the outer scan runs an inner scan over the rows of its slice
    X = T.tensor3('X')
    h0 = T.vector('h0')
    W = theano.shared(rng_for(15).uniform(-1, 1, (2, 2)), name='W')

    def outer_step(X_t, h):
        inner, _ = theano.scan(lambda r, g: T.tanh(T.dot(g, W) + r), sequences=X_t,
                               outputs_info=h)
        return inner[-1] * 0.9 + inner.sum(axis=0) * 0.1

    hs, _ = theano.scan(outer_step, sequences=X, outputs_info=h0)
    cost = T.sum(hs ** 2) + T.sum(hs[-1])
    gX, gh0, gW = T.grad(cost, [X, h0, W])
    f = theano.function([X, h0], [cost, gX, gh0, gW])
    rng = rng_for(16)
    Xv, h0v = rng.uniform(-1, 1, (3, 4, 2)), rng.uniform(-1, 1, 2)

    def ref(Xv, h0v, Wv):
        h, outs = h0v, []
        for X_t in Xv:
            g, rows = h, []
            for r in X_t:
                g = np.tanh(g.dot(Wv) + r)
                rows.append(g)
            h = rows[-1] * 0.9 + np.sum(rows, axis=0) * 0.1
            outs.append(h)
        outs = np.array(outs)
        return np.sum(outs ** 2) + np.sum(outs[-1])

    Wv = W.get_value()
    got = f(Xv, h0v)
    assert_close(got[0], ref(Xv, h0v, Wv))
    for name, g, e in zip(['X', 'h0', 'W'], got[1:], central_difference(ref, [Xv, h0v, Wv])):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-8, err_msg=name)


def test_gradient_of_map_over_shared_weights():
    x = T.matrix('x')
    W = theano.shared(rng_for(17).uniform(-1, 1, (3, 2)), name='W')
    out, _ = theano.map(lambda x_t: T.nnet.sigmoid(T.dot(x_t, W)), sequences=x)
    cost = T.sum(out ** 2)
    f = theano.function([x], T.grad(cost, [x, W]))
    xv = rng_for(18).uniform(-1, 1, (4, 3))

    def ref(xv, Wv):
        return np.sum((1 / (1 + np.exp(-xv.dot(Wv)))) ** 2)

    for g, e in zip(f(xv), central_difference(ref, [xv, W.get_value()])):
        np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-8)


# =======================================================================================
# Errors
# =======================================================================================

def test_error_step_dtype_differs_from_outputs_info():
    x = T.matrix('x')
    h0 = T.fvector('h0')
    with pytest.raises(TypeError) as info:
        theano.scan(lambda x_t, h: h + x_t, sequences=x, outputs_info=[h0])
    message = str(info.value)
    assert 'TensorType(float32, vector)' in message
    assert 'TensorType(float64, vector)' in message
    assert 'outputs_info[0]' in message


def test_error_names_the_output_that_differs():
    # outputs_info = [None, h0]: the failing output is the second one, outputs_info[1]
    x = T.matrix('x')
    h0 = T.fvector('h0')
    with pytest.raises(TypeError) as info:
        theano.scan(lambda x_t, h: [x_t * 2, h + x_t], sequences=x, outputs_info=[None, h0])
    message = str(info.value)
    assert 'TensorType(float32, vector)' in message
    assert 'TensorType(float64, vector)' in message
    assert 'outputs_info[1]' in message
    assert 'outputs_info[0]' not in message


def test_error_names_the_output_after_a_mit_sot():
    # a sit-sot listed before a mit-sot: the failing one is outputs_info[1]
    x = T.matrix('x')
    h0, y0 = T.vector('h0'), T.fmatrix('y0')
    with pytest.raises(TypeError) as info:
        theano.scan(lambda x_t, h, a, b: [h + x_t, a + b + x_t], sequences=x,
                    outputs_info=[h0, dict(initial=y0, taps=[-2, -1])])
    message = str(info.value)
    assert 'outputs_info[1]' in message
    assert 'TensorType(float32, vector)' in message
    assert 'TensorType(float64, vector)' in message


def test_error_step_broadcastable_differs_from_outputs_info():
    x = T.matrix('x')
    h0 = T.TensorType('float64', (True,))('h0')
    with pytest.raises(TypeError) as info:
        theano.scan(lambda x_t, h: h + x_t, sequences=x, outputs_info=[h0])
    message = str(info.value)
    assert 'TensorType(float64, (True,))' in message
    assert 'TensorType(float64, vector)' in message
    assert 'outputs_info[0]' in message


def test_error_number_of_outputs():
    x, h0 = T.matrix('x'), T.vector('h0')
    with pytest.raises(ValueError, match='outputs_info'):
        theano.scan(lambda x_t, h: [h + x_t, x_t], sequences=x, outputs_info=[h0])
    with pytest.raises(ValueError, match='outputs_info'):
        theano.scan(lambda x_t, h: h + x_t, sequences=x, outputs_info=[h0, None])


def test_error_no_number_of_steps():
    with pytest.raises(ValueError):
        theano.scan(lambda h: h * 2, outputs_info=T.vector('h0'))


def test_error_float_n_steps():
    with pytest.raises(ValueError, match='n_steps'):
        theano.scan(lambda h: h * 2, outputs_info=T.vector('h0'), n_steps=T.scalar('n'))


def test_error_sequence_shorter_than_fixed_n_steps():
    x = T.matrix('x')
    out, _ = theano.scan(lambda x_t: x_t * 2, sequences=x, n_steps=7)
    f = theano.function([x], out)    # building and compiling succeed
    assert_close(f(np.ones((7, 2))), np.full((7, 2), 2.0))
    with pytest.raises(ValueError):
        f(np.ones((5, 2)))


def test_error_sequence_shorter_than_symbolic_n_steps():
    x, n = T.matrix('x'), T.iscalar('n')
    out, _ = theano.scan(lambda x_t: x_t * 2, sequences=x, n_steps=n)
    f = theano.function([x, n], out)
    assert_close(f(np.ones((5, 2)), 3), np.full((3, 2), 2.0))
    with pytest.raises(ValueError):
        f(np.ones((5, 2)), 7)
    assert_close(f(np.ones((5, 2)), 5), np.full((5, 2), 2.0))


def test_error_strict_with_implicit_shared():
    x = T.matrix('x')
    W = theano.shared(np.ones((3, 3)), name='W')
    with pytest.raises(Exception, match='W'):
        theano.scan(lambda x_t: T.dot(x_t, W), sequences=x, strict=True)
    # passing it makes strict happy
    out, _ = theano.scan(lambda x_t, W_: T.dot(x_t, W_), sequences=x, non_sequences=W,
                         strict=True)
    assert_close(theano.function([x], out)(np.ones((2, 3))), np.full((2, 3), 3.0))


ZERO_STEPS = textwrap.dedent("""
    import numpy as np
    import symgraph as theano
    import symgraph.tensor as T
    A, k = T.vector('A'), T.iscalar('k')
    r, _ = theano.scan(lambda prior, A: prior * A, outputs_info=T.ones_like(A),
                       non_sequences=A, n_steps=k)
    f = theano.function([A, k], r)
    m, _ = theano.map(lambda a: a * 2, sequences=A)
    g = theano.function([A], m)
    for name, call in [('n_steps=0', lambda: f(np.arange(3.0), 0)),
                       ('empty sequence', lambda: g(np.zeros(0)))]:
        try:
            print(name, 'shape', np.asarray(call()).shape, flush=True)
        except Exception as e:
            print(name, 'raised', type(e).__name__, flush=True)
    """)


def test_zero_steps_do_not_crash_the_process():
    # Theano 1.0.5 raises NotImplementedError for a loop of zero steps; a loop of zero
    # steps must give zero rows or raise, never abort the interpreter
    lines = run_child(ZERO_STEPS, timeout=120)
    assert lines[0] in ('n_steps=0 shape (0, 3)', 'n_steps=0 raised NotImplementedError',
                        'n_steps=0 raised ValueError'), lines
    assert lines[1] in ('empty sequence shape (0,)', 'empty sequence raised NotImplementedError',
                        'empty sequence raised ValueError'), lines


# =======================================================================================
# Index checks inside the loop
# =======================================================================================

@pytest.fixture(scope='module')
def lookup():
    E = theano.shared(np.arange(12.0).reshape(4, 3), name='E')
    calls = theano.shared(np.float64(0), name='calls')
    i = T.ivector('i')
    rows, _ = theano.scan(lambda i_t: E[i_t] * 2, sequences=i)
    f = theano.function([i], rows, updates=[(calls, calls + 1), (E, E * 2)])
    return E, calls, f


def test_index_in_range_inside_loop(lookup):
    E, calls, f = lookup
    before = E.get_value()
    assert_close(f(np.array([0, 3, -4], dtype='int32')), before[[0, 3, -4]] * 2)
    assert_close(E.get_value(), before * 2)


@pytest.mark.parametrize('bad', [4, -5, 100])
def test_index_out_of_range_inside_loop(lookup, bad):
    E, calls, f = lookup
    before_E, before_calls = E.get_value(), calls.get_value()
    with pytest.raises(IndexError):
        f(np.array([0, bad, 1], dtype='int32'))
    # the failed call updated nothing
    assert_close(E.get_value(), before_E)
    assert calls.get_value() == before_calls
    # and the function still works
    assert_close(f(np.array([1], dtype='int32')), before_E[[1]] * 2)


def test_index_out_of_range_in_nested_loop():
    M = theano.shared(np.arange(6.0).reshape(3, 2), name='M')
    I = T.imatrix('I')
    out, _ = theano.scan(lambda row: theano.map(lambda j: M[j].sum(), sequences=row)[0],
                         sequences=I)
    f = theano.function([I], out)
    assert_close(f(np.array([[0, 2], [1, 1]], dtype='int32')), [[1.0, 9.0], [5.0, 5.0]])
    with pytest.raises(IndexError):
        f(np.array([[0, 2], [1, 3]], dtype='int32'))


# =======================================================================================
# until
# =======================================================================================

def test_until_stops_the_loop():
    from symgraph.scan_module import until
    h0 = T.scalar('h0')
    out, _ = theano.scan(lambda h: (h * 2, until(h * 2 > 50)), outputs_info=h0, n_steps=20)
    f = theano.function([h0], out)
    # the step that makes the condition true is the last one kept (Theano 1.0.5)
    assert_close(f(1.0), [2.0, 4.0, 8.0, 16.0, 32.0, 64.0])
    assert_close(f(100.0), [200.0])
    assert f(1e-9).shape == (20,)
    x = T.vector('x')
    out, _ = theano.scan(lambda a: (a + 1, until(T.eq(a, 3))), sequences=x)
    assert_close(theano.function([x], out)(np.array([1.0, 2.0, 3.0, 4.0, 5.0])),
                 [2.0, 3.0, 4.0])


# =======================================================================================
# Lop, Rop and blocked gradients inside the step
# =======================================================================================

def test_rop_and_lop_through_a_loop(rnn):
    """Jacobian-vector and vector-Jacobian products of the hidden states with respect to
    W, against central differences of the numpy loop."""
    v = rnn['values']
    x, h0 = T.matrix('x'), T.vector('h0')
    W, U, b = (rnn['shared'][k] for k in 'WUb')
    hs, _ = theano.scan(lambda x_t, h: T.tanh(T.dot(x_t, W) + T.dot(h, U) + b),
                        sequences=x, outputs_info=h0)
    direction, cotangent = T.matrix('direction'), T.matrix('cotangent')
    f = theano.function([x, h0, direction, cotangent],
                        [theano.gradient.Rop(hs, W, direction), theano.gradient.Lop(hs, W, cotangent)])
    rng = rng_for(5)
    dv, cv = rng.uniform(-1, 1, v['W'].shape), rng.uniform(-1, 1, (RNN_N, RNN_H))
    jvp, vjp = f(v['x'], v['h0'], dv, cv)

    def states(Wv):
        h, rows = v['h0'], []
        for x_t in v['x']:
            h = np.tanh(x_t.dot(Wv) + h.dot(v['U']) + v['b'])
            rows.append(h)
        return np.array(rows)
    eps = 1e-6
    assert_close(jvp, (states(v['W'] + eps * dv) - states(v['W'] - eps * dv)) / (2 * eps),
                 rtol=1e-6, atol=1e-8)
    fd = central_difference(lambda Wv: np.sum(states(Wv) * cv), [v['W']])[0]
    assert_close(vjp, fd, rtol=1e-6, atol=1e-8)


def test_disconnected_grad_inside_the_step():
    """A state passed through disconnected_grad carries no gradient back through time:
    only each step's direct dependence on w counts."""
    w, h0 = T.dscalar('w'), T.dscalar('h0')
    hs, _ = theano.scan(lambda h, w: theano.gradient.disconnected_grad(h) * w,
                        outputs_info=h0, non_sequences=w, n_steps=4)
    f = theano.function([h0, w], [T.sum(hs), T.grad(T.sum(hs), w)])
    total, slope = f(2.0, 3.0)
    states = [2.0 * 3.0 ** k for k in range(5)]  # h_0 .. h_4
    assert total == pytest.approx(sum(states[1:]))
    assert slope == pytest.approx(sum(states[:4]))  # d(h_{k-1} * w)/dw with h_{k-1} fixed


def test_default_updates_of_shared_variables_apply_at_every_step():
    """A shared variable with a default_update, read by the step, is updated at every
    step, and the scan returns its last value in its updates (as Theano does)."""
    counter = theano.shared(np.float64(0.0), name='counter')
    counter.default_update = counter + 1
    x = T.dvector('x')
    out, updates = theano.scan(lambda x_t: x_t + counter, sequences=x)
    assert counter in updates
    f = theano.function([x], out, updates=updates)
    np.testing.assert_array_equal(f(np.zeros(3)), [0., 1., 2.])
    assert counter.get_value() == 3.0
    np.testing.assert_array_equal(f(np.zeros(2)), [3., 4.])
    assert counter.get_value() == 5.0
