"""Modes: how ``function`` compiles (Theano's ``theano.compile.mode``)."""
from symgraph.config import config


class Mode:
    """How to compile: ``linker`` 'jax' (one jitted XLA program) or 'py' (node by node),
    and ``optimizer`` 'fast_run', 'fast_compile' or None (no graph rewrites)."""

    def __init__(self, linker='jax', optimizer='fast_run'):
        if linker not in ('jax', 'py'):
            raise ValueError("Mode linker must be 'jax' or 'py', not %r" % (linker,))
        self.linker = linker
        self.optimizer = 'None' if optimizer in (None, 'None') else optimizer
        if self.optimizer not in ('fast_run', 'fast_compile', 'None'):
            raise ValueError("Mode optimizer must be 'fast_run', 'fast_compile' or None, not %r"
                             % (optimizer,))

    def __repr__(self):
        return 'Mode(linker=%r, optimizer=%r)' % (self.linker, self.optimizer)


_NAMED_MODES = {'FAST_RUN': ('jax', 'fast_run'), 'FAST_COMPILE': ('jax', 'fast_compile'),
                'py': ('py', 'fast_run'), 'DebugMode': ('py', 'None')}


def get_mode(mode):
    """The Mode for a ``mode=`` argument, honouring ``config.mode`` and ``config.optimizer``."""
    if isinstance(mode, Mode):
        return mode
    name = config.mode if mode is None else mode
    if name not in _NAMED_MODES:
        raise ValueError('Unknown mode %r: use one of %s or a Mode(...)'
                         % (name, ', '.join(_NAMED_MODES)))
    linker, optimizer = _NAMED_MODES[name]
    if config.optimizer in ('None', 'fast_compile') and optimizer == 'fast_run':
        optimizer = config.optimizer
    return Mode(linker, optimizer)


def get_default_mode():
    return get_mode(None)
