"""Regenerate the Theano 1.0.5 golden files from cases.py.

Run with a Python that has Theano 1.0.5 (numpy <= 1.23), from the repository root:

    /path/to/theano-python tests/goldens/make_goldens.py

Writes debugprint/<name>.txt, types.json, pprint.json and errors.json beside this script.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # leave no __pycache__ beside cases.py
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import theano  # noqa: E402
import theano.tensor as T  # noqa: E402
from theano.gof import Constant  # noqa: E402
from theano.gof.graph import inputs as graph_inputs  # noqa: E402
from theano.compile.sharedvalue import SharedVariable  # noqa: E402

import cases  # noqa: E402


def run_snippet(code):
    ns = {'theano': theano, 'T': T, 'np': np}
    exec(compile(code, '<case>', 'exec'), ns)
    return ns


def write_text(path, text):
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write(text)


def write_json(path, obj):
    write_text(path, json.dumps(obj, indent=2, sort_keys=False, ensure_ascii=False) + '\n')


def main():
    assert theano.__version__ == '1.0.5', theano.__version__
    assert theano.config.floatX == 'float64', theano.config.floatX
    # No creation backtraces in messages: they would depend on this script's call stack.
    theano.config.traceback.limit = 0
    failures = []

    # debugprint
    dp_dir = os.path.join(HERE, 'debugprint')
    os.makedirs(dp_dir, exist_ok=True)
    for old in os.listdir(dp_dir):
        if old.endswith('.txt') and old[:-4] not in cases.DEBUGPRINT_CASES:
            os.remove(os.path.join(dp_dir, old))
    for name, case in cases.DEBUGPRINT_CASES.items():
        try:
            out = run_snippet(case['code'])['out']
            text = theano.printing.debugprint(out, file='str', **case['kwargs'])
        except Exception as e:  # report every broken case, then fail
            failures.append(('debugprint', name, repr(e)))
            continue
        write_text(os.path.join(dp_dir, name + '.txt'), text)

    # types
    types = {}
    for name, code in cases.TYPE_CASES.items():
        try:
            out = run_snippet(code)['out']
            rec = {
                'type': str(out.type),
                'dtype': out.dtype,
                'broadcastable': list(out.broadcastable),
            }
            leaves = graph_inputs([out])
            if all(isinstance(v, (Constant, SharedVariable)) for v in leaves):
                value = np.asarray(out.eval())
                rec['value'] = value.tolist()
                rec['value_dtype'] = str(value.dtype)
                rec['value_shape'] = list(value.shape)
            else:
                rec['value'] = None
        except Exception as e:
            failures.append(('types', name, repr(e)))
            continue
        types[name] = rec
    write_json(os.path.join(HERE, 'types.json'), types)

    # pprint
    pp = {}
    for name, code in cases.PPRINT_CASES.items():
        try:
            pp[name] = theano.printing.pprint(run_snippet(code)['out'])
        except Exception as e:
            failures.append(('pprint', name, repr(e)))
    write_json(os.path.join(HERE, 'pprint.json'), pp)

    # errors
    errors = {}
    for name, code in cases.ERROR_CASES.items():
        try:
            run_snippet(code)
        except Exception as e:
            errors[name] = {'type': type(e).__name__, 'message': str(e)}
        else:
            failures.append(('errors', name, 'no exception raised'))
    write_json(os.path.join(HERE, 'errors.json'), errors)

    for kind, name, why in failures:
        print('FAILED %s/%s: %s' % (kind, name, why), file=sys.stderr)
    print('debugprint: %d, types: %d, pprint: %d, errors: %d'
          % (len(cases.DEBUGPRINT_CASES), len(types), len(pp), len(errors)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
