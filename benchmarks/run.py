"""``make bench``: symgraph against hand-written JAX on the LXMLS workload, side by side.

Figures (seconds per 320-step epoch, best of several epochs, variants run round-robin so
that machine noise hits them alike):

* B-default  hand-written ``jax.jit`` step called with numpy column slices, JAX at its
             defaults, in a process of its own;
* B-same     the same step in this process (under the settings symgraph chooses);
* B-device   the hand-written step on data kept on the device, sliced by index;
* B-scan     the hand-written epoch as one ``lax.scan``;

against symgraph's seed loop (``function([x, y], cost, updates=...)`` with numpy
slices), its ``givens`` variant (index only), and its ``loop`` (one call per epoch), with
PyTensor's seed loop in the same rounds when PyTensor happens to be installed. Also: the
per-call path side by side (``benchmarks/callpath.py``), start-up with the compilation
cache (``benchmarks/startup.py``), compile times, graph-size scaling; then the loops of ``benchmarks/scan.py`` (theano.scan: the LXMLS
Day 6 RNN, its training loop from cold, the DeepLearningTutorials LSTM). Results go to
stdout and ``benchmarks/results.json``.
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import numpy as np

import symgraph as theano
import symgraph.tensor as T
from benchmarks import jax_baselines as jb
from benchmarks.timing import round_robin

HERE = os.path.dirname(os.path.abspath(__file__))
EPOCHS = int(os.environ.get('SYMGRAPH_BENCH_EPOCHS', '7'))


# ---------------------------------------------------------------------------------------
# The LXMLS model in symgraph
# ---------------------------------------------------------------------------------------

def lxmls_cost(params, x, y):
    W1, b1, W2, b2 = params
    tilde_z1 = T.nnet.sigmoid(T.dot(W1, x) + b1)
    tilde_z2 = T.nnet.softmax((T.dot(W2, tilde_z1) + b2).T).T
    return -T.mean(T.log(tilde_z2[y, T.arange(y.shape[0])]))


def lxmls_shared_params():
    W1, b1, W2, b2 = jb.init_params()
    return [theano.shared(W1, name='W1'),
            theano.shared(b1, name='b1', broadcastable=(False, True)),
            theano.shared(W2, name='W2'),
            theano.shared(b2, name='b2', broadcastable=(False, True))]


def sgd_updates(cost, params):
    return [(p, p - jb.LR * T.grad(cost, p)) for p in params]


def build_seed_update():
    params = lxmls_shared_params()
    x, y = T.matrix('x'), T.ivector('y')
    cost = lxmls_cost(params, x, y)
    return theano.function([x, y], cost, updates=sgd_updates(cost, params))


def build_givens_update(train_x, train_y):
    params = lxmls_shared_params()
    X = theano.shared(np.ascontiguousarray(train_x), name='X')
    Y = theano.shared(train_y, name='Y')
    index = T.lscalar('index')
    x, y = T.matrix('x'), T.ivector('y')
    cost = lxmls_cost(params, x, y)
    bs = jb.BATCH
    return theano.function([index], cost, updates=sgd_updates(cost, params),
                           givens={x: X[:, index * bs:(index + 1) * bs],
                                   y: Y[index * bs:(index + 1) * bs]})


# ---------------------------------------------------------------------------------------
# Benchmarks
# ---------------------------------------------------------------------------------------

def b_default_in_own_process():
    """B-default with JAX at its defaults: a fresh interpreter without symgraph's settings."""
    env = {k: v for k, v in os.environ.items() if k != 'PJRT_NPROC'}
    # As a module: run as a script, its folder would come first on the path, and
    # benchmarks/random.py would shadow the standard library's random.
    out = subprocess.run([sys.executable, '-m', 'benchmarks.jax_baselines', 'default',
                          '--epochs', str(EPOCHS)], env=env, capture_output=True, text=True,
                         check=True, cwd=os.path.dirname(HERE))
    result = json.loads(out.stdout)
    return result['best_s'], result['median_s']


def lxmls_epochs():
    train_x, train_y = jb.make_data()
    slices = [jb.batch_slice(train_x, train_y, i) for i in range(jb.N_STEPS)]
    seed = build_seed_update()
    givens = build_givens_update(train_x, train_y)
    loop = build_givens_update(train_x, train_y)
    theano.config.check_indices = False
    seed_unchecked = build_seed_update()
    loop_unchecked = build_givens_update(train_x, train_y)
    theano.config.check_indices = True
    indices = np.arange(jb.N_STEPS)

    def seed_epoch(update):
        def epoch():
            for x, y in slices:
                update(x, y)
        return epoch

    def givens_epoch():
        for i in range(jb.N_STEPS):
            givens(i)

    variants = {
        'symgraph seed loop': seed_epoch(seed),
        'symgraph givens': givens_epoch,
        'symgraph loop (one call)': lambda: loop.loop(index=indices),
        'seed loop, check_indices=False': seed_epoch(seed_unchecked),
        'loop, check_indices=False': lambda: loop_unchecked.loop(index=indices),
    }
    pytensor = pytensor_epoch(slices)
    if pytensor is not None:  # side by side with symgraph, in the same rounds
        variants['PyTensor seed loop (its default backend)'] = pytensor
    figures = round_robin(variants, rounds=EPOCHS)
    figures['B-same'] = _seconds(jb.bench_default(EPOCHS, sync_cost=True))
    figures['B-device'] = _seconds(jb.bench_device(EPOCHS))
    figures['B-scan'] = _seconds(jb.bench_scan(EPOCHS))
    figures['B-default'] = b_default_in_own_process()
    return figures


def _seconds(result):
    return result['best_s'], result['median_s']


def pytensor_epoch(slices):
    """One epoch of the seed loop in PyTensor (its default backend), as a function to time;
    None when PyTensor is not installed (it is never required)."""
    try:
        import pytensor
        import pytensor.tensor as pt
    except ImportError:
        return None
    W1, b1, W2, b2 = jb.init_params()
    params = [pytensor.shared(W1), pytensor.shared(b1, shape=(None, 1)),
              pytensor.shared(W2), pytensor.shared(b2, shape=(None, 1))]
    x, y = pt.matrix('x', dtype='float32'), pt.ivector('y')
    h = pt.sigmoid(pt.dot(params[0], x) + params[1])
    p = pt.special.softmax((pt.dot(params[2], h) + params[3]).T, axis=-1).T
    cost = -pt.mean(pt.log(p[y, pt.arange(y.shape[0])]))
    update = pytensor.function([x, y], cost, updates=[
        (q, q - np.float32(jb.LR) * pytensor.grad(cost, q)) for q in params])

    def epoch():
        for xb, yb in slices:
            update(xb, yb)
    return epoch


def call_path():
    """The per-call path side by side (benchmarks/callpath.py): dispatch of f(x) = x + 1,
    the seed loop and the givens variant against hand-written jax.jit, in this process."""
    from benchmarks import callpath
    return callpath.run(runs=int(os.environ.get('SYMGRAPH_BENCH_CALLPATH_RUNS', '3')))


def compile_times(rounds=5):
    """Seconds from graph to first result: symgraph's LXMLS update vs jax.jit of the same.

    Both run once first, so that neither pays the process's first compiles (the small
    programs JAX builds once per process: copies, scalar arithmetic); then they alternate,
    so that machine noise hits them alike. Returns the seconds of each round and the
    median of the per-round ratios.
    """
    import jax
    train_x, train_y = jb.make_data()
    x, y = jb.batch_slice(train_x, train_y, 0)

    def ours():
        start = time.perf_counter()
        update = build_seed_update()
        update(x, y)
        return time.perf_counter() - start

    def raw():
        start = time.perf_counter()
        step = jax.jit(lambda *args: jb.sgd_step(*args))  # a new function: nothing cached
        np.asarray(step(*[jax.device_put(p) for p in jb.init_params()], x, y)[0])
        return time.perf_counter() - start

    theano.config.cache = False  # both compile: no program from an earlier run
    try:
        ours(), raw()
        times = {'symgraph (build, grad, rewrite, trace, compile, run)': [],
                 'jax.jit (trace, compile, run)': []}
        order = list(zip(times, (ours, raw)))
        for _ in range(rounds):
            order.reverse()
            for name, run in order:
                times[name].append(run())
    finally:
        theano.config.cache = True
    mine, theirs = times.values()
    times['ratio (median of rounds)'] = statistics.median(a / b for a, b in zip(mine, theirs))
    return times


def graph_scaling(layers_list=(400, 800)):
    """Stage timings for a deep tanh MLP (grad and updates included) as it doubles."""
    from symgraph.graph.basic import toposort
    rows = []
    for layers in layers_list:
        t0 = time.perf_counter()
        x = T.matrix('x')
        ws = [theano.shared(np.full((8, 8), 0.1), name='W%d' % i) for i in range(layers)]
        h = x
        for w in ws:
            h = T.tanh(T.dot(w, h) + 0.1)
        cost = h.sum()
        t1 = time.perf_counter()
        grads = T.grad(cost, ws)
        t2 = time.perf_counter()
        f = theano.function([x], cost, updates=[(w, w - 0.1 * g) for w, g in zip(ws, grads)])
        t3 = time.perf_counter()
        f(np.ones((8, 4), dtype=theano.config.floatX))
        t4 = time.perf_counter()
        rows.append({'layers': layers, 'nodes': len(toposort([cost] + grads)),
                     'nodes after rewrites': len(f._nodes), 'build': t1 - t0,
                     'grad': t2 - t1, 'rewrite + function()': t3 - t2,
                     'trace + XLA compile + first run': t4 - t3})
    return rows


def main():
    import jax
    machine = '%s, %d cores, %s, jax %s, %s' % (
        platform.processor() or platform.machine(), os.cpu_count(), platform.system(),
        jax.__version__, jax.devices()[0].platform)
    print('symgraph benchmarks on', machine, time.strftime('%Y-%m-%d'))
    theano.config.floatX = 'float32'
    results = {'machine': machine, 'date': time.strftime('%Y-%m-%d'),
               'settings': 'cpu_threads=%s (XLA pool %s), synchronous CPU dispatch' % (
                   theano.config.cpu_threads, os.environ.get('PJRT_NPROC', 'default'))}

    epochs = lxmls_epochs()
    results['lxmls_epoch_seconds'] = epochs
    default = epochs['B-default'][0]
    print('\nLXMLS epoch ([13989, 20, 2], batch 5, 320 updates), best / median seconds:')
    for name, (best, median) in epochs.items():
        print('  %-28s %.4f / %.4f   %.2fx B-default' % (name, best, median, best / default))
    ratios = {
        'seed loop / B-default (target <= 0.70)': epochs['symgraph seed loop'][0] / default,
        'seed loop / B-same (target <= 1.0)':
            epochs['symgraph seed loop'][0] / epochs['B-same'][0],
        'givens / B-device (target <= 1.0)':
            epochs['symgraph givens'][0] / epochs['B-device'][0],
        'loop / B-scan (target <= 1.1)':
            epochs['symgraph loop (one call)'][0] / epochs['B-scan'][0],
        'seed loop, index checks on / off (target <= 1.03)':
            epochs['symgraph seed loop'][0] / epochs['seed loop, check_indices=False'][0],
        'loop, index checks on / off (target <= 1.03)':
            epochs['symgraph loop (one call)'][0] / epochs['loop, check_indices=False'][0],
    }
    results['ratios'] = ratios
    for name, value in ratios.items():
        print('  %-45s %.2f' % (name, value))

    runs = call_path()
    results['call_path'] = [r['ratios'] for r in runs]
    print('\nPer-call path, symgraph / hand-written jax.jit in this process, best of each run '
          '(targets: dispatch <= 1.1, seed loop <= 0.7, givens <= 0.9):')
    for label in runs[0]['ratios']:
        print('  %-24s %s' % (label, '  '.join('%.2f' % r['ratios'][label][0] for r in runs)))

    from benchmarks import startup
    cold = startup.run(pairs=3)
    results['startup'] = cold
    listed = [', '.join(fmt % v for v in values) for fmt, values in (
        ('%.3f', [r['compile'] for r in cold['first']]),
        ('%.3f', [r['compile'] for r in cold['second']]),
        ('%.2fx', cold['compile ratio']))]
    print('\nLXMLS update in two fresh processes sharing an empty compilation cache, three '
          'pairs: compile %s s, then %s s (%s; median %.2fx, target <= 0.3)'
          % (*listed, statistics.median(cold['compile ratio'])))

    compiles = compile_times()
    results['compile_seconds'] = compiles
    print('\nLXMLS update, graph to first result, alternated (target: <= 1.1x jax.jit):')
    for name, seconds in compiles.items():
        print('  %-55s %s' % (name, ' '.join('%.3f' % v for v in seconds) if
                              isinstance(seconds, list) else '%.2f' % seconds))

    scaling = graph_scaling()
    results['graph_scaling'] = scaling
    print('\nDeep tanh MLP with gradients and updates, seconds per stage:')
    for row in scaling:
        print('  ' + ', '.join('%s %s' % (k, ('%.2f' % v) if isinstance(v, float) else v)
                               for k, v in row.items()))

    from benchmarks import scan
    results['scan'] = scan.run()
    with open(os.path.join(HERE, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1)


if __name__ == '__main__':
    main()
