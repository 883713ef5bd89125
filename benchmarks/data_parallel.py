"""Data parallel (``config.data_parallel``) against one device, on the same function.

    python -m benchmarks.data_parallel [--devices 8] [--rounds 5]

On a machine without several accelerators, ``--devices N`` splits the CPU into N XLA host
devices (``--xla_force_host_platform_device_count``), which share the same cores: the
figures then measure the cost of partitioning and all-reducing, not a speed-up. Each
workload trains the same parameters with data parallel off and on (the same calls,
interleaved round by round) and checks that they agree.
"""
import argparse
import os
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m benchmarks.data_parallel')
    parser.add_argument('--devices', type=int, default=8,
                        help='host devices to split the CPU into (0: leave as is)')
    parser.add_argument('--rounds', type=int, default=5)
    args = parser.parse_args(argv)
    if args.devices:
        os.environ['XLA_FLAGS'] = (os.environ.get('XLA_FLAGS', '') +
                                   ' --xla_force_host_platform_device_count=%d' % args.devices)
    import jax
    import numpy as np

    import symgraph as theano
    from benchmarks.timing import round_robin
    from tutorials.lenet import LeNet, shared_dataset, synthetic_digits

    theano.config.floatX = 'float32'
    digits = synthetic_digits(512, seed=0)
    nets = {}
    for setting in ('off', 'all'):
        theano.config.data_parallel = setting
        nets[setting] = LeNet([shared_dataset(digits) for _ in range(3)], nkerns=(20, 50),
                              batch_size=64)
    theano.config.data_parallel = 'off'
    batches = nets['off'].n_batches[0]

    def epoch(net):
        return lambda: [net.train(i) for i in range(batches)]
    times = round_robin({setting: epoch(net) for setting, net in nets.items()}, args.rounds)
    agree = all(np.allclose(a.get_value(), b.get_value(), rtol=1e-3, atol=1e-4)
                for a, b in zip(nets['off'].params, nets['all'].params))
    print('LeNet [20, 50], batch 64, %d steps an epoch, %s' % (batches, jax.devices()[0].platform))
    for setting, (best, median) in times.items():
        print('  data_parallel=%-4s %d device%s  %.3f s/epoch (median %.3f)' % (
            setting, 1 if setting == 'off' else len(jax.devices()),
            '' if setting == 'off' else 's', best, median))
    print('  parameters agree: %s' % agree)
    return 0 if agree else 1


if __name__ == '__main__':
    sys.exit(main())
