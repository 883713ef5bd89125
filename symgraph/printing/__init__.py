"""Printing graphs, at Theano's module path: ``debugprint`` (the indented tree),
``pprint``/``pp`` (the infix form), ``Print`` (an op that prints a value when the
compiled function runs) and ``pydotprint`` (a picture, through Graphviz). The functions
shadow their modules' names here, as ``theano.printing.pprint`` did."""
from symgraph.printing.debugprint import char_from_number, debugprint
from symgraph.printing.pprint import pprint
from symgraph.printing.printop import Print, _print_fn
from symgraph.printing.pydotprint import install_notebook_pictures, pydotprint

pp = pprint
install_notebook_pictures()

__all__ = ['char_from_number', 'debugprint', 'pprint', 'pp', 'Print', '_print_fn', 'pydotprint']
