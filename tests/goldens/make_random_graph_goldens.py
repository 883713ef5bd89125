"""Theano 1.0.5 results for a fixed, seeded set of random graphs (tests/random_graphs.py).

Run with a Python that has Theano 1.0.5 (numpy <= 1.23), from the repository root:

    /path/to/theano-python tests/goldens/make_random_graph_goldens.py

writes random_graphs.json beside this script: for each graph its description (plain data,
as random_graphs.to_plain makes it), its input values and what Theano gives: per output the
dtype, broadcastable pattern, shape and values, or the exception the call raises.
tests/test_random_goldens.py rebuilds the same descriptions with symgraph and compares.

``--cases FILE.json [--out FILE.jsonl]``: run the cases of FILE (a list of plain cases, e.g.
ones that failed under symgraph; with a ``wrt`` list, T.grad of the single output) through
Theano instead, and print the results (or append them to FILE.jsonl, one line per case;
a rerun resumes).
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


def run_cases(path, out):
    """Theano's results for the plain cases in ``path``: printed, or appended to ``out`` one
    JSON line per case as it is done (a rerun skips the cases already there, and marks as
    'crashed' a case during which the previous run died)."""
    with open(path) as f:
        plain = json.load(f)
    done, current = set(), None
    if out and os.path.exists(out):
        with open(out) as f:
            done = {json.loads(line)['seed'] for line in f if line.strip()}
    if out and os.path.exists(out + '.current'):
        with open(out + '.current') as f:
            current = int(f.read() or -1)
    for c in plain:
        case = rg.case_from_plain(c)
        if c.get('wrt'):
            case['wrt'] = c['wrt']
        if case['seed'] in done:
            continue
        if case['seed'] == current:
            res = {'crashed': True}
        else:
            if out:
                with open(out + '.current', 'w') as f:
                    f.write(str(case['seed']))
            res = theano_result(case)
        if out:
            with open(out, 'a') as f:
                f.write(json.dumps({'seed': case['seed'], 'result': res}) + '\n')
        else:
            print(case['seed'], json.dumps(res))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--cases')
    parser.add_argument('--out')
    args = parser.parse_args()
    assert theano.__version__ == '1.0.5', theano.__version__
    assert theano.config.floatX == 'float64', theano.config.floatX
    theano.config.traceback.limit = 0
    if args.cases:
        run_cases(args.cases, args.out)
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
