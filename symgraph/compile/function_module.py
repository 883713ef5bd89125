"""``theano.compile.function_module``: where Theano kept the compiled Function class."""
from symgraph.compile.executor import Function, FunctionMaker
from symgraph.compile.io import convert_function_input

__all__ = ['Function', 'FunctionMaker', 'convert_function_input']
