"""Run-time flags, as Theano's ``theano.config``.

Flags are read once from the ``SYMGRAPH_FLAGS`` environment variable
(``SYMGRAPH_FLAGS="floatX=float32,device=cuda"``) and may be changed at run time
(``symgraph.config.floatX = 'float32'``). Unknown dotted flags that real Theano code sets
(``config.warn.subtensor_merge_bug = False``) are accepted silently, since they only tuned
Theano's own warnings.
"""
import os

_CHOICES = {
    'floatX': ('float64', 'float32', 'float16'),
    'device': ('cpu', 'cuda', 'gpu'),
    'mode': ('FAST_RUN', 'FAST_COMPILE', 'py', 'DebugMode'),
    'on_unused_input': ('raise', 'warn', 'ignore'),
}


# Flags that hold a truth value; SYMGRAPH_FLAGS spells them True/False (or 1/0).
_BOOLEANS = ('check_indices',)


def _as_bool(name, value):
    if isinstance(value, str) and value.lower() in ('true', '1', 'false', '0'):
        return value.lower() in ('true', '1')
    if isinstance(value, bool):
        return value
    raise ValueError('symgraph.config.%s must be True or False, not %r' % (name, value))


class _FlagGroup:
    """A namespace that accepts any attribute: stands for Theano's flag groups we ignore."""

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        group = _FlagGroup()
        object.__setattr__(self, name, group)
        return group


class Config:
    """The flags. Assignments are validated so that a typo fails where it is made."""

    def __init__(self):
        defaults = dict(floatX='float64', device='cpu', mode='FAST_RUN', optimizer='fast_run',
                        on_unused_input='raise', optimizer_excluding='', optimizer_including='',
                        exception_verbosity='low', compute_test_value='off', cpu_threads='auto',
                        check_indices=True)
        for name, value in defaults.items():
            object.__setattr__(self, name, value)
        for group in ('warn', 'gpuarray', 'conv', 'dnn'):  # conv.assert_shape, dnn.conv.algo_fwd
            object.__setattr__(self, group, _FlagGroup())

    def __setattr__(self, name, value):
        if name not in self.__dict__:
            raise AttributeError('symgraph.config has no flag %r' % name)
        allowed = _CHOICES.get(name)
        if allowed is not None and value not in allowed:
            raise ValueError('symgraph.config.%s must be one of %s, not %r'
                             % (name, ', '.join(allowed), value))
        if name == 'optimizer' and value is None:
            value = 'None'
        if name in _BOOLEANS:
            value = _as_bool(name, value)
        object.__setattr__(self, name, value)

    def cpu_thread_count(self):
        """Threads for XLA's CPU pool: 'auto' is 1 on machines with at most two cores.

        There, the Python thread that dispatches each call competes with XLA's workers, and
        splitting the small operations of a minibatch step across threads costs more than
        it gains (the LXMLS step runs 1.5x faster single-threaded on two cores). None
        leaves JAX's default.
        """
        if self.cpu_threads == 'auto':
            return 1 if (os.cpu_count() or 1) <= 2 else None
        return int(self.cpu_threads) if self.cpu_threads not in (None, '', 'default') else None

    @property
    def jax_platform(self):
        """The JAX platform that shared values and compiled functions live on."""
        return 'cpu' if self.device == 'cpu' else 'gpu'

    def apply_flag_string(self, text):
        """Apply ``name=value,name=value`` as found in ``SYMGRAPH_FLAGS``."""
        for item in filter(None, (part.strip() for part in text.split(','))):
            name, sep, value = item.partition('=')
            if not sep:
                raise ValueError('SYMGRAPH_FLAGS entry %r is not of the form name=value' % item)
            target, attr = self, name.strip()
            while '.' in attr:
                head, attr = attr.split('.', 1)
                target = getattr(target, head)
            setattr(target, attr, value.strip())


def configure_jax_backend():
    """Settings JAX reads only when its CPU client is created, so they are applied at import.

    Synchronous CPU dispatch saves 20-50 µs on every call whose result is waited for,
    which a Theano-style function always does. Both settings are no-ops if the program
    used JAX before importing symgraph.

    Subnormal numbers are not settable here: compiled functions on the CPU flush them to
    zero (``2e-320`` computes as 0, ``log(1e-320)`` as -inf; numpy and Theano keep them).
    XLA's CPU client sets the processor's flush-to-zero and denormals-are-zero modes
    around every execution and in its worker threads (``tsl::port::ScopedFlushDenormal``
    in xla/pjrt/cpu/cpu_client.cc), unconditionally in jax 0.10.2: ``--xla_cpu_ftz=false``
    only changes what the code generator assumes, and the CPU client takes no such option.
    """
    import jax
    jax.config.update('jax_enable_x64', True)  # int64 and float64 mean what they say
    jax.config.update('jax_cpu_enable_async_dispatch', False)
    threads = config.cpu_thread_count()
    if threads is not None:
        os.environ.setdefault('PJRT_NPROC', str(threads))


config = Config()
config.apply_flag_string(os.environ.get('SYMGRAPH_FLAGS', ''))
