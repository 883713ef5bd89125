"""Where values live and programs run: the device named by ``config.device``, or a mesh of
every device under ``config.data_parallel``.

One owner for placement, so that shared variables and compiled functions agree on it.
``device='cuda'`` (or Theano's ``'gpu'``) is the first GPU, ``'cudaN'`` (``'gpuN'``) the
N-th.

Data parallel: with ``config.data_parallel`` set to ``'all'`` (or a number of devices), the
devices of the configured platform, those of every process after
``symgraph.distributed.initialize``, form a one-axis mesh. Shared values are replicated
on it (sharded along their largest axis with ``config.shard_parameters``); a compiled
function splits its batched inputs along their batch axis and leaves the rest to XLA's
partitioner (GSPMD), which all-reduces the gradients inside the one program.
"""
import functools

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from symgraph.config import config

BATCH_AXIS_NAME = 'batch'


def default_device():
    """The device that shared values and compiled programs use: one of this process's."""
    platform, index = config.jax_platform, config.device_index
    devices = _platform_devices(platform, jax.local_devices)
    if index >= len(devices):
        raise RuntimeError('symgraph.config.device is %r, but JAX sees %d GPU%s (%s)'
                           % (config.device, len(devices), '' if len(devices) == 1 else 's',
                              ', '.join(str(d) for d in devices)))
    return devices[index]


def _platform_devices(platform, listing=jax.devices):
    """The devices of ``platform``: of every process (``jax.devices``), or of this one
    (``jax.local_devices``)."""
    if platform == 'cpu':
        return listing(backend='cpu')
    try:
        return listing(backend=platform)
    except RuntimeError as err:
        raise RuntimeError(
            'symgraph.config.device is %r, but this JAX installation has no GPU backend '
            '(%s). Install JAX with CUDA support, e.g. pip install "jax[cuda12]", or set '
            'device=cpu.' % (config.device, str(err).splitlines()[0])) from None


def mesh():
    """The data-parallel mesh (one axis, ``'batch'``), or None when data parallel is off."""
    if config.data_parallel == 'off':
        return None
    return _mesh(config.jax_platform, config.data_parallel)


@functools.lru_cache(maxsize=None)
def _mesh(platform, wanted):
    devices = _platform_devices(platform)
    if wanted != 'all':
        if wanted > len(devices):
            raise RuntimeError('symgraph.config.data_parallel is %d, but JAX sees %d %s '
                               'device%s' % (wanted, len(devices), platform,
                                             '' if len(devices) == 1 else 's'))
        if jax.process_count() > 1 and wanted != len(devices):
            raise RuntimeError('symgraph.config.data_parallel is %d, but with %d processes '
                               'the mesh must hold every process\'s devices (%d): use '
                               "data_parallel='all'" % (wanted, jax.process_count(),
                                                       len(devices)))
        devices = devices[:wanted]
    return Mesh(np.array(devices), (BATCH_AXIS_NAME,))


def replicated(target):
    """A copy on every device of ``target``."""
    return NamedSharding(target, PartitionSpec())


def split_along(target, ndim, axis):
    """Split along ``axis`` of an ``ndim``-d array, one block per device of ``target``."""
    return NamedSharding(target, PartitionSpec(*(
        BATCH_AXIS_NAME if d == axis else None for d in range(ndim))))


def batch_sharding(target, shape, axis):
    """How to pass an input of ``shape`` whose batch axis is ``axis`` (None: not batched):
    split along it when its length divides evenly among the devices, else replicated (each
    device then computes the whole batch: the same result, without the speed-up)."""
    if axis is None or not shape or shape[axis] % target.size:
        return replicated(target)
    return split_along(target, len(shape), axis)


def with_step_axis(sharding):
    """``sharding`` of one step, for a sequence of steps stacked along a new first axis."""
    return NamedSharding(sharding.mesh, PartitionSpec(None, *sharding.spec))


def shared_sharding(target, shape):
    """Where a shared value of ``shape`` lives: replicated, or with
    ``config.shard_parameters`` split along its largest axis that divides evenly."""
    if config.shard_parameters:
        for axis in sorted(range(len(shape)), key=lambda d: -shape[d]):
            if shape[axis] % target.size == 0 and shape[axis] > 1:
                return split_along(target, len(shape), axis)
    return replicated(target)


def to_device(array):
    """Put a numpy array on the default device as a JAX array (on the CPU, an aligned
    array may be used in place); under data parallel, on the mesh as a shared value."""
    target = mesh()
    if target is None:
        return jax.device_put(array, default_device())
    return jax.device_put(array, shared_sharding(target, np.shape(array)))


def private_copies(values):
    """Copies of ``values`` (device arrays, or trees of them) in buffers of their own, where
    they are, taken before a program that donates the originals may fail: device-to-device
    copies (``jnp.copy`` would compile a small program per shape), finished before the
    program starts (a copy still pending would share its fate)."""
    return jax.block_until_ready([jax.tree_util.tree_map(
        lambda leaf: jax.device_put(leaf, leaf.sharding, may_alias=False), value)
        for value in values])


def on_mesh(value, target):
    """Whether the device array ``value`` already lives on the devices of ``target``."""
    sharding = getattr(value, 'sharding', None)
    return isinstance(sharding, NamedSharding) and sharding.mesh == target


def waits_for_collectives(target):
    """Whether a program on ``target`` must be waited for before the next one starts.

    On the CPU, yes: with 8 host devices on 2 cores, XLA:CPU deadlocks (and aborts the
    process after 40 s) when programs with all-reduces are queued one after another
    without waiting; waiting for each run avoids it."""
    return target is not None and target.size > 1 and \
        target.devices.flat[0].platform == 'cpu'


def multi_process():
    """Whether this program runs as several processes (``distributed.initialize``)."""
    return jax.process_count() > 1
