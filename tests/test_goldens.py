"""symgraph reproduces Theano 1.0.5's text and types exactly (goldens made by real Theano)."""
import json
import os

import numpy as np
import pytest

import cases
from conftest import run_snippet

import symgraph

GOLDENS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'goldens')


def _golden_text(name):
    with open(os.path.join(GOLDENS, 'debugprint', name + '.txt'), encoding='utf-8') as f:
        return f.read()


def _json(name):
    with open(os.path.join(GOLDENS, name), encoding='utf-8') as f:
        return json.load(f)


# Where symgraph deliberately differs from Theano: Theano returns a zero gradient for an
# integer wrt; symgraph reports the mistake instead.
RAISES_INSTEAD = {'grad_int_input': 'integer and boolean variables have no gradient'}


@pytest.mark.parametrize('name', sorted(cases.DEBUGPRINT_CASES))
def test_debugprint_matches_theano(name):
    case = cases.DEBUGPRINT_CASES[name]
    if name in RAISES_INSTEAD:
        with pytest.raises(TypeError, match=RAISES_INSTEAD[name]):
            run_snippet(case['code'])
        return
    out = run_snippet(case['code'])['out']
    text = symgraph.printing.debugprint(out, file='str', **case['kwargs'])
    assert text == _golden_text(name)


TYPES = _json('types.json')


@pytest.mark.parametrize('name', sorted(TYPES))
def test_type_inference_and_value_match_theano(name):
    expected = TYPES[name]
    out = run_snippet(cases.TYPE_CASES[name])['out']
    assert str(out.type) == expected['type']
    assert out.dtype == expected['dtype']
    assert list(out.broadcastable) == expected['broadcastable']
    if expected.get('value') is not None:
        value = out.eval()
        assert value.dtype.name == expected['value_dtype']
        assert list(value.shape) == expected['value_shape']
        np.testing.assert_allclose(value, np.asarray(expected['value'], dtype=value.dtype),
                                   rtol=1e-6)


PPRINTS = _json('pprint.json')


@pytest.mark.parametrize('name', sorted(PPRINTS))
def test_pprint_matches_theano(name):
    out = run_snippet(cases.PPRINT_CASES[name])['out']
    assert symgraph.printing.pprint(out) == PPRINTS[name]
