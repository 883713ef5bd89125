"""Regenerate extra_ops.json (Theano 1.0.5's results for extra_cases.py).

Run with a Python that has Theano 1.0.5, from the repository root:

    /path/to/theano-python tests/goldens/make_extra_goldens.py

For each snippet: each output's type, its debugprint text and its value; and for the
elementwise functions of extra_cases.MATH, the output dtype for each input dtype (or the
exception Theano raises).
"""
import json
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import theano  # noqa: E402
import theano.tensor as T  # noqa: E402
import theano.tensor.fft  # noqa: E402,F401
import theano.tensor.slinalg  # noqa: E402,F401

import extra_cases  # noqa: E402


def run(code):
    ns = {'theano': theano, 'T': T, 'np': np, 'E': T.extra_ops, 'N': T.nlinalg,
          'S': T.slinalg, 'F': T.fft}
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        exec(compile(code, '<case>', 'exec'), ns)
    return ns


def main():
    assert theano.__version__ == '1.0.5', theano.__version__
    result = {'cases': {}, 'math_dtypes': {}}
    for name, code in extra_cases.CASES.items():
        ns = run(code)
        outs = ns['out'] if isinstance(ns['out'], list) else [ns['out']]
        given = ns['given']
        fn = theano.function(list(given), outs, on_unused_input='ignore',
                             mode=theano.Mode(linker='py', optimizer='fast_compile'))
        values = fn(*given.values())
        result['cases'][name] = {
            'types': [str(o.type) for o in outs],
            'debugprint': theano.printing.debugprint(outs, file='str'),
            'values': [np.asarray(v).tolist() for v in values],
            'dtypes': [np.asarray(v).dtype.name for v in values],
        }
    for name, arity in extra_cases.MATH:
        row = {}
        for dtype in extra_cases.MATH_DTYPES:
            x = T.TensorType(dtype, (False,))('x')
            try:
                out = getattr(T, name)(*([x] * arity))
                row[dtype] = [out.dtype, str(out.owner.op)]
            except Exception as e:  # noqa: BLE001 (recorded as Theano's answer)
                row[dtype] = ['error', type(e).__name__]
        result['math_dtypes'][name] = row
    with open(os.path.join(HERE, 'extra_ops.json'), 'w', encoding='utf-8', newline='\n') as f:
        f.write(json.dumps(result, indent=1, sort_keys=True) + '\n')


if __name__ == '__main__':
    main()
