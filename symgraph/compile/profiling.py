"""Profiles of compiled functions (Theano's ``profile=True``, ``config.profile``).

``function(..., profile=True)`` (or a name, or a ``ProfileStats``), or ``config.profile =
True`` before ``function()``, gives the function a ``ProfileStats`` (``f.profile``) that
counts its calls and times them, both the whole call and the compiled program's run, and
records its compile time: graph rewrites, and the XLA compilation of each program. For
each XLA program it also records what XLA says of the compiled executable: its cost
analysis (floating-point operations, transcendental operations, bytes accessed) and its
memory analysis (arguments, outputs, temporaries, generated code).

Profiles are printed at exit, to ``config.profiling.destination`` ('stderr', 'stdout' or
a file name), in Theano's layout: one summary per function, then their sum. Theano
printed them only under ``config.profile``; symgraph also prints those asked for with
``function(profile=...)``, so that no profile asked for is lost. ``f.profile.summary()``
prints one at any time.

Theano's per-op and per-node times have no counterpart: the graph runs as one XLA
program, whose operations XLA fuses and reorders. The figures per program stand in for
them; ``f.xla_text()`` shows the program.
"""
import atexit
import sys
import time

import jax

from symgraph.config import config

_atexit_print_list = []
_atexit_registered = False


def _atexit_print_fn():
    """Print the profiles that were used, then their sum (Theano's at-exit summary)."""
    printed = [ps for ps in _atexit_print_list
               if ps.print_at_exit and (ps.fct_callcount or ps.compile_time > 1)]
    if not printed:
        return
    destination = config.profiling.destination
    if destination in ('stderr', 'stdout'):
        stream, close = getattr(sys, destination), False
    else:
        stream, close = open(destination, 'w'), True
    try:
        for ps in sorted(printed, key=lambda p: p.compile_time + p.fct_call_time,
                         reverse=True):
            ps.summary(file=stream)
        if len(printed) > 1:
            total = ProfileStats(atexit_print=False, message='Sum of all(%d) printed profiles '
                                 'at exit.' % len(printed))
            for ps in printed:
                total.add(ps)
            total.summary(file=stream)
    finally:
        if close:
            stream.close()


class ProgramStats:
    """One compiled XLA program: its calls and XLA's analysis of the executable."""

    def __init__(self, label, compile_seconds, executable):
        self.label = label
        self.compile_seconds = compile_seconds
        self.calls = 0
        self.seconds = 0.0
        self.cost = _cost(executable)
        self.memory = _memory(executable)


def _cost(executable):
    try:
        cost = executable.cost_analysis()
    except Exception:  # a backend without cost analysis
        return {}
    if isinstance(cost, (list, tuple)):  # one dict per device in some jax versions
        cost = cost[0] if cost else {}
    return {k: float(v) for k, v in (cost or {}).items()
            if k in ('flops', 'transcendentals', 'bytes accessed')}


def _memory(executable):
    try:
        stats = executable.memory_analysis()
    except Exception:
        return {}
    if stats is None:
        return {}
    names = ('argument_size_in_bytes', 'output_size_in_bytes', 'temp_size_in_bytes',
             'alias_size_in_bytes', 'generated_code_size_in_bytes')
    return {name: int(getattr(stats, name, 0) or 0) for name in names}


class TimedProgram:
    """A compiled program that records its runs in a ProgramStats."""

    __slots__ = ('program', 'stats', 'profile')

    def __init__(self, program, stats, profile):
        self.program, self.stats, self.profile = program, stats, profile

    def __call__(self, *args):
        start = time.perf_counter()
        results = self.program(*args)
        jax.block_until_ready(results)
        elapsed = time.perf_counter() - start
        self.stats.calls += 1
        self.stats.seconds += elapsed
        self.profile.vm_call_time += elapsed
        return results

    def __getattr__(self, name):
        return getattr(self.program, name)


class ProfileStats:
    """Theano's ``theano.compile.profiling.ProfileStats`` for one function (see the module
    docstring): ``fct_callcount``, ``fct_call_time`` (whole calls), ``vm_call_time`` (the
    programs' runs), ``compile_time``, ``optimizer_time`` (graph rewrites),
    ``linker_time`` (XLA compilation), ``nb_nodes`` and ``programs`` (ProgramStats)."""

    def __init__(self, atexit_print=True, flag_time_thunks=None, gpu_checks=True,
                 message=None, **kwargs):
        global _atexit_registered
        self.message = message
        self.fct_callcount = 0
        self.fct_call_time = 0.0
        self.vm_call_time = 0.0
        self.compile_time = 0.0
        self.optimizer_time = 0.0
        self.linker_time = 0.0
        self.nb_nodes = 0
        self.programs = []
        self.print_at_exit = atexit_print
        if atexit_print:
            _atexit_print_list.append(self)
            if not _atexit_registered:
                atexit.register(_atexit_print_fn)
                _atexit_registered = True

    def record_program(self, label, compile_seconds, executable):
        """Count a new XLA program; returns it wrapped so that its runs are timed."""
        stats = ProgramStats(label, compile_seconds, executable)
        self.programs.append(stats)
        self.linker_time += compile_seconds
        self.compile_time += compile_seconds
        return TimedProgram(executable, stats, self)

    def add(self, other):
        for name in ('fct_callcount', 'fct_call_time', 'vm_call_time', 'compile_time',
                     'optimizer_time', 'linker_time', 'nb_nodes'):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.programs.extend(other.programs)

    def summary(self, file=sys.stderr, n_ops_to_print=20, n_apply_to_print=20):
        """Print the profile in Theano's layout."""
        print(self.summary_text(), file=file)

    def summary_text(self):
        calls, call_time, run_time = self.fct_callcount, self.fct_call_time, self.vm_call_time
        lines = ['Function profiling', '==================',
                 '  Message: %s' % self.message,
                 '  Time in %d calls to Function.__call__: %es' % (calls, call_time)]
        if call_time > 0:
            lines.append('  Time in Function.fn.__call__: %es (%.3f%%)'
                         % (run_time, 100 * run_time / call_time))
            lines.append('  Time per call: %es (the compiled programs: %es)'
                         % (call_time / max(calls, 1), run_time / max(calls, 1)))
        lines += ['  Total compile time: %es' % self.compile_time,
                  '    Number of Apply nodes: %d' % self.nb_nodes,
                  '    Graph rewrite time: %es' % self.optimizer_time,
                  '    XLA compile time (trace, lower, compile): %es' % self.linker_time,
                  '    Number of XLA programs: %d' % len(self.programs), '']
        if self.programs:
            lines += ["XLA programs (XLA's cost and memory analysis of each executable)", '---',
                      '%6s %13s %13s %9s %9s %9s %9s %9s %9s %9s  %s' % (
                          '<#call>', '<time/call>', '<compile>', '<flops>', '<transc.>',
                          '<bytes>', '<args>', '<outputs>', '<temps>', '<code>', '<program>')]
            for p in self.programs:
                cost, memory = p.cost, p.memory
                lines.append('%6d %12.2es %12.2es %9s %9s %9s %9s %9s %9s %9s  %s' % (
                    p.calls, p.seconds / p.calls if p.calls else 0.0, p.compile_seconds,
                    _count(cost.get('flops')), _count(cost.get('transcendentals')),
                    _size(cost.get('bytes accessed')),
                    _size(memory.get('argument_size_in_bytes')),
                    _size(memory.get('output_size_in_bytes')),
                    _size(memory.get('temp_size_in_bytes')),
                    _size(memory.get('generated_code_size_in_bytes')), p.label))
            flops = sum(p.cost.get('flops', 0) * p.calls for p in self.programs)
            if run_time > 0 and flops:
                lines.append('  %s floating-point operations in all calls (<bytes>: bytes '
                             'accessed; <transc.>: transcendental operations): %.3g GFLOP/s'
                             % (_count(flops), flops / run_time / 1e9))
            lines.append('')
        lines.append('Per-op and per-node times are not measured: the graph runs as one XLA '
                     'program (f.xla_text() shows it).')
        return '\n'.join(lines)


def _count(value):
    if value is None:
        return '-'
    for unit, scale in (('G', 1e9), ('M', 1e6), ('K', 1e3)):
        if value >= scale:
            return '%.3g%s' % (value / scale, unit)
    return '%d' % value


def _size(value):
    if value is None:
        return '-'
    for unit, scale in (('GB', 2 ** 30), ('MB', 2 ** 20), ('KB', 2 ** 10)):
        if value >= scale:
            return '%.3g%s' % (value / scale, unit)
    return '%dB' % value
