"""Random streams: a (500, 784) float32 dropout mask per call, symgraph against hand-written
``jax.jit(jax.random.bernoulli)`` in one process, interleaved.

    python -m benchmarks.random [calls per block] [blocks] [--json FILE]
    (or python benchmarks/random.py ...; the script then keeps its own folder off the path,
    where it would stand in for the standard library's ``random``)

Variants (each call draws a new mask and returns it as numpy, as a Theano function does):

* jax-bernoulli       ``jax.jit``: split the key, ``bernoulli(sub, 0.5, shape)`` as float32;
                      the key is carried from call to call;
* mrg-mask            ``theano.function([], mrg.binomial((500, 784), p=0.5, dtype=float32))``
                      (Theano's MRG31k3p numbers);
* rs-mask             the same with ``RandomStreams`` (JAX keys);
* jax-dropout         ``jax.jit``: ``x * bernoulli(...)`` for a (500, 784) input ``x``;
* mrg-dropout         ``function([x], x * mrg.binomial(x.shape, p=0.5, dtype=float32))``,
                      the size symbolic as in the DeepLearningTutorials.

Prints microseconds per call (wall clock, best and median over the blocks; process CPU
time, median, which a busy machine disturbs less) and the ratios to the hand-written
variant; with ``--json FILE`` also writes them there.
"""
import os
import sys

if __name__ == '__main__':  # run as a script: this file must not be imported as ``random``
    _HERE = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != _HERE]
    sys.path.insert(0, os.path.dirname(_HERE))

import json  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

import symgraph as theano  # noqa: E402
import symgraph.tensor as T  # noqa: E402
from symgraph.sandbox.rng_mrg import MRG_RandomStreams  # noqa: E402
from symgraph.tensor.shared_randomstreams import RandomStreams  # noqa: E402

SHAPE = (500, 784)


def hand_written():
    @jax.jit
    def mask(key):
        key, sub = jax.random.split(key)
        return key, jax.random.bernoulli(sub, 0.5, SHAPE).astype(jnp.float32)

    @jax.jit
    def dropout(key, x):
        key, sub = jax.random.split(key)
        return key, x * jax.random.bernoulli(sub, 0.5, x.shape).astype(x.dtype)

    state = {'key': jax.random.key(0)}

    def run_mask():
        state['key'], out = mask(state['key'])
        return np.array(out)

    def run_dropout(x):
        state['key'], out = dropout(state['key'], x)
        return np.array(out)
    return run_mask, run_dropout


def symgraph_variants():
    theano.config.floatX = 'float32'  # as the tutorials run: the uniforms are float32 too
    mrg = MRG_RandomStreams(1234)
    rs = RandomStreams(1234)
    x = T.matrix('x', dtype='float32')
    return (theano.function([], mrg.binomial(SHAPE, p=0.5, dtype='float32')),
            theano.function([], rs.binomial(SHAPE, p=0.5, dtype='float32')),
            theano.function([x], x * mrg.binomial(x.shape, p=0.5, dtype='float32')))


def measure(calls=50, blocks=15):
    data = np.random.RandomState(0).rand(*SHAPE).astype('float32')
    jax_mask, jax_dropout = hand_written()
    mrg_mask, rs_mask, mrg_dropout = symgraph_variants()
    variants = {
        'jax-bernoulli': jax_mask,
        'mrg-mask': mrg_mask,
        'rs-mask': rs_mask,
        'jax-dropout': lambda: jax_dropout(data),
        'mrg-dropout': lambda: mrg_dropout(data),
    }
    for run in variants.values():  # compile and warm up
        run()
        run()
    wall = {name: [] for name in variants}
    cpu = {name: [] for name in variants}
    for _ in range(blocks):
        for name, run in variants.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            for _ in range(calls):
                run()
            cpu[name].append((time.process_time() - start_cpu) / calls * 1e6)
            wall[name].append((time.perf_counter() - start) / calls * 1e6)
    return {name: (min(wall[name]), statistics.median(wall[name]),
                   statistics.median(cpu[name])) for name in variants}


def main(argv):
    json_path = None
    if '--json' in argv:
        json_path = argv[argv.index('--json') + 1]
        argv = [a for a in argv if a not in ('--json', json_path)]
    calls = int(argv[1]) if len(argv) > 1 else 50
    blocks = int(argv[2]) if len(argv) > 2 else 15
    results = measure(calls, blocks)
    base = {'mask': results['jax-bernoulli'], 'dropout': results['jax-dropout']}
    print('device: %s; jax %s; %d blocks of %d calls' % (jax.devices()[0].device_kind,
                                                        jax.__version__, blocks, calls))
    print('microseconds per call: wall best, wall median, CPU median; each / hand-written')
    for name, figures in results.items():
        ref = base['dropout' if 'dropout' in name else 'mask']
        print('%-14s %8.0f %8.0f %8.0f   %5.2f %5.2f %5.2f' % (
            (name,) + figures + tuple(f / r for f, r in zip(figures, ref))))
    if json_path:
        with open(json_path, 'w') as f:
            json.dump({name: dict(zip(('wall_best_us', 'wall_median_us', 'cpu_median_us'),
                                      figures)) for name, figures in results.items()},
                      f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
