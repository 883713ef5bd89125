"""``function()``: a graph with givens and updates, made into a compiled Function.

This is the entry point: it checks the inputs, outputs and updates as Theano does,
substitutes ``givens``, adds the shared variables' default updates and rewrites the graph;
compile/executor.py then owns the compiled Function and its call path.
"""
import time
import warnings

import numpy as np

from symgraph.compile.executor import Function
from symgraph.compile.io import In, Out, UnusedInputError, convert_function_input, is_container
from symgraph.compile.mode import get_mode
from symgraph.compile.profiling import ProfileStats
from symgraph.config import change_flags, config
from symgraph.graph.basic import (Constant, Variable, ancestors, clone_replace, format_trace,
                                  paused_gc, user_frame)
from symgraph.rewrite import rewrite_graph
from symgraph.tensor.sharedvar import SharedVariable, shared as make_shared
from symgraph.tensor.type import short_repr
from symgraph.tensor.var import as_tensor_variable


def _as_variable(value):
    """A variable as it is (a tensor, a sparse matrix, a typed list); a value as a tensor."""
    return value if isinstance(value, Variable) else as_tensor_variable(value)


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
    if not isinstance(target, SharedVariable):
        raise TypeError('update target must be a SharedVariable; %s of type %s is not one. Only '
                        'shared variables keep values between calls.\nIt was created at:\n%s'
                        % (target, getattr(target, 'type', type(target).__name__),
                           format_trace(getattr(target, 'creation_trace', None))))
    try:
        expr = _as_variable(expr)
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


def _givens_map(givens, inputs, rebuild_strict):
    """{replaced variable: its replacement}, checked once for the whole function (an array
    given as a replacement becomes one shared variable)."""
    if givens is None:
        return {}
    pairs = list(givens.items()) if isinstance(givens, dict) else list(givens)
    replace = {}
    input_set = set(inputs)
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
    return replace


def _apply_givens(outputs, updates, replace, rebuild_strict):
    """``outputs`` and the (target, expression) ``updates`` with ``replace`` applied."""
    if not replace:
        return outputs, updates
    exprs = clone_replace(outputs + [e for _, e in updates], replace, strict=rebuild_strict)
    return exprs[:len(outputs)], [(t, e) for (t, _), e in zip(updates, exprs[len(outputs):])]


def function(inputs, outputs=None, mode=None, updates=None, givens=None,
             no_default_updates=False, name=None, rebuild_strict=True, allow_input_downcast=None,
             on_unused_input=None, profile=None, accept_inplace=False):
    """Compile ``outputs`` as a function of ``inputs`` (Theano's ``theano.function``).

    ``updates`` are (shared variable, new value expression) pairs applied after each call,
    all computed from the values before the call. ``givens`` substitutes variables in the
    graph (typically minibatch slices of shared datasets). ``profile`` (True, a name or a
    ProfileStats; ``config.profile`` for every function) profiles the function (see
    compile/profiling.py). Returns a callable Function.
    """
    name = name or _caller_name()
    with paused_gc():
        return _compile(inputs, outputs, mode, updates, givens, no_default_updates, name,
                        rebuild_strict, allow_input_downcast, on_unused_input, profile)


def _profile_stats(profile, name):
    """The ProfileStats for ``function(profile=...)``, or None."""
    if profile is None:
        profile = config.profile
    if isinstance(profile, ProfileStats):
        return profile
    if not profile:
        return None
    return ProfileStats(message=profile if isinstance(profile, str) else name)


def _compile(inputs, outputs, mode, updates, givens, no_default_updates, name, rebuild_strict,
             allow_input_downcast, on_unused_input, profile=None):
    if isinstance(inputs, Variable) or isinstance(inputs, In):
        raise TypeError('Input variables of a symgraph function should be contained in a '
                        'list, even when there is a single input: use function([x], ...)')
    spec = dict(inputs=inputs, outputs=outputs, mode=mode, updates=updates, givens=givens,
                no_default_updates=no_default_updates, name=name,
                rebuild_strict=rebuild_strict, allow_input_downcast=allow_input_downcast,
                on_unused_input=on_unused_input or config.on_unused_input,
                profile=None if profile is None or isinstance(profile, ProfileStats)
                else profile)
    start = time.perf_counter()
    stats = _profile_stats(profile, name)
    in_specs = []
    for k, item in enumerate(inputs or []):
        spec_in = convert_function_input(item)
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
    out_vars = [_as_variable(o.variable if isinstance(o, Out) else o) for o in out_items]
    borrow = [isinstance(o, Out) and o.borrow for o in out_items]

    pairs = []
    seen_targets = set()
    for target, expr in _normalize_updates(updates):
        if target in seen_targets:
            raise ValueError('The shared variable %s is updated twice; each shared variable '
                             'can have one update per function' % target)
        seen_targets.add(target)
        pairs.append((target, _check_update(target, expr)))
    replace = _givens_map(givens, [s.variable for s in in_specs], rebuild_strict)
    out_vars, pairs = _apply_givens(out_vars, pairs, replace, rebuild_strict)
    n_explicit = len(pairs)
    pairs = _with_default_updates(out_vars, pairs, no_default_updates)
    # givens reach default updates too (a random draw of size x.shape, x given)
    _, defaults = _apply_givens([], pairs[n_explicit:], replace, rebuild_strict)
    pairs = pairs[:n_explicit] + defaults
    out_vars, pairs = _merge_aliases(out_vars, pairs)

    graph = out_vars + [e for _, e in pairs]
    _check_unused([s.variable for s in in_specs],
                  graph + [s.update for s in in_specs if s.update is not None],
                  spec['on_unused_input'])
    out_vars, pairs, state = _with_input_states(in_specs, out_vars, pairs)
    graph = out_vars + [e for _, e in pairs]
    run_mode = get_mode(mode)
    rewrite_start = time.perf_counter()
    with change_flags(compute_test_value=config.compute_test_value_opt,
                      **run_mode.rewrite_flags()):
        rewritten = rewrite_graph(graph, run_mode.optimizer)
    if stats is not None:
        stats.optimizer_time += time.perf_counter() - rewrite_start
    out_vars, exprs = rewritten[:len(out_vars)], rewritten[len(out_vars):]
    pairs = [(t, e) for (t, _), e in zip(pairs, exprs)]
    fn = Function(spec, in_specs, out_vars, borrow, single, pairs, run_mode, name,
                  builder=function, state=state, profile=stats)
    if stats is not None:
        stats.compile_time += time.perf_counter() - start
    return fn


def _with_input_states(in_specs, out_vars, pairs):
    """Inputs that keep state between calls (an ``update``, or a value that is another
    function's input storage) read it from a hidden shared variable, which their update
    updates like any shared variable: (outputs, updates, {position: shared variable})."""
    state = {}
    for k, spec in enumerate(in_specs):
        if spec.update is None and not is_container(spec.value):
            continue
        var = spec.variable
        if is_container(spec.value):
            source = getattr(spec.value, 'shared_variable', None) or spec.value
            if not isinstance(source, SharedVariable):
                raise TypeError('In(%s, value=...): the container given holds no state (it '
                                'belongs to an input without update)' % var)
            if source.type != var.type:
                raise TypeError('In(%s, value=...): the state given has type %s, but %s has '
                                'type %s' % (var, source.type, var, var.type))
            hidden = source
        else:
            if spec.value is None:
                raise TypeError('In(%s, update=...) needs an initial value: give value=...'
                                % var)
            try:
                value = var.type.filter(spec.value, strict=spec.strict,
                                        allow_downcast=spec.allow_downcast)
            except (TypeError, ValueError) as err:
                raise type(err)('In(%s, value=%r): %s' % (var, spec.value, err)) from None
            hidden = SharedVariable(var.type, value, name=var.name, trace=var.creation_trace,
                                    borrow=True)
        state[k] = hidden
    if not state:
        return out_vars, pairs, state
    replace = {in_specs[k].variable: hidden for k, hidden in state.items()}
    updated = [(state[k], in_specs[k].update) for k in sorted(state)
               if in_specs[k].update is not None]
    targets = {t for t, _ in pairs}
    for hidden, _ in updated:
        if hidden in targets:
            raise ValueError('The state of input %s is also updated through updates=' % hidden)
    exprs = clone_replace(out_vars + [e for _, e in pairs] + [e for _, e in updated], replace)
    n = len(out_vars)
    new_pairs = [(t, e) for (t, _), e in zip(pairs, exprs[n:n + len(pairs)])]
    new_pairs += [(t, e) for (t, _), e in zip(updated, exprs[n + len(pairs):])]
    return exprs[:n], new_pairs, state


def _check_unused(input_vars, graph, policy):
    """Theano's check, made on the graph as written, before rewrites simplify it. A
    gradient counts what it was taken of as used, also the parts whose zero contribution
    was left out when the gradient was built (Theano builds them)."""
    used = set(ancestors(graph))
    differentiated = [cost for var in used for cost in getattr(var.tag, 'differentiated', ())]
    used.update(ancestors(differentiated))
    for k, var in enumerate(input_vars):
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
                          stacklevel=5)


def _merge_aliases(outputs, pairs):
    """Shared variables that hold one value (``theano.clone(W, share_inputs=False)`` of a
    shared ``W`` makes such an alias) become the first of them, so that the program reads
    the value once and writes it at most once."""
    first, replace = {}, {}
    for var in ancestors(outputs + [e for _, e in pairs] + [t for t, _ in pairs]):
        if isinstance(var, SharedVariable):
            kept = first.setdefault(id(var.container), var)
            if kept is not var:
                replace[var] = kept
    if not replace:
        return outputs, pairs
    merged = clone_replace(outputs + [e for _, e in pairs], replace)
    targets = [replace.get(t, t) for t, _ in pairs]
    for k, target in enumerate(targets):
        if target in targets[:k]:
            raise ValueError('The shared variable %s is updated twice, through %s and %s, '
                             'which hold the same value; each shared variable can have one '
                             'update per function' % (target, pairs[targets.index(target)][0],
                                                      pairs[k][0]))
    return merged[:len(outputs)], list(zip(targets, merged[len(outputs):]))


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
