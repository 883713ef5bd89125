"""``theano.scan`` and its shorthands ``map``, ``reduce``, ``foldl``, ``foldr``.

``scan`` calls the user's step function once, on symbolic slices, and wraps the graph it
returns in a Scan op. The outer graph is built as Theano 1.0.5 builds it (sequences cut to
``x[0:][:n_steps]``, recurrent outputs written into ``AllocEmpty`` buffers, results
sliced past the initial rows), so that it prints as Theano prints it.
"""
import numpy as np

from symgraph.config import config
from symgraph.graph.basic import Constant, Variable, clone_replace, graph_inputs, user_frame
from symgraph.scan_module.op import Scan, ScanInfo, check_state, expand_empty, pad_left
from symgraph.tensor import elemwise as ew
from symgraph.tensor.sharedvar import SharedVariable
from symgraph.tensor.type import INT_DTYPES
from symgraph.tensor.var import TensorConstant, as_tensor_variable
from symgraph.updates import OrderedUpdates


class until:
    """Returned by a step function (alone or with outputs and updates): stop the loop once
    ``condition`` is true."""

    def __init__(self, condition):
        condition = as_tensor_variable(condition)
        if condition.ndim != 0:
            raise TypeError('until: the condition must be a scalar, got %s of type %s'
                            % (condition, condition.type))
        self.condition = condition


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _constant_int(value):
    """The value of an integer given as a Python number or a constant, else None."""
    if isinstance(value, (int, np.integer, float)):
        return int(value)
    if isinstance(value, TensorConstant) and value.ndim == 0:
        return int(value.data)
    return None


def _tap_name(base, tap):
    return '%s[t%s]' % (base, '' if tap == 0 else '%+d' % tap)


def _new_like(var, name=None):
    """A fresh inner input of ``var``'s type (with its test value, under
    ``compute_test_value``, so that the step function's nodes compute theirs)."""
    inner = var.type(name=name)
    if config.compute_test_value != 'off':
        try:
            inner.tag.test_value = var.get_test_value()
        except AttributeError:
            pass
    return inner


def _step_results(result):
    """(condition, outputs, updates) from what a step function returned."""
    if isinstance(result, until):
        return result.condition, [], OrderedUpdates()
    if isinstance(result, Variable):
        return None, [result], OrderedUpdates()
    condition, outputs, updates = None, [], OrderedUpdates()
    for part in _as_list(result) if not isinstance(result, dict) else [result]:
        if isinstance(part, until):
            condition = part.condition
        elif isinstance(part, dict):
            updates.update(part)
        elif isinstance(part, Variable):
            outputs.append(part)
        elif isinstance(part, (list, tuple)) and all(
                isinstance(p, (list, tuple)) and len(p) == 2 for p in part) and part:
            updates.update(part)
        elif isinstance(part, (list, tuple)):
            outputs.extend(as_tensor_variable(p) for p in part)
        else:
            outputs.append(as_tensor_variable(part))
    return condition, outputs, updates


def scan(fn, sequences=None, outputs_info=None, non_sequences=None, n_steps=None,
         truncate_gradient=-1, go_backwards=False, mode=None, name=None, profile=False,
         allow_gc=None, strict=False, return_list=False):
    """Apply ``fn`` over sequences, feeding back outputs (see Theano's ``scan``).

    Returns ``(outputs, updates)``: the outputs, one row per step (a single output
    unwrapped unless ``return_list``), and the updates of shared variables that ``fn``
    asked for, to pass to ``function(updates=...)``.
    """
    seqs = [dict(s) if isinstance(s, dict) else {'input': s} for s in _as_list(sequences)]
    outs_info = [dict(o) if isinstance(o, dict) else o for o in _as_list(outputs_info)]
    non_seqs = [v if isinstance(v, Variable) else as_tensor_variable(v)
                for v in _as_list(non_sequences)]
    n_fixed_steps = _constant_int(n_steps)
    if getattr(n_steps, 'dtype', 'int64') not in INT_DTYPES:
        raise ValueError('scan: n_steps must be an integer, got %s of type %s'
                         % (n_steps, n_steps.type))

    for seq in seqs:
        seq['input'] = as_tensor_variable(seq['input'])
        seq['taps'] = _as_list(seq.get('taps')) or [0]
    for i, info in enumerate(outs_info):
        if info is None:
            outs_info[i] = {}
        elif not isinstance(info, dict):
            outs_info[i] = {'initial': as_tensor_variable(info), 'taps': [-1]}
        elif info.get('initial') is None:
            if info.get('taps') is not None:
                raise ValueError('scan: outputs_info[%d] has taps but no initial state: '
                                 'give the initial values of the taps' % i)
            outs_info[i] = {}
        else:
            info['initial'] = as_tensor_variable(info['initial'])
            info['taps'] = _as_list(info.get('taps')) or [-1]
            taps = info['taps']
            if len(set(taps)) != len(taps) or any(t >= 0 for t in taps):
                raise ValueError('scan: the taps of outputs_info[%d] must be different and '
                                 'negative, got %s' % (i, taps))

    # Sequences: one cut of the input per tap, so that row t of each cut is its tap at t.
    scan_seqs, inner_seqs, first_slices = [], [], []
    for seq in seqs:
        x, taps = seq['input'], seq['taps']
        low, high = min(min(taps), 0), max(max(taps), 0)
        for tap in taps:
            start = tap - low
            inner = _new_like(x[start], _tap_name(x.name, tap) if x.name else None)
            cut = x[start:] if tap == high else x[start:-(high - tap)]
            cut_name = None
            if x.name is not None:
                cut_name = '%s[%d:]' % (x.name, start) if tap == high else \
                    '%s[%d:%d]' % (x.name, start, -(high - tap))
            if go_backwards:
                cut = cut[::-1]
            cut.name = cut_name
            scan_seqs.append(cut)
            inner_seqs.append(inner)
            first_slices.append(x[start])

    lengths = [cut.shape[0] for cut in scan_seqs]
    if n_steps is None:
        if not lengths:
            raise ValueError('scan: no information about the number of steps: give n_steps '
                             'or a sequence')
        actual_n_steps = lengths[0]
        for length in lengths[1:]:
            actual_n_steps = ew.minimum(actual_n_steps, length)
    else:
        actual_n_steps = as_tensor_variable(n_steps)
    scan_seqs = [cut[:actual_n_steps] for cut in scan_seqs]

    # Recurrent outputs: mit-sot (several taps) and sit-sot (only t-1).
    mit_sot, sit_sot, mit_sot_order, sit_sot_order = [], [], [], []
    step_args_of_output = {}
    for i, info in enumerate(outs_info):
        if not info:
            continue
        initial, taps = info['initial'], info['taps']
        if taps == [-1]:
            inner = _new_like(initial, initial.name + '[t-1]' if initial.name else None)
            sit_sot.append((expand_empty(pad_left(initial), actual_n_steps), [inner],
                            initial))
            sit_sot_order.append(i)
            step_args_of_output[i] = ([initial], [inner])
        else:
            lag = -min(taps)
            inners = [_new_like(initial[tap + lag], _tap_name(initial.name, tap)
                                if initial.name else None) for tap in taps]
            mit_sot.append((expand_empty(initial[:lag], actual_n_steps), inners, taps))
            mit_sot_order.append(i)
            step_args_of_output[i] = ([initial[tap + lag] for tap in taps], inners)

    one_step = n_fixed_steps in (1, -1)
    args = list(first_slices if one_step else inner_seqs)
    for i in sorted(step_args_of_output):
        args.extend(step_args_of_output[i][0 if one_step else 1])
    args += non_seqs
    condition, outputs, updates = _step_results(fn(*args))

    if one_step:  # no loop: the step itself, its outputs given a leading axis of one row
        outputs = [pad_left(out) for out in outputs]
        return (outputs[0] if len(outputs) == 1 and not return_list else outputs), updates

    n_recurrent = len(mit_sot) + len(sit_sot)
    if outs_info and len(outputs) != len(outs_info):
        raise ValueError(
            'scan: the step function returned %d outputs but outputs_info has %d entries; '
            'give None in outputs_info for each output that is not fed back (as in a map)'
            % (len(outputs), len(outs_info)))
    if not outs_info:
        outs_info = [{} for _ in outputs]
    outputs = [as_tensor_variable(out) for out in outputs]
    for i, (buffer, _, _) in zip(mit_sot_order + sit_sot_order, mit_sot + sit_sot):
        check_state(buffer, outputs[i], 'output %d' % i,
                    'its initial state (outputs_info[%d])' % i)

    # What the step reads from outside: non-sequences, shared variables, other variables.
    # A non-sequence is read as a whole, whatever it is computed from (as in Theano, the
    # step may use it by name rather than through its argument).
    leaves = [var for var in graph_inputs(outputs + list(updates.values())
                                          + ([condition] if condition is not None else []),
                                          stop=non_seqs)
              if not isinstance(var, Constant)]
    shared_read = [var for var in leaves if isinstance(var, SharedVariable)]
    for var in shared_read:  # as a function would: random states advance every step
        if getattr(var, 'default_update', None) is not None and var not in updates:
            updates[var] = var.default_update
    extra = [var for var in leaves if not isinstance(var, SharedVariable) and var not in args]
    non_seqs = non_seqs + extra
    givens = {}
    shared_states = []
    for var in updates:
        inner = _new_like(var, var.name + '_copy' if var.name else None)
        givens[var] = inner
        buffer = expand_empty(pad_left(var), actual_n_steps)
        check_state(buffer, as_tensor_variable(updates[var]), 'the update of %s' % var,
                    'the shared variable')
        shared_states.append((buffer, inner, var))
    shared_kept = [var for var in shared_read if var not in updates]
    if strict:
        explicit = set(_as_list(non_sequences))
        missing = [var for var in shared_kept if var not in explicit]
        if missing:
            raise ValueError('scan(strict=True): the step function uses the shared '
                             'variable%s %s, not given in non_sequences'
                             % ('s' if len(missing) > 1 else '',
                                ', '.join(str(v) for v in missing)))
    other_outer = [var for var in non_seqs if not isinstance(var, (SharedVariable, Constant))]
    other_inner = [_new_like(var, var.name + '_copy' if var.name else None)
                   for var in other_outer]
    shared_inner = [_new_like(var, var.name + '_copy' if var.name else None)
                    for var in shared_kept]
    givens.update(zip(shared_kept, shared_inner))
    givens.update(zip(other_outer, other_inner))

    inner_outputs = ([outputs[i] for i in mit_sot_order] + [outputs[i] for i in sit_sot_order]
                     + [updates[var] for _, _, var in shared_states]
                     + [outputs[i] for i, info in enumerate(outs_info) if not info])
    nit_sot_order = [i for i, info in enumerate(outs_info) if not info]
    if condition is not None:
        inner_outputs.append(condition)
    inner_outputs = clone_replace([as_tensor_variable(o) for o in inner_outputs], givens)
    inner_inputs = (inner_seqs + [v for _, inners, _ in mit_sot for v in inners]
                    + [inners[0] for _, inners, _ in sit_sot]
                    + [inner for _, inner, _ in shared_states] + shared_inner + other_inner)
    info = ScanInfo(
        tap_array=tuple(tuple(taps) for _, _, taps in mit_sot)
        + ((-1,),) * (len(sit_sot) + len(shared_states)),
        n_seqs=len(scan_seqs), n_mit_sot=len(mit_sot),
        n_sit_sot=len(sit_sot) + len(shared_states), n_nit_sot=len(nit_sot_order),
        truncate_gradient=truncate_gradient, name=name, as_while=condition is not None)
    op = Scan(inner_inputs, inner_outputs, info)
    outer_inputs = ([actual_n_steps] + scan_seqs + [buf for buf, _, _ in mit_sot]
                    + [buf for buf, _, _ in sit_sot] + [buf for buf, _, _ in shared_states]
                    + [actual_n_steps] * len(nit_sot_order) + shared_kept + other_outer)
    node = op.make_node(*[as_tensor_variable(v) for v in outer_inputs])
    node.trace = user_frame()
    results = node.outputs

    by_position = {}
    for k, (i, (_, _, taps)) in enumerate(zip(mit_sot_order, mit_sot)):
        by_position[i] = results[k][-min(taps):]
    for k, i in enumerate(sit_sot_order):
        by_position[i] = results[len(mit_sot) + k][1:]
    returned_updates = OrderedUpdates()
    for k, (_, _, var) in enumerate(shared_states):
        returned_updates[var] = results[n_recurrent + k][1:][-1]
    for k, i in enumerate(nit_sot_order):
        by_position[i] = results[n_recurrent + len(shared_states) + k]
    out_list = [by_position[i] for i in sorted(by_position)]
    if not out_list:
        out_list = None
    elif len(out_list) == 1 and not return_list:
        out_list = out_list[0]
    return out_list, returned_updates


def map(fn, sequences, non_sequences=None, truncate_gradient=-1, go_backwards=False,
        mode=None, name=None):
    """``fn`` applied to each entry of the sequences (a scan with no recurrent output)."""
    return scan(fn, sequences=sequences, outputs_info=None, non_sequences=non_sequences,
                truncate_gradient=truncate_gradient, go_backwards=go_backwards, mode=mode,
                name=name)


def reduce(fn, sequences, outputs_info, non_sequences=None, go_backwards=False, mode=None,
           name=None):
    """The last value of a scan: ``fn`` folded over the sequences."""
    outputs, updates = scan(fn, sequences=sequences, outputs_info=outputs_info,
                            non_sequences=non_sequences, go_backwards=go_backwards,
                            mode=mode, name=name)
    if isinstance(outputs, (list, tuple)):
        return [out[-1] for out in outputs], updates
    return outputs[-1], updates


def foldl(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """``reduce`` from the first entry to the last."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=False, mode=mode,
                  name=name)


def foldr(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """``reduce`` from the last entry to the first."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=True, mode=mode,
                  name=name)
