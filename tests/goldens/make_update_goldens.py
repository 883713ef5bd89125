"""Regenerate the goldens of the update rules (update_cases.py) with Lasagne on Theano 1.0.5.

Lasagne is pure Python; its master branch runs on Theano 1.0.5 (0.1 does not). Run from the
repository root with a Python that has Theano 1.0.5 (numpy <= 1.23) and a Lasagne checkout:

    git clone https://github.com/Lasagne/Lasagne /tmp/Lasagne
    PYTHONPATH=/tmp/Lasagne /path/to/theano-python tests/goldens/make_update_goldens.py

Writes updates.json beside this script: per case, the loss and the value of every updated
variable after each step (floatX=float64), and the types of the updates built with
floatX=float32. Output is deterministic.
"""
import json
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # leave no __pycache__ beside update_cases.py
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import theano  # noqa: E402
import theano.tensor as T  # noqa: E402
import lasagne  # noqa: E402
import lasagne.updates  # noqa: E402

import update_cases  # noqa: E402

OUT = os.path.join(HERE, 'updates.json')


def main():
    assert theano.__version__ == '1.0.5', theano.__version__
    assert theano.config.floatX == 'float64', theano.config.floatX
    warnings.simplefilter('ignore')
    data = update_cases.problem_data()
    cases = {}
    for name in update_cases.CASES:
        steps = update_cases.run_case(name, theano, T, lasagne.updates, data)
        with theano.change_flags(floatX='float32'):
            types = update_cases.update_types(name, theano, T, lasagne.updates, data)
        cases[name] = {'losses': [loss for loss, _ in steps],
                       'values': [[v.tolist() for v in values] for _, values in steps],
                       'types_float32': types}
    golden = {'theano': theano.__version__, 'lasagne': lasagne.__version__,
              'data': {k: np.asarray(v).tolist() for k, v in data.items()},
              'cases': cases}
    with open(OUT, 'w', encoding='utf-8', newline='\n') as f:  # one line per case
        f.write('{"theano": %s, "lasagne": %s,\n "data": %s,\n "cases": {\n'
                % (json.dumps(golden['theano']), json.dumps(golden['lasagne']),
                   json.dumps(golden['data'])))
        f.write(',\n'.join('  %s: %s' % (json.dumps(name), json.dumps(case))
                           for name, case in cases.items()))
        f.write('\n}}\n')
    print('wrote %d cases to %s' % (len(cases), OUT))


if __name__ == '__main__':
    main()
