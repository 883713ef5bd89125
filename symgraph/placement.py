"""Where values live and programs run: the device named by ``config.device``.

One owner for placement, so that shared variables, compiled functions and (later) meshes
of several devices agree on it. ``device='cuda'`` (or Theano's ``'gpu'``) is the first
GPU, ``'cudaN'`` (``'gpuN'``) the N-th.
"""
import jax

from symgraph.config import config


def default_device():
    """The device that shared values and compiled programs use."""
    platform, index = config.jax_platform, config.device_index
    if platform == 'cpu':
        return jax.devices('cpu')[0]
    try:
        devices = jax.devices(platform)
    except RuntimeError as err:
        raise RuntimeError(
            'symgraph.config.device is %r, but this JAX installation has no GPU backend '
            '(%s). Install JAX with CUDA support, e.g. pip install "jax[cuda12]", or set '
            'device=cpu.' % (config.device, str(err).splitlines()[0])) from None
    if index >= len(devices):
        raise RuntimeError('symgraph.config.device is %r, but JAX sees %d GPU%s (%s)'
                           % (config.device, len(devices), '' if len(devices) == 1 else 's',
                              ', '.join(str(d) for d in devices)))
    return devices[index]


def to_device(array):
    """Put a numpy array on the default device as a JAX array (on the CPU, an aligned
    array may be used in place)."""
    return jax.device_put(array, default_device())
