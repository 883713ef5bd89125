"""The graph IR (see basic.py)."""
from symgraph.graph.basic import (Apply, Constant, Op, Type, Variable, ancestors, clone_replace,
                                  graph_inputs, toposort, user_frame, format_trace)
