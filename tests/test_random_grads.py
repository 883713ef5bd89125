"""Gradients of seeded random scalar costs (float64) against central finite differences.

Each graph comes from random_graphs.Generator(kind='grad'): float64 inputs (and integer
index inputs), differentiable ops and the piecewise-constant ones (floor, ceil, //, %, switch
on comparisons, max, min, maximum, minimum, abs), with values kept away from kinks, jumps
and ties. The cost is ``sum_k sum(output_k * W_k)`` with constant random weights ``W_k``.
T.grad with respect to every float input is compiled with theano.function and compared with
central differences of the cost computed by the numpy reference (two step sizes, which
must agree with each other before the gradient is judged).

``SYMGRAPH_RANDOM_GRAPHS`` (default 10) sets how many costs are checked and
``SYMGRAPH_TEST_SEED`` (default 0) the first seed.
"""
import os
import re

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T

import random_graphs as rg
from numpy_reference import Evaluator

N_GRAPHS = int(os.environ.get('SYMGRAPH_RANDOM_GRAPHS', '10'))
FIRST_SEED = int(os.environ.get('SYMGRAPH_TEST_SEED', '0'))
GROUP = 25
STEP = 1e-5


def seed_groups():
    seeds = list(range(FIRST_SEED, FIRST_SEED + N_GRAPHS))
    return [seeds[i:i + GROUP] for i in range(0, len(seeds), GROUP)]


def cost_case(seed):
    """A grad-kind case whose single output is a scalar float64 cost, or None."""
    case = rg.generate(seed, 'grad')
    inputs = {n: (dt, bc, case['values'][n]) for n, dt, bc, _ in case['inputs']}
    ev = Evaluator(inputs)
    rng = np.random.RandomState(seed + 7919)
    terms = []
    for out in case['outputs']:
        r = ev(out)
        if r.dtype != 'float64':
            continue
        w = np.round(rng.uniform(-2.0, 2.0, size=r.shape), 2)
        w = np.where(w == 0, 0.5, w)
        terms.append(('sum', ('mul', out, ('array', tuple(w.reshape(-1).tolist()), r.shape,
                                           'float64')), None, False))
    if not terms:
        return None
    cost = terms[0]
    for t in terms[1:]:
        cost = ('add', cost, t)
    case = dict(case, outputs=(cost,))
    used = rg.input_names([cost])
    case['wrt'] = [n for n, dt, _, _ in case['inputs'] if n in used and dt == 'float64']
    return case if case['wrt'] else None


def cost_value(case, values):
    inputs = {n: (dt, bc, values[n]) for n, dt, bc, _ in case['inputs']}
    return float(Evaluator(inputs)(case['outputs'][0]).value)


def finite_differences(case, h):
    """Central differences of the cost for each wrt input, with relative step h."""
    grads = []
    for name in case['wrt']:
        base = case['values'][name]
        g = np.zeros(base.shape)
        for i in np.ndindex(base.shape):
            step = h * max(1.0, abs(base[i]))
            vals = dict(case['values'])
            up, down = base.copy(), base.copy()
            up[i] += step
            down[i] -= step
            vals[name] = up
            f_up = cost_value(case, vals)
            vals[name] = down
            f_down = cost_value(case, vals)
            g[i] = (f_up - f_down) / (up[i] - down[i])
        grads.append(g)
    return grads


class GradCase:
    def __init__(self, case):
        self.case = case
        self.problems = []
        self.inputs, (cost,) = rg.build(case, T, prefix='g%d_' % case['seed'])
        by_name = {v.name[len('g%d_' % case['seed']):]: v for v in self.inputs}
        self.wrt = [by_name[n] for n in case['wrt']]
        self.grads = T.grad(cost, self.wrt)
        self.values = rg.input_values(case)
        self.cost = cost_value(case, case['values'])
        self.fd = finite_differences(case, STEP)
        fd_half = finite_differences(case, STEP / 2)
        self.smooth = all(np.all(np.abs(a - b) <= 1e-4 * (1.0 + np.abs(b)))
                          for a, b in zip(self.fd, fd_half))
        self.fd_err = [np.abs(a - b) for a, b in zip(self.fd, fd_half)]
        self.fd = fd_half

    def check(self, got):
        for name, g, fd, err in zip(self.case['wrt'], got, self.fd, self.fd_err):
            g = np.asarray(g)
            if g.dtype != np.float64 or g.shape != fd.shape:
                self.problems.append('d cost / d %s: %s %s, expected float64 %s'
                                     % (name, g.dtype, g.shape, fd.shape))
                continue
            tol = 10.0 * err + 1e-6 * np.abs(fd) + 1e-8 * (1.0 + abs(self.cost))
            bad = ~(np.abs(g - fd) <= tol)
            if bad.any():
                self.problems.append(
                    'd cost / d %s differs from finite differences at %d of %d elements:\n'
                    ' T.grad      %s\n finite diff %s' % (
                        name, bad.sum(), bad.size, np.array2string(g, precision=10),
                        np.array2string(fd, precision=10)))


def _error_text(err):
    return '%s: %s' % (type(err).__name__, str(err).split('\n')[0][:300])


def run_group(gcases):
    if not gcases:
        return
    try:
        fn = theano.function([v for c in gcases for v in c.inputs],
                             [g for c in gcases for g in c.grads], on_unused_input='ignore')
        got = fn(*[a for c in gcases for a in c.values])
    except Exception as err:  # noqa: BLE001
        if len(gcases) == 1:
            gcases[0].problems.append('compiling or calling the gradient raised %s'
                                      % _error_text(err))
        else:
            half = len(gcases) // 2
            run_group(gcases[:half])
            run_group(gcases[half:])
        return
    k = 0
    for c in gcases:
        c.check(got[k:k + len(c.grads)])
        k += len(c.grads)


def run_seeds(seeds):
    """({seed: problems}, {seed: case}, number of costs checked)."""
    gcases, failures, cases = [], {}, {}
    for seed in seeds:
        case = cost_case(seed)
        if case is None:
            continue
        cases[seed] = case
        try:
            gc = GradCase(case)
        except Exception as err:  # noqa: BLE001
            failures[seed] = ['building the gradient raised %s' % _error_text(err)]
            continue
        if gc.smooth:
            gcases.append(gc)
    for c in gcases:  # a function each is cheap to make; find the ones that fail alone
        try:
            theano.function(c.inputs, c.grads, on_unused_input='ignore')
        except Exception as err:  # noqa: BLE001
            c.problems.append('theano.function raised %s' % _error_text(err))
    run_group([c for c in gcases if not c.problems])
    for c in gcases:
        if c.problems:
            failures[c.case['seed']] = c.problems
    return failures, cases, len(gcases)


def describe(case):
    """The reproducer of random_graphs.describe, asking for the gradient."""
    text = rg.describe(case)
    return re.sub(r'^f = theano\.function\(\[(.*)\], \[(\w+)\]\)$',
                  lambda m: 'cost = %s\nf = theano.function([%s], T.grad(cost, [%s]), '
                  "on_unused_input='ignore')"
                  % (m.group(2), m.group(1), ', '.join(case['wrt'])), text, flags=re.M)


@pytest.mark.parametrize('seeds', seed_groups(), ids=lambda s: 'seeds%d-%d' % (s[0], s[-1]))
def test_random_gradients_match_finite_differences(seeds):
    failures, cases, checked = run_seeds(seeds)
    assert checked >= len(seeds) // 2, 'too few smooth costs: %d of %d' % (checked, len(seeds))
    assert not failures, '%d of %d gradients disagree:\n%s' % (
        len(failures), checked, '\n'.join('=' * 78 + '\n' + '\n'.join(failures[s]) + '\n'
                                          + describe(cases[s]) for s in sorted(failures)))
