"""Run-time flags, as Theano's ``theano.config``.

Flags are read once, at import, from ``THEANO_FLAGS`` and then ``SYMGRAPH_FLAGS`` (so the
latter wins where both set a flag): ``SYMGRAPH_FLAGS="floatX=float32,device=cuda0"``. They
may be changed at run time (``symgraph.config.floatX = 'float32'``); an assignment is
checked where it is made.

Every flag of Theano 1.0.5 is accepted. Those that tuned Theano's C and GPU back ends
(``blas.ldflags``, ``gpuarray.preallocate``, ``warn.*``...) have no effect here: they
read as Theano's defaults, and code that sets them (``config.warn.subtensor_merge_bug =
False``) runs unchanged. A name in the environment that neither Theano nor symgraph knows
is warned about once, as Theano does.

``compiledir`` keeps its Theano meaning, the directory of compiled code: compiled XLA
programs are kept there (JAX's persistent compilation cache, and symgraph's own, found by
the graph: compile/programcache.py), so a second process that builds the same function
loads its program instead of compiling it. ``cache=False`` turns that off.
"""
import functools
import logging
import os
import re
import warnings

_CHOICES = {
    'floatX': ('float64', 'float32', 'float16'),
    'mode': ('FAST_RUN', 'FAST_COMPILE', 'py', 'DebugMode', 'DEBUG_MODE', 'NanGuardMode',
             'Mode'),
    'on_unused_input': ('raise', 'warn', 'ignore'),
    'compute_test_value': ('off', 'ignore', 'warn', 'raise', 'pdb'),
    'compute_test_value_opt': ('off', 'ignore', 'warn', 'raise', 'pdb'),
    'exception_verbosity': ('low', 'high'),
}

# 'cpu'; a GPU: 'cuda', 'cudaN' (the N-th), and Theano's older 'gpu', 'gpuN'.
_DEVICE = re.compile(r'^(cpu|(cuda|gpu)(\d*))$')

# Flags that hold a truth value; the environment spells them True/False (or 1/0).
_BOOLEANS = ('cache', 'check_indices', 'profile', 'profile_memory', 'profile_optimizer',
             'print_test_value', 'shard_parameters', 'scan_buckets')

# Theano 1.0.5's other flags, with its defaults: they tuned its C and GPU back ends, its
# caches and its own warnings, and have no effect here, except NanGuardMode.* (the
# defaults of NanGuardMode), profiling.destination (where profiles are printed) and
# DebugMode.check_finite.
THEANO_ONLY_FLAGS = {
    'warn_float64': 'ignore', 'pickle_test_value': True, 'cast_policy': 'custom',
    'int_division': 'int', 'deterministic': 'default', 'init_gpu_device': '',
    'force_device': False, 'conv.assert_shape': False, 'print_global_stats': False,
    'contexts': '', 'print_active_device': True, 'gpuarray.sync': False,
    'gpuarray.preallocate': 0.0, 'gpuarray.sched': 'default', 'gpuarray.single_stream': True,
    'cuda.root': '', 'cuda.include_path': '', 'dnn.conv.workmem': True,
    'dnn.conv.workmem_bwd': True, 'dnn.conv.algo_bwd': True, 'dnn.conv.algo_fwd': 'small',
    'dnn.conv.algo_bwd_data': 'none', 'dnn.conv.algo_bwd_filter': 'none',
    'dnn.conv.precision': 'as_input_f32', 'dnn.base_path': '', 'dnn.include_path': '',
    'dnn.library_path': '', 'dnn.bin_path': '', 'dnn.enabled': 'auto',
    'magma.include_path': '', 'magma.library_path': '', 'magma.enabled': False,
    'assert_no_cpu_op': 'ignore', 'cxx': '', 'linker': 'cvm', 'allow_gc': True,
    'optimizer_verbose': False, 'on_opt_error': 'warn', 'nocleanup': False,
    'tensor.cmp_sloppy': 0, 'tensor.local_elemwise_fusion': True,
    'gpu.local_elemwise_fusion': True, 'lib.amdlibm': False, 'gpuelemwise.sync': True,
    'traceback.limit': 8, 'traceback.compile_limit': 0,
    'experimental.unpickle_gpu_on_cpu': False, 'numpy.seterr_all': 'ignore',
    'numpy.seterr_divide': 'None', 'numpy.seterr_over': 'None', 'numpy.seterr_under': 'None',
    'numpy.seterr_invalid': 'None', 'warn.ignore_bug_before': '0.9',
    'warn.argmax_pushdown_bug': False, 'warn.gpusum_01_011_0111_bug': False,
    'warn.sum_sum_bug': False, 'warn.sum_div_dimshuffle_bug': False,
    'warn.subtensor_merge_bug': False, 'warn.gpu_set_subtensor1': False,
    'warn.vm_gc_bug': False, 'warn.signal_conv2d_interface': False, 'warn.reduce_join': False,
    'warn.inc_set_subtensor1': False, 'warn.round': False, 'warn.inc_subtensor1_opt': True,
    'unpickle_function': True, 'reoptimize_unpickled_function': False, 'openmp': False,
    'openmp_elemwise_minsize': 200000, 'check_input': True, 'cache_optimizations': False,
    'unittests.rseed': '666', 'NanGuardMode.nan_is_error': True,
    'NanGuardMode.inf_is_error': True, 'NanGuardMode.big_is_error': True,
    'NanGuardMode.action': 'raise', 'optimizer_requiring': '', 'DebugMode.patience': 10,
    'DebugMode.check_c': True, 'DebugMode.check_py': True, 'DebugMode.check_finite': True,
    'DebugMode.check_strides': 0, 'DebugMode.warn_input_not_reused': True,
    'DebugMode.check_preallocated_output': '', 'DebugMode.check_preallocated_output_ndim': 4,
    'profiling.time_thunks': True, 'profiling.n_apply': 20, 'profiling.n_ops': 20,
    'profiling.output_line_width': 512, 'profiling.min_memory_size': 1024,
    'profiling.min_peak_memory': False, 'profiling.destination': 'stderr',
    'profiling.debugprint': False, 'profiling.ignore_first_call': False,
    'optdb.position_cutoff': float('inf'), 'optdb.max_use_ratio': 8.0, 'gcc.cxxflags': '',
    'cmodule.warn_no_version': False, 'cmodule.remove_gxx_opt': False,
    'cmodule.compilation_warning': False, 'cmodule.preload_cache': False,
    'cmodule.age_thresh_use': 2073600, 'cmodule.debug': False, 'blas.ldflags': '',
    'blas.check_openmp': True, 'metaopt.verbose': 0, 'metaopt.optimizer_excluding': '',
    'metaopt.optimizer_including': '', 'vm.lazy': None, 'warn.identify_1pexp_bug': False,
    'on_shape_error': 'warn', 'tensor.insert_inplace_optimizer_validate_nb': -1,
    'experimental.local_alloc_elemwise': True,
    'experimental.local_alloc_elemwise_assert': True, 'scan.allow_gc': False,
    'scan.allow_output_prealloc': True, 'scan.debug': False, 'compile.wait': 5,
    'cycle_detection': 'regular', 'check_stack_trace': 'off', 'compile.timeout': 120,
    'compiledir_format': 'compiledir_%(short_platform)s-%(processor)s-%(python_version)s-%(python_bitwidth)s',
    'base_compiledir': '', 'gpuarray.cache_path': '', 'ctc.root': '',
}


def _as_bool(name, value):
    if isinstance(value, str) and value.lower() in ('true', '1', 'false', '0'):
        return value.lower() in ('true', '1')
    if isinstance(value, (bool, int)) and value in (0, 1):
        return bool(value)
    raise ValueError('symgraph.config.%s must be True or False, not %r' % (name, value))


def _like(default, value):
    """``value`` (a string from the environment) converted to the type of ``default``."""
    if not isinstance(value, str) or isinstance(default, str) or default is None:
        return value
    if isinstance(default, bool):
        return _as_bool('flag', value)
    try:
        return type(default)(value)
    except ValueError:
        return value


class _FlagGroup:
    """A dotted group of Theano's flags (``config.NanGuardMode``, ``config.warn``...).

    Its known members read as their current value; any other member reads as a further
    group and may be set, since Theano code sets flags of its own warnings freely."""

    def __init__(self, table, prefix):
        object.__setattr__(self, '_table', table)
        object.__setattr__(self, '_prefix', prefix)

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        full = self._prefix + '.' + name
        if full in self._table:
            return self._table[full]
        group = _FlagGroup(self._table, full)
        object.__setattr__(self, name, group)
        return group

    def __setattr__(self, name, value):
        full = self._prefix + '.' + name
        self._table[full] = _like(self._table.get(full), value)


class Config:
    """The flags. Assignments are validated so that a typo fails where it is made."""

    def __init__(self):
        defaults = dict(floatX='float64', device='cpu', mode='FAST_RUN', optimizer='fast_run',
                        on_unused_input='raise', optimizer_excluding='', optimizer_including='',
                        exception_verbosity='low', compute_test_value='off',
                        compute_test_value_opt='off', print_test_value=False,
                        cpu_threads='auto', compiledir=_default_compiledir(),
                        cache=True, check_indices=True, profile=False,
                        profile_memory=False, profile_optimizer=False,
                        data_parallel='off', shard_parameters=False, scan_buckets=True)
        for name, value in defaults.items():
            object.__setattr__(self, name, value)
        table = dict(THEANO_ONLY_FLAGS)
        object.__setattr__(self, '_theano', table)
        for prefix in sorted({name.split('.')[0] for name in table if '.' in name}):
            object.__setattr__(self, prefix, _FlagGroup(table, prefix))
        object.__setattr__(self, '_warned', set())

    def __getattr__(self, name):  # only called for names not set in __init__
        table = self.__dict__.get('_theano', {})
        if name in table:
            return table[name]
        raise AttributeError('symgraph.config has no flag %r' % name)

    def __setattr__(self, name, value):
        if name in self._theano:
            self._theano[name] = _like(self._theano[name], value)
            return
        if name not in self.__dict__ or name.startswith('_'):
            raise AttributeError('symgraph.config has no flag %r' % name)
        allowed = _CHOICES.get(name)
        if allowed is not None and value not in allowed:
            raise ValueError('symgraph.config.%s must be one of %s, not %r'
                             % (name, ', '.join(allowed), value))
        if name == 'device':
            value = _check_device(value)
        if name == 'data_parallel':
            value = _check_data_parallel(value)
        if name == 'optimizer' and value is None:
            value = 'None'
        if name in _BOOLEANS:
            value = _as_bool(name, value)
        if name == 'compiledir':
            value = os.path.expanduser(str(value))
        object.__setattr__(self, name, value)
        if name in ('compiledir', 'cache') and _backend_configured:
            configure_compile_cache(changed=True)

    def cpu_thread_count(self):
        """Threads for XLA's CPU pool: 'auto' is 1 on machines with at most two cores.

        There, a minibatch step (the LXMLS update: 28 kernels, none over a few hundred
        microseconds) runs 1.3-1.4x faster single-threaded: XLA's runtime hands kernels
        that do not depend on each other to the pool's threads, and on two cores those
        handoffs cost more than they gain. Compile options cannot change that per program:
        they reach XLA's debug options, which can turn off the loop splitting
        (``xla_disable_hlo_passes=cpu-parallel-task-assigner``) and Eigen's threads
        (``xla_cpu_multi_thread_eigen``), but the runtime's concurrency is fixed when the
        program is loaded, and with both off the step stays as slow. So the choice is per
        process, and a compute-bound step (large matrix products) loses the second core:
        ``cpu_threads=default`` gives it back. None leaves JAX's default.
        """
        if self.cpu_threads == 'auto':
            return 1 if (os.cpu_count() or 1) <= 2 else None
        return int(self.cpu_threads) if self.cpu_threads not in (None, '', 'default') else None

    @property
    def jax_platform(self):
        """The JAX platform that shared values and compiled functions live on."""
        return 'cpu' if self.device == 'cpu' else 'gpu'

    @property
    def device_index(self):
        """Which device of the platform: N of 'cudaN' (0 for 'cpu' and 'cuda')."""
        digits = _DEVICE.match(self.device).group(3)
        return int(digits) if digits else 0

    def items(self):
        """(name, value) of every flag, symgraph's and Theano's, sorted by name."""
        own = [(name, value) for name, value in vars(self).items()
               if not name.startswith('_') and not isinstance(value, _FlagGroup)]
        return sorted(own + list(self._theano.items()))

    def knows(self, name):
        """Whether ``name`` (dotted for a group) is a flag of symgraph or of Theano."""
        return name in self.__dict__ and not name.startswith('_') or name in self._theano \
            or name.split('.')[0] in ('warn',)

    def apply_flag_string(self, text, source='SYMGRAPH_FLAGS'):
        """Apply ``name=value,name=value`` as found in ``SYMGRAPH_FLAGS``/``THEANO_FLAGS``;
        names neither symgraph nor Theano knows are warned about, once each."""
        for item in filter(None, (part.strip() for part in text.split(','))):
            name, sep, value = item.partition('=')
            name = name.strip()
            if not sep:
                raise ValueError('%s entry %r is not of the form name=value' % (source, item))
            if not self.knows(name):
                if name not in self._warned:
                    self._warned.add(name)
                    warnings.warn('symgraph does not recognise this flag: %s (from %s); it '
                                  'is ignored' % (name, source), stacklevel=2)
                continue
            target, attr = self, name
            while '.' in attr:
                head, attr = attr.split('.', 1)
                target = getattr(target, head)
            setattr(target, attr, value.strip())


class change_flags:
    """Theano's ``change_flags``: flags set for the duration of a ``with`` block or of a
    decorated function's calls, and restored after (``change_flags(compute_test_value='off')``;
    dotted names as ``**{'NanGuardMode.action': 'warn'}``)."""

    def __init__(self, **flags):
        self.flags = flags

    def _target(self, name):
        target, attr = config, name
        while '.' in attr:
            head, attr = attr.split('.', 1)
            target = getattr(target, head)
        return target, attr

    def __enter__(self):
        self.saved = []
        try:
            for name, value in self.flags.items():
                target, attr = self._target(name)
                self.saved.append((target, attr, getattr(target, attr)))
                setattr(target, attr, value)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        for target, attr, value in reversed(self.saved):
            setattr(target, attr, value)

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with change_flags(**self.flags):
                return fn(*args, **kwargs)
        return wrapped


def _check_device(value):
    if not isinstance(value, str) or not _DEVICE.match(value):
        raise ValueError("symgraph.config.device must be 'cpu', 'cuda' or 'cudaN' (also "
                         "Theano's older 'gpu' and 'gpuN'), not %r" % (value,))
    return value


def _check_data_parallel(value):
    """'off', 'all' (every device of the platform, of every process) or a number of
    devices (1 is off)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if value in (None, False, 1, 'off', 'False', 'false', 'None', ''):
        return 'off'
    if value in (True, 'all', 'True', 'true'):
        return 'all'
    if isinstance(value, int) and not isinstance(value, bool) and value > 1:
        return value
    raise ValueError("symgraph.config.data_parallel must be 'off', 'all' or a number of "
                     "devices, not %r" % (value,))


# symgraph's release (also ``symgraph.__version__``).
VERSION = '0.1.0'


def _default_compiledir():
    """``$XDG_CACHE_HOME/symgraph``, by default ``~/.cache/symgraph``."""
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'symgraph')


# Set once configure_jax_backend has run: from then on, changing ``compiledir`` or
# ``cache`` reconfigures JAX's cache at once.
_backend_configured = False


def configure_compile_cache(changed=False):
    """Point JAX's persistent compilation cache at ``config.compiledir``, or turn it off.

    JAX writes only programs that took over a second to compile; symgraph's minibatch
    steps compile in less, yet a process that builds them again still waits for every
    one, so every program is written (a few hundred kilobytes each). A cache directory
    that JAX was given by its own settings (``JAX_COMPILATION_CACHE_DIR``) becomes
    ``compiledir`` unless the flags set it. Programs that call back into Python (custom ops'
    ``perform``, ``Print``, NanGuardMode) are never cached: JAX cannot serialize them.
    Programs go in a folder per size of XLA's CPU pool, which XLA compiles by (it splits
    loops across the threads) and JAX's cache key leaves out: a process with another
    ``cpu_threads`` would otherwise load programs compiled for the other size. Within it,
    a folder per release of symgraph: symgraph keeps its own entries beside JAX's
    (compile/programcache.py), and can keep only programs compiled in the process, never
    those JAX's cache served; a new release then starts from an empty folder rather than
    from JAX's entries of the old one (whose folders may be deleted).
    """
    import jax
    from jax.experimental.compilation_cache import compilation_cache
    if changed:  # after a change, the next compile reads the new settings
        compilation_cache.reset_cache()
    jax.config.update('jax_enable_compilation_cache', bool(config.cache))
    if not config.cache:
        return
    own_dir = jax.config.values.get('jax_compilation_cache_dir')
    if not changed and own_dir and config.compiledir == _default_compiledir():
        object.__setattr__(config, 'compiledir', own_dir)
    folder = os.path.join(config.compiledir, 'cpu-threads-%d' % _cpu_pool_size(),
                          'symgraph-' + VERSION)
    try:  # a directory that cannot be made (a read-only home) means no cache, not errors
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        logging.getLogger('symgraph').info(
            'compiled programs are not kept: compiledir %s cannot be made (%s)',
            config.compiledir, err)
        jax.config.update('jax_enable_compilation_cache', False)
        return
    jax.config.update('jax_compilation_cache_dir', folder)
    jax.config.update('jax_persistent_cache_min_compile_time_secs', 0.0)
    jax.config.update('jax_persistent_cache_min_entry_size_bytes', -1)


def _cpu_pool_size():
    """The threads of JAX's CPU client, as its constructor counts them: PJRT_NPROC (as
    set at import) or NPROC, else one per usable core."""
    for name in ('PJRT_NPROC', 'NPROC'):
        if os.environ.get(name, '').isdigit():
            return int(os.environ[name])
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform
        return os.cpu_count() or 1


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
    global _backend_configured
    _backend_configured = True
    configure_compile_cache()


config = Config()
config.apply_flag_string(os.environ.get('THEANO_FLAGS', ''), 'THEANO_FLAGS')
config.apply_flag_string(os.environ.get('SYMGRAPH_FLAGS', ''), 'SYMGRAPH_FLAGS')
