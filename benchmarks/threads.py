"""XLA's CPU thread pool against two kinds of work: ``python -m benchmarks.threads [pairs]``.

The pool's size is fixed when JAX's CPU client is created, for the whole process, and XLA
also decides from it, when it compiles, which loops to split across threads (jax 0.10.2
offers no per-program setting: the compile options reach XLA's debug options, not the
thread count). So each setting runs in fresh processes, alternated so that machine noise
hits them alike:

* the LXMLS seed loop (320 minibatch updates of batch 5: many small programs, the Python
  loop between them), seconds per epoch;
* a compute-bound MLP step (784-1024-1024-10, tanh, batch 256, forward, gradient and SGD
  update, built in symgraph), seconds per 10 steps;

under ``cpu_threads=1`` (one thread), ``cpu_threads=default`` (JAX's default: one per
core), and the same MLP step written in JAX and run at JAX's defaults (its own process,
asynchronous dispatch). Best of 7 rounds in each process.
"""
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

SIZES = (784, 1024, 1024, 10)
BATCH = 256

CHILD = r'''
import json, sys
import numpy as np
which = sys.argv[1]
from benchmarks.timing import round_robin
from benchmarks.threads import jax_mlp_step, mlp_data, symgraph_mlp_step
params, x, y = mlp_data()
if which == 'jax':
    import jax
    step = jax.jit(jax_mlp_step)
    state = {'p': [jax.device_put(p) for p in params]}
    def mlp():
        for _ in range(10):
            cost, state['p'] = step(state['p'], x, y)
            np.asarray(cost)
    print(json.dumps(round_robin({'mlp': mlp}, 7)))
    sys.exit()
import symgraph as theano
from benchmarks import jax_baselines as jb
from benchmarks.run import build_seed_update
theano.config.floatX = 'float32'
step = symgraph_mlp_step(params)
def mlp():
    for _ in range(10):
        step(x, y)
train_x, train_y = jb.make_data()
slices = [jb.batch_slice(train_x, train_y, i) for i in range(jb.N_STEPS)]
update = build_seed_update()
def seed():
    for xb, yb in slices:
        update(xb, yb)
print(json.dumps(round_robin({'mlp': mlp, 'seed loop': seed}, 7)))
'''


def mlp_data(seed=0, batch=BATCH):
    """(float32 weights and biases, a batch, its labels) of the MLP."""
    import numpy as np
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(SIZES, SIZES[1:]):
        params += [(rng.standard_normal((n_in, n_out)) * n_in ** -0.5).astype(np.float32),
                   np.zeros(n_out, np.float32)]
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], batch).astype(np.int32)
    return params, x, y


def symgraph_mlp_step(params):
    """The MLP's SGD step in symgraph: ``step(x, y)`` returns the cost."""
    import symgraph as theano
    import symgraph.tensor as T
    shared = [theano.shared(p) for p in params]
    x, y = T.fmatrix('x'), T.ivector('y')
    h = x
    for k in range(0, len(shared) - 2, 2):
        h = T.tanh(T.dot(h, shared[k]) + shared[k + 1])
    p = T.nnet.softmax(T.dot(h, shared[-2]) + shared[-1])
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    return theano.function([x, y], cost,
                           updates=[(s, s - 0.01 * T.grad(cost, s)) for s in shared])


def jax_mlp_step(params, x, y):
    """The same step in JAX: (cost, new parameters)."""
    import jax
    import jax.numpy as jnp

    def loss(ps):
        h = x
        for k in range(0, len(ps) - 2, 2):
            h = jnp.tanh(h @ ps[k] + ps[k + 1])
        return -jnp.mean(jax.nn.log_softmax(h @ ps[-2] + ps[-1])[jnp.arange(x.shape[0]), y])
    cost, grads = jax.value_and_grad(loss)(params)
    return cost, [p - 0.01 * g for p, g in zip(params, grads)]


def child(which, cpu_threads=None):
    env = {k: v for k, v in os.environ.items() if k not in ('PJRT_NPROC', 'SYMGRAPH_FLAGS')}
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    flags = ['cache=False']
    if cpu_threads is not None:
        flags.append('cpu_threads=%s' % cpu_threads)
    env['SYMGRAPH_FLAGS'] = ','.join(flags)
    done = subprocess.run([sys.executable, '-c', CHILD, which], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(pairs=3):
    rows = {'cpu_threads=1': [], 'cpu_threads=default': [], 'jax.jit at its defaults': []}
    for _ in range(pairs):
        rows['cpu_threads=1'].append(child('symgraph', 1))
        rows['cpu_threads=default'].append(child('symgraph', 'default'))
        rows['jax.jit at its defaults'].append(child('jax'))
    return rows


def main():
    pairs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rows = run(pairs)
    print('Best (median) seconds per process; MLP: 10 steps, seed loop: one epoch')
    for name, runs in rows.items():
        cells = ['mlp %.3f (%.3f)' % tuple(r['mlp']) + (
            ', seed loop %.3f (%.3f)' % tuple(r['seed loop']) if 'seed loop' in r else '')
            for r in runs]
        print('  %-24s %s' % (name, ' | '.join(cells)))
    jax_mlp = [r['mlp'][0] for r in rows['jax.jit at its defaults']]
    for name in ('cpu_threads=1', 'cpu_threads=default'):
        ratios = [r['mlp'][0] / j for r, j in zip(rows[name], jax_mlp)]
        print('  %-24s MLP / jax.jit: %s; median %.2f' % (
            name, ' '.join('%.2f' % q for q in ratios), statistics.median(ratios)))
    ratios = [a['seed loop'][0] / b['seed loop'][0] for a, b in
              zip(rows['cpu_threads=default'], rows['cpu_threads=1'])]
    print('  seed loop, default / one thread: %s' % ' '.join('%.2f' % q for q in ratios))


if __name__ == '__main__':
    main()
