"""Seeded random graphs, compiled with theano.function (default mode), against a numpy
reference of Theano's rules (numpy_reference.py): values, dtypes, shapes and broadcastable
patterns of every output; the same results for arguments in Fortran order, with negative
strides and unaligned in memory; the arguments left untouched; and the errors Theano raises
(IndexError for an index out of range, ValueError for shapes that do not broadcast).

``SYMGRAPH_RANDOM_GRAPHS`` (default 10) sets how many graphs are checked and
``SYMGRAPH_TEST_SEED`` (default 0) the first seed. A failure prints each failing graph's seed
and a reproducer; ``python tests/random_graphs.py SEED`` prints one graph again.
"""
import os

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T

import random_graphs as rg

N_GRAPHS = int(os.environ.get('SYMGRAPH_RANDOM_GRAPHS', '10'))
FIRST_SEED = int(os.environ.get('SYMGRAPH_TEST_SEED', '0'))
GROUP = 25  # graphs compiled together into one function


def seed_groups():
    seeds = list(range(FIRST_SEED, FIRST_SEED + N_GRAPHS))
    return [seeds[i:i + GROUP] for i in range(0, len(seeds), GROUP)]


def _error_text(err):
    return '%s: %s' % (type(err).__name__, str(err).split('\n')[0][:300])


class Built:
    """One case built with symgraph, with its reference results."""

    def __init__(self, case):
        self.case = case
        self.problems = []
        self.runs = rg.reference_runs(case) if not case['error'] else None
        self.inputs, self.outputs = rg.build(case, T, prefix='s%d_' % case['seed'])
        self.values = rg.input_values(case)

    def check_types(self):
        self.problems += rg.check_types(self.case, self.outputs, self.runs)

    def check_values(self, got, label=''):
        self.problems += rg.check_outputs(self.case, got, self.runs, label)


def _call_checked(fn, args, label, problems):
    """fn(*args); note a failure, or arguments changed by the call, in ``problems``."""
    before = [a.copy() for a in args]
    try:
        out = fn(*args)
    except Exception as err:  # noqa: BLE001 -- reported with the graph
        problems.append('call%s raised %s' % (label, _error_text(err)))
        return None
    for k, (a, b) in enumerate(zip(args, before)):
        if not np.array_equal(a, b, equal_nan=a.dtype.kind == 'f'):
            problems.append('call%s modified argument %d' % (label, k))
    return out


def _same(a, b):
    """Equal, except that floats may differ in their last bits: XLA, like numpy, sums in an
    order that depends on the arguments' memory layout."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind != 'f':
        return np.array_equal(a, b)
    eps = np.finfo(a.dtype).eps
    finite = np.abs(b[np.isfinite(b)])
    scale = max(float(finite.max()), 1.0) if finite.size else 1.0
    return np.allclose(a, b, rtol=1e3 * eps, atol=1e3 * eps * scale, equal_nan=True)


class Splitter:
    """Splits the outputs of a function made of several cases into one list per case."""

    def __init__(self, builts):
        self.sizes = [len(b.outputs) for b in builts]

    def __call__(self, outputs):
        parts, k = [], 0
        for n in self.sizes:
            parts.append(list(outputs[k:k + n]))
            k += n
        return parts


def _difference(got, expected):
    got, expected = np.asarray(got), np.asarray(expected)
    if got.dtype != expected.dtype or got.shape != expected.shape:
        return '%s %s, with C-ordered arguments %s %s' % (got.dtype, got.shape,
                                                          expected.dtype, expected.shape)
    bad = ~((got == expected) | (np.isnan(got) & np.isnan(expected))
            if got.dtype.kind == 'f' else (got == expected))
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    return ('%d of %d elements, first at %s: %r, with C-ordered arguments %r'
            % (bad.sum(), bad.size, where, got[where].item(), expected[where].item()))


def check_layouts(fn, builts, expected, layouts=rg.LAYOUTS):
    """Call ``fn`` with the arguments in other memory layouts: the results must be identical
    to ``expected`` (one list per case, from C-ordered arguments). Where a call fails in a
    function made of several cases, each case is compiled alone to find the culprit."""
    args = [a for b in builts for a in b.values]
    split = Splitter(builts)
    for layout in layouts:
        name, convert = layout
        label = ' with %s arguments' % name
        problems = []
        out = _call_checked(fn, [convert(a) for a in args], label, problems)
        if problems:
            if len(builts) == 1:
                builts[0].problems += problems
            else:
                half = len(builts) // 2
                for part, exp in ((builts[:half], expected[:half]),
                                  (builts[half:], expected[half:])):
                    check_layouts(theano.function([v for b in part for v in b.inputs],
                                                  [v for b in part for v in b.outputs]),
                                  part, exp, [layout])
            continue
        for b, got, exp in zip(builts, split(out), expected):
            for k, (g, e) in enumerate(zip(got, exp)):
                if not _same(g, e):
                    b.problems.append('output %d differs%s: %s' % (k, label, _difference(g, e)))


def run_together(builts):
    """Compile the cases into one function and check them. A case whose own function cannot
    be made is reported and left out first (making a function is cheap, compiling it is
    not); if the call of the whole group fails, halves are tried to find the culprit."""
    ready = []
    for b in builts:
        try:
            theano.function(b.inputs, b.outputs)
        except Exception as err:  # noqa: BLE001
            b.problems.append('theano.function raised %s' % _error_text(err))
        else:
            ready.append(b)
    _run_group(ready)


def _run_group(builts):
    if not builts:
        return
    inputs = [v for b in builts for v in b.inputs]
    outputs = [v for b in builts for v in b.outputs]
    args = [a for b in builts for a in b.values]
    problems = []
    try:
        fn = theano.function(inputs, outputs)
    except Exception as err:  # noqa: BLE001
        problems.append('theano.function raised %s' % _error_text(err))
    else:
        got = _call_checked(fn, args, '', problems)
    if problems:
        if len(builts) == 1:
            builts[0].problems += problems
        else:
            half = len(builts) // 2
            _run_group(builts[:half])
            _run_group(builts[half:])
        return
    expected = Splitter(builts)(got)
    for b, part in zip(builts, expected):
        b.check_values(part)
    check_layouts(fn, builts, expected)


def run_error_case(case):
    """A graph whose function must raise case['error'] when called."""
    problems = []
    try:
        inputs, outputs = rg.build(case, T, prefix='s%d_' % case['seed'])
        fn = theano.function(inputs, outputs)
    except Exception as err:  # noqa: BLE001
        return ['building or compiling raised %s (Theano raises %s only when called)'
                % (_error_text(err), case['error'])]
    try:
        out = fn(*rg.input_values(case))
    except Exception as err:  # noqa: BLE001
        if type(err).__name__ != case['error'] and not any(
                c.__name__ == case['error'] for c in type(err).__mro__):
            problems.append('raised %s, Theano raises %s' % (_error_text(err), case['error']))
    else:
        problems.append('returned %r, Theano raises %s' % (out, case['error']))
    return problems


def run_seeds(seeds, kind='forward'):
    """{seed: [problem, ...]} for the graphs of ``seeds`` that disagree with the reference."""
    builts, failures, cases = [], {}, {}
    for seed in seeds:
        case = rg.generate(seed, kind)
        cases[seed] = case
        if not case['outputs']:
            continue
        if case['error']:
            problems = run_error_case(case)
            if problems:
                failures[seed] = problems
            continue
        try:
            b = Built(case)
        except Exception as err:  # noqa: BLE001
            failures[seed] = ['building the graph raised %s' % _error_text(err)]
            continue
        b.check_types()
        builts.append(b)
    if builts:
        run_together(builts)
    for b in builts:
        if b.problems:
            failures[b.case['seed']] = b.problems
    return failures, cases


def first_difference(case):
    """The first node (in the reproducer's order) whose type or value differs from the
    reference: where to look first."""
    memo = {}
    try:
        inputs, _ = rg.build(case, T, prefix='d%d_' % case['seed'], memo=memo)
    except Exception:  # noqa: BLE001
        return None
    nodes, _ = rg.node_lines(case)
    code = {name: text for _, name, text in nodes}
    nodes = [(e, name) for e, name, _ in nodes if hasattr(memo.get(e), 'type')]
    runs = rg.reference_runs(dict(case, outputs=tuple(e for e, _ in nodes)))
    for k, (e, name) in enumerate(nodes):
        var, exp = memo[e], runs[0][k]
        if var.dtype != exp.dtype or tuple(var.broadcastable) != exp.bcast:
            return 'first node of another type: %s = %s: %s %s, Theano gives %s %s' % (
                name, code[name], var.dtype, tuple(var.broadcastable), exp.dtype, exp.bcast)
    try:
        got = theano.function(inputs, [memo[e] for e, _ in nodes],
                              on_unused_input='ignore')(*rg.input_values(case))
    except Exception:  # noqa: BLE001
        return None
    for k, (e, name) in enumerate(nodes):
        msg = rg.compare_value(got[k], runs[0][k].value, [r[k].value for r in runs[1:]])
        if msg:
            return 'first node with other values: %s = %s: %s' % (name, code[name],
                                                                  msg.split('\n')[0])
    return None


def report(failures, cases):
    text = []
    for seed in sorted(failures):
        text.append('=' * 78)
        text.append('\n'.join(failures[seed]))
        if not cases[seed]['error']:
            where = first_difference(cases[seed])
            if where:
                text.append(where)
        text.append(rg.describe(cases[seed]))
    return '%d of %d graphs disagree with Theano\'s rules:\n%s' % (
        len(failures), len(cases), '\n'.join(text))


@pytest.mark.parametrize('seeds', seed_groups(), ids=lambda s: 'seeds%d-%d' % (s[0], s[-1]))
def test_random_graphs_match_reference(seeds):
    failures, cases = run_seeds(seeds)
    assert not failures, report(failures, cases)


def test_generator_covers_the_vocabulary():
    """The generator itself: deterministic, and every op, dtype, layout of index and empty
    dimensions appear within the first 300 seeds."""
    ops, dtypes, forms, errors = set(), set(), set(), set()
    empty = False
    for seed in range(300):
        case = rg.generate(seed)
        if seed < 3:
            again = rg.generate(seed)
            assert rg.describe(again) == rg.describe(case)
        errors.add(case['error'])
        for _, dtype, _, shape in case['inputs']:
            dtypes.add(dtype)
            empty |= 0 in shape
        seen, stack = set(), list(case['outputs'])
        while stack:
            e = stack.pop()
            if e in seen:
                continue
            seen.add(e)
            ops.add(e[0])
            if e[0] in ('getitem', 'set_subtensor', 'inc_subtensor'):
                for entry in e[2]:
                    forms.add('int' if isinstance(entry, int) else entry[0])
            stack.extend(rg.children(e))
    expected_ops = {'add', 'sub', 'mul', 'true_div', 'int_div', 'mod', 'pow', 'neg', 'abs',
                    'exp', 'log', 'tanh', 'sqrt', 'maximum', 'minimum', 'eq', 'neq', 'lt',
                    'le', 'gt', 'ge', 'switch', 'sum', 'mean', 'max', 'min', 'prod', 'dot',
                    'dimshuffle', 'reshape', 'getitem', 'set_subtensor', 'inc_subtensor',
                    'join', 'concatenate', 'stack', 'cast', 'scalar', 'array'}
    assert expected_ops <= ops, expected_ops - ops
    assert {'float32', 'float64', 'int8', 'int32', 'int64', 'uint8', 'bool'} <= dtypes
    assert {'int', 'slice', 'list', 'in', 'sub'} <= forms, forms
    assert {None, 'IndexError', 'ValueError'} <= errors
    assert empty
