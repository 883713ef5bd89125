"""Graph rewrites applied before lowering (and to costs before differentiation).

XLA fuses arithmetic by itself; the rewrites exist for numerical stability
(``log(softmax(x))`` becomes ``log_softmax(x)``), for smaller graphs (gradient graphs are
full of repeated subexpressions), and so that ``debugprint(f)`` shows a readable graph.
"""
from symgraph.config import config
from symgraph.rewrite.engine import REGISTRY, Rewriter
from symgraph.rewrite import loops, rules  # noqa: F401  (registers the rewrites)

LEVELS = ('fast_run', 'fast_compile', 'stabilize', 'None')


def _names(flag):
    return {n for n in flag.replace(',', ':').split(':') if n}


def rewrites_for(level):
    """The rewrites (and whether to merge) for an optimizer level, after the config's
    ``optimizer_excluding`` / ``optimizer_including`` lists of names."""
    if level not in LEVELS:
        raise ValueError('Unknown optimizer level %r; expected one of %s' % (level, LEVELS))
    excluded, included = _names(config.optimizer_excluding), _names(config.optimizer_including)
    chosen = [r for r in REGISTRY
              if (level in r.tags or r.name in included) and r.name not in excluded]
    merge = level in ('fast_run', 'fast_compile') and 'merge' not in excluded
    return chosen, merge


def rewrite_graph(outputs, level, protected=()):
    """``outputs`` rewritten at optimizer ``level``; variables in ``protected`` are kept."""
    if level == 'None':
        return list(outputs)
    chosen, merge = rewrites_for(level)
    return Rewriter(chosen, protected=protected, merge=merge)(list(outputs))


def stabilize(outputs, protected=()):
    """Only the numerical-stability rewrites (used on a cost before differentiating it)."""
    return rewrite_graph(outputs, 'stabilize', protected)
