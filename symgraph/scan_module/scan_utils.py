"""``theano.scan_module.scan_utils``: the graph comparison client code imports from here."""
from symgraph.graph.basic import equal_computations

__all__ = ['equal_computations']
