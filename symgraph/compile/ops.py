"""Ops written the Theano way (``theano.Op``, ``theano.compile.ops.as_op``), and ops given as
JAX functions.

A Theano op subclasses ``theano.Op`` (this module's ``Op``) and defines ``make_node``
(returning ``Apply(self, [x], [x.type()])``, or ``itypes``/``otypes`` instead),
``perform(node, inputs, output_storage)``, and optionally ``grad(inputs, output_grads)``,
``infer_shape(node, input_shapes)`` and ``__props__``. Such an op runs inside compiled
functions as it is: its ``perform`` is called on the host through ``jax.pure_callback``,
with numpy arrays, while the rest of the program stays one jitted XLA computation.
XLA must know the shapes of the values a callback returns when it compiles the program:
they come from ``infer_shape`` (called with the input shapes as integers; symbolic
answers are evaluated), or else from running ``perform`` once on the host on zeros of
the input shapes (a ``perform`` whose output shape depends on the input values needs an
``infer_shape``, and one that depends on values cannot run in a compiled function at all).

The fast path: an op that defines ``jax_impl(self, node, *inputs)`` instead of
``perform`` is traced into the program like symgraph's own ops (no callback); without a
``grad`` of its own, its gradient is taken by ``jax.vjp`` of ``jax_impl``, as a graph node
(``JaxVJP``). ``as_jax_op(itypes, otypes)`` makes such an op of a JAX function, as
``as_op`` makes a Theano op of a numpy function.
"""
import functools

import jax
import numpy as np

from symgraph.compile.interpreter import evaluate
from symgraph.gradient import DisconnectedType
from symgraph.graph import basic
from symgraph.graph.basic import Apply, Type, Variable
from symgraph.tensor.var import as_tensor_variable


def _as_type(item):
    """A type given in itypes/otypes: a Type, or a constructor such as ``T.dmatrix``."""
    if isinstance(item, Type):
        return item
    if callable(item):
        made = item()
        if isinstance(made, Variable):
            return made.type
    raise TypeError('itypes and otypes hold types (T.dmatrix, T.TensorType(...)), not %r'
                    % (item,))


def _declares_props(cls):
    return any('__props__' in vars(k) for k in cls.__mro__
               if k is not Op and issubclass(k, Op))


class Op(basic.Op):
    """Theano's ``theano.Op`` / ``theano.gof.Op`` (see the module docstring).

    As in Theano, ops of a class without ``__props__`` are equal only to themselves;
    ``default_output`` is the index of the output that applying the op returns (None: all
    of them); ``grad(inputs, output_grads)`` (or ``L_op(inputs, outputs, output_grads)``)
    has Theano's signature.
    """

    itypes = None
    otypes = None
    default_output = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not _declares_props(cls) and '__eq__' not in vars(cls):
            cls.__eq__ = object.__eq__
            cls.__hash__ = object.__hash__
        if 'grad' in vars(cls):
            cls.grad = _theano_grad(vars(cls)['grad'])
        elif 'L_op' in vars(cls):
            cls.grad = _theano_grad(vars(cls)['L_op'], with_outputs=True)

    # -- building ---------------------------------------------------------------------
    def make_node(self, *inputs):
        """With ``itypes``/``otypes``: check the inputs' types, make fresh outputs."""
        if self.itypes is None or self.otypes is None:
            raise NotImplementedError('%s defines neither make_node nor itypes and otypes'
                                      % type(self).__name__)
        itypes = [_as_type(t) for t in self.itypes]
        if len(inputs) != len(itypes):
            raise ValueError('We expected %d inputs but got %d.' % (len(itypes), len(inputs)))
        inputs = [as_tensor_variable(x) for x in inputs]
        for x, expected in zip(inputs, itypes):
            if x.type != expected:
                raise TypeError('Invalid input type %s (%s) for %s, expected %s'
                                % (x.type, x, self, expected))
        return Apply(self, inputs, [_as_type(t)() for t in self.otypes])

    def __call__(self, *inputs, **kwargs):
        return_list = kwargs.pop('return_list', False)
        outputs = super().__call__(*inputs, return_list=True, **kwargs)
        if self.default_output is not None:
            out = outputs[self.default_output]
            return [out] if return_list else out
        if return_list:
            return outputs
        return outputs[0] if len(outputs) == 1 else outputs

    # -- running ----------------------------------------------------------------------
    @property
    def runs_on_host(self):
        """Whether the op runs its ``perform`` through a host callback (no ``jax_impl``)."""
        return type(self).jax_impl is Op.jax_impl

    @property
    def calls_host(self):
        return self.runs_on_host

    def perform(self, node, inputs, output_storage):
        raise NotImplementedError('%s defines neither perform nor jax_impl, so it cannot be '
                                  'computed' % self)

    def jax_impl(self, node, *values):
        """``perform`` on the host: called directly when the values are known, through
        ``jax.pure_callback`` inside a traced program."""
        host = functools.partial(_perform, self, node)
        if not any(isinstance(v, jax.core.Tracer) for v in values):
            results = host(*values)
        else:
            shapes = self.output_shapes(node, [tuple(np.shape(v)) for v in values])
            specs = tuple(jax.ShapeDtypeStruct(shape, out.type.numpy_dtype)
                          for shape, out in zip(shapes, node.outputs))
            checked = functools.partial(_checked, self, node, host, shapes)
            results = jax.pure_callback(checked, specs, *values, vmap_method='sequential')
        return tuple(results) if len(node.outputs) > 1 else results[0]

    def output_shapes(self, node, input_shapes):
        """The shapes of the outputs, as tuples of ints, for inputs of ``input_shapes``:
        from ``infer_shape``, else from running ``perform`` on zeros."""
        if type(self).infer_shape is not Op.infer_shape:
            return _evaluated_shapes(self, node, input_shapes)
        return _shapes_by_running(self, node, input_shapes)

    def infer_shape(self, node, input_shapes):
        raise NotImplementedError

    def grad(self, inputs, output_grads):
        """The gradient of an op given as a JAX function: ``jax.vjp`` of ``jax_impl``,
        as a graph node. An op that runs ``perform`` needs a ``grad`` of its own."""
        node = inputs if isinstance(inputs, Apply) else None
        if node is None or self.runs_on_host:
            raise NotImplementedError(
                '%s has no grad: define grad(self, inputs, output_grads) in %s'
                % (self, type(self).__name__))
        return JaxVJP(self, len(node.inputs))(*(node.inputs + list(output_grads)),
                                              return_list=True)


def _theano_grad(method, with_outputs=False):
    """A Theano ``grad(inputs, output_grads)`` (or ``L_op(inputs, outputs, output_grads)``)
    as symgraph's gradient walk calls it, with the node in place of its inputs; also
    callable with a list of inputs, as Theano ops call their own grad (``R_op`` returning
    ``self.grad(inputs, eval_points)``)."""
    @functools.wraps(method)
    def grad(self, node_or_inputs, output_grads):
        node = node_or_inputs if isinstance(node_or_inputs, Apply) else None
        inputs = list(node.inputs) if node is not None else list(node_or_inputs)
        if with_outputs:
            outputs = node.outputs if node is not None else self(*inputs, return_list=True)
            result = method(self, inputs, list(outputs), list(output_grads))
        else:
            result = method(self, inputs, list(output_grads))
        return [None if isinstance(getattr(g, 'type', None), DisconnectedType) else g
                for g in result]
    return grad


def _perform(op, node, *values):
    """Run ``op.perform`` on numpy copies of ``values``; the outputs as arrays of the
    outputs' dtypes."""
    destroyed = {i for positions in getattr(op, 'destroy_map', {}).values() for i in positions}
    inputs = [np.array(v) if k in destroyed else np.asarray(v) for k, v in enumerate(values)]
    storage = [[None] for _ in node.outputs]
    op.perform(node, inputs, storage)
    results = []
    for k, (cell, out) in enumerate(zip(storage, node.outputs)):
        if cell[0] is None:
            raise ValueError('%s.perform left output %d unset (output_storage[%d][0])'
                             % (op, k, k))
        results.append(np.asarray(cell[0], dtype=out.type.numpy_dtype))
    return results


def _shapes_by_running(op, node, input_shapes):
    """The output shapes of ``perform`` run on zeros (or, if that fails, ones) of the
    input shapes."""
    failures = []
    for fill in (0, 1):
        dummies = [np.full(shape, fill, dtype=inp.type.numpy_dtype)
                   for shape, inp in zip(input_shapes, node.inputs)]
        try:
            return [np.shape(v) for v in _perform(op, node, *dummies)]
        except Exception as err:
            failures.append('%s: %s' % (type(err).__name__, err))
    raise ValueError(
        '%s: cannot tell the shapes of its outputs, which XLA needs when it compiles the '
        'program: the op has no infer_shape, and its perform failed on inputs of zeros and '
        'of ones of shapes %s (%s). Define infer_shape(node, input_shapes).'
        % (op, input_shapes, '; '.join(failures)))


def _checked(op, node, host, shapes, *values):
    results = host(*values)
    for k, (value, shape) in enumerate(zip(results, shapes)):
        if value.shape != tuple(shape):
            raise ValueError('%s: perform returned output %d of shape %s, but %s says %s (XLA '
                             'compiled the program for that shape)'
                             % (op, k, value.shape, 'infer_shape' if _has_infer_shape(op)
                                else 'a run of perform on zeros', tuple(shape)))
    return tuple(results)


def _has_infer_shape(op):
    return type(op).infer_shape is not Op.infer_shape and \
        getattr(op, 'infer_shape_fn', True) is not None


def _evaluated_shapes(op, node, input_shapes):
    """``op.infer_shape`` with the input shapes as ints; symbolic entries (of constants, or
    of the inputs' shapes) evaluated."""
    answer = op.infer_shape(node, [tuple(int(n) for n in shape) for shape in input_shapes])
    symbolic = [d for shape in answer for d in shape if isinstance(d, Variable)]
    values = {}
    if symbolic:
        given = {inp: np.zeros(shape, inp.type.numpy_dtype)
                 for inp, shape in zip(node.inputs, input_shapes)}
        values = dict(zip(symbolic, evaluate(symbolic, given)))
    return [tuple(int(values[d]) if isinstance(d, Variable) else int(d) for d in shape)
            for shape in answer]


class JaxVJP(basic.Op):
    """The gradient of an op given as a JAX function: inputs, then the gradients of its
    outputs; outputs, the gradients of its inputs (zeros for integer ones)."""

    __props__ = ('op', 'n_inputs')

    def __init__(self, op, n_inputs):
        self.op = op
        self.n_inputs = n_inputs

    def __str__(self):
        return 'JaxVJP{%s}' % self.op

    def make_node(self, *args):
        args = [as_tensor_variable(a) for a in args]
        forward = self.op.make_node(*args[:self.n_inputs])
        return Apply(self, args, [inp.type for inp in forward.inputs])

    def jax_impl(self, node, *values):
        n_in = self.n_inputs
        forward = self.op.make_node(*node.inputs[:n_in])
        primals, cotangents = values[:n_in], values[n_in:]

        def f(*xs):
            out = self.op.jax_impl(forward, *xs)
            return tuple(out) if isinstance(out, (tuple, list)) else (out,)
        outs, vjp = jax.vjp(f, *primals)
        grads = vjp(tuple(jax.numpy.asarray(c, o.dtype) for c, o in zip(cotangents, outs)))
        grads = [jax.numpy.zeros(np.shape(p), inp.type.numpy_dtype)
                 if g is None or g.dtype == jax.dtypes.float0 else g
                 for g, p, inp in zip(grads, primals, node.outputs)]
        return tuple(grads) if len(grads) > 1 else grads[0]

    def grad(self, node, output_grads):
        return JaxVJP(self, len(node.inputs))(*(node.inputs + list(output_grads)),
                                              return_list=True)


class FromFunctionOp(Op):
    """The op ``as_op`` makes of a Python function of numpy arrays."""

    __props__ = ('fn', 'itypes', 'otypes', 'infer_shape_fn')

    def __init__(self, fn, itypes, otypes, infer_shape=None):
        self.fn = fn
        self.itypes = tuple(itypes)
        self.otypes = tuple(otypes)
        self.infer_shape_fn = infer_shape
        functools.update_wrapper(self, fn, updated=())

    def __str__(self):
        return 'FromFunctionOp{%s}' % getattr(self.fn, '__name__', self.fn)

    def perform(self, node, inputs, outputs):
        results = self.fn(*inputs)
        if len(self.otypes) == 1:
            results = [results]
        for cell, value in zip(outputs, results):
            cell[0] = value

    def infer_shape(self, node, input_shapes):
        if self.infer_shape_fn is None:
            raise NotImplementedError
        return self.infer_shape_fn(node, input_shapes)

    def output_shapes(self, node, input_shapes):
        if self.infer_shape_fn is not None:
            return _evaluated_shapes(self, node, input_shapes)
        return _shapes_by_running(self, node, input_shapes)


def as_op(itypes, otypes, infer_shape=None):
    """Theano's decorator: ``@as_op(itypes=[T.dmatrix], otypes=[T.dmatrix])`` makes an op of
    a function of numpy arrays (it runs on the host; see the module docstring), with
    ``infer_shape(node, input_shapes)`` if given. It has no gradient."""
    itypes, otypes = _type_list(itypes, 'itypes'), _type_list(otypes, 'otypes')

    def make(fn):
        return FromFunctionOp(fn, itypes, otypes, infer_shape)
    return make


class JaxFunctionOp(Op):
    """The op ``as_jax_op`` makes of a JAX function: traced into the program."""

    __props__ = ('fn', 'itypes', 'otypes')

    def __init__(self, fn, itypes, otypes):
        self.fn = fn
        self.itypes = tuple(itypes)
        self.otypes = tuple(otypes)
        functools.update_wrapper(self, fn, updated=())

    def __str__(self):
        return 'JaxFunctionOp{%s}' % getattr(self.fn, '__name__', self.fn)

    def jax_impl(self, node, *values):
        result = self.fn(*values)
        if len(node.outputs) == 1:
            return jax.numpy.asarray(result, node.outputs[0].type.numpy_dtype)
        return tuple(jax.numpy.asarray(r, o.type.numpy_dtype)
                     for r, o in zip(result, node.outputs))


def as_jax_op(itypes, otypes):
    """The fast path: ``@as_jax_op(itypes=[T.dmatrix], otypes=[T.dmatrix])`` makes an op of
    a function of JAX arrays, traced into the compiled program (no host callback), with its
    gradient taken by ``jax.vjp``."""
    itypes, otypes = _type_list(itypes, 'itypes'), _type_list(otypes, 'otypes')

    def make(fn):
        return JaxFunctionOp(fn, itypes, otypes)
    return make


def _type_list(types, what):
    if not isinstance(types, (list, tuple)):
        types = [types]
    return [_as_type(t) for t in types]
