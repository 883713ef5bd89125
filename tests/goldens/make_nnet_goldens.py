"""Regenerate the Theano 1.0.5 goldens of convolution, pooling and T.nnet (nnet_cases.py).

Run with a Python that has Theano 1.0.5 (numpy <= 1.23), from the repository root:

    /path/to/theano-python tests/goldens/make_nnet_goldens.py [NAME_PREFIX ...]

Writes nnet_debugprint/<name>.txt and nnet_values.json beside this script (with prefixes,
only the matching cases are run again; the others are kept). Output is deterministic.
"""
import json
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # leave no __pycache__ beside nnet_cases.py
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import theano  # noqa: E402
import theano.tensor as T  # noqa: E402
import theano.tensor.nnet.abstract_conv  # noqa: E402,F401
import theano.tensor.nnet.bn  # noqa: E402,F401
import theano.tensor.nnet.conv  # noqa: E402,F401
import theano.tensor.nnet.neighbours  # noqa: E402,F401
import theano.tensor.signal.pool  # noqa: E402,F401

import nnet_cases  # noqa: E402

VALUES = os.path.join(HERE, 'nnet_values.json')
DEBUGPRINT = os.path.join(HERE, 'nnet_debugprint')


def run_snippet(code):
    ns = {'theano': theano, 'T': T, 'np': np}
    exec(compile(nnet_cases.PRELUDE + code, '<case>', 'exec'), ns)
    return ns


def write_text(path, text):
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write(text)


def main(prefixes):
    assert theano.__version__ == '1.0.5', theano.__version__
    assert theano.config.floatX == 'float64', theano.config.floatX
    theano.config.traceback.limit = 0
    warnings.simplefilter('ignore')
    selected = [n for n in nnet_cases.CASES if not prefixes or n.startswith(tuple(prefixes))]
    os.makedirs(DEBUGPRINT, exist_ok=True)
    values = {}
    if prefixes and os.path.exists(VALUES):
        with open(VALUES, encoding='utf-8') as f:
            values = json.load(f)
    for old in os.listdir(DEBUGPRINT):
        if old.endswith('.txt') and old[:-4] not in nnet_cases.CASES:
            os.remove(os.path.join(DEBUGPRINT, old))
    values = {k: v for k, v in values.items() if k in nnet_cases.CASES}
    failures = []
    for name in selected:
        try:
            ns = run_snippet(nnet_cases.CASES[name])
            if 'out' in ns and name in nnet_cases.DEBUGPRINT_CASES:
                write_text(os.path.join(DEBUGPRINT, name + '.txt'),
                           theano.printing.debugprint(ns['out'], file='str'))
            if 'fn_outputs' in ns:
                f = theano.function(ns['fn_inputs'], ns['fn_outputs'])
                results = f(*ns['fn_args'])
                values[name] = [{'dtype': str(np.asarray(r).dtype),
                                 'shape': list(np.shape(r)),
                                 'value': np.asarray(r).tolist()} for r in results]
        except Exception as e:  # report every broken case, then fail
            failures.append((name, repr(e)))
    with open(VALUES, 'w', encoding='utf-8', newline='\n') as f:
        json.dump({k: values[k] for k in sorted(values)}, f, sort_keys=True)
        f.write('\n')
    for name, why in failures:
        print('FAILED %s: %s' % (name, why), file=sys.stderr)
    print('cases run: %d, values: %d, debugprints: %d'
          % (len(selected), len(values), len(os.listdir(DEBUGPRINT))))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
