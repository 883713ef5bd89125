"""Regenerate random_streams.json: the numbers Theano 1.0.5 draws for random_cases.py.

Run with a Python that has Theano 1.0.5 (numpy <= 1.23), from the repository root:

    /path/to/theano-python tests/goldens/make_random_goldens.py

For each case: its floatX, every array it drew (dtype, shape, SHA-256 of the C-ordered
bytes, and the values themselves when there are at most 400 of them) and, where the case
names a ``printed`` graph, its debugprint text. Output is deterministic.
"""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # leave no __pycache__ beside the cases
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import theano  # noqa: E402
import theano.tensor as T  # noqa: E402
from theano.sandbox.rng_mrg import MRG_RandomStreams  # noqa: E402

import random_cases  # noqa: E402

MAX_VALUES = 400


def describe(array):
    """What the goldens record of one drawn array (also used by the test to compare)."""
    array = np.ascontiguousarray(array)
    record = {'dtype': array.dtype.name, 'shape': list(array.shape),
              'sha256': hashlib.sha256(array.tobytes()).hexdigest()}
    if array.size <= MAX_VALUES:
        record['values'] = array.tolist()
    else:
        record['head'] = array.reshape(-1)[:20].tolist()
        record['sum'] = float(array.astype('float64').sum())
    return record


def run_case(case):
    saved = theano.config.floatX
    theano.config.floatX = case['floatX']
    try:
        ns = {'theano': theano, 'T': T, 'np': np, 'MRG_RandomStreams': MRG_RandomStreams}
        exec(compile(case['code'], '<case>', 'exec'), ns)
        record = {'floatX': case['floatX'],
                  'results': [describe(np.asarray(a)) for a in ns['results']]}
        if 'printed' in ns:
            record['debugprint'] = theano.printing.debugprint(ns['printed'], file='str')
        return record
    finally:
        theano.config.floatX = saved


def main():
    assert theano.__version__ == '1.0.5', theano.__version__
    out = {'theano': theano.__version__, 'cases': {}}
    for name, case in random_cases.RANDOM_CASES.items():
        out['cases'][name] = run_case(case)
        print(name, len(out['cases'][name]['results']), file=sys.stderr)
    with open(os.path.join(HERE, 'random_streams.json'), 'w', encoding='utf-8',
              newline='\n') as f:
        f.write(json.dumps(out, indent=1, sort_keys=False) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
