"""``theano.d3viz``: a graph as one self-contained interactive HTML page (``d3viz``), or
as DOT text (``d3write``)."""
from symgraph.d3viz.d3viz import d3viz, d3write, page_data

__all__ = ['d3viz', 'd3write', 'page_data']
