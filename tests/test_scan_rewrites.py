"""Rewrites inside scan loops: the step graph is stabilized and simplified like any graph,
and what the step computes from the non-sequences alone is hoisted before the loop; a
gradient's backward loop reads recorded values, in place and last row first; the results
stay those of a numpy loop."""
import numpy as np

import symgraph as theano
import symgraph.tensor as T
from symgraph.graph.basic import Constant, toposort
from symgraph.scan_module import Scan
from symgraph.tensor.basic import Dot
from symgraph.tensor.nnet import LogSoftmax
from symgraph.tensor.subtensor import Subtensor


def _scan_nodes(fn):
    outputs, nodes = fn.printable_outputs()
    return [node for node in nodes if isinstance(node.op, Scan)]


def _invariant_nodes(scan_node):
    """Inner nodes that read only non-sequences and constants."""
    op = scan_node.op
    invariant = set(op.inner.inputs[op.info.n_seqs + op.n_taps:])
    found = []
    for node in toposort(op.inner.outputs):
        if all(i in invariant or isinstance(i, Constant) for i in node.inputs):
            invariant.update(node.outputs)
            found.append(node)
    return found


def test_step_graph_is_stabilized_and_invariants_hoisted():
    rng = np.random.RandomState(0)
    x, h0 = T.dmatrix('x'), T.dvector('h0')
    W = theano.shared(rng.randn(3, 3), name='W')
    c = T.dvector('c')

    def step(x_t, h_tm1, W, c):
        h = T.tanh(T.dot(x_t, W.T * 2) + h_tm1 + T.exp(c))
        return h, T.log(T.nnet.softmax(h.dimshuffle('x', 0)))[0]

    (h, logp), _ = theano.scan(step, sequences=x, outputs_info=[h0, None],
                               non_sequences=[W, c])
    f = theano.function([x, h0, c], [h, logp])
    (scan_node,) = _scan_nodes(f)
    inner_ops = [node.op for node in toposort(scan_node.op.inner.outputs)]
    assert any(isinstance(op, LogSoftmax) for op in inner_ops)
    assert not _invariant_nodes(scan_node)

    xv, hv, cv = rng.randn(6, 3), rng.randn(3), rng.randn(3)
    got_h, got_logp = f(xv, hv, cv)
    Wv, state = W.get_value(), hv
    for t in range(6):
        state = np.tanh(xv[t] @ (Wv.T * 2) + state + np.exp(cv))
        z = state - state.max()
        np.testing.assert_allclose(got_h[t], state, rtol=1e-12)
        np.testing.assert_allclose(got_logp[t], z - np.log(np.exp(z).sum()), rtol=1e-12)


def test_gradient_loops_read_recorded_values_read_backwards_and_keep_only_the_last_rows():
    # The backward loop reads the step's tanh from the forward loop's output rows (it
    # computes it neither again nor from a recorded pre-activation), and the cost reads
    # that same loop. The backward loop's running sums (the gradients of W and U) and its
    # owed state gradient are read only at their last row: their buffers hold that row
    # alone.
    rng = np.random.RandomState(1)
    x, h0 = T.dmatrix('x'), T.dvector('h0')
    W = theano.shared(rng.randn(3, 4) * 0.5, name='W')
    U = theano.shared(rng.randn(4, 4) * 0.5, name='U')
    h, _ = theano.scan(lambda x_t, h_tm1, W, U: T.tanh(T.dot(x_t, W) + T.dot(h_tm1, U)),
                       sequences=x, outputs_info=h0, non_sequences=[W, U])
    grads = theano.grad(T.sum(h[-1] ** 2), [W, U, h0, x])
    f = theano.function([x, h0], grads)
    backward, forward = sorted(_scan_nodes(f), key=lambda node: str(node.op))
    assert str(backward.op) == 'for{cpu,grad_of_scan_fn}'
    assert forward.op.info.last_only == ()  # its rows are all read by the backward loop
    assert forward.op.info.n_stash == 0  # nothing recorded but the states
    assert not [node for node in backward.op.inner.nodes if 'tanh' in str(node.op)]
    products = [node for node in backward.op.inner.nodes if isinstance(node.op, Dot)]
    assert len(products) == 4, products  # W's, U's, x's and h's gradients, no forward dot
    assert backward.op.info.last_only == tuple(range(backward.op.n_states))
    # It reads its sequences in place, last row first: no reversed copy is made, neither
    # of what it reads nor of the rows of x's gradient it writes.
    assert backward.op.info.reverse and not forward.op.info.reverse
    assert not [node for node in f.printable_outputs()[1] if isinstance(node.op, Subtensor)
                and any(isinstance(e, slice) and e.step is not None for e in node.op.idx_list)]

    xv, hv = rng.randn(6, 3), rng.randn(4)
    Wv, Uv = W.get_value(), U.get_value()
    states = [hv]
    for x_t in xv:
        states.append(np.tanh(x_t @ Wv + states[-1] @ Uv))
    gW, gU, gx = np.zeros_like(Wv), np.zeros_like(Uv), np.zeros_like(xv)
    g_h = 2 * states[-1]
    for t in reversed(range(6)):  # backpropagation through time
        g_pre = g_h * (1 - states[t + 1] ** 2)
        gW += np.outer(xv[t], g_pre)
        gU += np.outer(states[t], g_pre)
        gx[t] = Wv @ g_pre
        g_h = Uv @ g_pre
    for got, want in zip(f(xv, hv), (gW, gU, g_h, gx)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_gradient_loops_record_the_step_values_they_read_that_no_output_holds():
    # h_t = tanh(x_t W) * sigmoid(h_{t-1} U): the backward step needs both factors, which
    # no output of the loop holds; the forward loop records them, once each, and the
    # backward loop computes neither again.
    rng = np.random.RandomState(2)
    x, h0 = T.dmatrix('x'), T.dvector('h0')
    W = theano.shared(rng.randn(3, 4) * 0.5, name='W')
    U = theano.shared(rng.randn(4, 4) * 0.5, name='U')
    h, _ = theano.scan(lambda x_t, h_tm1, W, U: T.tanh(T.dot(x_t, W)) *
                       T.nnet.sigmoid(T.dot(h_tm1, U)),
                       sequences=x, outputs_info=h0, non_sequences=[W, U])
    f = theano.function([x, h0], theano.grad(T.sum(h[-1] ** 2), [W, U]))
    backward, forward = sorted(_scan_nodes(f), key=lambda node: str(node.op))
    recorded = forward.op.inner.outputs[-forward.op.info.n_stash:]
    assert sorted(str(var.owner.op) for var in recorded) == [
        'Elemwise{tanh,no_inplace}', 'sigmoid']
    assert not [node for node in backward.op.inner.nodes
                if 'tanh' in str(node.op) or 'sigmoid' in str(node.op)]

    xv, hv = rng.randn(5, 3), rng.randn(4)
    Wv, Uv = W.get_value(), U.get_value()
    states, factors = [hv], []
    for x_t in xv:
        a, b = np.tanh(x_t @ Wv), 1 / (1 + np.exp(-(states[-1] @ Uv)))
        factors.append((a, b))
        states.append(a * b)
    gW, gU, g_h = np.zeros_like(Wv), np.zeros_like(Uv), 2 * states[-1]
    for t in reversed(range(5)):  # backpropagation through time
        a, b = factors[t]
        gW += np.outer(xv[t], g_h * b * (1 - a ** 2))
        g_u = g_h * a * b * (1 - b)
        gU += np.outer(states[t], g_u)
        g_h = Uv @ g_u
    for got, want in zip(f(xv, hv), (gW, gU)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
