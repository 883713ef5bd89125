"""``theano.compile``: ``function`` and its inputs, outputs and modes.

function.py is the entry point, executor.py the compiled Function and its call path,
lower.py the lowering of a graph to JAX, slices.py the host-side slice lengths, layout.py
the arguments' memory layout, loop.py ``Function.loop``; mode.py and the debugging modes
(nanguardmode.py, monitormode.py, debugmode.py); profiling.py; testvalue.py
(``compute_test_value``); ops.py (Theano-style ops: ``perform`` through a host callback,
``as_op``).
"""
from symgraph.compile.executor import Function
from symgraph.compile.function import function
from symgraph.compile.io import (In, MissingInputError, Out, Param, SymbolicInput,
                                 SymbolicOutput, UnusedInputError)
from symgraph.compile.mode import FAST_COMPILE, FAST_RUN, Mode, get_default_mode, get_mode
from symgraph.compile import debugmode, mode, monitormode, nanguardmode, profiling
from symgraph.compile.debugmode import DebugMode
from symgraph.compile.monitormode import MonitorMode
from symgraph.compile.nanguardmode import NanGuardMode
from symgraph.compile.profiling import ProfileStats
from symgraph.compile.sharedvalue import shared, SharedVariable

__all__ = ['Function', 'function', 'In', 'Out', 'Param', 'SymbolicInput', 'SymbolicOutput',
           'Mode', 'MissingInputError', 'UnusedInputError', 'get_default_mode', 'get_mode',
           'FAST_RUN', 'FAST_COMPILE', 'DebugMode', 'MonitorMode', 'NanGuardMode',
           'ProfileStats', 'debugmode', 'mode', 'monitormode', 'nanguardmode', 'profiling',
           'shared', 'SharedVariable']
