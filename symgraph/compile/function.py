"""``function()``: a graph with givens and updates, compiled into one jitted XLA program.

Everything that can be decided once is decided here, when the function is made: the
order of inputs and shared variables, which shared buffers are updated (and donated),
the input converters, the host-side arithmetic for slice lengths. ``Function.__call__``
then only converts the arguments, picks the compiled program for their layout, makes one
XLA call and stores the new shared values.

Two call-path details matter for speed on CPU:

* a 2-d argument in Fortran order (a column slice of ``X.T``, as LXMLS feeds minibatches)
  is passed as its C-ordered transpose, a free view, and transposed back inside the
  program, where XLA folds it into the consumer instead of copying 30-40 µs per call;
* XLA:CPU reads a numpy argument in place only when its memory is 64-byte aligned (numpy
  guarantees 16), and otherwise makes a slow copy of its own; large unaligned arguments
  are therefore copied into an aligned staging buffer first, a plain memcpy;
* updated shared buffers are donated, so parameters are updated in place;
* a shared matrix that the function only reads through column slices (``X[:, a:b]``, the
  LXMLS minibatch of a features x examples dataset) is passed as a cached transposed copy,
  so a minibatch is a block of contiguous rows instead of a strided gather.
"""
import contextlib
import warnings

import jax
import numpy as np

from symgraph.compile import host
from symgraph.compile.lower import Lowering, raise_index_error, run_nodes
from symgraph.compile.io import In, MissingInputError, Out, UnusedInputError, get_mode
from symgraph.config import config
from symgraph.graph.basic import (Constant, Variable, ancestors, clone_replace, format_trace,
                                  paused_gc, toposort, user_frame)
from symgraph.tensor.sharedvar import SharedVariable, shared as make_shared
from symgraph.tensor.type import short_repr


def _caller_name():
    """Theano's default function name: the user's file and line."""
    where = user_frame()
    return '%s:%d' % where[:2] if where else '<unknown>'


def _normalize_updates(updates):
    if updates is None:
        return []
    if isinstance(updates, dict):  # insertion-ordered, so the order is deterministic
        return list(updates.items())
    pairs = list(updates)
    for pair in pairs:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError('The updates parameter must be an OrderedDict/dict or a list of '
                             'lists/tuples with 2 elements; got the entry %r' % (pair,))
    return [tuple(p) for p in pairs]


def _check_update(target, expr):
    from symgraph.tensor.var import as_tensor_variable
    if not isinstance(target, SharedVariable):
        raise TypeError('update target must be a SharedVariable; %s of type %s is not one. Only '
                        'shared variables keep values between calls.\nIt was created at:\n%s'
                        % (target, getattr(target, 'type', type(target).__name__),
                           format_trace(getattr(target, 'creation_trace', None))))
    try:
        expr = as_tensor_variable(expr)
    except (TypeError, ValueError) as err:
        raise TypeError('The update of shared variable %s must be a symbolic expression or a '
                        'numeric value of its type %s; got %s: %s\nThe shared variable was '
                        'created at:\n%s' % (target, target.type, short_repr(expr), err,
                                              format_trace(target.creation_trace))) from None
    if expr.type != target.type:
        raise TypeError(
            'An update must have the same type as the original shared variable '
            '(shared_var=%s, shared_var.type=%s, update_val=%s, update_val.type=%s).\n'
            'If the difference is related to the broadcast pattern, you can call the '
            'tensor.unbroadcast(var, axis_to_unbroadcast[, ...]) function to remove '
            'broadcastable dimensions.%s\nThe update expression was created at:\n%s'
            % (target, target.type, expr, expr.type, _dtype_hint(target, expr),
               format_trace(expr.creation_trace)))
    return expr


def _dtype_hint(target, expr):
    if target.dtype != expr.dtype:
        return (' The dtypes differ (%s vs %s): cast the update with T.cast(expr, %r), or build '
                'it from values of dtype %s.' % (target.dtype, expr.dtype, target.dtype,
                                                  target.dtype))
    return ''


class Function:
    """A compiled graph. Call it with one value per input (positionally or by name)."""

    def __init__(self, spec, inputs, outputs, output_borrow, single_output, updates, mode, name):
        self._spec = spec
        self.name = name
        self.mode = mode
        self.inputs = inputs
        self.input_vars = [i.variable for i in inputs]
        self._single_output = single_output
        self._output_borrow = output_borrow
        self.outputs = outputs
        self.update_targets = [t for t, _ in updates]
        self.update_exprs = [e for _, e in updates]
        all_outputs = self.outputs + self.update_exprs
        self._nodes = toposort(all_outputs)
        leaves = _leaves(self._nodes, all_outputs)
        self._check_missing(leaves)
        self._check_unused(leaves, spec['on_unused_input'])
        updated = set(self.update_targets)
        self._donated = list(self.update_targets)
        self._kept = [v for v in leaves if isinstance(v, SharedVariable) and v not in updated]
        consumers = _consumers(self._nodes)
        self._kept_layout = tuple(_only_column_sliced(v, consumers.get(v, ()), all_outputs)
                                  for v in self._kept)
        self._constants = [v for v in leaves if isinstance(v, Constant)]
        self._input_index = {v: k for k, v in enumerate(self.input_vars)}
        self._names = {i.name: k for k, i in enumerate(inputs) if i.name}
        self._converters = [self._make_converter(k, i) for k, i in enumerate(inputs)]
        self._dynamic_slices = host.dynamic_slices(
            self._nodes, _traced(self._nodes, self.input_vars + self._donated + self._kept))
        self._resolve_lengths = host.make_length_resolver(self._dynamic_slices,
                                                          self._input_index)
        self._device = jax.devices(config.jax_platform)[0]
        # Precomputed for the call path.
        self._n_inputs = len(inputs)
        self._c_layout = (False,) * self._n_inputs
        self._matrix_positions = [k for k, v in enumerate(self.input_vars) if v.ndim == 2]
        self._stage_positions = [k for k, v in enumerate(self.input_vars) if v.ndim > 0] \
            if self._device.platform == 'cpu' else []
        self._staging = {}
        self._donated_containers = [v.container for v in self._donated]
        self._kept_containers = [v.container for v in self._kept]
        self._locks = [c.lock for c in sorted(
            set(self._donated_containers + self._kept_containers), key=lambda c: c.order)]
        self._kept_transposed = any(self._kept_layout)
        self._check_indices = config.check_indices
        self._index_checks = {}  # slice lengths -> (node, axis, size) of each index check
        self._programs = {}
        self._loop_programs = {}
        self._last_key = self._last_values = None
        self._trust_input = False
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

    def _check_unused(self, leaves, policy):
        used = set(leaves)
        for k, var in enumerate(self.input_vars):
            if var in used:
                continue
            message = ('symgraph.function was asked to create a function computing outputs '
                       'given certain inputs, but the provided input variable at index %d is '
                       'not part of the computational graph needed to compute the outputs: %s.'
                       % (k, var))
            if policy == 'raise':
                raise UnusedInputError(
                    message + "\nTo make this error into a warning, you can pass the parameter "
                    "on_unused_input='warn' to symgraph.function. To disable it completely, "
                    "use on_unused_input='ignore'.")
            if policy == 'warn':
                warnings.warn(message + "\nTo make this warning into an error, you can pass "
                              "the parameter on_unused_input='raise' to symgraph.function. To "
                              "disable it completely, use on_unused_input='ignore'.",
                              stacklevel=4)

    # -- argument conversion --------------------------------------------------------------
    def _make_converter(self, position, spec):
        var = spec.variable
        vtype = var.type
        dtype, ndim = vtype.numpy_dtype, vtype.ndim
        bcast_dims = [d for d, b in enumerate(vtype.broadcastable) if b]
        allow_downcast = spec.allow_downcast if spec.allow_downcast is not None else \
            self._spec['allow_input_downcast']

        scalar_type = dtype.type if ndim == 0 else None

        def convert(value):
            if type(value) is np.ndarray and value.dtype is dtype and value.ndim == ndim and \
                    (not bcast_dims or all(value.shape[d] == 1 for d in bcast_dims)):
                return value
            if type(value) is scalar_type:
                return value
            try:
                return vtype.filter(value, strict=spec.strict, allow_downcast=allow_downcast)
            except (TypeError, ValueError) as err:
                raise type(err)(
                    'Bad input argument to function "%s" at index %d (0-based), input %s of '
                    'type %s: %s\nThe value has %s.\nThe variable was created at:\n%s'
                    % (self.name, position, var.name or '<unnamed>', vtype, err,
                       vtype.describe_value(value), format_trace(var.creation_trace))) \
                    from None
        return convert

    def _bind(self, args, kwargs):
        n = len(self.inputs)
        if len(args) > n:
            raise TypeError('Too many parameters passed to function "%s": it takes %d inputs '
                            '(%s), got %d' % (self.name, n, ', '.join(
                                str(v) for v in self.input_vars), len(args)))
        values = list(args) + [_MISSING] * (n - len(args))
        for key, value in kwargs.items():
            pos = self._names.get(key)
            if pos is None:
                raise TypeError('Unknown input or state: %s. The function "%s" has %d named '
                                'inputs (%s).' % (key, self.name, len(self._names),
                                                  ', '.join(self._names)))
            if values[pos] is not _MISSING:
                raise TypeError('Input %s of function "%s" was given twice' % (key, self.name))
            values[pos] = value
        for pos, value in enumerate(values):
            if value is _MISSING:
                spec = self.inputs[pos]
                if not spec.has_default:
                    raise TypeError('Missing required input: %s (input %d of function "%s")'
                                    % (spec.name or self.input_vars[pos], pos, self.name))
                values[pos] = spec.value
        return values

    # -- compiled programs ----------------------------------------------------------------
    def _program_key(self, args):
        """(which matrix arguments come Fortran-ordered, lengths of input-dependent slices)."""
        layout = self._c_layout
        if self._matrix_positions:
            flags = [False] * self._n_inputs
            for k in self._matrix_positions:
                f = args[k].flags
                flags[k] = f.f_contiguous and not f.c_contiguous
            layout = tuple(flags)
        lengths = self._resolve_lengths(args) if self._resolve_lengths else ()
        return layout, lengths

    def _graph_fn(self, key):
        """The Python function traced by jit for one (layout, slice lengths) key."""
        layout, lengths = key
        nodes, constants = self._nodes, self._constants
        donated, kept, inputs = self._donated, self._kept, self.input_vars
        kept_layout = self._kept_layout
        outputs, update_exprs = self.outputs, self.update_exprs
        length_map = {(node, dim): length
                      for (node, dim, _, _), length in zip(self._dynamic_slices, lengths)}
        check_indices, index_checks = self._check_indices, self._index_checks

        def run(donated_values, kept_values, input_values):
            """(outputs, new shared values, index verdict or None), as traced values."""
            values = {c: c.data for c in constants}
            values.update(zip(donated, donated_values))
            values.update((var, value.T if transposed else value)
                          for var, value, transposed in zip(kept, kept_values, kept_layout))
            values.update((var, value.T if transposed else value)
                          for var, value, transposed in zip(inputs, input_values, layout))
            lowering = Lowering(length_map, check_indices)
            run_nodes(nodes, values, lowering)
            verdict, index_checks[lengths] = lowering.checked()
            return (tuple(values[o] for o in outputs), tuple(values[e] for e in update_exprs),
                    verdict)
        return run

    def _jitted(self, key):
        """The jitted program for a key: flat arguments (donated shared values, other
        shared values, inputs) and a flat result (outputs, new shared values, and the
        index verdict when the program checks indices)."""
        run = self._graph_fn(key)
        n_donated, n_kept = len(self._donated), len(self._kept)

        def flat(*args):
            old_values = args[:n_donated]
            outs, new_values, verdict = run(old_values, args[n_donated:n_donated + n_kept],
                                            args[n_donated + n_kept:])
            if verdict is None:
                return outs + new_values
            # An index out of range leaves the (donated) shared values as they were.
            in_range = verdict[0]
            new_values = tuple(jax.numpy.where(in_range, new, old)
                               for new, old in zip(new_values, old_values))
            return outs + new_values + verdict
        return jax.jit(flat, donate_argnums=tuple(range(n_donated)))

    def _compiled(self, key, flat_args):
        """The executable for a key and the shapes of ``flat_args``, compiled ahead of time
        so that only the executable stays alive: a ``jax.jit`` kept for calling would also
        keep its traced jaxpr and lowered module, four times the executable's memory."""
        by_shape = self._programs.setdefault(key, {})
        signature = tuple((a.shape, a.dtype) for a in flat_args)
        program = by_shape.get(signature)
        if program is None:
            with jax.default_device(self._device):
                program = by_shape[signature] = self._jitted(key).lower(*flat_args).compile()
        return program

    # -- calling ----------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        return self._call(*args, **kwargs)

    @property
    def trust_input(self):
        """When True, arguments are passed on unchecked (Theano's ``f.trust_input``)."""
        return self._trust_input

    @trust_input.setter
    def trust_input(self, value):
        self._trust_input = bool(value)
        self._call = self._make_call()

    def _make_call(self):
        """The call path as a closure over everything decided at compile time."""
        if self.mode.linker == 'py':
            return self._locked(
                lambda *args, **kwargs: self._call_py(self._bind_and_convert(args, kwargs)))
        n_inputs, converters, bind = self._n_inputs, self._converters, self._bind
        program_key, compiled, guarded = self._program_key, self._compiled, self._guarded
        stage_positions, staged = self._stage_positions, self._staged
        donated_containers, kept_values = self._donated_containers, self._kept_values
        n_outputs = len(self.outputs)
        n_results = n_outputs + len(donated_containers)
        index_checks = self._index_checks
        single, borrow = self._single_output, self._output_borrow
        # With no matrix inputs and no input-dependent slices, one key serves every call.
        fixed_key = (self._c_layout, ()) if not self._matrix_positions and \
            self._resolve_lengths is None else None
        kept_containers = None if self._kept_transposed else self._kept_containers
        always_guarded = any(node.op.calls_host for node in self._nodes)
        last = [None, None]  # key and program of the previous call

        trust_input = self._trust_input

        def call(*args, **kwargs):
            if kwargs or len(args) != n_inputs:
                args = bind(args, kwargs)
            values = args if trust_input else [
                convert(v) for convert, v in zip(converters, args)]
            if fixed_key is not None and last[1] is not None:
                key, program = last
            else:
                key = fixed_key or program_key(values)
                program = last[1] if key == last[0] else None
                if True in key[0]:
                    values = [v.T if t else v for v, t in zip(values, key[0])]
            for k in stage_positions:
                if values[k].nbytes >= _STAGE_MIN_BYTES:
                    values = list(values)
                    values[k] = staged(k, values[k])
            flat_args = [c.value for c in donated_containers]
            flat_args += [c.value for c in kept_containers] if kept_containers is not None \
                else kept_values()
            flat_args += values
            if program is not None and not always_guarded:
                try:
                    results = program(*flat_args)
                except TypeError:  # argument shapes other than those it was compiled for
                    program = None
            if program is None or always_guarded:
                with paused_gc():  # a new program is traced and compiled
                    program = compiled(key, flat_args)
                last[0], last[1] = key, program
                self._last_key, self._last_values = key, values
                results = guarded(program, flat_args)
            for container, value in zip(donated_containers, results[n_outputs:n_results]):
                container.value = value
            if len(results) > n_results and not results[n_results]:
                raise_index_error(index_checks[key[1]], results[n_results + 1])
            if single:
                return np.asarray(results[0]) if borrow[0] else np.array(results[0])
            if not n_outputs and stage_positions:
                jax.block_until_ready(results)  # the staging buffers are reused next call
            return self._format(results[:n_outputs])
        return self._locked(call)

    def _locked(self, call):
        """``call`` holding the locks of the function's shared variables (see holding_state)."""
        locks = self._locks
        if not locks:
            return call
        if len(locks) == 1:
            lock = locks[0]

            def call_locked(*args, **kwargs):
                with lock:
                    return call(*args, **kwargs)
            return call_locked

        def call_locked(*args, **kwargs):
            with self.holding_state():
                return call(*args, **kwargs)
        return call_locked

    @contextlib.contextmanager
    def holding_state(self):
        """Hold the locks of every shared variable the function reads or writes, so that
        calls from several threads touching the same state serialize (each sees the
        others' updates, and no buffer is donated while another call reads it), while
        functions with disjoint state run in parallel."""
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
        donated = flat_args[:len(self._donated_containers)]
        saved = [jax.numpy.copy(value) for value in donated]
        try:
            return program(*flat_args)
        except BaseException:
            for container, value, copy in zip(self._donated_containers, donated, saved):
                if container.value is value and value.is_deleted():
                    container.value = copy
            raise

    def _kept_values(self):
        """Current values of the shared variables read but not updated (column-sliced
        matrices as their cached transpose)."""
        if not self._kept_transposed:
            return [c.value for c in self._kept_containers]
        return [_transposed(c) if t else c.value
                for c, t in zip(self._kept_containers, self._kept_layout)]

    def _bind_and_convert(self, args, kwargs):
        return [convert(v) for convert, v in zip(self._converters, self._bind(args, kwargs))]

    def _staged(self, position, array):
        """``array`` itself when XLA can use it in place, else a copy in aligned memory."""
        if array.flags.c_contiguous and array.ctypes.data % _ALIGNMENT == 0:
            return array
        buffer = self._staging.get(position)
        if buffer is None or buffer.shape != array.shape or buffer.dtype != array.dtype:
            buffer = self._staging[position] = _aligned_like(array)
        np.copyto(buffer, array)
        return buffer

    def _call_py(self, values):
        """Node by node without jit: slow, but errors name the failing node."""
        state = {c: c.data for c in self._constants}
        state.update((v, v.container.value) for v in self._donated + self._kept)
        state.update(zip(self.input_vars, values))
        run_nodes(self._nodes, state)
        outs = [state[o] for o in self.outputs]
        for var, expr in zip(self._donated, self.update_exprs):
            var.container.value = jax.numpy.asarray(state[expr])
        return self._format(outs)

    def _format(self, outs):
        results = [np.asarray(o) if borrow else np.array(o)
                   for o, borrow in zip(outs, self._output_borrow)]
        return results[0] if self._single_output else results

    def loop(self, *sequences, n_steps=None, **kw_sequences):
        """Run the function once per row of its inputs, in one XLA call.

        Each argument is the sequence of values of one input (stacked along a new first
        axis, e.g. ``train.loop(index=np.arange(n_batches))``). Updates are applied in
        order, exactly as that many separate calls would; outputs come back stacked.
        """
        from symgraph.compile.loop import run_loop
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
        return self._jitted(self._last_key).lower(
            *self._abstract_args(self._last_key)).as_text()

    def _abstract_args(self, key):
        def spec(value):
            return jax.ShapeDtypeStruct(value.shape, value.dtype)
        shared = [spec(v.container.value) for v in self._donated]
        shared += [spec(v) for v in self._kept_values()]
        return shared + [spec(v.T if t else v) for v, t in zip(self._last_values, key[0])]

    def __reduce__(self):
        return (_rebuild, (self._spec,))


_MISSING = object()
_ALIGNMENT = 64
_STAGE_MIN_BYTES = 65536  # XLA copies smaller arguments about as fast itself


def _aligned_like(array):
    """An uninitialised C-ordered array like ``array`` whose data is 64-byte aligned."""
    raw = np.empty(array.nbytes + _ALIGNMENT, dtype=np.uint8)
    start = -raw.ctypes.data % _ALIGNMENT
    return raw[start:start + array.nbytes].view(array.dtype).reshape(array.shape)


def _rebuild(spec):
    return function(**spec)


def _consumers(nodes):
    """{variable: the nodes that read it}."""
    readers = {}
    for node in nodes:
        for var in node.inputs:
            readers.setdefault(var, []).append(node)
    return readers


def _only_column_sliced(var, consumers, outputs):
    """True for a matrix that the graph reads only as ``var[:, a:b]``."""
    from symgraph.tensor.subtensor import Subtensor
    if var.ndim != 2 or var in outputs:
        return False
    return bool(consumers) and all(
        isinstance(node.op, Subtensor) and node.inputs[0] is var and
        var not in node.inputs[1:] and len(node.op.idx_list) == 2 and
        node.op.idx_list[0] == slice(None) and isinstance(node.op.idx_list[1], slice)
        for node in consumers)


def _transposed(container):
    """The container's value transposed on the device, recomputed when the value changes."""
    cached = container.transposed
    if cached is None or cached[0] is not container.value:
        cached = container.transposed = (container.value, jax.numpy.transpose(container.value))
    return cached[1]


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


def _traced(nodes, inputs):
    """Variables whose values depend on inputs or shared variables (known only at call time).

    Shapes are not: under jit every shape is known when the program is traced.
    """
    from symgraph.tensor.basic import Shape
    traced = set(inputs)
    for node in nodes:
        if not isinstance(node.op, Shape) and any(i in traced for i in node.inputs):
            traced.update(node.outputs)
    return traced


def _apply_givens(outputs, updates, givens, inputs, rebuild_strict):
    if givens is None:
        return outputs, updates
    pairs = list(givens.items()) if isinstance(givens, dict) else list(givens)
    replace = {}
    input_set = set(inputs)
    from symgraph.tensor.var import as_tensor_variable
    for old, new in pairs:
        if not isinstance(old, Variable):
            raise TypeError('givens keys must be symbolic variables, got %r' % (old,))
        if old in input_set:
            raise RuntimeError("You are trying to replace variable '%s' through the `givens` "
                               "parameter, but this variable is an input to your function. "
                               "Replacing inputs is currently forbidden because it has no "
                               "effect. One way to modify an input `x` to a function "
                               "evaluating f(x) is to define a new input `y` and use "
                               "`givens={x: g(y)}`." % old)
        if not isinstance(new, Variable):
            new = make_shared(new) if isinstance(new, np.ndarray) else as_tensor_variable(new)
        if rebuild_strict and new.type != old.type:
            raise TypeError('Cannot convert Type %s (of Variable %s) into Type %s. You can try '
                            'to manually convert %s into a %s. (givens entry for %s)\nThe '
                            'replacement was created at:\n%s'
                            % (new.type, new, old.type, new, old.type, old,
                               format_trace(new.creation_trace)))
        replace[old] = new
    for new in replace.values():
        clash = [v for v in ancestors([new]) if v in replace]
        if clash:
            raise ValueError('The givens replacement for %s depends on %s, which is itself '
                             'replaced through givens' % (new, clash[0]))
    exprs = clone_replace(outputs + [e for _, e in updates], replace, strict=rebuild_strict)
    new_updates = [(t, e) for (t, _), e in zip(updates, exprs[len(outputs):])]
    return exprs[:len(outputs)], new_updates


def function(inputs, outputs=None, mode=None, updates=None, givens=None,
             no_default_updates=False, name=None, rebuild_strict=True, allow_input_downcast=None,
             on_unused_input=None, profile=None, accept_inplace=False):
    """Compile ``outputs`` as a function of ``inputs`` (Theano's ``theano.function``).

    ``updates`` are (shared variable, new value expression) pairs applied after each call,
    all computed from the values before the call. ``givens`` substitutes variables in the
    graph (typically minibatch slices of shared datasets). Returns a callable Function.
    """
    name = name or _caller_name()
    with paused_gc():
        return _compile(inputs, outputs, mode, updates, givens, no_default_updates, name,
                        rebuild_strict, allow_input_downcast, on_unused_input)


def _compile(inputs, outputs, mode, updates, givens, no_default_updates, name, rebuild_strict,
             allow_input_downcast, on_unused_input):
    if isinstance(inputs, Variable) or isinstance(inputs, In):
        raise TypeError('Input variables of a symgraph function should be contained in a '
                        'list, even when there is a single input: use function([x], ...)')
    spec = dict(inputs=inputs, outputs=outputs, mode=mode, updates=updates, givens=givens,
                no_default_updates=no_default_updates, name=name,
                rebuild_strict=rebuild_strict, allow_input_downcast=allow_input_downcast,
                on_unused_input=on_unused_input or config.on_unused_input)
    in_specs = []
    for k, item in enumerate(inputs or []):
        spec_in = item if isinstance(item, In) else In(item)
        var = spec_in.variable
        if isinstance(var, SharedVariable):
            raise TypeError('Cannot use a shared variable (%s) as explicit input. Consider '
                            'substituting a non-shared variable via the `givens` parameter'
                            % var)
        if isinstance(var, Constant) or not isinstance(var, Variable):
            raise TypeError('Input %d of function %s is %r, which is not a symbolic input '
                            'variable (constants and values cannot be inputs)' % (k, name, var))
        if var.owner is not None:
            raise TypeError('Input %d of function %s, %s, is computed from other variables; '
                            'inputs must be leaf variables such as T.matrix(). Use givens to '
                            'substitute an expression.' % (k, name, var))
        in_specs.append(spec_in)
    seen = {}
    for k, s in enumerate(in_specs):
        if s.variable in seen:
            raise UnusedInputError('Variable %s is used twice in inputs to symgraph.function, '
                                   'at indices %d and %d. This would result in values provided '
                                   'for it being ignored. Please do not duplicate variables in '
                                   'the inputs list.' % (s.variable, seen[s.variable], k))
        seen[s.variable] = k

    single = not isinstance(outputs, (list, tuple)) and outputs is not None
    out_items = [] if outputs is None else ([outputs] if single else list(outputs))
    from symgraph.tensor.var import as_tensor_variable
    out_vars = [as_tensor_variable(o.variable if isinstance(o, Out) else o) for o in out_items]
    borrow = [isinstance(o, Out) and o.borrow for o in out_items]

    pairs = []
    seen_targets = set()
    for target, expr in _normalize_updates(updates):
        if target in seen_targets:
            raise ValueError('The shared variable %s is updated twice; each shared variable '
                             'can have one update per function' % target)
        seen_targets.add(target)
        pairs.append((target, _check_update(target, expr)))
    out_vars, pairs = _apply_givens(out_vars, pairs, givens, [s.variable for s in in_specs],
                                    rebuild_strict)
    pairs = _with_default_updates(out_vars, pairs, no_default_updates)

    run_mode = get_mode(mode)
    from symgraph.rewrite import rewrite_graph
    rewritten = rewrite_graph(out_vars + [e for _, e in pairs], run_mode.optimizer)
    out_vars, exprs = rewritten[:len(out_vars)], rewritten[len(out_vars):]
    pairs = [(t, e) for (t, _), e in zip(pairs, exprs)]
    return Function(spec, in_specs, out_vars, borrow, single, pairs, run_mode, name)


def _with_default_updates(outputs, pairs, no_default_updates):
    """Add ``shared.default_update`` for shared variables the graph uses (unless excluded)."""
    if no_default_updates is True:
        return pairs
    excluded = set(no_default_updates or [])
    targets = {t for t, _ in pairs}
    result = list(pairs)
    for var in ancestors(outputs + [e for _, e in pairs]):
        default = getattr(var, 'default_update', None)
        if isinstance(var, SharedVariable) and default is not None and var not in targets \
                and var not in excluded:
            result.append((var, _check_update(var, default)))
            targets.add(var)
    return result
