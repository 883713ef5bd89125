"""Host-side arithmetic for slice bounds that depend on function inputs or shared values.

``X[i*bs:(i+1)*bs]`` has a length that depends on ``i`` only at the end of the data (a
short last batch). XLA needs every length at compile time, so before each call the
function computes the lengths in plain Python from the call's arguments and the current
values of shared variables, and picks the compiled program for them: one program for the
full batches, one for a short last batch, never one per index. The starts stay traced
values computed on the device. A length also needs the length of the sliced dimension:
read directly for an input or a shared variable, worked out once per shape signature for
a computed expression such as ``(x + 1)[i:]``.
"""
import functools

import jax
import numpy as np

from symgraph.compile.lower import Lowering, run_nodes
from symgraph.graph.basic import Constant, ancestors, toposort
from symgraph.scan_module.op import Scan
from symgraph.tensor.basic import Shape
from symgraph.tensor.sharedvar import SharedVariable
from symgraph.tensor.subtensor import IncSubtensor, Subtensor


class HostEvaluator:
    """Evaluates a small integer subgraph in Python from (leaf variable -> value) getters,
    each node by its op's host function (``Op.host_impl``)."""

    def __init__(self, outputs, leaf_getters):
        self.steps = []
        self.leaf_getters = leaf_getters
        for node in toposort(outputs, stop=leaf_getters):
            fn = node.op.host_impl(node)
            if fn is None:
                raise _Unsupported(node)
            self.steps.append((node, fn))
        self.outputs = outputs

    def __call__(self, args, lengths):
        values = {}
        for var, getter in self.leaf_getters.items():
            values[var] = getter(args, lengths)
        for node, fn in self.steps:
            inputs = []
            for inp in node.inputs:
                if inp in values:
                    inputs.append(values[inp])
                elif isinstance(inp, Constant):
                    inputs.append(inp.data.item() if inp.data.ndim == 0 else inp.data)
                else:
                    raise _Unsupported(node)
            values[node.outputs[0]] = fn(*inputs)
        return [values[o] if o in values else int(o.data) for o in self.outputs]


class _Unsupported(Exception):
    pass


def dynamic_slices(nodes, traced):
    """What must be worked out on the host before each call, one entry per number:
    (node, dim, [start, stop, step], sliced variable) for each slice with traced bounds;
    (node, ('input', k), [input], None) for each input an op needs as a Python number
    (``Op.static_inputs``: a shape, a trip count) whose value is traced; and
    (node, 'steps', None, None) for each number that only running tells: the steps of a
    loop that runs until a condition holds, the length of a result that depends on values
    (the entries a mask selects, nonzero's; ops that say ``counted_before_call`` and
    ``count_steps``).

    ``traced`` is the set of variables whose value is only known at call time.
    """
    found = []
    for node in nodes:
        found.extend((node, ('input', k), [node.inputs[k]], None)
                     for k in node.op.static_inputs(node) if node.inputs[k] in traced)
        if isinstance(node.op, Scan) and node.op.info.as_while or _counted(node):
            found.append((node, 'steps', None, None))
        if not isinstance(node.op, (Subtensor, IncSubtensor)):
            continue
        bounds = iter(node.inputs[2 if isinstance(node.op, IncSubtensor) else 1:])
        for dim, entry in enumerate(node.op.idx_list):
            if not isinstance(entry, slice):
                next(bounds)
                continue
            parts = [None if p is None else next(bounds) for p in
                     (entry.start, entry.stop, entry.step)]
            if any(p is not None and p in traced for p in parts):
                found.append((node, dim, parts, node.inputs[0]))
    return found


def _counted(node):
    """Whether ``node``'s op counts a length before the call (``counted_before_call``: a
    flag, or a function of the node)."""
    counted = getattr(node.op, 'counted_before_call', False)
    return counted(node) if callable(counted) else counted


def make_length_resolver(slices, input_positions):
    """A LengthResolver: (call arguments) -> tuple of numbers, one per entry of ``slices``
    (see dynamic_slices).

    ``input_positions`` maps explicit input variables to their position in the arguments;
    shared variables are read as they are at the call (``shared_bounds`` lists those whose
    values the bounds read). Raises TypeError when a bound uses an operation that cannot
    be evaluated on the host.
    """
    if not slices:
        return None
    shapes = _ShapeReaders(input_positions, slices)
    plans, shared_bounds, value_positions = [], set(), set()
    for node, dim, parts, sliced in slices:
        if dim == 'steps':
            counter = _StepCounter(node, node.inputs, input_positions, slices,
                                   functools.partial(node.op.count_steps, node))
            shared_bounds.update(counter.shared)
            plans.append(counter)
            continue
        bound_vars = [p for p in parts if p is not None]
        shape_reads = _shape_reads(bound_vars)
        leaf_getters = {var: _value_getter(var, input_positions) for var in ancestors(
            bound_vars, stop=[v for v, _ in shape_reads]) if _is_leaf(var)}
        shared_bounds.update(v for v in leaf_getters if isinstance(v, SharedVariable))
        value_positions.update(input_positions[v] for v in leaf_getters
                               if v in input_positions)
        for shape_var, of in shape_reads:
            leaf_getters[shape_var] = shapes.of(of)
        try:
            evaluator = HostEvaluator(bound_vars, leaf_getters)
        except _Unsupported as err:
            if sliced is None:  # a number only a program can compute: max(x) + 1
                counter = _StepCounter(None, bound_vars, input_positions, slices,
                                       _first_value)
                shared_bounds.update(counter.shared)
                plans.append(counter)
                continue
            what = ('The slice bounds of %s use' % node.outputs[0] if sliced is not None else
                    '%s needs %s before the call (a shape or a number of steps), which uses'
                    % (node.op, bound_vars[0]))
            raise TypeError('%s %s, which cannot be worked out before the call; these may '
                            'use +, -, *, //, %%, shapes and constants'
                            % (what, err.args[0].op)) from None
        if sliced is None:
            plans.append(_NumberPlan(evaluator))
        else:
            plans.append(_SlicePlan(evaluator, [p is not None for p in parts],
                                    shapes.of(sliced), dim))
    return LengthResolver(plans, shared_bounds, value_positions, shapes)


class LengthResolver:
    """The numbers a call needs before its program is picked (see make_length_resolver).

    They depend only on the values of the inputs that the bounds read, on the shapes of
    the arrays involved and on shared values the bounds read; when the inputs read are
    numbers and no shared value or counting program is involved, the result is kept per
    (those numbers, those shapes), so a call with an index seen before costs one lookup.
    """

    _MEMO_LIMIT = 65536

    def __init__(self, plans, shared_bounds, value_positions, shapes):
        self.plans = plans
        self.shared_bounds = frozenset(shared_bounds)
        self.value_positions = sorted(value_positions)
        self.shape_positions = sorted(shapes.read_positions)
        self.shape_containers = list(shapes.read_containers)
        self.memoized = not shared_bounds and all(
            isinstance(plan, (_SlicePlan, _NumberPlan)) for plan in plans)
        self.memo = {}

    def __call__(self, args):
        if not self.memoized:
            return self.compute(args)
        key = self.key(args)
        try:
            return self.memo[key]
        except KeyError:
            pass
        except TypeError:  # an array where a number was expected: not kept
            return self.compute(args)
        if len(self.memo) >= self._MEMO_LIMIT:
            self.memo.clear()
        lengths = self.memo[key] = self.compute(args)
        return lengths

    def key(self, args):
        return (tuple([args[k] for k in self.value_positions]),
                tuple([args[k].shape for k in self.shape_positions]),
                tuple([c.value.shape for c in self.shape_containers]))

    def compute(self, args):
        lengths = []
        for plan in self.plans:
            lengths.append(plan(args, lengths))
        return tuple(lengths)

    def tail_lengths(self, args):
        """The lengths of the short last batch, for the common way of walking a dataset
        by one integer index: every number needed is a slice length, all read that one
        scalar input, and consecutive index values give adjacent slices of equal length
        (``X[i * n:(i + 1) * n]``). Then the index whose slice reaches the end of the data
        gives the short batch, if the data length is not a multiple of the batch length.
        None when there is no such batch or the pattern does not apply."""
        if not self.memoized or len(self.value_positions) != 1 or not all(
                isinstance(plan, _SlicePlan) for plan in self.plans):
            return None
        position = self.value_positions[0]
        index = args[position]
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            return None

        def ranges_at(value):
            """(range taken, length of the sliced dimension) of each slice."""
            moved = list(args)
            moved[position] = type(index)(value)
            found, lengths = [], []
            for plan in self.plans:
                taken = plan.range(moved, lengths)
                found.append((taken, plan.size(moved, lengths)))
                lengths.append(len(taken))
            return found
        here, after = ranges_at(index), ranges_at(index + 1)
        batch = len(here[0][0])
        if batch == 0 or any(len(r) != batch or r.step != 1 or s.start != r.stop
                             for (r, _), (s, _) in zip(here, after)):
            return None
        sizes = {size - r.start for r, size in here}
        if len(sizes) != 1:  # the slices do not end together
            return None
        remaining = sizes.pop()
        if remaining % batch == 0:
            return None
        tail = [r for r, _ in ranges_at(index + remaining // batch)]
        if any(len(r) == 0 for r in tail):
            return None
        return tuple(len(r) for r in tail)


class _NumberPlan:
    """(args, lengths so far) -> the number a static input needs."""

    def __init__(self, evaluator):
        self.evaluator = evaluator

    def __call__(self, args, lengths):
        return _number(self.evaluator(args, lengths)[0])



def _number(value):
    """An int, or a tuple of ints for a static input that is a vector (a reshape's shape)."""
    value = np.asarray(value)
    return int(value) if value.ndim == 0 else tuple(int(v) for v in value.ravel())


class _SlicePlan:
    """(args, lengths so far) -> the length of a slice; ``range`` gives the indices it
    takes, ``size`` the length of the sliced dimension."""

    def __init__(self, evaluator, present, shape_of, dim):
        self.evaluator, self.present, self.shape_of, self.dim = evaluator, present, shape_of, dim

    def __call__(self, args, lengths):
        return len(self.range(args, lengths))

    def range(self, args, lengths):
        values = iter(self.evaluator(args, lengths))
        start, stop, step = (next(values) if p else None for p in self.present)
        return range(self.size(args, lengths))[slice(start, stop, step)]

    def size(self, args, lengths):
        return self.shape_of(args, lengths)[self.dim]


class _StepCounter:
    """(args, lengths so far) -> a number that only a program can work out: how many steps
    a loop with an ``until`` condition runs (the program runs it, carrying only its last
    states), how many entries a mask selects, or a static input computed with ops that
    have no host function (``zeros(x.max() + 1)``). A small program of its own computes
    ``inputs`` from the call's arguments, then ``count(their values, lowering)``, so that
    the call's program can then be traced with that number."""

    def __init__(self, node, inputs, input_positions, slices, count):
        self.nodes = toposort(inputs)
        self.leaves = [v for v in ancestors(inputs) if _is_leaf(v)]
        self.constants = [v for v in ancestors(inputs) if isinstance(v, Constant)]
        self.getters = [_array_getter(v, input_positions) for v in self.leaves]
        self.shared = [v for v in self.leaves if isinstance(v, SharedVariable)]
        inside = set(self.nodes)
        # The numbers of the nodes it runs, and those of the node it counts for, resolved
        # before it (a loop's n_steps; ``node`` is None for a static input).
        self.keys = [(k, (n, d)) for k, (n, d, _, _) in enumerate(slices)
                     if n in inside or n is node and d != 'steps']
        self.inputs = list(inputs)
        self.count = count
        self.programs = {}

    def __call__(self, args, lengths):
        known = tuple(lengths[k] for k, _ in self.keys)
        program = self.programs.get(known)
        if program is None:
            program = self.programs[known] = jax.jit(functools.partial(self._count, known))
        return _number(program(*[get(args) for get in self.getters]))

    def _count(self, known, *leaf_values):
        values = {c: c.data for c in self.constants}
        values.update(zip(self.leaves, leaf_values))
        lowering = Lowering({key: n for (_, key), n in zip(self.keys, known)},
                            check_indices=False)
        run_nodes(self.nodes, values, lowering, keep=self.inputs)
        return self.count([values[i] for i in self.inputs], lowering)


def _first_value(values, lowering):
    return values[0]


def _array_getter(var, input_positions):
    """args -> the value of an input or shared variable."""
    if var in input_positions:
        pos = input_positions[var]
        return lambda args: args[pos]
    container = var.container
    return lambda args: container.value


def _value_getter(var, input_positions):
    """(args, lengths) -> the value of an input or shared variable, as a Python scalar when
    it is one."""
    if var in input_positions:
        pos = input_positions[var]
        return lambda args, lengths: _as_python(args[pos])
    container = var.container  # every other leaf of a function's graph is shared
    return lambda args, lengths: _as_python(np.asarray(container.value))


class _ShapeReaders:
    """Functions (args, lengths so far) -> the shape of a variable before the call.

    Inputs, shared variables and constants are read directly. Any other variable's shape
    is worked out by ``jax.eval_shape`` of its subgraph, once per signature: the shapes of
    the inputs and shared variables it depends on, and the lengths of the dynamic slices
    inside it (the only shapes that depend on values, resolved earlier in the same call).
    """

    def __init__(self, input_positions, slices):
        self.input_positions = input_positions
        self.slice_keys = [(node, dim) for node, dim, _, _ in slices]
        self.readers = {}
        # The inputs (positions) and shared variables (containers) whose shapes are read.
        self.read_positions, self.read_containers = set(), []

    def of(self, var):
        reader = self.readers.get(var)
        if reader is None:
            reader = self.readers[var] = self._reader(var)
        return reader

    def _reader(self, var):
        if var in self.input_positions:
            pos = self.input_positions[var]
            self.read_positions.add(pos)
            return lambda args, lengths: args[pos].shape
        if isinstance(var, SharedVariable):
            container = var.container
            self.read_containers.append(container)
            return lambda args, lengths: container.value.shape
        if isinstance(var, Constant):
            shape = np.shape(var.data)
            return lambda args, lengths: shape
        return self._traced_reader(var)

    def _traced_reader(self, var):
        nodes = toposort([var])
        leaves = [v for v in ancestors([var]) if _is_leaf(v)]
        constants = [v for v in ancestors([var]) if isinstance(v, Constant)]
        leaf_shapes = [self.of(v) for v in leaves]
        inside = set(nodes)
        inner = [k for k, (node, _) in enumerate(self.slice_keys) if node in inside]
        cache = {}

        def run(lengths, *leaf_values):
            values = {c: c.data for c in constants}
            values.update(zip(leaves, leaf_values))
            slice_lengths = {self.slice_keys[k]: lengths[k] for k in inner}
            run_nodes(nodes, values, Lowering(slice_lengths, check_indices=False))
            return values[var]

        def read(args, lengths):
            shapes = tuple(shape_of(args, lengths) for shape_of in leaf_shapes)
            key = shapes, tuple(lengths[k] for k in inner)
            shape = cache.get(key)
            if shape is None:
                specs = [jax.ShapeDtypeStruct(s, v.dtype) for s, v in zip(shapes, leaves)]
                shape = cache[key] = jax.eval_shape(
                    functools.partial(run, list(lengths)), *specs).shape
            return shape
        return read


def _is_leaf(var):
    """An input or a shared variable: a value that the call provides."""
    return var.owner is None and not isinstance(var, Constant)


def _shape_reads(outputs):
    """(Shape output, variable it measures) for each shape a bound reads."""
    return [(node.outputs[0], node.inputs[0]) for node in toposort(outputs)
            if isinstance(node.op, Shape)]


def _as_python(value):
    return value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value
