"""``Function.loop``: many calls of a compiled function as one XLA program (a ``lax.scan``).

A training epoch is hundreds of calls of one update function. Run as a scan, the updated
shared values are the scan's carry, so they never leave the device between steps and
the per-call Python and dispatch overhead is paid once per epoch. Steps whose slice
lengths differ (a short last minibatch) run as a separate scan, so the results are
exactly those of the separate calls. The scans a loop needs are all compiled before the
first one runs, so a loop never stops between its groups to compile.

A loop is all or nothing, like a single call: if any step fails (an index out of range,
a program that cannot run), every shared variable is left as it was before the loop.

Under data parallel, each step's minibatch is split among the devices as a call's would
be, and the shared values keep their layout across the loop. In several processes, each
passes its part of the batched inputs' sequences, as of a call's batched inputs.
"""
import time

import jax
import numpy as np

from symgraph import placement
from symgraph.compile.compilelog import long_compile_notice
from symgraph.compile.lower import raise_index_error
from symgraph.tensor.type import TensorType


def _stacked(fn, position, value, n_steps):
    """The sequence for one input as an array with a leading step axis, type-checked."""
    var = fn.input_vars[position]
    seq_type = TensorType(var.dtype, (False,) + var.broadcastable)
    try:
        array = seq_type.filter(value, allow_downcast=fn.allow_input_downcast)
    except TypeError as err:
        raise TypeError('Bad sequence for input %d (%s) of function "%s" in loop(): %s (a '
                        'sequence has one more dimension than the input, the step axis first)'
                        % (position, var.name or '<unnamed>', fn.name, err)) from None
    if n_steps is not None and array.shape[0] != n_steps:
        raise ValueError('loop(): input %s has %d steps, but %d were expected'
                         % (var.name or position, array.shape[0], n_steps))
    return np.ascontiguousarray(array)


def _groups(fn, sequences, n_steps):
    """Runs of consecutive steps that share slice lengths: [(lengths, start, stop)]."""
    if not fn.has_dynamic_slices:
        return [((), 0, n_steps)]
    updated = [v for v in fn.update_targets if v in fn.shared_slice_bounds]
    if updated:  # the lengths of later steps depend on values only the device will know
        raise NotImplementedError('loop(): the slice bounds of function "%s" read the shared '
                                  'variable %s, which the function updates; call it step by '
                                  'step instead' % (fn.name, updated[0]))
    runs = []
    for k in range(n_steps):
        lengths = fn.slice_lengths([seq[k] for seq in sequences])
        if runs and runs[-1][0] == lengths:
            runs[-1][2] = k + 1
        else:
            runs.append([lengths, k, k + 1])
    return [tuple(run) for run in runs]


def _scan_program(fn, lengths, specs, n_steps):
    """The compiled scan of ``n_steps`` steps with slice lengths ``lengths``, for
    arguments like ``specs`` (donated values, read-only values, the steps' sequences);
    compiled once per lengths and shapes, and counted in ``fn.stats``. On a mesh, the new
    shared values keep the layout of the donated ones."""
    signature = (lengths, n_steps) + tuple((a.shape, a.dtype) for group in specs
                                           for a in group)
    program = fn.loop_programs.get(signature)
    if program is None:
        run = fn.step(lengths)
        layouts = [spec.sharding for spec in specs[0]] if fn.partitioned else None

        def epoch(donated_values, kept_values, sequences):
            def step(carry, inputs):
                outputs, new_values, verdict, _, _ = run(carry, kept_values, inputs)
                if layouts is not None:
                    new_values = tuple(jax.lax.with_sharding_constraint(new, layout)
                                       for new, layout in zip(new_values, layouts))
                return new_values, (outputs, verdict)
            return jax.lax.scan(step, tuple(donated_values), tuple(sequences), length=n_steps)

        def lower():
            return jax.jit(epoch, donate_argnums=(0,)).lower(*specs)

        start = time.perf_counter()
        with long_compile_notice('the loop of function "%s"' % fn.name,
                                 len(fn.printable_outputs()[1]), lengths):
            # kept by graph (programcache), with its step's index checks
            program = fn.kept_or_compiled(
                ('loop', lengths, n_steps), specs, lower,
                recorded=lambda: fn.index_checks(lengths),
                restore=lambda checks: fn.keep_index_checks(lengths, checks))
        fn.stats.programs += 1
        fn.stats.compile_seconds += time.perf_counter() - start
        fn.loop_programs[signature] = program
    return program


def run_loop(fn, values, n_steps=None):
    """Apply ``fn`` to each step of ``values`` (one sequence per input); see Function.loop."""
    if fn.mode.linker == 'py':
        raise NotImplementedError("loop() needs a jitted function; mode 'py' runs node by node")
    if not values and n_steps is None:
        raise TypeError('loop() of a function without inputs needs n_steps=')
    sequences = [_stacked(fn, k, v, n_steps) for k, v in enumerate(values)]
    if n_steps is None:
        n_steps = sequences[0].shape[0]
    for k, seq in enumerate(sequences):
        if seq.shape[0] != n_steps:
            raise ValueError('loop(): the sequences have different numbers of steps (%d for '
                             'input %d, %d for input 0)' % (seq.shape[0], k, n_steps))
    with fn.holding_state():
        groups = _groups(fn, sequences, n_steps)  # read on the host, before placing
        if fn.on_mesh:
            fn.place_on_mesh()
            if fn.partitioned:
                sequences = fn.sequences_on_mesh(sequences)
            else:
                fn.check_runs_on_one_device()
        collected = _run_groups(fn, sequences, groups)
    stacked = [np.concatenate([np.asarray(run[i]) for run in collected])
               for i in range(len(fn.outputs))]
    return stacked[0] if fn.single_output else stacked


def _run_groups(fn, sequences, groups):
    """Run every group of steps; on any failure restore the shared values saved first."""
    containers = fn.updated_containers
    on_one_device = fn.on_mesh and not fn.partitioned

    def specs(start, stop):
        return [[_spec(c.value) for c in containers], [_spec(v) for v in fn.read_only_values()],
                [_spec(seq, stop - start) for seq in sequences]]
    # Every scan is compiled before the first runs (the arguments' shapes are enough),
    # except on copies on one device, compiled for those copies.
    programs = [None if on_one_device else
                _scan_program(fn, lengths, specs(start, stop), stop - start)
                for lengths, start, stop in groups]
    saved = placement.private_copies([c.value for c in containers])  # the scans donate them
    try:
        collected = []
        for program, (lengths, start, stop) in zip(programs, groups):
            current = [c.value for c in containers]
            args = current, fn.read_only_values(), [seq[start:stop] for seq in sequences]
            if on_one_device:  # it calls back into Python: on copies, as its calls are
                args = [fn.one_device_copies(group) for group in args]
                program = _scan_program(fn, lengths, [[_spec(v) for v in group]
                                                      for group in args], stop - start)
            carry, (outputs, verdict) = program(*args)
            if on_one_device:
                carry = [jax.device_put(new, old.sharding) for new, old in zip(carry, current)]
            elif fn.waits_for_collectives:
                jax.block_until_ready(carry)
            for container, value in zip(containers, carry):
                container.value = value
            if verdict is not None:
                verdict = np.asarray(verdict)  # one row per step
                if not verdict[:, 0].all():
                    failed = int(np.argmin(verdict[:, 0]))
                    raise_index_error(fn.index_checks(lengths), verdict[failed])
            collected.append(outputs)
        return collected
    except BaseException:
        for container, value in zip(containers, saved):
            container.value = value
        raise


def _spec(value, rows=None):
    """The shape, dtype and layout of ``value`` (of its first ``rows`` rows)."""
    shape = value.shape if rows is None else (rows,) + tuple(value.shape[1:])
    return jax.ShapeDtypeStruct(shape, value.dtype, sharding=getattr(value, 'sharding', None))
