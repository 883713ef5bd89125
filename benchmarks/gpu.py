"""``python -m benchmarks.gpu``: the GPU table of benchmarks/README.md in one run.

On a machine with a CUDA jaxlib: ``SYMGRAPH_FLAGS=device=cuda python -m benchmarks.gpu``
(a few minutes; ``--json PATH`` also writes the figures). Each row times symgraph against
the same computation written by hand in JAX, in this process, the variants run in turn
round by round (``timing.round_robin``), so that a ratio compares runs made moments apart:

* the LXMLS epoch (320 minibatch updates of 5 examples): symgraph's seed loop (numpy
  slices per call) against the hand-written step called the same way, its cost read back
  each call (B-same); ``givens`` (an index per call) against the hand-written step on
  data kept on the device, its costs read back once an epoch (B-device) and each call
  (B-device, synchronised: what a Theano function, which returns its cost, must do);
  ``loop`` (the epoch in one call) against the epoch as one ``lax.scan`` (B-scan);
* the compute-bound MLP 784-1024-1024-10 (tanh, softmax, SGD) at batch 256 and 4096, in
  GFLOP/s (XLA's count of the hand-written step's operations) and as a share of the
  chip's float32 peak where the chip is known;
* the DeepLearningTutorials LeNet step (as benchmarks/conv.py builds both sides);
* the LXMLS Day 6 RNN update on a 20-word sentence (as benchmarks/scan.py builds both).

``--quick`` runs few rounds: a check of the script itself, on any device.
"""
import argparse
import json
import sys

import numpy as np

from benchmarks import jax_baselines as jb
from benchmarks.timing import round_robin

# Dense float32 peaks (TFLOP/s, without and with TF32 tensor cores), from the makers'
# sheets, by the start of JAX's device_kind.
PEAKS = {'NVIDIA H100': (67.0, 495.0), 'NVIDIA H200': (67.0, 495.0),
         'NVIDIA A100': (19.5, 156.0)}


def lxmls_rows(rounds):
    """Seconds per epoch (best, median) of each LXMLS variant, and the ratios."""
    import jax

    from benchmarks.callpath import epoch_variants
    from benchmarks.run import build_givens_update
    train_x, train_y = jb.make_data()
    variants = epoch_variants(synchronised_device=True)
    loop = build_givens_update(train_x, train_y)
    indices = np.arange(jb.N_STEPS)
    scan_epoch = jb.make_scan_epoch(jax.device_put(train_x), jax.device_put(train_y))
    scanned = {'p': tuple(jax.device_put(p) for p in jb.init_params())}

    def b_scan():
        costs, scanned['p'] = scan_epoch(scanned['p'])
        np.asarray(costs)
    variants['symgraph loop (one call)'] = lambda: loop.loop(index=indices)
    variants['B-scan'] = b_scan
    times = round_robin(variants, rounds)
    return times, {
        'seed loop / B-same': times['symgraph seed loop'][0] / times['B-same'][0],
        'givens / B-device': times['symgraph givens'][0] / times['B-device'][0],
        'givens / B-device, synchronised':
            times['symgraph givens'][0] / times['B-device, synchronised'][0],
        'loop / B-scan': times['symgraph loop (one call)'][0] / times['B-scan'][0]}


def mlp_pair(batch, rounds, steps=10):
    """{'symgraph' and 'jax.jit': (GFLOP/s, best seconds per ``steps`` steps)}."""
    import jax

    from benchmarks.threads import jax_mlp_step, mlp_data, symgraph_mlp_step
    params, x, y = mlp_data(batch=batch)
    ours = symgraph_mlp_step(params)
    state = {'p': [jax.device_put(p) for p in params]}
    flops = jax.jit(jax_mlp_step).lower(state['p'], x, y).compile().cost_analysis()
    flops = (flops[0] if isinstance(flops, list) else flops)['flops']
    step = jax.jit(jax_mlp_step, donate_argnums=0)

    def by_hand():
        for _ in range(steps):
            cost, state['p'] = step(state['p'], x, y)
            np.asarray(cost)

    def symgraph_steps():
        for _ in range(steps):
            ours(x, y)
    times = round_robin({'symgraph': symgraph_steps, 'jax.jit': by_hand}, rounds)
    return {name: (flops * steps / best / 1e9, best) for name, (best, _) in times.items()}


def lenet_ratio(rounds, steps):
    from benchmarks import conv
    times = conv.bench_lenet(rounds, steps)
    return {name: min(values) for name, values in times.items()}


def rnn_ratio(calls):
    from benchmarks import scan
    return scan.rnn_step(calls)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--quick', action='store_true', help='few rounds: check the script')
    parser.add_argument('--json', help='also write the figures there')
    args = parser.parse_args(argv)
    rounds = 2 if args.quick else 7

    import jax

    import symgraph as theano
    from symgraph.placement import default_device
    theano.config.floatX = 'float32'  # as the lab and the tutorials run
    kind = default_device().device_kind
    peak = next((value for name, value in PEAKS.items() if kind.startswith(name)), None)
    figures = {'device': kind, 'symgraph device flag': theano.config.device,
               'jax': jax.__version__}

    times, ratios = lxmls_rows(rounds)
    figures['LXMLS epoch, s (best, median)'] = times
    figures['LXMLS ratios'] = ratios
    print('LXMLS epoch on %s (s, best of %d):' % (kind, rounds))
    for name, (best, median) in times.items():
        print('  %-30s %.4f (median %.4f)' % (name, best, median))
    for name, ratio in ratios.items():
        print('  %-34s %.2f' % (name, ratio))

    for batch in (256, 4096):
        pair = mlp_pair(batch, rounds)
        figures['MLP batch %d' % batch] = pair
        ours, by_hand = pair['symgraph'], pair['jax.jit']
        line = 'MLP 784-1024-1024-10, batch %d: GFLOP/s symgraph %.0f, jax.jit %.0f; ' \
            'time ratio %.2f' % (batch, ours[0], by_hand[0], ours[1] / by_hand[1])
        if peak is not None:
            line += '; symgraph at %.1f%% of the float32 peak (%g TFLOP/s), %.1f%% of ' \
                'TF32 (%g)' % (ours[0] / 10 / peak[0], peak[0], ours[0] / 10 / peak[1],
                               peak[1])
        print(line)

    figures['LeNet step, s'] = lenet_ratio(rounds, 2 if args.quick else 5)
    figures['Day 6 RNN update'] = rnn_ratio(20 if args.quick else 200)
    print('Day 6 RNN update (µs best, median; ratios wall, CPU):')
    for name, values in figures['Day 6 RNN update'].items():
        print('  %-40s %s' % (name, ' '.join('%.2f' % v for v in values)))
    if args.json:
        with open(args.json, 'w') as out:
            json.dump(figures, out, indent=1)


if __name__ == '__main__':
    main(sys.argv[1:])
