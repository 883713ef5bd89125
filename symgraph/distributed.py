"""One program, one process per host: data parallel over the devices of every process.

Call :func:`initialize` first thing in every process (before any shared variable or
function is made), then build and call the same graphs everywhere::

    import symgraph as theano
    from symgraph import distributed
    distributed.initialize('10.0.0.1:1234', num_processes=2, process_id=rank)
    ...
    train = theano.function([x, y], cost, updates=updates)
    for xb, yb in batches:
        train(*distributed.local_part(xb, yb))

The contract: every process creates the same shared variables with the same values and
makes the same calls in the same order. Each process passes its own part of every
batched input (its rows, or columns for ``In(x, batch_axis=1)``: process p of P the p-th
of P equal blocks, see :func:`local_part`); inputs that are not batches (scalars, a
minibatch index into a ``givens`` dataset) are the same in every process. Results and
shared values are those of one program run on the whole batch, and every process gets
them whole.
"""
import jax
import numpy as np

from symgraph.config import config

__all__ = ['initialize', 'shutdown', 'process_index', 'process_count', 'local_part']


def initialize(coordinator_address=None, num_processes=None, process_id=None,
               local_device_ids=None, **options):
    """Join this process to the others (``jax.distributed.initialize``, whose arguments
    these are; ``options`` go to it unchanged) and turn on data parallel over all their
    devices (``config.data_parallel = 'all'``) unless a number of devices was set.

    ``coordinator_address``: ``'host:port'`` of process 0, where it serves the others;
    ``num_processes``, ``process_id``: how many processes, and which this one is (0 to
    ``num_processes - 1``); ``local_device_ids``: the devices of this host this process
    uses (default all). Under Slurm, Open MPI or on Cloud TPU they may be left out and are
    detected. On the CPU, processes exchange gradients over TCP (gloo); on GPUs, NCCL.
    Must be called before JAX first runs anything (importing symgraph does not).
    """
    jax.distributed.initialize(coordinator_address=coordinator_address,
                               num_processes=num_processes, process_id=process_id,
                               local_device_ids=local_device_ids, **options)
    if config.data_parallel == 'off':
        config.data_parallel = 'all'


def shutdown():
    """Leave the group of processes (``jax.distributed.shutdown``)."""
    jax.distributed.shutdown()


def process_index():
    """This process's number, 0 to ``process_count() - 1``."""
    return jax.process_index()


def process_count():
    return jax.process_count()


def local_part(*batches, axis=0):
    """This process's part of each whole batch: the ``process_index()``-th of
    ``process_count()`` equal blocks along ``axis``, which is what it passes to a function
    under the multi-process contract (one array in, one out; several in, a list out)."""
    index, count = jax.process_index(), jax.process_count()
    parts = []
    for batch in batches:
        batch = np.asarray(batch)
        if batch.shape[axis] % count:
            raise ValueError('local_part: a batch of %d along axis %d does not split evenly '
                             'among %d processes' % (batch.shape[axis], axis, count))
        parts.append(np.split(batch, count, axis=axis)[index])
    return parts[0] if len(parts) == 1 else parts
