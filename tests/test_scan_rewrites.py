"""Rewrites inside scan loops: the step graph is stabilized and simplified like any graph,
and what the step computes from the non-sequences alone is hoisted before the loop; the
results stay those of a numpy loop."""
import numpy as np

import symgraph as theano
import symgraph.tensor as T
from symgraph.graph.basic import Constant, toposort
from symgraph.scan_module import Scan
from symgraph.tensor.nnet import LogSoftmax


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
