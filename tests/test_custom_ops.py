"""Ops written the Theano way (theano.Op with perform, as_op) and ops given as JAX
functions, inside compiled functions: the examples of Theano's doc/extending
(extending_theano.txt and extending_theano_solution_1.py), checked against numpy."""
import jax.numpy as jnp
import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.compile.ops import as_jax_op, as_op
from symgraph.gradient import verify_grad
from symgraph.tensor.type import upcast


# -- doc/extending/extending_theano.txt, as written ---------------------------------------
class DoubleOp1(theano.Op):
    __props__ = ()

    def make_node(self, x):
        x = theano.tensor.as_tensor_variable(x)
        # Note: using x_.type() is dangerous, as it copies x's broadcasting behaviour
        return theano.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        z = output_storage[0]
        z[0] = x * 2

    def infer_shape(self, node, i0_shapes):
        return i0_shapes

    def grad(self, inputs, output_grads):
        return [output_grads[0] * 2]

    def R_op(self, inputs, eval_points):
        if eval_points[0] is None:
            return eval_points
        return self.grad(inputs, eval_points)


class DoubleOp2(theano.Op):
    __props__ = ()
    itypes = [theano.tensor.dmatrix]
    otypes = [theano.tensor.dmatrix]

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        z = output_storage[0]
        z[0] = x * 2

    def infer_shape(self, node, i0_shapes):
        return i0_shapes

    def grad(self, inputs, output_grads):
        return [output_grads[0] * 2]


class AXPBOp(theano.Op):
    """This creates an Op that takes x to a*x+b."""
    __props__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b
        super(AXPBOp, self).__init__()

    def make_node(self, x):
        x = theano.tensor.as_tensor_variable(x)
        return theano.Apply(self, [x], [x.type()])

    def perform(self, node, inputs, output_storage):
        x = inputs[0]
        z = output_storage[0]
        z[0] = self.a * x + self.b

    def infer_shape(self, node, i0_shapes):
        return i0_shapes


# -- doc/extending/extending_theano_solution_1.py (theano.scalar.upcast -> upcast) --------
class ProdOp(theano.Op):
    def __eq__(self, other):
        return type(self) == type(other)

    def __hash__(self):
        return hash(type(self))

    def __str__(self):
        return self.__class__.__name__

    def make_node(self, x, y):
        x = theano.tensor.as_tensor_variable(x)
        y = theano.tensor.as_tensor_variable(y)
        outdim = x.ndim
        output = (theano.tensor.TensorType
                  (dtype=upcast(x.dtype, y.dtype), broadcastable=[False] * outdim)())
        return theano.Apply(self, inputs=[x, y], outputs=[output])

    def perform(self, node, inputs, output_storage):
        x, y = inputs
        z = output_storage[0]
        z[0] = x * y

    def infer_shape(self, node, i0_shapes):
        return [i0_shapes[0]]

    def grad(self, inputs, output_grads):
        return [output_grads[0] * inputs[1], output_grads[0] * inputs[0]]


class SumDiffOp(theano.Op):
    def __eq__(self, other):
        return type(self) == type(other)

    def __hash__(self):
        return hash(type(self))

    def __str__(self):
        return self.__class__.__name__

    def make_node(self, x, y):
        x = theano.tensor.as_tensor_variable(x)
        y = theano.tensor.as_tensor_variable(y)
        outdim = x.ndim
        output1 = T.TensorType(dtype=upcast(x.dtype, y.dtype), broadcastable=[False] * outdim)()
        output2 = T.TensorType(dtype=upcast(x.dtype, y.dtype), broadcastable=[False] * outdim)()
        return theano.Apply(self, inputs=[x, y], outputs=[output1, output2])

    def perform(self, node, inputs, output_storage):
        x, y = inputs
        z1, z2 = output_storage
        z1[0] = x + y
        z2[0] = x - y

    def infer_shape(self, node, i0_shapes):
        return [i0_shapes[0], i0_shapes[0]]

    def grad(self, inputs, output_grads):
        og1, og2 = output_grads
        if og1 is None:
            og1 = theano.tensor.zeros_like(og2)
        if og2 is None:
            og2 = theano.tensor.zeros_like(og1)
        return [og1 + og2, og1 - og2]


def test_double_op_as_in_the_docs():
    x = theano.tensor.matrix()
    inp = np.random.rand(5, 4)
    for op in (DoubleOp1(), DoubleOp2()):
        f = theano.function([x], op(x))
        np.testing.assert_allclose(f(inp), inp * 2)
    assert str(DoubleOp1()) == 'DoubleOp1'


def test_props_give_equality_and_the_printed_name():
    mult4plus5op, another, mult2plus3op = AXPBOp(4, 5), AXPBOp(4, 5), AXPBOp(2, 3)
    assert mult4plus5op == another and hash(mult4plus5op) == hash(another)
    assert mult4plus5op != mult2plus3op
    assert str(mult4plus5op) == 'AXPBOp{a=4, b=5}'
    x = theano.tensor.matrix()
    f = theano.function([x], mult4plus5op(x))
    g = theano.function([x], mult2plus3op(x))
    inp = np.random.rand(5, 4).astype(np.float32)
    np.testing.assert_allclose(f(inp), 4 * inp + 5)
    np.testing.assert_allclose(g(inp), 2 * inp + 3)


def test_ops_without_props_are_equal_only_to_themselves():
    class Scale(theano.Op):
        def __init__(self, k):
            self.k = k

        def make_node(self, x):
            x = T.as_tensor_variable(x)
            return theano.Apply(self, [x], [x.type()])

        def perform(self, node, inputs, out):
            out[0][0] = inputs[0] * self.k
    a, b = Scale(2), Scale(3)
    assert a != b and a == a
    x = T.vector('x')
    f = theano.function([x], [a(x), b(x)])  # the merge rewrite must not merge them
    two, three = f(np.ones(2))
    np.testing.assert_allclose(two, 2)
    np.testing.assert_allclose(three, 3)


def test_the_rest_of_the_program_stays_jitted_and_updates_apply():
    x = T.matrix('x')
    W = theano.shared(np.ones((4, 3)), name='W')
    cost = T.tanh(T.dot(DoubleOp1()(x), W)).sum()
    train = theano.function([x], cost, updates=[(W, W - 0.1 * T.grad(cost, W))])
    inp = np.random.RandomState(0).rand(5, 4)
    w = np.ones((4, 3))
    for _ in range(3):
        h = np.tanh((2 * inp) @ w)
        expected_cost = h.sum()
        grad_w = (2 * inp).T @ (1 - h ** 2)
        np.testing.assert_allclose(train(inp), expected_cost)
        w = w - 0.1 * grad_w
        np.testing.assert_allclose(W.get_value(), w)
    assert 'callback' in train.xla_text()


def test_grad_through_a_theano_op():
    x = T.matrix('x')
    g = theano.function([x], T.grad((DoubleOp1()(x) ** 2).sum(), x))
    inp = np.random.rand(3, 2)
    np.testing.assert_allclose(g(inp), 8 * inp)
    verify_grad(DoubleOp1(), [np.random.rand(5, 7, 2)], rng=np.random.RandomState(0))
    verify_grad(ProdOp(), [np.random.rand(5, 4), np.random.rand(5, 4)], n_tests=1,
                rng=np.random.RandomState(43))


def test_the_solutions_two_ops():
    x, y = T.matrix('x'), T.matrix('y')
    x_val, y_val = np.random.rand(5, 4), np.random.rand(5, 4)
    np.testing.assert_allclose(theano.function([x, y], ProdOp()(x, y))(x_val, y_val),
                               x_val * y_val)
    s, d = SumDiffOp()(x, y)
    f = theano.function([x, y], [s, d, T.grad((s * d).sum(), x)])
    s_val, d_val, g_val = f(x_val, y_val)
    np.testing.assert_allclose(s_val, x_val + y_val)
    np.testing.assert_allclose(d_val, x_val - y_val)
    np.testing.assert_allclose(g_val, 2 * x_val)  # d/dx (x+y)(x-y)
    # Only one output used: the other's gradient is None, as in Theano.
    np.testing.assert_allclose(theano.function([x, y], T.grad(d.sum(), y))(x_val, y_val), -1)


def test_shapes_without_infer_shape_come_from_a_run_on_zeros():
    class Double(theano.Op):
        __props__ = ()

        def make_node(self, x):
            x = T.as_tensor_variable(x)
            return theano.Apply(self, [x], [x.type()])

        def perform(self, node, inputs, out):
            out[0][0] = inputs[0] * 2
    x = T.vector('x')
    np.testing.assert_allclose(theano.function([x], Double()(x) + 1)(np.arange(3.)),
                               [1, 3, 5])


def test_a_wrong_infer_shape_is_reported_and_loses_nothing():
    class Bad(theano.Op):
        __props__ = ()

        def make_node(self, x):
            x = T.as_tensor_variable(x)
            return theano.Apply(self, [x], [x.type()])

        def perform(self, node, inputs, out):
            out[0][0] = inputs[0][:-1]

        def infer_shape(self, node, shapes):
            return shapes
    x = T.vector('x')
    w = theano.shared(np.zeros(3), name='w')
    f = theano.function([x], Bad()(x).sum(), updates=[(w, w + x)])
    with pytest.raises(Exception, match='infer_shape says'):
        f(np.ones(3))
    np.testing.assert_allclose(w.get_value(), 0)  # the failed call applied no update


def test_symbolic_infer_shape():
    class Head(theano.Op):
        __props__ = ()

        def make_node(self, x):
            x = T.as_tensor_variable(x)
            return theano.Apply(self, [x], [x.type()])

        def perform(self, node, inputs, out):
            out[0][0] = inputs[0][:2]

        def infer_shape(self, node, shapes):
            return [(T.minimum(shapes[0][0], 2),)]
    x = T.vector('x')
    np.testing.assert_allclose(theano.function([x], Head()(x) * 3)(np.arange(5.)), [0, 3])


def test_as_op_from_the_docs():
    @as_op(itypes=[T.dmatrix], otypes=[T.dvector])
    def rowsum(m):
        return m.sum(axis=1)

    @as_op(itypes=[T.dvector], otypes=[T.dvector],
           infer_shape=lambda node, shapes: [(shapes[0][0] - 1,)])
    def diffs(v):
        return np.diff(v)
    m, v = T.dmatrix('m'), T.dvector('v')
    np.testing.assert_allclose(theano.function([m], rowsum(m) * 2)(np.ones((3, 4))), [8, 8, 8])
    np.testing.assert_allclose(theano.function([v], diffs(v))(np.array([1., 4., 9.])), [3, 5])
    assert str(rowsum) == 'FromFunctionOp{rowsum}'
    assert theano.compile.ops.as_op is as_op
    with pytest.raises(NotImplementedError, match='has no grad'):
        T.grad(rowsum(m).sum(), m)


def test_jax_fast_path_is_traced_and_differentiated():
    @as_jax_op(itypes=[T.dvector], otypes=[T.dvector])
    def sin_times(v):
        return jnp.sin(v) * v

    class JaxDouble(theano.Op):
        __props__ = ()
        itypes = [T.dvector]
        otypes = [T.dvector]

        def jax_impl(self, node, x):
            return 2 * x
    v = T.dvector('v')
    f = theano.function([v], [sin_times(v), T.grad(sin_times(v).sum(), v),
                              T.grad((JaxDouble()(v) ** 2).sum(), v)])
    point = np.array([0.5, 1.0])
    out, grad, grad2 = f(point)
    np.testing.assert_allclose(out, np.sin(point) * point)
    np.testing.assert_allclose(grad, np.cos(point) * point + np.sin(point))
    np.testing.assert_allclose(grad2, 8 * point)
    assert 'callback' not in f.xla_text()
    assert not JaxDouble().calls_host and DoubleOp1().calls_host
    # second derivative: the vjp node is differentiated by jax.vjp again
    h = theano.function([v], T.grad(T.grad(sin_times(v).sum(), v).sum(), v))
    np.testing.assert_allclose(h(point), 2 * np.cos(point) - point * np.sin(point))


def test_l_op_and_default_output():
    class TwoOut(theano.Op):
        __props__ = ()
        default_output = 0

        def make_node(self, x):
            x = T.as_tensor_variable(x)
            return theano.Apply(self, [x], [x.type(), x.type()])

        def perform(self, node, inputs, out):
            out[0][0] = inputs[0] * 3
            out[1][0] = inputs[0] * 0

        def infer_shape(self, node, shapes):
            return [shapes[0], shapes[0]]

        def L_op(self, inputs, outputs, output_grads):
            assert len(outputs) == 2
            return [output_grads[0] * 3]
    x = T.vector('x')
    y = TwoOut()(x)
    assert y.owner.outputs[0] is y
    f = theano.function([x], [y, T.grad(y.sum(), x)])
    out, g = f(np.arange(3.))
    np.testing.assert_allclose(out, [0, 3, 6])
    np.testing.assert_allclose(g, 3)


def test_theano_ops_in_eval_scan_and_loop():
    x = T.vector('x')
    np.testing.assert_allclose(DoubleOp1()(x).eval({x: np.array([1., 2.])}), [2, 4])
    seq = T.matrix('seq')
    out, _ = theano.scan(lambda row, acc: acc + DoubleOp1()(row), sequences=seq,
                         outputs_info=T.zeros((2,)))
    np.testing.assert_allclose(theano.function([seq], out[-1])(np.ones((3, 2))), 6)
    i = T.lscalar('i')
    data = theano.shared(np.arange(6.).reshape(3, 2), name='data')
    total = theano.shared(np.zeros(2), name='total')
    step = theano.function([i], [], updates=[(total, total + DoubleOp1()(data[i]))])
    step.loop(i=np.arange(3))
    np.testing.assert_allclose(total.get_value(), 2 * np.arange(6.).reshape(3, 2).sum(0))


def test_compute_test_value_runs_perform():
    x = T.matrix('x')
    x.tag.test_value = np.ones((2, 3))
    with theano.change_flags(compute_test_value='raise'):
        y = DoubleOp1()(x)
    np.testing.assert_allclose(y.tag.test_value, 2)


def test_undefined_and_disconnected_gradients():
    from symgraph.gradient import (DisconnectedType, NullTypeGradError, grad_not_implemented,
                                   grad_undefined)

    class Take(theano.Op):
        __props__ = ()

        def make_node(self, x, i, scale):
            x, i, scale = (T.as_tensor_variable(v) for v in (x, i, scale))
            return theano.Apply(self, [x, i, scale], [T.dscalar()])

        def perform(self, node, inputs, out):
            out[0][0] = inputs[0][inputs[1]] * 2

        def grad(self, inputs, output_grads):
            x, i, scale = inputs
            g = T.zeros_like(x)
            g = T.set_subtensor(g[i], output_grads[0] * 2)
            return [g, grad_undefined(self, 1, i), grad_not_implemented(self, 2, scale)]

    class Ignore(theano.Op):
        __props__ = ()

        def make_node(self, x, y):
            x, y = T.as_tensor_variable(x), T.as_tensor_variable(y)
            return theano.Apply(self, [x, y], [x.type()])

        def perform(self, node, inputs, out):
            out[0][0] = inputs[0] + 0

        def grad(self, inputs, output_grads):
            return [output_grads[0], DisconnectedType()()]
    x, i, s = T.dvector('x'), T.lscalar('i'), T.dscalar('s')
    y = Take()(x, i, s)
    np.testing.assert_allclose(theano.function([x, i], T.grad(y, x), on_unused_input='ignore')(
        np.arange(3.), 1), [0, 2, 0])
    with pytest.raises(NullTypeGradError, match='input 2 .* is not implemented'):
        T.grad(y, s)
    other = T.dvector('other')
    z = Ignore()(x, other)
    np.testing.assert_allclose(T.grad(z.sum(), x).eval({x: np.ones(2), other: np.ones(2)}), 1)
    with pytest.raises(Exception, match='not part of the computational graph'):
        T.grad(z.sum(), other)
