"""The per-call path: symgraph against hand-written ``jax.jit``, side by side in one process.

``python -m benchmarks.callpath [runs]``: each run times every variant round-robin in this
process (``timing.round_robin``), and the ratios are taken within the run:

* dispatch: ``f(x) = x + 1`` called with a numpy float32 scalar and a 1000-vector (the
  result read back as numpy) against ``jax.jit(lambda x: x + 1)`` called the same way
  (and PyTensor's function when PyTensor is installed);
* seed loop: the LXMLS update ``function([x, y], cost, updates=...)`` called with numpy
  column slices against the hand-written ``jax.jit`` step called with the same slices,
  its cost read back each call as a Theano function returns it (B-same), and against
  B-default (the same step at JAX's defaults, in a process of its own, once per run);
* givens: the update with ``givens`` (a Python int index into shared data) against the
  hand-written step on device-resident data sliced by the same index (B-device).

Dispatch is also timed in CPU time of the calling thread (``time.thread_time``; the
program runs on that thread, since dispatch is synchronous), 2000 calls a block, blocks
interleaved, best (median) of CPU_BLOCKS. Each run records the load average (1 minute) at
its start and end.
"""
import os
import statistics
import sys
import time

import numpy as np

import symgraph as theano
import symgraph.tensor as T
from benchmarks import jax_baselines as jb
from benchmarks.timing import round_robin

DISPATCH_CALLS = 2000
CPU_BLOCKS = 25


def dispatch_variants():
    """{name: run} for the dispatch pairs; each run makes DISPATCH_CALLS calls."""
    import jax
    variants = {}
    for label, value in (('scalar', np.float32(1.5)),
                         ('1000-vector', np.ones(1000, dtype='float32'))):
        x = T.TensorType('float32', (False,) * value.ndim)('x')
        f = theano.function([x], x + 1)
        raw = jax.jit(lambda v: v + 1)

        def many(call, value=value):
            return lambda: [np.asarray(call(value)) for _ in range(DISPATCH_CALLS)]
        variants['symgraph ' + label] = many(f)
        variants['jax.jit ' + label] = many(raw)
        pytensor_f = pytensor_plus_one(value.ndim)
        if pytensor_f is not None:
            variants['PyTensor ' + label] = many(pytensor_f)
    return variants


def pytensor_plus_one(ndim):
    """PyTensor's ``f(x) = x + 1`` (its default backend), or None without PyTensor."""
    try:
        import pytensor
        import pytensor.tensor as pt
    except ImportError:
        return None
    x = pt.tensor('x', dtype='float32', shape=(None,) * ndim)
    return pytensor.function([x], x + 1)


def epoch_variants(synchronised_device=False):
    """{name: run} for the LXMLS epochs: symgraph's seed loop and givens, B-same, B-device
    (its costs read back once an epoch) and, if asked, B-device reading each cost back as
    it comes, as a Theano function does."""
    import jax
    from benchmarks.run import build_givens_update, build_seed_update
    train_x, train_y = jb.make_data()
    slices = [jb.batch_slice(train_x, train_y, i) for i in range(jb.N_STEPS)]
    seed = build_seed_update()
    givens = build_givens_update(train_x, train_y)

    def seed_epoch():
        for x, y in slices:
            seed(x, y)

    def givens_epoch():
        for i in range(jb.N_STEPS):
            givens(i)

    step = jax.jit(jb.sgd_step)
    same = {'p': tuple(jax.device_put(a) for a in jb.init_params())}

    def b_same_epoch():
        W1, b1, W2, b2 = same['p']
        for x, y in slices:
            cost, W1, b1, W2, b2 = step(W1, b1, W2, b2, x, y)
            np.asarray(cost)
        same['p'] = (W1, b1, W2, b2)

    X, Y = jax.device_put(train_x), jax.device_put(train_y)

    @jax.jit
    def device_step(W1, b1, W2, b2, i):
        x = jax.lax.dynamic_slice_in_dim(X, i * jb.BATCH, jb.BATCH, axis=1)
        y = jax.lax.dynamic_slice_in_dim(Y, i * jb.BATCH, jb.BATCH)
        return jb.sgd_step(W1, b1, W2, b2, x, y)

    def b_device(synchronised):
        device = {'p': tuple(jax.device_put(a) for a in jb.init_params())}

        def epoch():
            W1, b1, W2, b2 = device['p']
            costs = []
            for i in range(jb.N_STEPS):
                cost, W1, b1, W2, b2 = device_step(W1, b1, W2, b2, i)
                costs.append(np.asarray(cost) if synchronised else cost)
            device['p'] = (W1, b1, W2, b2)
            [np.asarray(c) for c in costs]
        return epoch

    variants = {'symgraph seed loop': seed_epoch, 'B-same': b_same_epoch,
                'symgraph givens': givens_epoch, 'B-device': b_device(False)}
    if synchronised_device:
        variants['B-device, synchronised'] = b_device(True)
    return variants


PAIRS = (('dispatch, scalar', 'symgraph scalar', 'jax.jit scalar'),
         ('dispatch, 1000-vector', 'symgraph 1000-vector', 'jax.jit 1000-vector'),
         ('seed loop / B-same', 'symgraph seed loop', 'B-same'),
         ('seed loop / B-default', 'symgraph seed loop', 'B-default'),
         ('givens / B-device', 'symgraph givens', 'B-device'))
PYTENSOR_PAIRS = (('dispatch, scalar, vs PyTensor', 'symgraph scalar', 'PyTensor scalar'),
                  ('dispatch, 1000-vector, vs PyTensor', 'symgraph 1000-vector',
                   'PyTensor 1000-vector'))


def run(runs=5, rounds=7):
    """Per run: {'times': {name: (best, median) seconds}, 'ratios': {pair: (best, median)},
    'load': (1-minute load average at the start, at the end)}."""
    from benchmarks.run import b_default_in_own_process
    saved = theano.config.floatX
    theano.config.floatX = 'float32'
    variants = dict(epoch_variants())
    dispatch = dispatch_variants()
    variants.update(dispatch)
    theano.config.floatX = saved  # (make bench goes on with its own setting)
    results = []
    for _ in range(runs):
        load = os.getloadavg()[0]
        times = round_robin(variants, rounds)
        times['B-default'] = b_default_in_own_process()
        cpu = round_robin(dispatch, CPU_BLOCKS, clock=time.thread_time)
        results.append({'times': times, 'ratios': _ratios(times), 'cpu_times': cpu,
                        'cpu_ratios': _ratios(cpu), 'load': (load, os.getloadavg()[0])})
    return results


def _ratios(times):
    """{pair: (best, median) ratio} for the pairs timed in ``times``."""
    return {label: (times[ours][0] / times[peer][0], times[ours][1] / times[peer][1])
            for label, ours, peer in PAIRS + PYTENSOR_PAIRS if ours in times and peer in times}


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    results = run(runs)
    print('Per run, symgraph / hand-written jax.jit, best (median) of 7 rounds; load %s:'
          % '  '.join('%.1f-%.1f' % r['load'] for r in results))
    for label, ours, peer in PAIRS:
        unit, scale = ('µs/call', 1e6 / DISPATCH_CALLS) if 'dispatch' in label else \
            ('ms/epoch', 1e3)
        cells = ['%.2f (%.2f)' % r['ratios'][label] for r in results]
        print('  %-22s %s' % (label, '  '.join(cells)))
        print('  %-22s %s, best (median): %s vs %s' % ('', unit, '  '.join(
            '%.1f (%.1f)' % tuple(t * scale for t in r['times'][ours]) for r in results),
            '  '.join('%.1f (%.1f)' % tuple(t * scale for t in r['times'][peer])
                      for r in results)))
    print('Dispatch in CPU time, best (median) of %d blocks:' % CPU_BLOCKS)
    for label, ours, peer in PAIRS[:2]:
        print('  %-22s %s' % (label, '  '.join('%.2f (%.2f)' % r['cpu_ratios'][label]
                                               for r in results)))
        print('  %-22s µs/call, best (median): %s vs %s' % ('', '  '.join(
            '%.1f (%.1f)' % tuple(t * 1e6 / DISPATCH_CALLS for t in r['cpu_times'][ours])
            for r in results), '  '.join(
            '%.1f (%.1f)' % tuple(t * 1e6 / DISPATCH_CALLS for t in r['cpu_times'][peer])
            for r in results)))
    for kind in ('ratios', 'cpu_ratios'):
        for label, _, peer in PAIRS + PYTENSOR_PAIRS:
            if label not in results[0][kind]:
                continue
            best = [r[kind][label][0] for r in results]
            print('  %-22s median of the runs\' best ratios%s %.3f' % (
                label, ', CPU time' if kind == 'cpu_ratios' else '', statistics.median(best)))


if __name__ == '__main__':
    main()
