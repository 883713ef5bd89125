"""``theano.compile``: ``function`` and its inputs, outputs and modes.

function.py is the entry point, executor.py the compiled Function and its call path,
lower.py the lowering of a graph to JAX, slices.py the host-side slice lengths, layout.py
the arguments' memory layout, loop.py ``Function.loop``.
"""
from symgraph.compile.executor import Function
from symgraph.compile.function import function
from symgraph.compile.io import In, MissingInputError, Out, UnusedInputError
from symgraph.compile.mode import Mode, get_default_mode, get_mode

__all__ = ['Function', 'function', 'In', 'Out', 'Mode', 'MissingInputError',
           'UnusedInputError', 'get_default_mode', 'get_mode']
