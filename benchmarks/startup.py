"""Start-up with the persistent compilation cache: the LXMLS update built in fresh processes.

``python -m benchmarks.startup [pairs]``: for each pair, an empty cache directory (a
temporary one, ``SYMGRAPH_FLAGS=compiledir=...``), then two fresh interpreters one after
the other, each building the LXMLS seed update (``function([x, y], cost, updates=...)``)
and calling it once. The first compiles the program and writes it to the cache; the
second should find it there. Printed per process: the import, the graph (build, grad,
``function()``), the compile (``f.stats.compile_seconds``: tracing and XLA, or the cache
read), the first call, and how many programs were read as kept by the graph
(``f.stats.kept``, compile/programcache.py: no tracing at all). ``run()`` returns the
figures for ``benchmarks/run.py``.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

CHILD = r'''
import json, time
start = time.perf_counter()
import numpy as np
import symgraph as theano
imported = time.perf_counter()
theano.config.floatX = 'float32'
from benchmarks import jax_baselines as jb
from benchmarks.run import build_seed_update
train_x, train_y = jb.make_data()
x, y = jb.batch_slice(train_x, train_y, 0)
built = time.perf_counter()
update = build_seed_update()
made = time.perf_counter()
update(x, y)
called = time.perf_counter()
print(json.dumps({'import': imported - start, 'function()': made - built,
                  'compile': update.stats.compile_seconds,
                  'first call': called - made, 'graph to first result': called - built,
                  'kept programs read': update.stats.kept}))
'''


def one_process(cache_dir):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH', ''),
               SYMGRAPH_FLAGS='compiledir=' + cache_dir)
    env.pop('JAX_COMPILATION_CACHE_DIR', None)
    done = subprocess.run([sys.executable, '-c', CHILD], env=env, capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(pairs=3):
    """{'first': [...], 'second': [...], 'ratio': [...]} over ``pairs`` cold/warm pairs."""
    firsts, seconds = [], []
    for _ in range(pairs):
        with tempfile.TemporaryDirectory() as cache_dir:
            firsts.append(one_process(cache_dir))
            entries = sum(len(names) for _, _, names in os.walk(cache_dir))
            seconds.append(one_process(cache_dir))
    ratios = [b['compile'] / a['compile'] for a, b in zip(firsts, seconds)]
    return {'first': firsts, 'second': seconds, 'compile ratio': ratios,
            'cache entries': entries}


def main():
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    result = run(pairs)
    print('LXMLS update in fresh processes, an empty cache directory per pair (seconds):')
    stages = list(result['first'][0])
    print('  %-8s ' % '' + ''.join('%-23s' % s for s in stages))
    for k, (a, b) in enumerate(zip(result['first'], result['second'])):
        for label, row in (('first', a), ('second', b)):
            print('  %-8s ' % label + ''.join('%-23.3f' % row[s] if isinstance(row[s], float)
                                              else '%-23s' % row[s] for s in stages))
        print('  second / first compile: %.3f' % result['compile ratio'][k])
    print('  median ratio %.3f (target <= 0.3); %d cache entries after the first process'
          % (statistics.median(result['compile ratio']), result['cache entries']))


if __name__ == '__main__':
    main()
