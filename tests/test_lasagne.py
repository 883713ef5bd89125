"""Lasagne's own tests, a representative part of them, run on symgraph (``theano`` standing
for symgraph through benchmarks/clients.py's import alias).

Lasagne is not vendored: set ``SYMGRAPH_LASAGNE`` to a checkout of
https://github.com/Lasagne/Lasagne (master) to run these; without it they are skipped.
Lasagne's tests need ``mock`` installed. The whole suite runs with
``python -m benchmarks.clients lasagne CHECKOUT`` (benchmarks/README.md, "Client code").
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = os.environ.get('SYMGRAPH_LASAGNE')

pytestmark = pytest.mark.skipif(
    not CHECKOUT, reason='set SYMGRAPH_LASAGNE to a Lasagne checkout to run its tests')

SUBSET = {
    'dense': ['lasagne/tests/layers/test_dense.py'],
    'conv': ['lasagne/tests/layers/test_conv.py::TestConv1DLayer',
             'lasagne/tests/layers/test_conv.py::TestConv2DLayerImplementations::test_defaults'],
    'pool': ['lasagne/tests/layers/test_pool.py::TestMaxPool1DLayer',
             'lasagne/tests/layers/test_pool.py::TestMaxPool2DLayer'],
    'recurrent': ['lasagne/tests/layers/test_recurrent.py::test_recurrent_return_shape',
                  'lasagne/tests/layers/test_recurrent.py::test_lstm_return_shape',
                  'lasagne/tests/layers/test_recurrent.py::test_gru_grad',
                  'lasagne/tests/layers/test_recurrent.py::test_lstm_bck'],
    'normalization': ['lasagne/tests/layers/test_normalization.py::TestBatchNormLayer'],
    'objectives': ['lasagne/tests/test_objectives.py'],
    'updates': ['lasagne/tests/test_updates.py'],
    'init': ['lasagne/tests/test_init.py'],
    'nonlinearities': ['lasagne/tests/test_nonlinearities.py'],
}

# Asks for the gradient with respect to an integer shared variable, which symgraph refuses
# on purpose (README, "Compatibility with Theano").
REFUSED = {'lasagne/tests/test_updates.py::test_get_or_compute_grads'}


@pytest.mark.parametrize('part', sorted(SUBSET))
def test_lasagne_part(part, tmp_path):
    out = tmp_path / 'results.json'
    done = subprocess.run(
        [sys.executable, '-m', 'benchmarks.clients', 'lasagne', CHECKOUT, '--json', str(out),
         '--only'] + SUBSET[part],
        cwd=REPO_ROOT, env=dict(os.environ, PYTHONPATH=str(REPO_ROOT)),
        capture_output=True, text=True, timeout=1800)
    assert out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    results = json.loads(out.read_text())
    failed = {test: error for test, (outcome, error) in results.items()
              if outcome == 'failed' and test not in REFUSED}
    assert results, 'no test ran:\n' + done.stdout[-3000:] + done.stderr[-3000:]
    assert not failed, failed
    assert any(outcome == 'passed' for outcome, _ in results.values())
