"""Regenerate the Theano 1.0.5 goldens of theano.sparse and theano.typed_list
(sparse_cases.py): sparse_goldens.json, {case: {'debugprint': text, 'values': [...]}}.

Run with a Python that has Theano 1.0.5 and scipy, from the repository root:

    /path/to/theano-python tests/goldens/make_sparse_goldens.py
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import theano  # noqa: E402
import theano.sparse as S  # noqa: E402
import theano.tensor as T  # noqa: E402
import theano.typed_list as TL  # noqa: E402

import sparse_cases  # noqa: E402


def encode(value):
    """A returned value as JSON: a sparse matrix as its format, shape and dense value."""
    if sp.issparse(value):
        return {'format': value.format, 'dtype': str(value.dtype),
                'dense': value.toarray().tolist()}
    if isinstance(value, list):
        return {'list': [encode(v) for v in value]}
    value = np.asarray(value)
    return {'dtype': str(value.dtype), 'shape': list(value.shape), 'value': value.tolist()}


def main():
    theano.config.floatX = 'float64'
    result = {}
    for name, code in sorted(sparse_cases.CASES.items()):
        ns = {'theano': theano, 'T': T, 'S': S, 'TL': TL, 'np': np, 'sp': sp}
        exec(compile(sparse_cases.PRELUDE + code, '<case>', 'exec'), ns)
        entry = {}
        if 'out' in ns:
            entry['debugprint'] = theano.printing.debugprint(ns['out'], file='str')
        if 'fn_inputs' in ns:
            f = theano.function(ns['fn_inputs'], ns['fn_outputs'])
            entry['values'] = [encode(v) for v in f(*ns['fn_args'])]
        result[name] = entry
    with open(os.path.join(HERE, 'sparse_goldens.json'), 'w') as handle:
        json.dump(result, handle, indent=1, sort_keys=True)
        handle.write('\n')


if __name__ == '__main__':
    main()
