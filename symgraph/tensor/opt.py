"""``theano.tensor.opt``: the names client code takes from it.

``register_canonicalize``, ``register_stabilize``, ``register_specialize`` (and
``register_uncanonicalize``, ``register_useless``) add a rewrite written the Theano way,
``@theano.gof.local_optimizer([OpClass])`` on ``fn(node)`` returning the replacement
outputs or False, to symgraph's rewrite engine (symgraph/rewrite/engine.py): canonicalize
ones run at the 'fast_run' and 'fast_compile' levels, the others at 'fast_run' (and
stabilize ones also on a cost before it is differentiated). ``shape_i(x, i)`` is
``x.shape[i]``. Theano's own rewrites have other names here (symgraph/rewrite/rules.py);
its optimizer databases have no counterpart.
"""
from symgraph.graph.basic import Op

_LEVELS = {'canonicalize': ('fast_run', 'fast_compile'), 'stabilize': ('fast_run', 'stabilize'),
           'specialize': ('fast_run',), 'uncanonicalize': ('fast_run',),
           'useless': ('fast_run', 'fast_compile')}


def _register(kind, lopt, *tags, **kwargs):
    if isinstance(lopt, str):  # used as @register_canonicalize('name', ...)
        return lambda inner: _register(kind, inner, lopt, *tags, **kwargs)
    transform = getattr(lopt, 'transform', None)
    if transform is None:
        raise TypeError('register_%s takes a local optimizer (made with '
                        '@theano.gof.local_optimizer([...])), not %r' % (kind, lopt))
    tracks = getattr(lopt, 'tracks', None)
    tracks = list((tracks() if callable(tracks) else tracks) or ())
    classes = tuple(t for t in tracks if isinstance(t, type))
    ops = [t for t in tracks if isinstance(t, Op)]
    name = kwargs.get('name') or getattr(lopt, '__name__', None) or type(lopt).__name__

    def rewrite(node, ctx):
        if tracks and not (isinstance(node.op, classes) or any(node.op == op for op in ops)):
            return None
        result = transform(node)
        if not result:
            return None
        if isinstance(result, dict):
            return [result.get(out, out) for out in node.outputs]
        return list(result)
    rewrite.__name__ = name
    rewrite.__doc__ = getattr(lopt, '__doc__', None) or 'a rewrite registered by client code'
    from symgraph.rewrite.engine import register  # upward: the engine runs the rewrite
    register(*_LEVELS[kind], tracks=(classes + tuple(type(op) for op in ops)) or None)(rewrite)
    return lopt


def register_canonicalize(lopt, *tags, **kwargs):
    return _register('canonicalize', lopt, *tags, **kwargs)


def register_stabilize(lopt, *tags, **kwargs):
    return _register('stabilize', lopt, *tags, **kwargs)


def register_specialize(lopt, *tags, **kwargs):
    return _register('specialize', lopt, *tags, **kwargs)


def register_uncanonicalize(lopt, *tags, **kwargs):
    return _register('uncanonicalize', lopt, *tags, **kwargs)


def register_useless(lopt, *tags, **kwargs):
    return _register('useless', lopt, *tags, **kwargs)


def shape_i(var, i, fgraph=None):
    """``var.shape[i]`` (Theano's shape_i)."""
    return var.shape[i]
