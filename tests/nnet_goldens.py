"""Checking symgraph against the Theano 1.0.5 goldens of goldens/nnet_cases.py (shared by
test_conv.py, test_pool.py and test_nnet_extra.py)."""
import functools
import json
import os

import numpy as np

import nnet_cases

import symgraph
import symgraph.tensor as T

GOLDENS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'goldens')


@functools.lru_cache(maxsize=None)
def _values():
    with open(os.path.join(GOLDENS, 'nnet_values.json'), encoding='utf-8') as f:
        return json.load(f)


def names(prefixes, table=None):
    """The cases with a values golden (or of ``table``) whose names start with a prefix."""
    pool = _values() if table is None else table
    return sorted(n for n in pool if n.startswith(tuple(prefixes)))


def run_case(name):
    namespace = {'theano': symgraph, 'T': T, 'np': np}
    exec(compile(nnet_cases.PRELUDE + nnet_cases.CASES[name], '<case>', 'exec'), namespace)
    return namespace


def check_values(name, rtol=1e-9, atol=1e-12):
    """Compile the case's function, run it on its arguments and compare every output with
    what Theano returned (dtype, shape, values)."""
    ns = run_case(name)
    f = symgraph.function(ns['fn_inputs'], ns['fn_outputs'])
    results = f(*ns['fn_args'])
    expected = _values()[name]
    assert len(results) == len(expected)
    for k, (got, want) in enumerate(zip(results, expected)):
        got = np.asarray(got)
        assert got.dtype.name == want['dtype'], (name, k, got.dtype, want['dtype'])
        assert list(got.shape) == want['shape'], (name, k, got.shape, want['shape'])
        want = np.asarray(want['value'], dtype=got.dtype)
        scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol * scale,
                                   err_msg='%s: output %d' % (name, k))
    return ns, f


def golden_debugprint(name):
    with open(os.path.join(GOLDENS, 'nnet_debugprint', name + '.txt'), encoding='utf-8') as f:
        return f.read()


def check_debugprint(name):
    out = run_case(name)['out']
    assert symgraph.printing.debugprint(out, file='str') == golden_debugprint(name)
