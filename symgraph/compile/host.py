"""Host-side arithmetic for slice bounds that depend on function inputs.

``X[i*bs:(i+1)*bs]`` has a length that depends on ``i`` only at the end of the data (a
short last batch). XLA needs every length at compile time, so before each call the
function computes the lengths in plain Python from the call's arguments, and picks the
compiled program for them: one program for the full batches, one for a short last batch,
never one per index. The starts stay traced values computed on the device.
"""
import operator

import numpy as np

from symgraph.graph.basic import Constant, toposort
from symgraph.tensor.basic import Shape
from symgraph.tensor.elemwise import Cast, Elemwise
from symgraph.tensor.subtensor import IncSubtensor, ScalarFromTensor, Subtensor

_PY_SCALAR_FNS = {'add': operator.add, 'sub': operator.sub, 'mul': operator.mul,
                  'int_div': operator.floordiv, 'mod': operator.mod, 'neg': operator.neg,
                  'maximum': max, 'minimum': min, 'identity': lambda v: v}


class HostEvaluator:
    """Evaluates a small integer subgraph in Python from (leaf variable -> value) getters."""

    def __init__(self, outputs, leaf_getters):
        self.steps = []
        self.leaf_getters = leaf_getters
        for node in toposort(outputs, stop=leaf_getters):
            self.steps.append((node, self._python_fn(node)))
        self.outputs = outputs

    @staticmethod
    def _python_fn(node):
        op = node.op
        if isinstance(op, Elemwise):
            if isinstance(op.scalar_op, Cast):
                return lambda v: v
            fn = _PY_SCALAR_FNS.get(op.scalar_op.name)
            if fn is not None and node.outputs[0].ndim == 0:
                return fn
        if isinstance(op, ScalarFromTensor):
            return lambda v: v
        if isinstance(op, Subtensor) and len(op.idx_list) == 1 and \
                not isinstance(op.idx_list[0], slice) and node.inputs[0].ndim == 1:
            return lambda shape, i: shape[i]
        raise _Unsupported(node)

    def __call__(self, args):
        values = {}
        for var, getter in self.leaf_getters.items():
            values[var] = getter(args)
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
    """(node, dim, start, stop, step, sliced variable) for each slice with traced bounds.

    ``traced`` is the set of variables whose value is only known at call time.
    """
    found = []
    for node in nodes:
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


def make_length_resolver(slices, input_positions, shape_of):
    """A function (call arguments) -> tuple of slice lengths, one per dynamic slice.

    ``input_positions`` maps explicit input variables to their position in the arguments;
    ``shape_of(var)`` returns a function (args) -> shape of ``var`` for the sliced arrays.
    Raises TypeError when a bound uses an operation that cannot be evaluated on the host.
    """
    if not slices:
        return None
    getters = {var: (lambda pos: lambda args: _as_python(args[pos]))(pos)
               for var, pos in input_positions.items()}
    plans = []
    for node, dim, parts, sliced in slices:
        bound_vars = [p for p in parts if p is not None]
        leaf_getters = dict(getters)
        for shape_var, of in _shape_reads(bound_vars):
            leaf_getters[shape_var] = shape_of(of)
        try:
            evaluator = HostEvaluator(bound_vars, leaf_getters)
        except _Unsupported as err:
            raise TypeError('The slice bounds of %s use %s, which cannot be worked out before '
                            'the call; slice bounds may use +, -, *, //, %%, shapes and '
                            'constants' % (node.outputs[0], err.args[0].op)) from None
        length_of = shape_of(sliced)
        plans.append((evaluator, [p is not None for p in parts], length_of, dim))

    def resolve(args):
        lengths = []
        for evaluator, present, length_of, dim in plans:
            values = iter(evaluator(args))
            start, stop, step = (next(values) if p else None for p in present)
            lengths.append(len(range(length_of(args)[dim])[slice(start, stop, step)]))
        return tuple(lengths)
    return resolve


def _shape_reads(outputs):
    """(Shape output, variable it measures) for each shape a bound reads."""
    return [(node.outputs[0], node.inputs[0]) for node in toposort(outputs)
            if isinstance(node.op, Shape)]


def _as_python(value):
    return value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value
