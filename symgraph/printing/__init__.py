"""Printing graphs, at Theano's module path: ``debugprint`` (the indented tree) and
``pprint`` (the infix form).
The functions shadow their modules' names here, as ``theano.printing.pprint`` did."""
from symgraph.printing.debugprint import char_from_number, debugprint
from symgraph.printing.pprint import pprint

__all__ = ['char_from_number', 'debugprint', 'pprint']
