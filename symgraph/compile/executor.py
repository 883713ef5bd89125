"""The compiled function: binding and converting arguments, the program cache, the call.

Everything that can be decided once is decided when the function is made: the order of
inputs and shared variables, which shared buffers are updated (and donated), the input
converters, the host-side arithmetic for slice lengths, the arguments' layout (see
layout.py). ``Function.__call__`` then only converts the arguments, picks the compiled
program for their layout and slice lengths, makes one XLA call and stores the new shared
values. Under ``config.data_parallel`` each program is partitioned over the mesh of
devices (placement.py): its inputs split along their batch axis, its outputs whole.
"""
import contextlib
import functools
import operator
import threading
import time

import jax
import numpy as np

from symgraph import placement
from symgraph.compile import nanguardmode, programcache, slices
from symgraph.compile.compilelog import long_compile_notice
from symgraph.compile.interpreter import evaluate
from symgraph.compile.io import MissingInputError
from symgraph.compile.layout import ArgumentLayout, restore
from symgraph.compile.loop import run_loop
from symgraph.compile.lower import Lowering, check_on_host, raise_index_error, run_nodes
from symgraph.compile.padding import Buckets, NotPaddable, Padded, trim_outputs
from symgraph.config import config
from symgraph.graph.basic import Constant, clone_replace, format_trace, paused_gc, toposort
from symgraph.graph.fg import FunctionGraph
from symgraph.placement import default_device, to_device
from symgraph.tensor.basic import Shape
from symgraph.tensor.sharedvar import SharedVariable
from symgraph.tensor.subtensor import Subtensor


class _CallPath(property):
    """``Function.__call__``: ``f(...)`` finds it on the class, and, as a property whose
    getter is C code, it hands over the closure that _make_call built, which the
    interpreter then calls with the arguments: no Python frame of its own in a call (about
    1 µs). Called as a function (``Function.__call__(f, x)``, or by inspect for the
    signature), it takes the same path."""

    def __call__(self, fn, *args, **kwargs):
        return fn._call(*args, **kwargs)


class Function:
    """A compiled graph. Call it with one value per input (positionally or by name)."""

    def __init__(self, spec, inputs, outputs, output_borrow, single_output, updates, mode, name,
                 builder, state=None, profile=None):
        """``inputs``: every In, in order; ``state``: {position: the hidden shared variable
        that holds the value of an input with an update or a shared container (In(s,
        value=..., update=...)), which the graph reads in place of the input}."""
        self._spec = spec
        self._builder = builder
        self.name = name
        self.mode = mode
        self.profile = profile
        self.inputs = inputs
        self._state = dict(state or {})
        self._program_positions = [k for k in range(len(inputs)) if k not in self._state]
        self.input_vars = [inputs[k].variable for k in self._program_positions]
        self.single_output = single_output
        self._output_borrow = output_borrow
        self.outputs = outputs
        # Per output, how a type whose values are not arrays (a sparse matrix) returns one.
        self._from_program = [getattr(o.type, 'from_program', None) for o in outputs]
        self.update_targets = [t for t, _ in updates]
        self.update_exprs = [e for _, e in updates]
        all_outputs = self.outputs + self.update_exprs
        self._nodes = toposort(all_outputs)
        leaves = _leaves(self._nodes, all_outputs)
        self._check_missing(leaves)
        updated = set(self.update_targets)
        self._donated = list(self.update_targets)
        self._kept = [v for v in leaves if isinstance(v, SharedVariable) and v not in updated]
        self._constants = [v for v in leaves if isinstance(v, Constant)]
        self._input_index = {v: k for k, v in enumerate(self.input_vars)}
        self._names = {i.name: k for k, i in enumerate(inputs) if i.name}
        self._all_converters = [self._make_converter(k, i) for k, i in enumerate(inputs)]
        self._converters = [self._all_converters[k] for k in self._program_positions]
        self._defaults = {k: self._all_converters[k](i.value) for k, i in enumerate(inputs)
                          if k not in self._state and i.value is not None}
        self._any_implicit = any(i.implicit for i in inputs)
        self._state_arrays = {}  # position -> (device value, its numpy array), for f[s]
        self._dynamic_slices = slices.dynamic_slices(
            self._nodes, _traced(self._nodes, self.input_vars + self._donated + self._kept))
        self._resolve_lengths = slices.make_length_resolver(self._dynamic_slices,
                                                          self._input_index)
        self._device = default_device()
        self._mesh = placement.mesh()  # None unless config.data_parallel
        self._layout = ArgumentLayout(self.input_vars, self._kept, self._nodes, all_outputs,
                                      self._device)
        # Precomputed for the call path.
        self._n_inputs = len(self.input_vars)
        self.updated_containers = [v.container for v in self._donated]
        self._kept_containers = [v.container for v in self._kept]
        # The function's own lock first (its caches and staging buffers are per function),
        # then its shared variables' in their global order.
        self._locks = [threading.Lock()] + [c.lock for c in sorted(
            set(self.updated_containers + self._kept_containers), key=lambda c: c.order)]
        self._check_indices = config.check_indices
        self._index_checks = {}  # program key -> description of each check (lower.checked)
        self._loop_index_checks = {}  # the same for loop()'s steps
        # Integer inputs used as indices are checked on the host before a call (see
        # lower.py), by functions with state to guard (a stateless one's fast paths keep
        # them in the program); the trace of a program leaves its checks here.
        self._checks_on_host = config.check_indices and bool(self._donated or self._kept) \
            and self._mesh is None
        self._host_positions = [k for k, v in enumerate(self.input_vars)
                                if np.dtype(getattr(v.type, 'dtype', 'O')).kind in 'iu']
        self._traced_host_checks = None
        self._nan_guard = mode.nan_guard
        self._guard_checks = {}  # program key -> (node, variable) of each NanGuardMode flag
        self._trimmed = {}  # key of a padded program -> (output, axis) of each padded axis
        self._programs = {}
        self._described = None  # the graph as programcache names its programs (False: not)
        self._buckets = Buckets.of(self)  # None: one program per sequence length
        self.stats = CompileStats()
        self.loop_programs = {}  # loop()'s compiled epochs, by slice lengths and shapes
        self._last_key = self._last_values = None
        self._trust_input = False
        self._maker = None
        if profile is not None:
            profile.nb_nodes = len(self._nodes)
        self._call = self._make_call()

    # -- compile-time checks ------------------------------------------------------------
    def _check_missing(self, leaves):
        provided = set(self.input_vars)
        for node in self._nodes:
            for pos, var in enumerate(node.inputs):
                if var.owner is None and var not in provided and not isinstance(
                        var, (Constant, SharedVariable)):
                    raise MissingInputError(
                        'Input %d of the graph (indices start from 0), used to compute %s, was '
                        'not provided and not given a value: the variable %s of type %s is '
                        'needed but is not in the inputs list of function %s.\nThe variable '
                        'was created at:\n%s\nThe node that needs it was created at:\n%s'
                        % (pos, node, var, var.type, self.name,
                           format_trace(var.creation_trace), format_trace(node.trace)))
        for out in self.outputs + self.update_exprs:
            if out.owner is None and out not in provided and not isinstance(
                    out, (Constant, SharedVariable)):
                raise MissingInputError('The output %s of type %s is an input that was not '
                                        'provided to function %s' % (out, out.type, self.name))

    # -- argument conversion --------------------------------------------------------------
    def _make_converter(self, position, spec):
        var = spec.variable
        vtype = var.type
        allow_downcast = spec.allow_downcast if spec.allow_downcast is not None else \
            self._spec['allow_input_downcast']
        # A type whose values are not arrays (a sparse matrix, a list) says what the
        # program takes; an array that needs no conversion is passed as it is.
        to_program = getattr(vtype, 'to_program', None)
        int_range, float_exact = None, False
        if to_program is None:
            dtype, ndim = vtype.numpy_dtype, vtype.ndim
            bcast_dims = [d for d, b in enumerate(vtype.broadcastable) if b]
            scalar_type = dtype.type if ndim == 0 else None
            # A Python int (an index, a count) becomes a numeric scalar without numpy's
            # general conversion when the type holds it exactly, as Theano's check would
            # accept it; anything else takes that check. The same for a Python float into
            # float64, which always holds it.
            int_range = _exact_int_range(dtype) if ndim == 0 and not spec.strict else None
            float_exact = ndim == 0 and not spec.strict and dtype == np.float64

        def convert(value):
            if to_program is None:
                if type(value) is np.ndarray and value.dtype is dtype and \
                        value.ndim == ndim and \
                        (not bcast_dims or all(value.shape[d] == 1 for d in bcast_dims)):
                    return value
                if type(value) is scalar_type:
                    return value
                if type(value) is int and int_range is not None and \
                        int_range[0] <= value <= int_range[1]:
                    return scalar_type(value)
                if float_exact and type(value) is float:
                    return scalar_type(value)
            try:
                value = vtype.filter(value, strict=spec.strict, allow_downcast=allow_downcast)
            except (TypeError, ValueError) as err:
                raise type(err)(
                    'Bad input argument to function "%s" at index %d (0-based), input %s of '
                    'type %s: %s\nThe value has %s.\nThe variable was created at:\n%s'
                    % (self.name, position, var.name or '<unnamed>', vtype, err,
                       vtype.describe_value(value), format_trace(var.creation_trace))) \
                    from None
            return value if to_program is None else to_program(value)
        return convert

    def _bind(self, args, kwargs):
        """The values of the program's inputs for a call's arguments: positional ones fill
        the inputs in order (implicit ones excepted), keywords by name, defaults the rest.
        A value given for a stateful input is stored in its state (under the call's locks)
        and read from there."""
        if len(args) > len(self.inputs):
            raise TypeError('Too many parameters passed to function "%s": it takes %d inputs '
                            '(%s), got %d' % (self.name, len(self.inputs), ', '.join(
                                str(i.variable) for i in self.inputs), len(args)))
        values = list(args) + [_MISSING] * (len(self.inputs) - len(args))
        for pos in range(len(args)):
            if self.inputs[pos].implicit:
                raise TypeError('Tried to provide value for implicit input: %s'
                                % (self.inputs[pos].name or self.inputs[pos].variable))
        for key, value in kwargs.items():
            pos = self._names.get(key)
            if pos is None:
                unnamed = len(self.inputs) - len(self._names)
                raise TypeError('Unknown input or state: %s. The function "%s" has %d named '
                                'inputs (%s)%s.' % (
                                    key, self.name, len(self._names), ', '.join(self._names),
                                    ', and %d unnamed input%s which thus cannot be accessed '
                                    "through keyword argument (use 'name=...' in a variable's "
                                    'constructor to give it a name)' % (
                                        unnamed, '' if unnamed == 1 else 's') if unnamed else ''))
            if self.inputs[pos].implicit:
                raise TypeError('Tried to provide value for implicit input: %s' % key)
            if values[pos] is not _MISSING:
                raise TypeError('Input %s of function "%s" was given twice' % (key, self.name))
            values[pos] = value
        writes = []
        for pos, value in enumerate(values):
            if pos in self._state:
                if value is not _MISSING:
                    writes.append((self._state[pos].container, self._all_converters[pos](value)))
            elif value is _MISSING:
                if pos not in self._defaults:
                    spec = self.inputs[pos]
                    raise TypeError('Missing required input: %s (input %d of function "%s")'
                                    % (spec.name or spec.variable, pos, self.name))
                values[pos] = self._defaults[pos]
        if not self._state:
            return values
        values = [values[k] for k in self._program_positions]
        if writes:  # only once every argument is known to be good: a failed call changes nothing
            for convert, value in zip(self._converters, values):
                convert(value)
            for container, value in writes:
                container.value = to_device(value)
        return values

    # -- compiled programs ----------------------------------------------------------------
    def _program_key(self, args):
        """(which matrix arguments come Fortran-ordered, lengths of input-dependent slices);
        a program for padded arguments (compile/padding.py) adds the positions padded."""
        return self._layout.order(args), self.slice_lengths(args)

    def _graph_fn(self, key, for_loop=False):
        """The Python function traced by jit for one (layout, slice lengths[, padded
        positions]) key. A padded program takes the true length after the inputs. A
        loop()'s step checks every index in the program."""
        layout, lengths = key[:2]
        padded_positions = key[2] if len(key) > 2 else None
        trimmed = self._trimmed
        nodes, constants = self._nodes, self._constants
        donated, kept, inputs = self._donated, self._kept, self.input_vars
        kept_transposed = self._layout.kept_transposed
        outputs, update_exprs = self.outputs, self.update_exprs
        length_map = {(node, dim): length
                      for (node, dim, _, _), length in zip(self._dynamic_slices, lengths)}
        check_indices = self._check_indices
        index_checks = self._loop_index_checks if for_loop else self._index_checks
        host_positions = self._host_positions if self._checks_on_host and not for_loop else ()
        nan_guard, guard_checks = self._nan_guard, self._guard_checks
        minibatches = {} if not self.partitioned else _minibatch_shardings(
            self._dynamic_slices, _traced(nodes, inputs), length_map, self._mesh)

        def run(donated_values, kept_values, input_values):
            """(outputs, new shared values, check verdict or None, NanGuardMode flags or
            None, true lengths of the outputs' padded axes or None), as traced values."""
            values = _SplitAsComputed(minibatches) if minibatches else {}
            values.update((c, c.data) for c in constants)
            values.update(zip(donated, donated_values))
            values.update(zip(kept, restore(kept_values, kept_transposed)))
            padded = None
            if padded_positions is not None:
                *input_values, true_length = input_values
                padded = Padded(true_length, [inputs[k] for k in padded_positions])
            values.update(zip(inputs, restore(input_values, layout)))
            host_inputs = {id(values[inputs[k]]): (k, values[inputs[k]])
                           for k in host_positions}
            lowering = Lowering(length_map, check_indices, nan_guard, padded, host_inputs)
            if nan_guard is not None:
                for var in inputs + donated + kept:
                    lowering.guard(None, var, values[var])
            run_nodes(nodes, values, lowering, keep=list(outputs) + list(update_exprs))
            verdict, index_checks[key] = lowering.checked()
            if not for_loop:
                self._traced_host_checks = lowering.host_checks
            guard, guard_checks[key] = lowering.guarded()
            true_lengths = None
            if padded is not None:
                if any(e in padded.axes for e in update_exprs):
                    raise NotPaddable('a shared variable would change shape')
                trimmed[key] = [(k, axis) for k, o in enumerate(outputs)
                                for axis in sorted(padded.of(o))]
                if trimmed[key]:  # (none: the outputs come back whole)
                    true_lengths = jax.numpy.stack(
                        [jax.numpy.asarray(padded.value(padded.of(outputs[k])[axis]), 'int64')
                         for k, axis in trimmed[key]])
            return (tuple(values[o] for o in outputs), tuple(values[e] for e in update_exprs),
                    verdict, guard, true_lengths)
        return run

    def _jitted(self, key, args):
        """The jitted program for a key: flat arguments (donated shared values, other
        shared values, inputs) and a flat result (outputs, new shared values, and the
        index verdict when the program checks indices). On a mesh, ``args`` (arrays or
        shapes with their sharding) say how the inputs are split (see _input_shardings);
        the outputs come back replicated and the new shared values laid out as the old."""
        run = self._graph_fn(key)
        n_donated, n_kept = len(self._donated), len(self._kept)
        guard_blocks = self.mode.blocks_updates
        partitioned = self._mesh is not None and not self.calls_host
        in_shardings = self._input_shardings(key, args) if partitioned else None
        whole = placement.replicated(self._mesh) if partitioned else None

        def flat(*args):
            old_values = args[:n_donated]
            outs, new_values, verdict, guard, true_lengths = run(
                old_values, args[n_donated:n_donated + n_kept], args[n_donated + n_kept:])
            # An index out of range (or a NaN under NanGuardMode) leaves the (donated)
            # shared values as they were.
            ok = None if verdict is None else verdict[0] != 0
            if guard is not None and guard_blocks:
                clean = jax.numpy.all(guard == 0)
                ok = clean if ok is None else ok & clean
            if ok is not None:
                new_values = tuple(jax.tree_util.tree_map(
                    lambda new, old: jax.numpy.where(ok, new, old), new, old)
                    for new, old in zip(new_values, old_values))
            results = outs + ((verdict,) if verdict is not None else ()) + (
                (guard,) if guard is not None else ()) + (
                (true_lengths,) if true_lengths is not None else ())
            if in_shardings is not None:
                results = jax.lax.with_sharding_constraint(results, whole)
                new_values = tuple(jax.lax.with_sharding_constraint(new, sharding) for
                                   new, sharding in zip(new_values, in_shardings[:n_donated]))
            return results[:len(outs)] + new_values + results[len(outs):]
        if in_shardings is None:
            return jax.jit(flat, donate_argnums=tuple(range(n_donated)))
        return jax.jit(flat, donate_argnums=tuple(range(n_donated)),
                       in_shardings=tuple(in_shardings))

    def _input_shardings(self, key, args):
        """The sharding of each flat argument on the mesh: a shared value's own; an input
        split along its batch axis (``In(batch_axis=...)``, the other axis of a matrix
        passed transposed) when its length divides evenly among the devices, else
        replicated."""
        n_shared = len(self._donated) + len(self._kept)
        return [a.sharding for a in args[:n_shared]] + [
            placement.batch_sharding(self._mesh, np.shape(value), self._batch_axis(k, transposed))
            for k, (value, transposed) in enumerate(zip(args[n_shared:], key[0]))]

    def _batch_axis(self, position, transposed):
        """The batch axis of program input ``position`` as passed (None: not batched)."""
        axis = self.inputs[self._program_positions[position]].batch_axis
        return 1 - axis if transposed and axis is not None else axis

    def place_on_mesh(self, flat_args=None):
        """Move shared values made before ``config.data_parallel`` was set onto the mesh
        (under the call's locks), updating ``flat_args`` (a call's flat arguments) to
        match."""
        containers = self.updated_containers + self._kept_containers
        moved = False
        for container in containers:
            if not placement.on_mesh(container.value, self._mesh):
                container.value = jax.device_put(container.value, placement.shared_sharding(
                    self._mesh, container.value.shape))
                moved = True
        if moved and flat_args is not None:
            flat_args[:len(containers)] = [c.value for c in self.updated_containers] + \
                self._kept_values()

    def _mesh_program(self, key, flat_args):
        """The executable for ``flat_args`` on the mesh, as a function of a call's flat
        arguments. With several processes, each passes its own part of every batched input
        (split along the batch axis), which becomes its share of one global array; on the
        CPU, each run is waited for (see placement.waits_for_collectives)."""
        n_shared = len(self._donated) + len(self._kept)
        self.place_on_mesh(flat_args)
        inputs = flat_args[n_shared:]
        make_global = placement.multi_process()
        wait = placement.waits_for_collectives(self._mesh)
        if make_global:
            inputs = [self._global_input(k, value, transposed) for k, (value, transposed)
                      in enumerate(zip(inputs, key[0]))]
            shardings = [a.sharding for a in inputs]
            inputs = [jax.ShapeDtypeStruct(a.shape, a.dtype, sharding=a.sharding)
                      for a in inputs]
            program = self._jitted(key, flat_args[:n_shared] + inputs).lower(
                *flat_args[:n_shared], *inputs).compile()
        else:
            program = self._call_program(key, flat_args)
            if not wait:
                return program

        def run(*args):
            if make_global:
                args = args[:n_shared] + tuple(
                    jax.make_array_from_process_local_data(sharding, value)
                    for sharding, value in zip(shardings, args[n_shared:]))
            results = program(*args)
            return jax.block_until_ready(results) if wait else results
        return _RunThrough(program, run)

    def _one_device_program(self, key, flat_args):
        """The executable of a program that calls back into Python, on a mesh: it runs on
        one device, on copies of its arguments there, and its new shared values go back
        to the mesh. Partitioned, a host call that fails on one device leaves the others
        waiting for it in a collective, which XLA:CPU cannot stop: the process aborts."""
        self.check_runs_on_one_device()
        self.place_on_mesh(flat_args)
        n_outputs, n_donated = len(self.outputs), len(self._donated)
        layouts = [a.sharding for a in flat_args[:n_donated]]
        copies = self.one_device_copies
        program = self._jitted(key, flat_args).lower(*copies(flat_args)).compile()

        def run(*args):
            results = tuple(program(*copies(args)))
            new_values = tuple(jax.device_put(value, layout) for value, layout in zip(
                results[n_outputs:n_outputs + n_donated], layouts))
            return results[:n_outputs] + new_values + results[n_outputs + n_donated:]
        return _RunThrough(program, run)

    def check_runs_on_one_device(self):
        """Refuse to run a function that calls back into Python on one device when each of
        several processes holds only its part of the batch."""
        if placement.multi_process():
            raise NotImplementedError(
                'Function "%s" calls back into Python (%s), which runs on one device; with '
                'several processes, every function must run on the mesh'
                % (self.name, next(n.op for n in self._nodes if n.op.calls_host)))

    def one_device_copies(self, args):
        """Private copies of ``args`` on the function's own device, for a program run there
        (see _one_device_program): donating them leaves the values on the mesh as they
        are."""
        return [jax.device_put(a, self._device, may_alias=False) for a in args]

    def _global_input(self, position, value, transposed):
        """This process's part of input ``position`` as the shape and sharding of the
        global array: split along the batch axis, or, not batched, the same on every
        process."""
        spec = self.inputs[self._program_positions[position]]
        axis = self._batch_axis(position, transposed)
        shape = np.shape(value)
        if axis is None or not shape:
            return jax.ShapeDtypeStruct(shape, value.dtype,
                                        sharding=placement.replicated(self._mesh))
        local = jax.local_device_count(self._mesh.devices.flat[0].platform)
        if shape[axis] % local:
            raise ValueError(
                'Input %s of function "%s": with %d processes, each passes its own part of '
                'the batch, split along axis %d among its %d devices, but this process '
                'passed %d entries along that axis; pass a multiple of %d (see '
                'symgraph.distributed.local_part)'
                % (spec.name or spec.variable, self.name, jax.process_count(), axis, local,
                   shape[axis], local))
        global_shape = shape[:axis] + (shape[axis] * jax.process_count(),) + shape[axis + 1:]
        return jax.ShapeDtypeStruct(global_shape, value.dtype, sharding=placement.split_along(
            self._mesh, len(shape), axis))

    def _compiled(self, key, flat_args):
        """(the executable for a key and the shapes of ``flat_args``, whether it is new).
        Compiled ahead of time so that only the executable stays alive: a ``jax.jit`` kept
        for calling would also keep its traced jaxpr and lowered module, four times the
        executable's memory."""
        by_shape = self._programs.setdefault(key, {})
        signature = tuple((a.shape, a.dtype) for a in jax.tree_util.tree_leaves(flat_args))
        program = by_shape.get(signature)
        if program is not None:
            return program, False
        start = time.perf_counter()
        with paused_gc(), jax.default_device(self._device):  # a new program is traced
            if self._mesh is None:
                program = self._device_program(key, flat_args)
            elif self.calls_host:
                program = self._one_device_program(key, flat_args)
            else:
                program = self._mesh_program(key, flat_args)
        seconds = time.perf_counter() - start
        self.stats.programs += 1
        self.stats.compile_seconds += seconds
        if self.profile is not None:
            program = self.profile.record_program(
                'slice lengths %s, arguments %s' % (
                    list(key[1]), ' '.join('x'.join(map(str, shape)) or 'scalar'
                                           for shape, _ in signature[len(self._donated):])),
                seconds, program)
        by_shape[signature] = program
        return program, True

    def _device_program(self, key, flat_args):
        """The executable of a call on the function's device (see kept_or_compiled). It
        checks its integer inputs on the host first where its tracing said so."""
        self._traced_host_checks = None
        program = self._call_program(key, flat_args)
        if self._traced_host_checks:
            program = _checking_on_host(program, self._traced_host_checks,
                                        len(self._donated) + len(self._kept))
        return program

    def _call_program(self, key, flat_args):
        """The executable of a call's program for ``key``, kept with what its tracing
        recorded (see kept_or_compiled)."""
        return self.kept_or_compiled(
            key, flat_args, lambda: self._jitted(key, flat_args).lower(*flat_args),
            functools.partial(self._tracing_records, key),
            functools.partial(self._restore_tracing_records, key))

    def _tracing_records(self, key):
        """What tracing the program for ``key`` left on the host, which a kept program
        keeps."""
        traced = {'index checks': self._index_checks[key],
                  'guard checks': self._guard_checks[key],
                  'host checks': self._traced_host_checks}
        if key in self._trimmed:
            traced['trimmed'] = self._trimmed[key]
        return traced

    def _restore_tracing_records(self, key, traced):
        """Put back what ``_tracing_records`` gave, for a program read from the cache."""
        self._index_checks[key] = traced['index checks']
        self._guard_checks[key] = traced['guard checks']
        self._traced_host_checks = traced['host checks']
        if 'trimmed' in traced:
            self._trimmed[key] = traced['trimmed']

    def kept_or_compiled(self, key, args, lower, recorded, restore):
        """The executable of one of the function's programs on its device or mesh: the
        one an earlier process kept for the same graph, ``key`` and arguments
        (programcache), whose tracing's records go to ``restore(records)``; or else
        ``lower()`` compiled, and kept with ``recorded()``."""
        name = self._entry_name(key, args)
        if name is None:
            return lower().compile()
        # The graph objects that tracing's records name, kept as their positions here.
        refs = self._nodes + [v for node in self._nodes for v in node.outputs] + \
            self.input_vars + self._donated + self._kept
        devices = [self._device] if self._mesh is None else list(self._mesh.devices.flat)
        kept = programcache.load(name, refs, devices)
        if kept is not None:
            program, records = kept
            restore(records)
            self.stats.kept += 1
            return program
        program, keepable = programcache.compile_lowered(lower())
        if keepable:
            programcache.store(name, program, recorded(), refs)
        return program

    def _entry_name(self, key, args):
        """The name under which programcache keeps the program for ``key`` and ``args``,
        or None for a program it does not keep: one that calls back into Python, or one
        of several processes' (each passes its part of the batch)."""
        if self.calls_host or programcache.folder() is None or placement.multi_process():
            return None
        if self._described is None:
            self._described = programcache.described(
                [self._nodes, self.input_vars, self._donated, self._kept, self._constants,
                 self.outputs, self.update_exprs]) or False
        if self._described is False:
            return None
        settings = self._traced_settings()
        if self._mesh is not None:  # how the program is split over the mesh
            settings += (self._mesh.axis_names, [d.id for d in self._mesh.devices.flat],
                         [self.inputs[k].batch_axis for k in self._program_positions],
                         [str(getattr(a, 'sharding', None))
                          for a in jax.tree_util.tree_leaves(args)])
        return programcache.entry_name(self._described, key, args, settings, self._device)

    def _traced_settings(self):
        """What the tracing of a program reads besides its graph, key and arguments (see
        _graph_fn and _jitted)."""
        return (self._check_indices, self._checks_on_host, self._host_positions,
                self._nan_guard, self.mode.blocks_updates, self._layout.kept_transposed,
                self._dynamic_slices)

    # -- calling ----------------------------------------------------------------------
    __call__ = _CallPath(operator.attrgetter('_call'))

    @property
    def trust_input(self):
        """When True, arguments are passed on unchecked (Theano's ``f.trust_input``)."""
        return self._trust_input

    @trust_input.setter
    def trust_input(self, value):
        self._trust_input = bool(value)
        self._call = self._make_call()

    def _make_call(self):
        """The call path as one closure over everything decided at compile time: it takes
        the locks, times itself, binds and converts the arguments, picks the program and
        calls it, with no further Python frame between the caller and XLA."""
        if self.mode.linker == 'py':
            return self._timed(self._locked(
                lambda *args, **kwargs: self._call_py(self._bind_and_convert(args, kwargs))))
        converters, bind = self._converters, self._bind
        trust_input = self._trust_input
        first_converter = converters[0] if len(converters) == 1 and not trust_input else None
        # With inputs that are state or implicit, every call binds its arguments.
        n_inputs = -1 if self._state or self._any_implicit else self._n_inputs
        program_key, guarded = self._program_key, self._guarded
        stage, stage_positions = self._layout.stage, self._layout.stage_positions
        donated_containers, kept_values = self.updated_containers, self._kept_values
        n_outputs = len(self.outputs)
        n_results = n_outputs + len(donated_containers)
        index_checks = self._index_checks
        buckets, trimmed = self._buckets, self._trimmed
        pad = Buckets.pad
        stage_min_bytes = self._layout.stage_min_bytes
        single, borrow = self.single_output, self._output_borrow
        single = single and self._from_program[0] is None
        single_copied = single and not borrow[0]
        # With no matrix inputs and no input-dependent slices, one key serves every call.
        fixed_key = (self._layout.c_order, ()) if not self._layout.matrix_positions and \
            self._resolve_lengths is None else None
        kept_containers = None if self._layout.any_kept_transposed else self._kept_containers
        shared_args = bool(donated_containers) or bool(self._kept)
        always_guarded = any(node.op.calls_host for node in self._nodes)
        n_guard_outputs = int(self._nan_guard is not None)  # NanGuardMode's flags
        last = [(None, None, None)]  # (key, program, argument shapes) of the previous call
        # The programs by key and argument shapes: a call with other shapes than the
        # previous one (a sentence of another length) finds its program here rather than
        # through the previous program's shape check, whose error costs 0.1-0.5 ms.
        by_shapes = {}
        # Arguments that are arrays of exactly their inputs' dtypes are known, once a call
        # has converted them (unchanged) and run their program, by their shapes and
        # strides, which decide the converters' verdicts, the layout key and the program:
        # a later call with the same ones skips all three (and pads them as planned for
        # their shapes). Not for functions whose key depends on argument values
        # (input-dependent slices).
        dtypes = [v.type.numpy_dtype for v in self.input_vars] if n_inputs >= 0 and \
            not trust_input and self._resolve_lengths is None and all(
                getattr(v.type, 'to_program', None) is None for v in self.input_vars) \
            else None
        # (shape, strides of each argument) -> (key, program, shapes, padding plan, whether
        # an argument is large enough to be staged, whether outputs come back cut)
        signatures = {}
        ndarray = np.ndarray
        mode, clock = self.mode, time.perf_counter
        # A function that reads no shared variable and stages no argument changes nothing
        # but its program cache when called: its calls take no lock, and only a compile
        # takes the function's own.
        locks = self._locks if len(self._locks) > 1 or stage_positions else []
        compile_lock = self._locks[0] if not locks else None

        def call(*args, **kwargs):
            start, compiling = clock(), 0.0
            for lock in locks:  # always in the same order (see holding_state)
                lock.acquire()
            try:
                if kwargs or len(args) != n_inputs:
                    args = bind(args, kwargs)
                signature = known = plan = None
                if dtypes is not None:
                    signature = []
                    for value, dtype in zip(args, dtypes):
                        if type(value) is not ndarray or value.dtype is not dtype:
                            signature = None
                            break
                        signature.append(value.shape)
                        signature.append(value.strides)
                    if signature is not None:
                        signature = tuple(signature)
                        known = signatures.get(signature)
                if known is not None:
                    key, program, shapes, plan, staged, cut = known
                    values = list(args) if plan is None else pad(args, plan)
                else:
                    if first_converter is not None:
                        values = [first_converter(args[0])]
                    elif trust_input:
                        values = list(args)
                    else:
                        values = [convert(v) for convert, v in zip(converters, args)]
                    plan = buckets.plan(values) if buckets is not None else None
                    if plan is not None:
                        values = pad(values, plan)
                    key = fixed_key or program_key(values)
                    if plan is not None:
                        key += (plan[0],)
                    shapes = [getattr(v, 'shape', ()) for v in values]
                    last_key, program, last_shapes = last[0]
                    if key != last_key or shapes != last_shapes:
                        program = by_shapes.get((key, tuple(shapes)))
                        if program is not None:
                            last[0] = key, program, shapes
                passed = values
                if True in key[0]:  # Fortran-ordered matrices go as their transposes
                    passed = [v.T if t else v for v, t in zip(values, key[0])]
                if stage_positions and (known is None or staged):
                    passed = stage(passed)
                if shared_args:
                    flat_args = [c.value for c in donated_containers]
                    flat_args += [c.value for c in kept_containers] \
                        if kept_containers is not None else kept_values()
                    flat_args += passed
                else:
                    flat_args = passed
                if plan is not None:
                    flat_args = flat_args + [plan[2]]
                if program is not None and not always_guarded:
                    try:
                        results = program(*flat_args)
                    except TypeError:  # argument shapes other than those it was compiled for
                        program = None
                if program is None or always_guarded:
                    before = self.stats.compile_seconds
                    if compile_lock is not None:
                        compile_lock.acquire()
                    try:
                        program, new = self._compile_for_call(key, flat_args)
                        self._last_key, self._last_values = key, values
                        # A program's first run may fail (out of memory) after taking the
                        # donated buffers; one that has run before with these shapes keeps
                        # its call cheap.
                        results = guarded(program, flat_args) if new or always_guarded \
                            else program(*flat_args)
                        last[0] = key, _entry_point(program), shapes
                        by_shapes[key, tuple(shapes)] = last[0][1]
                        if new and not always_guarded:
                            self._compile_ahead(key, values, flat_args)
                    finally:
                        if compile_lock is not None:
                            compile_lock.release()
                    # A call that compiles does not count that time (Theano compiled in
                    # function()): it goes to the compile time.
                    compiling = self.stats.compile_seconds - before
                if known is None:
                    cut = plan is not None and bool(trimmed[key])
                if signature is not None and known is None:
                    entry = last[0]
                    if entry[0] == key and entry[2] == shapes:
                        if len(signatures) >= _MAX_SIGNATURES:
                            signatures.clear()
                        signatures[signature] = entry + (plan, any(
                            values[k].nbytes >= stage_min_bytes for k in stage_positions), cut)
                if n_results > n_outputs:
                    for container, value in zip(donated_containers,
                                                results[n_outputs:n_results]):
                        container.value = value
                # The check verdict, NanGuardMode's flags, padded outputs' true lengths.
                extra = len(results) - n_results
                if extra:
                    if extra > n_guard_outputs + cut and \
                            not np.asarray(results[n_results])[0]:
                        raise_index_error(index_checks[key], results[n_results])
                    if n_guard_outputs:
                        self._report_nan(key, results[-1], args)
                if cut:
                    results = trim_outputs(results[:n_outputs], results[-1], trimmed[key])
                if single_copied:
                    return np.array(results[0])
                if single:
                    return np.asarray(results[0])
                if not n_outputs and stage_positions:
                    jax.block_until_ready(results)  # the staging buffers are reused next call
                return self._format(results[:n_outputs])
            finally:
                for lock in locks:
                    lock.release()
                mode.call_time += clock() - start - compiling
        if fixed_key is not None and not shared_args and not always_guarded and \
                not n_guard_outputs and self.profile is None and buckets is None:
            return self._stateless_call(call, last)
        return call if self.profile is None else self._profiled(call)

    def _stateless_call(self, call, last):
        """The call of a function that reads no shared variable and has one program per
        argument shapes: convert, run, return, without a lock. Its programs are found by
        the converted arguments' shapes (a program's own shape check fails with a costly
        TypeError); a function of one tensor input skips the conversion too (see
        _one_input_call). ``call`` (the general path) does the first call with each shape
        and a call with an argument large enough to be staged (see layout.py)."""
        if self._n_inputs == 1 and not self._trust_input and \
                getattr(self.input_vars[0].type, 'to_program', None) is None:
            return self._one_input_call(call, last)
        mode, clock, n_outputs = self.mode, time.perf_counter, len(self.outputs)
        stage_positions = self._layout.stage_positions
        stage_min_bytes = self._layout.stage_min_bytes
        converters, n_inputs, index_checks = self._converters, self._n_inputs, self._index_checks
        trust_input = self._trust_input
        single = self.single_output and self._from_program[0] is None
        copied = not self._output_borrow[0]
        # Arrays' shapes say which program takes them; other values' (a sparse matrix's
        # capacity) need not.
        plain = all(getattr(v.type, 'to_program', None) is None for v in self.input_vars)
        by_shapes = {}  # argument shapes -> program, as ``call`` last ran them

        def stateless_call(*args, **kwargs):
            start = clock()
            if kwargs or len(args) != n_inputs:
                return call(*args, **kwargs)
            values = args if trust_input else \
                [convert(v) for convert, v in zip(converters, args)]
            shapes = tuple([getattr(v, 'shape', ()) for v in values])
            program = None if any(values[k].nbytes >= stage_min_bytes
                                  for k in stage_positions) else by_shapes.get(shapes)
            if program is not None:
                try:
                    results = program(*values)
                except TypeError:  # a value its shape does not describe (trust_input)
                    program = None
            if program is None:
                results = call(*args, **kwargs)
                _, program, last_shapes = last[0]
                if plain and tuple(last_shapes) == shapes:
                    by_shapes[shapes] = program
                return results
            if len(results) > n_outputs and not np.asarray(results[n_outputs])[0]:
                raise_index_error(index_checks[last[0][0]], results[n_outputs])
            mode.call_time += clock() - start
            if single:
                return np.array(results[0]) if copied else np.asarray(results[0])
            return self._format(results[:n_outputs])
        return stateless_call

    def _one_input_call(self, call, last):
        """_stateless_call for one tensor input: a call with an array of the input's exact
        type, dtype and a shape met before (or a Python number for a scalar input) goes
        straight to the program that served that shape, so the input's checks, already
        passed by that shape, are not made again."""
        mode, clock, n_outputs = self.mode, time.perf_counter, len(self.outputs)
        index_checks = self._index_checks
        single = self.single_output and self._from_program[0] is None
        single_copied = single and not self._output_borrow[0]
        array, asarray = np.array, np.asarray
        dtype = self.input_vars[0].type.numpy_dtype
        ndarray, scalar_type = np.ndarray, dtype.type if self.input_vars[0].ndim == 0 else None
        convert_number = self._converters[0] if scalar_type is not None else None
        # Arguments of these sizes are staged, through ``call``.
        staged_bytes = self._layout.stage_min_bytes if self._layout.stage_positions else None
        by_shape = {}  # argument shape -> program, for arguments passed unconverted

        def one_input_call(value=_MISSING, /, *more, **kwargs):
            start = clock()
            kind = type(value)
            if more or kwargs:
                program = None
            elif kind is ndarray:
                program = by_shape.get(value.shape) if value.dtype is dtype else None
            elif kind is scalar_type:
                program = by_shape.get(())
            elif (kind is int or kind is float) and convert_number is not None:
                value = convert_number(value)  # Theano's check, or its error
                kind = type(value)
                program = by_shape.get(())
            else:
                program = None
            if program is None:
                results = call(*(more if value is _MISSING else (value,) + more), **kwargs)
                _, program, shapes = last[0]
                if (kind is ndarray and value.dtype is dtype or kind is scalar_type) and \
                        shapes == [value.shape] and (
                            staged_bytes is None or value.nbytes < staged_bytes):
                    by_shape[value.shape] = program
                return results
            results = program(value)
            if len(results) > n_outputs and not asarray(results[n_outputs])[0]:
                raise_index_error(index_checks[last[0][0]], results[n_outputs])
            mode.call_time += clock() - start
            if single_copied:
                return array(results[0])
            if single:
                return asarray(results[0])
            return self._format(results[:n_outputs])
        return one_input_call

    def _compile_for_call(self, key, flat_args):
        """``_compiled``, saying so in the log when it takes long (see compilelog)."""
        with long_compile_notice('function "%s"' % self.name, len(self._nodes), key[1]):
            return self._compiled(key, flat_args)

    def _compile_ahead(self, key, values, flat_args):
        """After a function's first program, the one its short last batch will need: when
        consecutive values of its index tile the data (``X[i * n:(i + 1) * n]``), the data
        length tells which index gives a short slice and how long it is
        (slices.tail_lengths), so that program is compiled now rather than in the middle
        of the first epoch. Nothing is compiled for lengths that no index gives. (The
        donated arguments have been consumed by now: their shapes stand for them.)"""
        if self._resolve_lengths is None or len(self._programs) != 1 or len(key) > 2:
            return
        lengths = self._resolve_lengths.tail_lengths(values)
        if lengths is None or lengths == key[1]:
            return
        shapes = [jax.ShapeDtypeStruct(a.shape, a.dtype) for a in flat_args]
        try:
            self._compile_for_call((key[0], lengths), shapes)
        except Exception:
            pass  # the call that needs this program compiles it again and reports the error

    def _profiled(self, call):
        """``call`` counted and timed in the function's profile (``profile=True``)."""
        profile, clock, stats = self.profile, time.perf_counter, self.stats

        def call_profiled(*args, **kwargs):
            start, compiling = clock(), stats.compile_seconds
            try:
                return call(*args, **kwargs)
            finally:
                profile.fct_callcount += 1
                profile.fct_call_time += clock() - start - (stats.compile_seconds - compiling)
        return call_profiled

    def _timed(self, call):
        """``call`` adding its time to the mode's ``call_time`` (and to the profile)."""
        mode, clock, stats = self.mode, time.perf_counter, self.stats

        # A call that compiles a program does not count that time (Theano compiled in
        # function()): it goes to the compile time.
        def call_timed(*args, **kwargs):
            start, compiling = clock(), stats.compile_seconds
            try:
                return call(*args, **kwargs)
            finally:
                mode.call_time += clock() - start - (stats.compile_seconds - compiling)
        return call_timed if self.profile is None else self._profiled(call_timed)

    def _report_nan(self, key, flags, args):
        """NanGuardMode's error (or logged message) for a call whose flags are set."""
        flags = np.asarray(flags)
        if not flags.any():
            return
        given = dict(zip(self.input_vars, [convert(v) for convert, v in
                                           zip(self._converters, args)]))
        nanguardmode.report(self._guard_checks[key], flags,
                            lambda node: evaluate(node.inputs, given),
                            lambda node: self._nodes.index(node))

    def _locked(self, call):
        """``call`` holding the function's locks (see holding_state)."""
        locks = self._locks

        def call_locked(*args, **kwargs):
            for lock in locks:
                lock.acquire()
            try:
                return call(*args, **kwargs)
            finally:
                for lock in locks:
                    lock.release()
        return call_locked

    @contextlib.contextmanager
    def holding_state(self):
        """Hold the function's own lock and those of every shared variable it reads or
        writes, so that calls from several threads touching the same state serialize
        (each sees the others' updates, and no buffer is donated while another call reads
        it), while functions with disjoint state run in parallel."""
        for lock in self._locks:  # always in the same order, so no two calls deadlock
            lock.acquire()
        try:
            yield
        finally:
            for lock in self._locks:
                lock.release()

    def _guarded(self, program, flat_args):
        """``program(*flat_args)`` with the donated buffers restored if it fails. XLA
        donates them as soon as a program starts, so a program that fails (out of memory
        on its first run, say, or an op calling back into Python) would lose them; copies
        are taken just before. Used for a program's first run and for programs that call
        the host."""
        donated = flat_args[:len(self.updated_containers)]
        saved = placement.private_copies(donated)
        try:
            return program(*flat_args)
        except BaseException:
            for container, value, copy in zip(self.updated_containers, donated, saved):
                if container.value is value and any(
                        leaf.is_deleted() for leaf in jax.tree_util.tree_leaves(value)):
                    container.value = copy
            raise

    def _kept_values(self):
        """Current values of the shared variables read but not updated, as passed."""
        return self._layout.kept_values(self._kept_containers)

    def _bind_and_convert(self, args, kwargs):
        return [convert(v) for convert, v in zip(self._converters, self._bind(args, kwargs))]

    def _call_py(self, values):
        """Node by node without jit: slow, but errors name the failing node."""
        state = {c: c.data for c in self._constants}
        state.update((v, v.container.value) for v in self._donated + self._kept)
        state.update(zip(self.input_vars, values))
        self.mode.run_graph(self._nodes, state)
        outs = [state[o] for o in self.outputs]
        for var, expr in zip(self._donated, self.update_exprs):
            var.container.value = jax.tree_util.tree_map(jax.numpy.asarray, state[expr])
        return self._format(outs)

    def _format(self, outs):
        results = [convert(o) if convert is not None else np.asarray(o) if borrow else
                   np.array(o)
                   for o, borrow, convert in zip(outs, self._output_borrow, self._from_program)]
        return results[0] if self.single_output else results

    # -- what loop() needs ---------------------------------------------------------------
    @property
    def allow_input_downcast(self):
        return self._spec['allow_input_downcast']

    @property
    def dynamic_slices(self):
        """What each call works out on the host first (see slices.dynamic_slices)."""
        return self._dynamic_slices

    @property
    def nodes(self):
        """The nodes of the compiled graph, in the order they run."""
        return self._nodes

    @property
    def has_dynamic_slices(self):
        return self._resolve_lengths is not None

    @property
    def shared_slice_bounds(self):
        """The shared variables that slice bounds read (on the host, before each call)."""
        return self._resolve_lengths.shared_bounds if self._resolve_lengths else ()

    def slice_lengths(self, args):
        """The lengths of the input-dependent slices for converted arguments ``args``."""
        return self._resolve_lengths(args) if self._resolve_lengths else ()

    def step(self, lengths):
        """The traced function of one loop() step with C-ordered arguments (see
        _graph_fn)."""
        return self._graph_fn((self._layout.c_order, lengths), for_loop=True)

    def read_only_values(self):
        return self._kept_values()

    def index_checks(self, lengths):
        """The checks of ``step(lengths)`` (see lower.Lowering.checked)."""
        return self._loop_index_checks[(self._layout.c_order, lengths)]

    def keep_index_checks(self, lengths, checks):
        """Take ``checks`` as those of ``step(lengths)``, recorded by an earlier process's
        tracing of it (programcache)."""
        self._loop_index_checks[(self._layout.c_order, lengths)] = checks

    @property
    def on_mesh(self):
        """Whether the function runs data parallel (``config.data_parallel``)."""
        return self._mesh is not None

    @property
    def partitioned(self):
        """Whether the function's programs are partitioned over the mesh: under data
        parallel, unless it calls back into Python (see _one_device_program)."""
        return self._mesh is not None and not self.calls_host

    @property
    def calls_host(self):
        """Whether the program calls back into Python (an op with ``calls_host``)."""
        return any(node.op.calls_host for node in self._nodes)

    @property
    def waits_for_collectives(self):
        """Whether each run must finish before the next starts (placement.py says why)."""
        return placement.waits_for_collectives(self._mesh)

    def sequences_on_mesh(self, sequences):
        """loop()'s sequences (step axis first) on the mesh, each step laid out as a call's
        argument would be; with several processes, each passes its part of a batched
        input's sequence (see _global_input)."""
        placed = []
        for k, seq in enumerate(sequences):
            if placement.multi_process():
                step = self._global_input(k, seq[0], False).sharding
                placed.append(jax.make_array_from_process_local_data(
                    placement.with_step_axis(step), seq))
            else:
                step = placement.batch_sharding(self._mesh, seq.shape[1:],
                                                self._batch_axis(k, False))
                placed.append(jax.device_put(seq, placement.with_step_axis(step)))
        return placed

    def loop(self, *sequences, n_steps=None, **kw_sequences):
        """Run the function once per row of its inputs, in one XLA call.

        Each argument is the sequence of values of one input (stacked along a new first
        axis, e.g. ``train.loop(index=np.arange(n_batches))``). Updates are applied in
        order, exactly as that many separate calls would; outputs come back stacked.
        """
        if self._state or self._nan_guard is not None:
            raise NotImplementedError(
                'loop() of function "%s": %s; call it step by step instead' % (
                    self.name, 'it runs under NanGuardMode' if self._nan_guard is not None
                    else 'it has inputs with updates (In(..., update=...))'))
        return run_loop(self, self._bind(sequences, kw_sequences), n_steps)

    # -- inspection -------------------------------------------------------------------
    def printable_outputs(self):
        """Outputs then update expressions, and the node order, for debugprint."""
        return self.outputs + self.update_exprs, self._nodes

    def xla_text(self):
        """The XLA (StableHLO) text of the program compiled most recently."""
        if self._last_key is None:
            raise RuntimeError('Function "%s" has not been called yet, so no program has been '
                               'compiled; call it once first' % self.name)
        args = self._abstract_args(self._last_key)
        return self._jitted(self._last_key, args).lower(*args).as_text()

    def _abstract_args(self, key):
        def spec(value):
            return jax.tree_util.tree_map(
                lambda leaf: jax.ShapeDtypeStruct(leaf.shape, leaf.dtype,
                                                  sharding=getattr(leaf, 'sharding', None)),
                value)
        shared = [spec(v.container.value) for v in self._donated]
        shared += [spec(v) for v in self._kept_values()]
        inputs = [spec(v.T if t else v) for v, t in zip(self._last_values, key[0])]
        return shared + inputs + ([jax.ShapeDtypeStruct((), 'int64')] if len(key) > 2 else [])

    def accepts_padding(self, values, positions):
        """Whether the program for ``values`` padded at ``positions`` traces (every op
        meeting a padded axis has a rule in compile/padding.py): it did if an earlier
        process kept it (programcache), else tracing its shapes tells."""
        key = (self._layout.c_order, self.slice_lengths(values), positions)
        specs = [[jax.ShapeDtypeStruct(np.shape(v), v.dtype) for v in group] for group in (
            [c.value for c in self.updated_containers], self._kept_values(), values)]
        specs[2].append(jax.ShapeDtypeStruct((), 'int64'))
        with jax.default_device(self._device):  # (as when compiled: part of the entry name)
            if programcache.holds(self._entry_name(key, sum(specs, []))):
                return True
            try:
                jax.eval_shape(self._graph_fn(key), *specs)
            except Exception:
                return False
        return True

    # -- Theano's inspection and state: f.maker, f[x], f.value, f.container, copy ---------
    @property
    def maker(self):
        """Theano's ``f.maker``: ``.fgraph`` (the compiled graph: ``.inputs``, ``.outputs``,
        ``.toposort()``, ``.apply_nodes``), ``.inputs`` (the In of each input), ``.outputs``,
        ``.mode``, ``.profile``."""
        if self._maker is None:
            self._maker = FunctionMaker(self)
        return self._maker

    def _position(self, key):
        if isinstance(key, int) and not isinstance(key, bool):
            if not -len(self.inputs) <= key < len(self.inputs):
                raise IndexError('function "%s" has %d inputs, not %d'
                                 % (self.name, len(self.inputs), key + 1))
            return key % len(self.inputs)
        if isinstance(key, str):
            if key in self._names:
                return self._names[key]
        else:
            for k, spec in enumerate(self.inputs):
                if spec.variable is key:
                    return k
        raise KeyError('function "%s" has no input %r' % (self.name, key))

    def __getitem__(self, key):
        """The value stored for an input (its state, or its default value)."""
        return self.container[key].value

    def __setitem__(self, key, value):
        self.container[key].value = value

    def __contains__(self, key):
        try:
            self._position(key)
        except (KeyError, IndexError):
            return False
        return True

    @property
    def value(self):
        """``f.value[x]``: the values stored for the inputs (also ``f[x]``)."""
        return _InputValues(self)

    @property
    def container(self):
        """``f.container[x]``: the storage of each input's value; a stateful input's may be
        given to another function, ``In(s, value=f.container[s], update=...)``, which then
        shares the state."""
        return _InputContainers(self)

    def copy(self, share_memory=False, swap=None, delete_updates=False, name=None,
             profile=None):
        """A copy of this function (Theano's ``f.copy``). Unless ``share_memory``, it has
        its own copies of the shared variables and input states it uses, so calling one
        does not change what the other sees; ``swap`` ({shared variable: another of the
        same type}) makes the copy use other shared variables; ``delete_updates`` leaves
        its updates out. As Theano's, the copy returns a list of outputs."""
        swap = dict(swap or {})
        for old, new in swap.items():
            if not isinstance(old, SharedVariable) or not isinstance(new, SharedVariable):
                raise TypeError('copy(swap=...) maps shared variables to shared variables; '
                                'got %r: %r' % (old, new))
            if old.type != new.type:
                raise TypeError('copy(swap=...): %s of type %s cannot be swapped for %s of '
                                'type %s' % (old, old.type, new, new.type))
        replace = dict(swap)
        if not share_memory:
            for var in self._donated + self._kept:
                if var not in replace:
                    replace[var] = _private_copy(var)
        graph = [_substitute(v, replace) for v in self.outputs]
        updates = [] if delete_updates else [
            (replace.get(t, t), _substitute(e, replace))
            for t, e in zip(self.update_targets, self.update_exprs)]
        state = {k: replace.get(v, v) for k, v in self._state.items()}
        if delete_updates:  # a state without its update is a plain default
            state = {}
        # As in Theano (and its tutorial), a copy returns its outputs as a list, also
        # when the original returned a single one.
        spec = _copy_spec(self._spec, swap, delete_updates)
        copied = Function(spec, list(self.inputs), graph, list(self._output_borrow), False,
                          updates, self.mode, name or self.name, self._builder, state=state,
                          profile=profile)
        copied._defaults = dict(self._defaults)
        if delete_updates:
            for k, var in self._state.items():
                copied._defaults[k] = np.asarray(var.container.value)
        return copied

    def free(self):
        """Theano frees its intermediate storage here; XLA frees a program's temporaries
        when it returns, so there is nothing to free."""

    def __reduce__(self):
        return (_call_with_keywords, (self._builder, self._spec))


_MISSING = object()
_MAX_SIGNATURES = 256  # argument signatures remembered per function (see _make_call)


def _private_copy(var):
    """A shared variable like ``var`` with a copy of its value (for Function.copy)."""
    copy = var.clone()
    copy.container = type(var.container)(
        jax.tree_util.tree_map(jax.numpy.copy, var.container.value))
    return copy


def _substitute(var, replace):
    return clone_replace([var], replace)[0] if replace else var


def _copy_spec(spec, swap, delete_updates):
    """What a copy is made from when it is unpickled: the original's arguments with the
    swapped shared variables and without updates if they were deleted."""
    spec = dict(spec)
    outputs = spec['outputs']
    if outputs is not None and not isinstance(outputs, (list, tuple)):
        spec['outputs'] = [outputs]
    if delete_updates:
        spec['updates'], spec['no_default_updates'] = None, True
    if swap:
        updates = spec['updates']
        pairs = list(updates.items()) if isinstance(updates, dict) else list(updates or [])
        spec['updates'] = [(swap.get(t, t), e) for t, e in pairs]
        givens = spec['givens']
        pairs = list(givens.items()) if isinstance(givens, dict) else list(givens or [])
        spec['givens'] = pairs + [(old, new) for old, new in swap.items()]
    return spec


class FunctionMaker:
    """Theano's ``f.maker``: what the function was made from."""

    def __init__(self, fn):
        self.function = fn
        self.inputs = list(fn.inputs)
        self.mode = fn.mode
        self.profile = fn.profile
        graph_inputs = [fn._state.get(k, spec.variable) for k, spec in enumerate(fn.inputs)]
        shared = [v for v in fn._donated + fn._kept if v not in graph_inputs]
        self.fgraph = FunctionGraph(graph_inputs + shared, fn.outputs + fn.update_exprs,
                                    nodes=fn._nodes)
        self.outputs = fn.outputs

    def __repr__(self):
        return '<FunctionMaker of function "%s">' % self.function.name


class _InputContainer:
    """The storage of one input's value: ``.value`` (read and written through the input's
    type), ``.storage`` (Theano's one-element list, a snapshot)."""

    def __init__(self, fn, position):
        self._fn, self._position = fn, position

    @property
    def shared_variable(self):
        return self._fn._state.get(self._position)

    @property
    def value(self):
        fn, k = self._fn, self._position
        if k in fn._state:  # the same numpy array while the state is unchanged
            current = fn._state[k].container.value
            cached = fn._state_arrays.get(k)
            if cached is None or cached[0] is not current:
                cached = fn._state_arrays[k] = (current, np.asarray(current))
            return cached[1]
        return fn._defaults.get(k)

    @value.setter
    def value(self, value):
        fn, k = self._fn, self._position
        converted = fn._all_converters[k](value)
        if k in fn._state:
            container = fn._state[k].container
            with container.lock:
                container.value = to_device(converted)
        else:
            fn._defaults[k] = converted

    @property
    def storage(self):
        return [self.value]

    def __repr__(self):
        return '<%s>' % (self.value,)


class _InputContainers:
    def __init__(self, fn):
        self._fn = fn

    def __getitem__(self, key):
        return _InputContainer(self._fn, self._fn._position(key))


class _InputValues(_InputContainers):
    def __getitem__(self, key):
        return super().__getitem__(key).value

    def __setitem__(self, key, value):
        super().__getitem__(key).value = value


def _call_with_keywords(builder, keywords):
    """Unpickling: make the function again from what it was made from."""
    return builder(**keywords)


def _leaves(nodes, outputs):
    seen, leaves = set(), []
    for node in nodes:
        for var in node.inputs:
            if var.owner is None and var not in seen:
                seen.add(var)
                leaves.append(var)
    for var in outputs:
        if var.owner is None and var not in seen:
            seen.add(var)
            leaves.append(var)
    return leaves


class CompileStats:
    """``f.stats``: how many XLA programs a function compiled (one per argument layout,
    input-dependent lengths and argument shapes met), the seconds spent compiling them,
    and how many of them it read as an earlier process had kept them (``compiledir``)."""

    def __init__(self):
        self.programs = 0
        self.compile_seconds = 0.0
        self.kept = 0

    def __repr__(self):
        return '<%d program%s compiled in %.2f s%s>' % (
            self.programs, '' if self.programs == 1 else 's', self.compile_seconds,
            ', %d of them read from compiledir' % self.kept if self.kept else '')


def _minibatch_shardings(dynamic_slices, from_inputs, length_map, mesh):
    """{minibatch variable: its sharding} for the minibatches that a program slices out of
    a dataset held in shared variables (``X[:, i*b:(i+1)*b]``, ``cast(Y)[i*b:(i+1)*b]``, as
    ``givens`` do), with bounds known at call time: split along the sliced axis when the
    length divides evenly among the devices. The dataset stays whole on every device, so
    each takes its part of the minibatch with no communication. ``from_inputs``: the
    variables computed from the explicit inputs, which are split already."""
    found = {}
    for node, dim, _, sliced in dynamic_slices:
        if not (isinstance(node.op, Subtensor) and isinstance(dim, int)) or \
                sliced in from_inputs or length_map[(node, dim)] % mesh.size:
            continue
        out = node.outputs[0]
        axis = sum(isinstance(entry, slice) for entry in node.op.idx_list[:dim])
        found.setdefault(out, placement.split_along(mesh, out.ndim, axis))
    return found


class _RunThrough:
    """A compiled executable called through ``run`` (which prepares its arguments or
    results), still answering XLA's analyses of it (for profiles)."""

    def __init__(self, executable, run):
        self._executable, self._run = executable, run

    def __call__(self, *args):
        return self._run(*args)

    def cost_analysis(self):
        return self._executable.cost_analysis()

    def memory_analysis(self):
        return self._executable.memory_analysis()


class _SplitAsComputed(dict):
    """The values of a program being traced (see run_nodes) in which the chosen variables
    are laid out across the mesh as they are computed."""

    def __init__(self, shardings):
        super().__init__()
        self._shardings = shardings

    def __setitem__(self, var, value):
        sharding = self._shardings.get(var)
        if sharding is not None:
            value = jax.lax.with_sharding_constraint(value, sharding)
        super().__setitem__(var, value)


def _traced(nodes, inputs):
    """Variables whose values depend on inputs or shared variables (known only at call time).

    Shapes are not: under jit every shape is known when the program is traced.
    """
    traced = set(inputs)
    for node in nodes:
        if not isinstance(node.op, Shape) and any(i in traced for i in node.inputs):
            traced.update(node.outputs)
    return traced


def _exact_int_range(dtype):
    """(smallest, largest) Python int that ``dtype`` holds exactly, or None for a type
    that holds no int exactly (bool, complex, strings)."""
    if dtype.kind in 'iu':
        info = np.iinfo(dtype)
        return int(info.min), int(info.max)
    if dtype.kind == 'f':
        largest = 2 ** (np.finfo(dtype).nmant + 1)
        return -largest, largest
    return None


def _checking_on_host(program, checks, first_input):
    """``program`` checking its integer inputs against ``checks`` (lower.check_on_host)
    before it runs: a call with an index out of range raises and changes nothing."""
    def checked(*flat_args):
        check_on_host(checks, flat_args[first_input:])
        return _entry_point(program)(*flat_args)
    return checked


def _entry_point(program):
    """What a call invokes: for a plain executable, once it has run, its own C++ entry
    point, which makes the same argument checks without the Python frame of
    ``Compiled.__call__`` (about 1.5 µs a call); the program itself otherwise (a profiled
    one, or a JAX whose executables lack that entry point)."""
    if type(program) is jax.stages.Compiled:
        return getattr(program, '_call', None) or program
    return program
