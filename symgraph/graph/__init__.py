"""The graph IR (see basic.py); fg.py: FunctionGraph; inner.py: InnerGraph."""
from symgraph.graph.basic import (Apply, Constant, Op, Type, Variable, ancestors, clone,
                                  clone_replace, graph_inputs, toposort, user_frame,
                                  format_trace)

__all__ = ['Apply', 'Constant', 'Op', 'Type', 'Variable', 'ancestors', 'clone', 'clone_replace',
           'graph_inputs', 'toposort', 'user_frame', 'format_trace']
