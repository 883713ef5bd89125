"""Random graphs against real Theano 1.0.5: goldens/random_graphs.json holds a fixed, seeded
set of graphs (plain-data descriptions, see random_graphs.py), their inputs, and what Theano
gave for them (made by goldens/make_random_graph_goldens.py).

* the numpy reference used by test_random_graphs.py agrees with Theano on every one of them
  (types, values, errors): the reference's rules are Theano's;
* symgraph builds the same descriptions and gives Theano's dtypes, broadcastable patterns,
  shapes and values (within the rounding tolerance of each graph), for C-ordered, Fortran,
  negatively strided and unaligned arguments, and raises where Theano raises.

Regenerate the goldens with ``theano-python tests/goldens/make_random_graph_goldens.py``.
"""
import json
import os

import pytest

import random_graphs as rg
import test_random_graphs as trg

GOLDEN = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'goldens',
                      'random_graphs.json')
with open(GOLDEN, encoding='utf-8') as _f:
    _DATA = json.load(_f)
CASES = [(rg.case_from_plain(c), c['theano']) for c in _DATA['cases']]
GROUP = 50
# symgraph is checked on the first max(SYMGRAPH_RANDOM_GRAPHS, 25) graphs (all 400 with
# SYMGRAPH_RANDOM_GRAPHS=400 or more); the reference is always checked on all of them.
N_CHECKED = max(int(os.environ.get('SYMGRAPH_RANDOM_GRAPHS', '10')), 25)


def test_goldens_come_from_theano_1_0_5():
    assert _DATA['theano'] == '1.0.5' and _DATA['floatX'] == 'float64'
    assert len(CASES) >= 300
    kinds = {('raises' in r) for _, r in CASES}
    assert kinds == {True, False}


def test_numpy_reference_agrees_with_theano():
    problems = {}
    for case, result in CASES:
        p = rg.check_reference_against_theano(case, result)
        if p:
            problems[case['seed']] = p
    assert not problems, '\n\n'.join('%s\n%s' % ('\n'.join(p), rg.describe(c))
                                     for c, _ in CASES for s, p in problems.items()
                                     if c['seed'] == s)


def _groups():
    cases = CASES[:N_CHECKED]
    return [cases[i:i + GROUP] for i in range(0, len(cases), GROUP)]


@pytest.mark.parametrize('group', _groups(),
                         ids=lambda g: 'seeds%d-%d' % (g[0][0]['seed'], g[-1][0]['seed']))
def test_symgraph_matches_theano(group):
    failures, cases, builts = {}, {}, []
    for case, result in group:
        seed = case['seed']
        cases[seed] = case
        if 'build_raises' in result:
            failures[seed] = ['Theano refuses to build this graph (%s): no golden'
                              % result['build_raises']]
            continue
        if 'raises' in result:
            problems = trg.run_error_case(dict(case, error=result['raises']))
            if problems:
                failures[seed] = problems
            continue
        try:
            b = trg.Built(case)
        except Exception as err:  # noqa: BLE001
            failures[seed] = ['building the graph raised %s' % trg._error_text(err)]
            continue
        b.runs = rg.expected_from_theano(case, result)
        b.check_types()
        builts.append(b)
    trg.run_together(builts)
    for b in builts:
        if b.problems:
            failures[b.case['seed']] = b.problems
    assert not failures, trg.report(failures, cases)
