"""Compiled programs kept by the graph they come from, so that a later process that builds
the same function loads its program without tracing or lowering anything.

JAX's persistent cache (``config.configure_compile_cache``) finds a program by its lowered
module: a process that finds it there has still traced the graph and lowered it, most of
what a second process spends on a minibatch step (80 of the LXMLS update's 90 ms). This
cache finds a program by what decides it before any tracing (``entry_name``):

* the function's graph: every node's op with all of its attributes, every variable's type,
  every constant's value, and which are the inputs, shared values and outputs;
* the program's key (layout, slice lengths) and its arguments' shapes and dtypes;
* what the function's tracing reads besides its graph (given by the caller);
* symgraph's own source, numpy's and JAX's versions, the device and the processor's
  features, JAX's settings and environment, and symgraph's flags.

What the graph cannot fully say is never kept: a function or class from outside
symgraph, numpy and JAX (a user's op, whose code may change between processes while its
name stays), an object whose identity is all that tells it apart. An entry keeps the
serialized executable and what tracing left on the host (which index checks the program
makes, and the nodes they name, by position). Entries are read with pickle, as JAX reads
its own: a cache directory is trusted as the code is.

Kept here: the programs of a function's calls and of its ``f.loop`` epochs, on its device
or split over a mesh (``data_parallel``) in one process. Programs that call back into
Python, and those of several processes, go through JAX's cache alone.
"""
import contextlib
import functools
import hashlib
import io
import logging
import os
import pickle
import platform
import sys
import tempfile
import threading
import types

import jax
import jaxlib
import numpy as np
from jax.experimental import serialize_executable

from symgraph.config import config
from symgraph.graph.basic import Apply, Constant, Variable
from symgraph.tensor.sharedvar import SharedVariable

_LIBRARIES = ('numpy', 'jax', 'jaxlib')
_TRUSTED = ('symgraph', 'math', 'operator', '_operator', 'builtins') + _LIBRARIES

# Attributes that say where something was written, not what it computes.
_SKIPPED = frozenset(('trace', 'creation_trace'))


class _Undescribable(Exception):
    """Something in the graph whose behaviour its description might not capture."""


def folder():
    """Where entries go: beside JAX's cache (in its folder per CPU pool size and release of
    symgraph), or None when ``config.cache`` is off or the directory could not be made."""
    if not config.cache or not jax.config.values.get('jax_enable_compilation_cache'):
        return None
    base = jax.config.values.get('jax_compilation_cache_dir')
    return os.path.join(base, 'programs') if base else None


def described(graph):
    """The description of a function's graph, made once for the names of all its
    programs (see entry_name), or None when it cannot be described. ``graph``: the nodes
    that make the programs, in order (so that each node's inputs are met before it), then
    their variables (nested lists)."""
    lines = []
    description = _Description(lines)
    try:
        description.add(graph)
    except (_Undescribable, RecursionError):  # (a graph not given in order, too deep)
        return None
    description.digest = hashlib.blake2b('\n'.join(lines).encode()).hexdigest()
    return description


def entry_name(graph, program_key, flat_args, settings, device):
    """The name of the entry for a program of ``graph`` (as ``described`` made it), or
    None when ``settings`` (the other values its tracing reads: plain data, or graph
    objects) cannot be described."""
    leaves, structure = jax.tree_util.tree_flatten(flat_args)
    out = [_environment(device), graph.digest, repr(program_key), str(structure)]
    out += ['%s %s %s' % (np.shape(a), np.dtype(a.dtype).str, getattr(a, 'weak_type', False))
            for a in leaves]
    try:
        graph.continued(out).add(settings)
    except (_Undescribable, RecursionError):
        return None
    return hashlib.blake2b('\n'.join(out).encode(), digest_size=20).hexdigest()


def load(name, refs, devices):
    """(the executable, what its tracing left) kept under ``name``, loaded onto
    ``devices`` (one, or a mesh's), or None. ``refs``: the graph objects the entry may
    name by position (as given to ``store``)."""
    base = folder()
    if base is None:
        return None
    path = os.path.join(base, name)
    try:
        with open(path, 'rb') as file:
            blob = file.read()
    except OSError:
        return None
    try:
        executable, traced = _Unpickler(io.BytesIO(blob), refs).load()
        return serialize_executable.deserialize_and_load(
            *executable, backend=devices[0].client, execution_devices=devices), traced
    except Exception as err:  # an entry from another version, or damaged: compile again
        logging.getLogger('symgraph').info('kept program %s not read (%s)', name, err)
        return None


def holds(name):
    """Whether an entry is kept under ``name`` (None: no)."""
    base = folder()
    return name is not None and base is not None and os.path.exists(os.path.join(base, name))


def compile_lowered(lowered):
    """(``lowered.compile()``, whether it may be kept). Not kept:

    * a program that JAX's own cache served: serializing an executable that was itself
      deserialized loses its kernels (the copy fails when run). JAX's entries are kept
      per release of symgraph (config.configure_compile_cache), so a new release
      compiles, and keeps here, the programs an older one had left there;
    * a program that calls library kernels through custom calls (LAPACK's on the CPU):
      JAX sets those kernels up while lowering, which a process that reads the program
      here never does (the program would crash there).
    """
    _register_listener()
    _served.from_jax_cache = False
    program = lowered.compile()
    return program, not _served.from_jax_cache and 'custom_call' not in lowered.as_text()


_served = threading.local()


@functools.lru_cache(maxsize=None)
def _register_listener():
    def note_hit(event, **_):
        if event == '/jax/compilation_cache/cache_hits':
            _served.from_jax_cache = True
    jax.monitoring.register_event_listener(note_hit)


def store(name, program, traced, refs):
    """Keep ``program`` (a ``jax.stages.Compiled``) and ``traced`` under ``name``; the
    graph objects of ``refs`` are written as their positions there. Nothing is kept for a
    program JAX cannot serialize, or a directory that cannot be written."""
    base = folder()
    if base is None:
        return
    try:
        executable = serialize_executable.serialize(program)
        buffer = io.BytesIO()
        _Pickler(buffer, refs).dump((executable, traced))
    except Exception:  # (a program that calls back into Python, say): not kept
        return
    written = None
    try:
        os.makedirs(base, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=base, delete=False) as file:
            written = file.name
            file.write(buffer.getvalue())
        os.replace(written, os.path.join(base, name))  # whole, or not at all
    except OSError as err:
        logging.getLogger('symgraph').info('program %s not kept (%s)', name, err)
        if written is not None:
            with contextlib.suppress(OSError):
                os.remove(written)


class _Pickler(pickle.Pickler):
    def __init__(self, file, refs):
        super().__init__(file)
        self._positions = {id(obj): k for k, obj in enumerate(refs)}

    def persistent_id(self, obj):
        if isinstance(obj, (Apply, Variable)):
            position = self._positions.get(id(obj))
            if position is None:  # (a node of an inner graph): not kept
                raise pickle.PicklingError('%s is not one of the function\'s own' % obj)
            return position
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, refs):
        super().__init__(file)
        self._refs = refs

    def persistent_load(self, position):
        return self._refs[position]


def _source_digest():
    """A digest of symgraph's source files, as this process imported them."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.blake2b(digest_size=20)
    for folder_path, _, names in sorted(os.walk(root)):
        for file_name in sorted(names):
            if file_name.endswith('.py'):
                path = os.path.join(folder_path, file_name)
                digest.update(os.path.relpath(path, root).encode())
                with open(path, 'rb') as file:
                    digest.update(file.read())
    return digest.hexdigest()


def _machine():
    """The processor's kind and features: XLA compiles for the CPU it runs on, and a cache
    directory may be shared by machines of other kinds (a home directory over NFS)."""
    features = ''
    with contextlib.suppress(OSError):
        with open('/proc/cpuinfo') as info:
            features = next((line for line in info if line.startswith('flags')), '')
    return '%s %s %s' % (platform.machine(), platform.processor(), features.strip())


_SOURCE = _source_digest()
_MACHINE = _machine()


def _environment(device):
    """What decides a program besides its graph: code versions, device, settings."""
    flags = ['%s=%r' % item for item in config.items()]
    settings = sorted('%s=%r' % item for item in jax.config.values.items())
    env = sorted('%s=%s' % item for item in os.environ.items()
                 if item[0].startswith(('XLA_', 'JAX_', 'PJRT_', 'NPROC', 'TPU_', 'CUDA_')))
    return '\n'.join([_SOURCE, _MACHINE, sys.version, np.__version__, jax.__version__,
                      jaxlib.__version__, device.platform, device.device_kind, str(device.id),
                      device.client.platform_version] + flags + settings + env)


def _trusted(obj):
    """Whether ``obj`` (a class or function) is symgraph's, numpy's or JAX's own, found by
    a name that says which: its behaviour is then fixed by the versions in the key."""
    module = getattr(obj, '__module__', None) or ''
    name = getattr(obj, '__qualname__', None) or getattr(obj, '__name__', None) or ''
    return module.split('.')[0] in _TRUSTED and name and '<' not in name


class _Description:
    """Writes a canonical text of a graph into ``out``: objects met again are written as
    the number of their first appearance, so shared ops and cycles cost nothing more."""

    def __init__(self, out):
        self.out = out
        self.seen = {}  # id -> number of first appearance
        self.alive = []  # what ``seen`` names, kept alive so that ids stay unique

    def continued(self, out):
        """A description that goes on from this one into ``out``: what this one has met is
        written there as a back-reference."""
        other = _Description(out)
        other.seen, other.alive = dict(self.seen), list(self.alive)
        return other

    def add(self, obj):
        out = self.out
        if obj is None or obj is Ellipsis or \
                isinstance(obj, (bool, int, float, complex, str, bytes)):
            out.append('%s:%r' % (type(obj).__name__, obj))
            return
        if isinstance(obj, np.generic):
            out.append('np:%s:%s' % (obj.dtype.str, obj.tobytes().hex()))
            return
        if isinstance(obj, np.dtype):
            out.append('dtype:%s' % obj.str)
            return
        number = self.seen.get(id(obj))
        if number is not None:
            out.append('@%d' % number)
            return
        self.seen[id(obj)] = len(self.alive)
        self.alive.append(obj)
        if isinstance(obj, Apply):
            out.append('apply')
            self.add_all((obj.op, obj.inputs, obj.outputs, obj.tag))
        elif isinstance(obj, Variable):
            self.add_variable(obj)
        elif isinstance(obj, np.ndarray):
            if obj.dtype.hasobject:
                raise _Undescribable('an array of objects')
            out.append('array:%s:%s:%s' % (obj.dtype.str, obj.shape, hashlib.blake2b(
                obj.tobytes(), digest_size=20).hexdigest()))  # (C order, whatever its layout)
        elif isinstance(obj, (list, tuple)):
            self.add_class(type(obj))
            out.append('%d' % len(obj))
            self.add_all(obj)
        elif isinstance(obj, dict):
            self.add_class(type(obj))
            out.append('%d' % len(obj))
            for key, value in obj.items():  # in insertion order, which the graph decides
                self.add_all((key, value))
        elif isinstance(obj, slice):
            out.append('slice')
            self.add_all((obj.start, obj.stop, obj.step))
        elif isinstance(obj, (set, frozenset)):
            if not all(isinstance(item, (bool, int, float, str, bytes)) for item in obj):
                raise _Undescribable('a set of objects, in no fixed order')
            out.append('%s:%r' % (type(obj).__name__, sorted(map(repr, obj))))
        elif isinstance(obj, type):
            self.add_class(obj)
        elif isinstance(obj, types.FunctionType):
            self.add_function(obj)
        elif callable(obj) and (isinstance(obj, types.BuiltinFunctionType) or
                                type(obj).__module__.split('.')[0] in _LIBRARIES):
            name = getattr(obj, '__qualname__', None) or getattr(obj, '__name__', None)
            if not name or '<' in name or not _trusted(obj):
                raise _Undescribable('the function %r' % (obj,))
            out.append('fn:%s.%s' % (obj.__module__, name))
        elif isinstance(obj, functools.partial):
            out.append('partial')
            self.add_all((obj.func, obj.args, obj.keywords))
        elif hasattr(obj, '__dict__'):
            self.add_class(type(obj))
            self.add_all([(name, value) for name, value in vars(obj).items()
                          if name not in _SKIPPED])
        else:
            raise _Undescribable('%r, of type %s' % (obj, type(obj).__name__))

    def add_all(self, items):
        for item in items:
            self.add(item)

    def add_class(self, cls):
        if cls in (list, tuple, dict):
            self.out.append(cls.__name__)
            return
        if not _trusted(cls):
            raise _Undescribable('the class %s.%s' % (cls.__module__, cls.__qualname__))
        self.out.append('class:%s.%s' % (cls.__module__, cls.__qualname__))
        if issubclass(cls, tuple) and hasattr(cls, '_fields'):  # a namedtuple's fields
            self.out.append(repr(cls._fields))

    def add_function(self, fn):
        """A Python function of symgraph's, numpy's or JAX's by its place in their source
        (fixed by the versions in the key) and the values it closes over."""
        module = fn.__module__ or ''
        if module.split('.')[0] not in _TRUSTED:
            raise _Undescribable('the function %s.%s' % (module, fn.__qualname__))
        self.out.append('fn:%s.%s:%d' % (module, fn.__qualname__, fn.__code__.co_firstlineno))
        self.add_all((fn.__defaults__, fn.__kwdefaults__))
        try:
            self.add_all([cell.cell_contents for cell in fn.__closure__ or ()])
        except ValueError:  # a cell not yet filled
            raise _Undescribable('the function %s.%s' % (module, fn.__qualname__)) from None

    def add_variable(self, var):
        """A variable by its type, name, annotations and place in the graph; a constant by
        its value too; a shared variable without its value (an argument of the program)."""
        self.add_class(type(var))
        self.add_all((var.type, var.owner, var.index, var.name, var.tag))
        if not isinstance(var, SharedVariable):  # (whose shape is its argument's)
            self.add(getattr(var, 'static_shape', None))
        if isinstance(var, Constant):
            self.add(var.data)
