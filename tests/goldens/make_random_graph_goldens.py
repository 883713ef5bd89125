"""Theano 1.0.5 results for a fixed, seeded set of random graphs (tests/random_graphs.py).

Run with a Python that has Theano 1.0.5 (numpy <= 1.23), from the repository root:

    /path/to/theano-python tests/goldens/make_random_graph_goldens.py

writes random_graphs.json beside this script: for each graph its description (plain data,
as random_graphs.to_plain makes it), its input values and what Theano gives: per output the
dtype, broadcastable pattern, shape and values, or the exception the call raises.
tests/test_random_goldens.py rebuilds the same descriptions with symgraph and compares.

``--cases FILE.json [--out FILE]``: run the cases of FILE (a list of plain cases, e.g. ones
that failed under symgraph) through Theano instead, and print (or write) the results.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(HERE))  # tests/, for random_graphs and numpy_reference

import numpy as np  # noqa: E402
import theano  # noqa: E402
import theano.tensor as T  # noqa: E402

import random_graphs as rg  # noqa: E402

SEEDS = range(100000, 100400)  # forward graphs
OUT = os.path.join(HERE, 'random_graphs.json')


def theano_result(case):
    """What Theano 1.0.5 gives for ``case``: {'outputs': [...]} or {'raises': name}."""
    try:
        inputs, outputs = rg.build(case, T)
    except Exception as err:  # noqa: BLE001
        return {'build_raises': type(err).__name__, 'message': str(err).split('\n')[0]}
    if case.get('wrt'):  # a gradient case (tests/test_random_grads.py): T.grad of the cost
        by_name = {v.name: v for v in inputs}
        outputs = T.grad(outputs[0], [by_name[n] for n in case['wrt']])
    types = [{'dtype': o.dtype, 'broadcastable': list(o.broadcastable)} for o in outputs]
    try:
        fn = theano.function(inputs, outputs, on_unused_input='ignore')
        values = fn(*rg.input_values(case))
    except Exception as err:  # noqa: BLE001
        return {'types': types, 'raises': type(err).__name__,
                'message': str(err).split('\n')[0]}
    for t, v in zip(types, values):
        v = np.asarray(v)
        t['value'] = rg.to_plain(v)
    return {'types': types}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--cases')
    parser.add_argument('--out')
    args = parser.parse_args()
    assert theano.__version__ == '1.0.5', theano.__version__
    assert theano.config.floatX == 'float64', theano.config.floatX
    theano.config.traceback.limit = 0
    if args.cases:
        with open(args.cases) as f:
            plain = json.load(f)
        cases = []
        for c in plain:
            cases.append(rg.case_from_plain(c))
            if c.get('wrt'):
                cases[-1]['wrt'] = c['wrt']
        results = []
        for case in cases:
            res = theano_result(case)
            results.append({'seed': case['seed'], 'result': res})
            if not args.out:
                print(case['seed'], json.dumps(res))
        if args.out:
            with open(args.out, 'w') as f:
                json.dump(results, f)
        return
    records = []
    for seed in SEEDS:
        case = rg.generate(seed, 'forward')
        if not case['outputs']:
            continue
        record = rg.to_plain(case)
        record['theano'] = theano_result(case)
        records.append(record)
    with open(OUT, 'w', encoding='utf-8', newline='\n') as f:
        json.dump({'theano': theano.__version__, 'floatX': theano.config.floatX,
                   'generator': 'tests/random_graphs.py', 'cases': records}, f,
                  separators=(',', ':'))
        f.write('\n')
    print('wrote %d cases to %s' % (len(records), OUT))


if __name__ == '__main__':
    main()
