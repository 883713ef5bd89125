"""Where values live and programs run: the device named by ``config.device``.

One owner for placement, so that shared variables, compiled functions and (later) meshes
of several devices agree on it.
"""
import jax

from symgraph.config import config


def default_device():
    """The device that shared values and compiled programs use."""
    return jax.devices(config.jax_platform)[0]


def to_device(array):
    """Put a numpy array on the default device as a JAX array (on the CPU, an aligned
    array may be used in place)."""
    return jax.device_put(array, default_device())
