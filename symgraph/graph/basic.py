"""The graph IR: Type, Variable, Constant, Apply, Op, and the walks over them.

A graph is a DAG of Apply nodes (an Op applied to input Variables, producing output
Variables). Every walk here is iterative, so a chain 10,000 nodes deep is as easy as a
short one. Nothing in this module knows about tensors, numpy or JAX.
"""
import contextlib
import gc
import linecache
import os
import sys

from symgraph.config import config

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_SKIP_PREFIXES = (_PACKAGE_DIR, '<frozen ')


def user_frame():
    """(filename, line number, function) of the innermost caller outside symgraph.

    Called for every node created, so it only walks frames and reads two attributes;
    the source text is looked up when an error message needs it.
    """
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_SKIP_PREFIXES):
        frame = frame.f_back
    if frame is None:
        return None
    return (frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name)


@contextlib.contextmanager
def paused_gc():
    """Python's cyclic garbage collector paused while a large graph is built or transformed.

    Its full collections scan every live object, and a graph pass creates objects by the
    thousand, so with the collector running graph passes become quadratic in graph size.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def format_trace(trace):
    """A traceback-style two-line description of where a node was created."""
    if trace is None:
        return '  (created inside symgraph)'
    filename, lineno, func = trace
    text = '  File "%s", line %d, in %s' % (filename, lineno, func)
    source = linecache.getline(filename, lineno).strip()
    if source:
        text += '\n    ' + source
    return text


class Type:
    """What values a Variable may hold. Subclasses define equality through ``_props``."""

    _props = ()

    def _key(self):
        return (self.family,) + tuple(getattr(self, p) for p in self._props)

    @property
    def family(self):
        """Types of one family with equal props are equal (a printing variant is no new type)."""
        return type(self)

    def __eq__(self, other):
        return isinstance(other, Type) and self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __call__(self, name=None):
        """Make a fresh input variable of this type, as ``T.matrix('x')`` does."""
        return self.variable_class(self, name=name, trace=user_frame())

    def filter(self, value, strict=False, allow_downcast=None):
        """Return ``value`` converted to this type, or raise TypeError."""
        raise NotImplementedError

    variable_class = None


class Variable:
    """A value in a graph: an input (no owner) or the ``index``-th output of ``owner``."""

    def __init__(self, type, owner=None, index=None, name=None, trace=None):
        self.type = type
        self.owner = owner
        self.index = index
        self.name = name
        self.trace = trace if owner is None else None
        self.tag = _Tag(type)

    @property
    def creation_trace(self):
        """Where the user created this variable (or the node that outputs it)."""
        return self.owner.trace if self.owner is not None else self.trace

    def get_test_value(self):
        """The test value (``compute_test_value``): the value given as
        ``var.tag.test_value``, a constant's or shared variable's value, or for a computed
        variable, the value computed from its inputs' test values. AttributeError if none."""
        if hasattr(self.tag, 'test_value'):
            return self.tag.test_value
        from symgraph.compile.testvalue import test_value  # upward: computing runs the ops
        return test_value(self)

    def __str__(self):
        if self.name is not None:
            return self.name
        if self.owner is not None:
            op = self.owner.op
            if len(self.owner.outputs) == 1:
                return str(op) + '.0'
            return '%s.%d' % (op, self.index)
        return '<%s>' % self.type

    def __repr__(self):
        """The name; under ``config.print_test_value``, and the test value on a second line."""
        if config.print_test_value:
            try:
                return '%s\n%r' % (self, self.get_test_value())
            except AttributeError:
                pass
        return str(self)

    def clone(self):
        """A new input variable of the same type and name (used by givens/clone)."""
        cp = self.__class__(self.type, name=self.name, trace=self.creation_trace)
        cp.tag = self.tag
        return cp

    def __reduce_ex__(self, protocol):
        """A computed variable pickles as the flat, ordered list of the nodes it depends on.

        Pickle would otherwise recurse once per node of depth (a 10,000-node chain exceeds
        Python's recursion limit). Each node in the list refers only to nodes before it and
        to leaves, which pickle records once, so a graph reached from several variables in
        one pickle comes back as one graph, its inputs and shared variables included.
        """
        if self.owner is None:
            return super().__reduce_ex__(protocol)
        return (_output_of, (toposort([self]), self.owner, self.index))


class _Tag:
    """Free-form annotations on a variable (Theano's ``var.tag``). A ``test_value`` is
    checked against the variable's type when it is set, as Theano does."""

    def __init__(self, type=None):
        self.__dict__['_type'] = type

    def __setattr__(self, name, value):
        if name == 'test_value' and self.__dict__.get('_type') is not None:
            value = self.__dict__['_type'].filter(value)
        self.__dict__[name] = value

    def __getattr__(self, name):
        if name == '_type':  # a tag unpickled from before types were recorded
            return None
        raise AttributeError(name)


class Constant(Variable):
    """A variable with a fixed value; equal constants can be merged."""

    def __init__(self, type, data, name=None):
        super().__init__(type, name=name)
        self.data = data

    def signature(self):
        """Hashable identity of the value, for merging equal constants."""
        return (self.type, self.data)

    def clone(self):
        return self

    def get_test_value(self):
        return self.data


class Apply:
    """One application of an Op: inputs, outputs, and the user line that created it."""

    __slots__ = ('op', 'inputs', 'outputs', 'trace', 'tag')

    def __init__(self, op, inputs, outputs, trace=None):
        """``outputs``: the output types; or, as Theano's ops write it
        (``Apply(self, [x], [x.type()])``), fresh variables, which become the outputs."""
        self.op = op
        self.inputs = list(inputs)
        self.outputs = [self._output(item, i) for i, item in enumerate(outputs)]
        self.trace = trace if trace is not None else user_frame()
        self.tag = None

    def _output(self, item, index):
        if isinstance(item, Variable):
            if item.owner is not None:
                raise ValueError('Apply: the output %s of %s is already computed by %s; '
                                 'outputs must be fresh variables (x.type())'
                                 % (item, self.op, item.owner))
            item.owner, item.index, item.trace = self, index, None
            return item
        return item.variable_class(item, owner=self, index=index)

    def default_output(self):
        """The output that ``op(...)`` returns."""
        return self.outputs[0] if len(self.outputs) == 1 else self.outputs

    def clone_with_new_inputs(self, inputs, strict=True):
        """Re-apply the op to new inputs, keeping the original creation trace.

        With ``strict`` the new inputs must have the old types; otherwise the op
        re-infers its output types from them.
        """
        if strict:
            for old, new in zip(self.inputs, inputs):
                if old.type != new.type:
                    raise TypeError('Cannot replace %s of type %s by %s of type %s in %s'
                                    % (old, old.type, new, new.type, self.op))
        node = self.op.make_node(*inputs)
        node.trace = self.trace
        return node

    def __str__(self):
        return '%s(%s)' % (self.op, ', '.join(str(i) for i in self.inputs))

    __repr__ = __str__

    def __reduce__(self):
        """One node, without its ancestors: inputs computed by other nodes are recorded as
        (node, output index), so pickling them does not descend further (see Variable).

        The outputs' attributes come as the node's state, after the node is recorded: an
        attribute may lead back to this node (a random draw's sample keeps its state
        update, which is this node's other output), and pickle resolves such a cycle only
        through an object it has already recorded."""
        inputs = [(i.owner, i.index) if i.owner is not None else i for i in self.inputs]
        classes = [type(o) for o in self.outputs]
        attributes = [{k: v for k, v in vars(o).items() if k != 'owner'} for o in self.outputs]
        return (_rebuild_apply, (self.op, inputs, classes, self.trace, self.tag), attributes)

    def __setstate__(self, attributes):
        for var, state in zip(self.outputs, attributes):
            var.__dict__.update(state)


def _rebuild_apply(op, inputs, classes, trace, tag):
    node = Apply.__new__(Apply)
    node.op, node.trace, node.tag = op, trace, tag
    node.inputs = [i[0].outputs[i[1]] if isinstance(i, tuple) else i for i in inputs]
    node.outputs = []
    for cls in classes:
        var = cls.__new__(cls)
        var.owner = node
        node.outputs.append(var)
    return node


def _output_of(nodes, owner, index):
    """Unpickling a computed variable: ``nodes`` were rebuilt in order just before."""
    return owner.outputs[index]


class Op:
    """An operation. Subclasses put side by side, in one class:

    * ``make_node(*inputs)``: input checks and type inference, returning an Apply;
    * ``jax_impl(node, *values)``: the JAX implementation (a single output, or a tuple);
    * ``grad(inputs, output_grads)``: symbolic gradients, as graph variables;
    * ``__props__``: the parameters that define equality and the printed name.

    An op whose implementation needs the lowering context (host-resolved slice lengths,
    index checks) sets ``wants_lowering``; ``jax_impl`` then gets it as ``lowering=``.
    An op that calls back into Python while the program runs sets ``calls_host``: such a
    program can fail on any call, so its calls keep copies of the buffers they donate.

    The passes above the ops (rewrites, compilation, printing) ask an op these traits
    rather than testing which op it is: ``fold_constants``, ``host_impl`` and ``pformat``.
    """

    __props__ = ()
    wants_lowering = False
    calls_host = False

    #: Whether constant folding may replace an application to constants by its value.
    fold_constants = True

    #: Whether ``grad`` is linear in the output gradients, as every derivative is: zero
    #: output gradients then give zero input gradients, which the gradient walk records
    #: without building them.
    linear_grad = True

    #: Whether the zero gradients ``grad`` returns (``zeros_like(x)``) stay in the
    #: gradient graph as terms of their sums, as Theano prints them (the gradient walk
    #: otherwise leaves out terms that are zero by construction).
    keeps_zero_grads = False

    def _props(self):
        return tuple(_hashable(getattr(self, p)) for p in self.__props__)

    def __eq__(self, other):
        return type(self) is type(other) and self._props() == other._props()

    def __hash__(self):
        return hash((type(self),) + self._props())

    def __str__(self):
        if not self.__props__:
            return type(self).__name__
        return '%s{%s}' % (type(self).__name__,
                           ', '.join('%s=%r' % (p, getattr(self, p)) for p in self.__props__))

    def __call__(self, *inputs, **kwargs):
        """Apply the op: the output (or list of outputs) of ``make_node(*inputs)``. With
        ``config.compute_test_value`` on, the outputs' test values are computed now."""
        return_list = kwargs.pop('return_list', False)
        node = self.make_node(*inputs, **kwargs)
        if config.compute_test_value != 'off':
            from symgraph.compile.testvalue import compute_node  # upward: runs the op
            compute_node(node)
        if return_list:
            return list(node.outputs)
        return node.default_output()

    def make_node(self, *inputs):
        raise NotImplementedError

    def jax_impl(self, node, *values):
        raise NotImplementedError('%s has no JAX implementation' % self)

    def grad(self, inputs, output_grads):
        raise NotImplementedError('%s has no gradient' % self)

    def host_impl(self, node):
        """A plain-Python function of the input values computing ``node`` on the host
        (slice bounds are worked out there before a call), or None where there is none."""
        return None

    def static_inputs(self, node):
        """Positions of the inputs whose values the implementation needs as Python numbers
        (shapes, trip counts): XLA fixes them when tracing. Ones that depend on the call's
        arguments are worked out on the host before the call (compile/slices.py)."""
        return ()

    def lazy_inputs(self, node):
        """Positions of the inputs computed only if the op asks for them (ifelse's
        branches): ``jax_impl`` gets for each a function of the lowering context that
        computes it."""
        return ()

    def pformat(self, node, parts):
        """``node`` in pprint's one-line form, given the texts of its inputs."""
        return '%s(%s)' % (self, ', '.join(parts))


def _hashable(value):
    """Props made hashable: slices (unhashable before Python 3.12) become tuples."""
    if isinstance(value, slice):
        return ('slice', value.start, value.stop, value.step)
    if isinstance(value, tuple):
        return tuple(_hashable(v) for v in value)
    return value


def toposort(outputs, stop=()):
    """Apply nodes needed for ``outputs``, each after the nodes it depends on.

    Variables in ``stop`` (any container supporting ``in``) are treated as inputs: their
    owners are not visited. Deterministic: the order depends only on the graph's structure.
    """
    stop = set(stop) if isinstance(stop, (list, tuple)) else stop
    order = []
    visited = set()
    stack = [(v.owner, False) for v in reversed(list(outputs))
             if v.owner is not None and v not in stop]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for inp in reversed(node.inputs):
            owner = inp.owner
            if owner is not None and owner not in visited and inp not in stop:
                stack.append((owner, False))
    return order


def ancestors(outputs, stop=()):
    """Every variable the ``outputs`` depend on (themselves included), outputs first."""
    stop = set(stop)
    seen = set()
    result = []
    stack = list(reversed(list(outputs)))
    while stack:
        var = stack.pop()
        if var in seen:
            continue
        seen.add(var)
        result.append(var)
        if var.owner is not None and var not in stop:
            stack.extend(reversed(var.owner.inputs))
    return result


def graph_inputs(outputs, stop=()):
    """The leaf variables (no owner, or in ``stop``) the outputs depend on, constants included."""
    stop = set(stop)
    return [v for v in ancestors(outputs, stop) if v.owner is None or v in stop]


def clone_replace(outputs, replace=None, strict=True):
    """Copy the graph of ``outputs`` with each key of ``replace`` swapped for its value.

    Nodes whose inputs are untouched are shared with the original graph, so cloning is
    linear in the part of the graph that actually changes.
    """
    memo = dict(replace or {})
    for node in toposort(outputs, stop=memo):
        new_inputs = [memo.get(i, i) for i in node.inputs]
        if all(n is o for n, o in zip(new_inputs, node.inputs)):
            continue
        new_node = node.clone_with_new_inputs(new_inputs, strict=strict)
        for old, new in zip(node.outputs, new_node.outputs):
            new.name = old.name
            memo[old] = new
    return [memo.get(o, o) for o in outputs]


def clone(output, replace=None, strict=True, share_inputs=True):
    """Theano's ``theano.clone``: a copy of the graph of ``output`` (a variable or a list)
    with each key of ``replace`` (a dict or pairs) swapped for its value. Every node is a
    new one; with ``share_inputs=False`` the leaf variables (not constants) are copied too."""
    single = not isinstance(output, (list, tuple))
    outputs = [output] if single else list(output)
    pairs = replace.items() if isinstance(replace, dict) else (replace or [])
    memo = dict(pairs)
    if not share_inputs:
        for var in graph_inputs(outputs, stop=memo):
            if var not in memo and not isinstance(var, Constant):
                memo[var] = var.clone()
    for node in toposort(outputs, stop=memo):
        new_node = node.clone_with_new_inputs([memo.get(i, i) for i in node.inputs],
                                              strict=strict)
        for old, new in zip(node.outputs, new_node.outputs):
            new.name = old.name
            memo[old] = new
    result = [memo.get(o, o) for o in outputs]
    return result[0] if single else result


def equal_computations(xs, ys, in_xs=(), in_ys=()):
    """Theano's ``scan_utils.equal_computations``: whether each ``xs[i]`` computes what
    ``ys[i]`` computes: equal ops, output for output, down to the same leaves, or leaves
    paired by ``in_xs``/``in_ys``; constants compare by type and value."""
    if len(xs) != len(ys) or len(in_xs) != len(in_ys):
        return False
    if any(x.type != y.type for x, y in zip(in_xs, in_ys)):
        return False
    if any(x not in in_xs and x.type != y.type for x, y in zip(xs, ys)):
        return False
    known = {pair: True for pair in zip(in_xs, in_ys)}
    stack = list(zip(xs, ys))
    while stack:
        x, y = pair = stack.pop()
        if pair in known:
            continue
        if x.owner is None or y.owner is None:
            known[pair] = x is y or (isinstance(x, Constant) and isinstance(y, Constant) and
                                     x.signature() == y.signature())
            continue
        nx, ny = x.owner, y.owner
        if (nx.op != ny.op or len(nx.inputs) != len(ny.inputs) or
                len(nx.outputs) != len(ny.outputs) or
                nx.outputs.index(x) != ny.outputs.index(y)):
            known[pair] = False
            continue
        inputs = list(zip(nx.inputs, ny.inputs))
        pending = [p for p in inputs if p not in known]
        if pending:
            stack.append(pair)
            stack.extend(pending)
        else:
            known[pair] = all(known[p] for p in inputs)
    return all(known[pair] for pair in zip(xs, ys))
