"""``theano.OpFromGraph``: a graph used as one op.

The op carries its graph as an ``InnerGraph``; it is lowered in the outer program's
lowering context, and differentiated symbolically by another OpFromGraph whose inner graph
is the gradient of this one (inputs, outputs and output gradients in, one gradient per
input out), as Theano builds it. Shared variables the graph reads become implicit inputs.
"""
from symgraph.config import change_flags
from symgraph.gradient import backpropagate
from symgraph.graph.basic import Apply, Op
from symgraph.graph.inner import InnerGraph
from symgraph.tensor import elemwise as ew
from symgraph.tensor.var import as_tensor_variable


class OpFromGraph(Op):
    """``OpFromGraph(inputs, outputs)(*values)`` computes ``outputs`` from ``values`` in
    place of ``inputs``. ``inline`` only changes the printed name (XLA sees through the op
    either way); ``name`` is accepted for Theano's signature."""

    __props__ = ('inner', 'inline')
    wants_lowering = True

    def __init__(self, inputs, outputs, inline=False, name=None, **overrides):
        unsupported = [k for k, v in overrides.items() if v not in (None, 'default')]
        if unsupported:
            raise NotImplementedError('OpFromGraph: %s are not supported; the gradient is '
                                      'always derived from the graph' % ', '.join(unsupported))
        single = not isinstance(outputs, (list, tuple))
        outputs = [outputs] if single else list(outputs)
        probe = InnerGraph(inputs, outputs)
        self.shared_inputs = probe.outer_leaves()
        self.inner = InnerGraph(list(inputs) + self.shared_inputs, outputs) \
            if self.shared_inputs else probe
        self.n_explicit = len(inputs)
        self.inline = inline
        self._grad_op = None

    def __str__(self):
        return 'OpFromGraph{inline=%s}' % self.inline

    def make_node(self, *inputs):
        """Apply to the explicit inputs (the shared ones are added), or to all of them
        (when a graph is cloned with replacements)."""
        if len(inputs) == self.n_explicit:
            inputs = inputs + tuple(self.shared_inputs)
        if len(inputs) != len(self.inner.inputs):
            raise TypeError('%s takes %d inputs, got %d' % (self, self.n_explicit, len(inputs)))
        inputs = [as_tensor_variable(v) for v in inputs]
        for value, expected in zip(inputs, self.inner.inputs):
            if value.type != expected.type:
                raise TypeError('Wrong type, expected %s but got %s (the input %s of %s)'
                                % (expected.type, value.type, value, self))
        return Apply(self, inputs, [var.type for var in self.inner.outputs])

    def jax_impl(self, node, *values, lowering):
        outputs = lowering.lower(self.inner, values)
        return tuple(outputs) if len(outputs) > 1 else outputs[0]

    def grad(self, node, output_grads):
        output_grads = [ew.zeros_like(out) if g is None else g
                        for out, g in zip(node.outputs, output_grads)]
        grads = self.gradient_op()(*(node.inputs + node.outputs + output_grads))
        return list(grads) if isinstance(grads, (list, tuple)) else [grads]

    def gradient_op(self):
        """The OpFromGraph of this one's gradient (made once)."""
        if self._grad_op is None:
            with change_flags(compute_test_value='off'):  # fresh inputs: no test values
                self._grad_op = self._make_gradient_op()
        return self._grad_op

    def _make_gradient_op(self):
        inner = self.inner
        seeds = [out.type() for out in inner.outputs]
        found = backpropagate(dict(zip(inner.outputs, seeds)), inner.inputs)
        grads = [found.get(var) if found.get(var) is not None else ew.zeros_like(var)
                 for var in inner.inputs]
        return OpFromGraph(inner.inputs + inner.outputs + seeds, grads)

