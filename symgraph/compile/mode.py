"""Modes: how ``function`` compiles (Theano's ``theano.compile.mode``).

A mode is a linker and an optimizer. The linkers: ``'jax'``, one jitted XLA program (what
Theano's ``'cvm'``, ``'vm'``, ``'c'``, ``'c|py'``... ask for), and ``'py'``, the graph
run node by node without jit (slow; an error names the node). The optimizers:
``'fast_run'`` (Theano's ``'o4'`` and the other levels), ``'fast_compile'`` (``'o1'``),
``'stabilize'`` and ``None`` (no graph rewrites). The debugging modes are subclasses:
NanGuardMode (nanguardmode.py), MonitorMode (monitormode.py), DebugMode (debugmode.py).
"""
from symgraph.compile.lower import run_nodes
from symgraph.config import config

_LINKERS = {'jax': 'jax', 'py': 'py', 'cvm': 'jax', 'vm': 'jax', 'c': 'jax', 'c|py': 'jax',
            'c|py_nogc': 'jax', 'cvm_nogc': 'jax', 'vm_nogc': 'jax'}
_OPTIMIZERS = {'fast_run': 'fast_run', 'o4': 'fast_run', 'o3': 'fast_run', 'o2': 'fast_run',
               'unsafe': 'fast_run', 'fast_compile': 'fast_compile', 'o1': 'fast_compile',
               'merge': 'fast_compile', 'stabilize': 'stabilize', 'None': 'None'}


class Mode:
    """How to compile: ``linker`` 'jax' (one jitted XLA program; Theano's linker names
    select it too) or 'py' (node by node), and ``optimizer`` 'fast_run', 'fast_compile',
    'stabilize' or None (no rewrites); 'default' follows ``config.optimizer``.

    ``call_time`` and ``fn_time`` add up the seconds spent in the calls of the functions
    compiled with this mode (``get_default_mode().call_time``, as Theano's test scripts
    read it): ``call_time`` the whole call, ``fn_time`` the compiled program's run.
    """

    def __init__(self, linker=None, optimizer='default'):
        linker = 'jax' if linker is None else linker
        if linker not in _LINKERS:
            raise ValueError("Mode linker must be 'jax' or 'py' (or one of Theano's: %s), "
                             "not %r" % (', '.join(sorted(set(_LINKERS) - {'jax', 'py'})),
                                         linker))
        self.linker = _LINKERS[linker]
        if optimizer == 'default':
            optimizer = config.optimizer
        key = 'None' if optimizer is None else optimizer
        if key not in _OPTIMIZERS:
            raise ValueError("Mode optimizer must be 'fast_run', 'fast_compile', 'stabilize' "
                             "or None (or one of Theano's level names o1-o4, merge, unsafe), "
                             "not %r" % (optimizer,))
        self.optimizer = _OPTIMIZERS[key]
        self.provided_optimizer = optimizer
        self.included, self.excluded = (), ()
        self.call_time = 0.0
        self.fn_time = 0.0

    def _copy(self, **changes):
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.__dict__.update(changes)
        new.call_time = new.fn_time = 0.0
        return new

    def including(self, *tags):
        """This mode with the named rewrites added (as config.optimizer_including)."""
        return self._copy(included=self.included + tags)

    def excluding(self, *tags):
        """This mode without the named rewrites (as config.optimizer_excluding)."""
        return self._copy(excluded=self.excluded + tags)

    def requiring(self, *tags):
        """Theano's required rewrite tags: symgraph's rewrites have no such tags, so
        this is the mode unchanged."""
        return self._copy()

    def clone(self, link_kwargs=None, optimizer='', **kwargs):
        return self._copy() if optimizer == '' else self._copy(
            optimizer=Mode(optimizer=optimizer).optimizer)

    #: Under NanGuardMode, what the program checks (nan, inf, big); None: nothing.
    nan_guard = None
    blocks_updates = True

    def run_graph(self, nodes, values):
        """Run ``nodes`` one by one over ``values`` ({variable: value}): the 'py' linker
        (MonitorMode and DebugMode put their checks here)."""
        return run_nodes(nodes, values)

    def rewrite_flags(self):
        """The flags under which this mode's graphs are rewritten."""
        flags = {}
        if self.included:
            flags['optimizer_including'] = ':'.join(
                (config.optimizer_including,) + self.included).strip(':')
        if self.excluded:
            flags['optimizer_excluding'] = ':'.join(
                (config.optimizer_excluding,) + self.excluded).strip(':')
        return flags

    def __repr__(self):
        return '%s(linker=%r, optimizer=%r)' % (type(self).__name__, self.linker,
                                               self.optimizer)

    __str__ = __repr__


# The named modes; 'DebugMode' and 'NanGuardMode' are made by their modules.
_NAMED_MODES = {'FAST_RUN': ('jax', 'fast_run'), 'Mode': ('jax', 'fast_run'),
                'FAST_COMPILE': ('jax', 'fast_compile'), 'py': ('py', 'fast_run')}
_named_mode_classes = {}  # name -> Mode subclass, registered by the debugging modes
_instances = {}  # (name, config.optimizer) -> the Mode object that name stands for


def register_mode(name, mode_class):
    """Make ``mode=name`` (and ``config.mode = name``) select ``mode_class()``."""
    _named_mode_classes[name] = mode_class


def get_mode(mode):
    """The Mode for a ``mode=`` argument, honouring ``config.mode`` and ``config.optimizer``.

    A name always gives the same Mode object (for a given ``config.optimizer``), so that
    its ``call_time`` adds up over the functions compiled with it, as in Theano."""
    if isinstance(mode, Mode):
        return mode
    name = config.mode if mode is None else mode
    key = (name, config.optimizer)
    if key in _instances:
        return _instances[key]
    if name in _named_mode_classes:
        instance = _named_mode_classes[name]()
    elif name in _NAMED_MODES:
        linker, optimizer = _NAMED_MODES[name]
        if config.optimizer in ('None', 'fast_compile') and optimizer == 'fast_run':
            optimizer = config.optimizer
        instance = Mode(linker, optimizer)
    else:
        raise ValueError('Unknown mode %r: use one of %s or a Mode(...)'
                         % (name, ', '.join(list(_NAMED_MODES) + list(_named_mode_classes))))
    _instances[key] = instance
    return instance


def get_default_mode():
    """The mode named by ``config.mode`` (Theano's ``get_default_mode()``)."""
    return get_mode(None)


FAST_RUN = Mode('jax', 'fast_run')  # Theano's predefined modes
FAST_COMPILE = Mode('jax', 'fast_compile')
