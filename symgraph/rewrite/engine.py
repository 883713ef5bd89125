"""The rewrite engine: local rewrites applied to a fixed point in one topological pass.

The graph is rebuilt front to back. Each node is first re-applied to its (already
rewritten) inputs, then merged with an equal node seen before (common-subexpression
elimination), then offered to the local rewrites until none applies. A rewrite's
replacement is itself processed the same way, so rewrites compose. Every node is visited
once plus the nodes rewrites create, so the pass is linear in the size of the graph.
A rewrite is registered with the op classes it looks at, and a node is offered only the
rewrites that track its op's class (a table keyed by op type, filled as types are met).
"""
import collections

from symgraph.graph.basic import Constant, paused_gc, toposort

Rewrite = collections.namedtuple('Rewrite', 'name doc fn tags tracks')

REGISTRY = []

WHOLE_GRAPH = 'whole graph'  # ``tracks`` of a rewrite that needs every use of a value


def register(*tags, tracks):
    """Add a local rewrite ``fn(node, ctx) -> [replacement outputs] or None``.

    Its name is the function name and its one-line description the docstring; ``tags``
    say which optimizer levels use it ('fast_compile', 'fast_run', 'stabilize');
    ``tracks`` is the tuple of op classes whose nodes it looks at, or None for every op.
    With ``tracks=WHOLE_GRAPH`` it is ``fn(outputs, ctx) -> outputs`` instead, run on the
    whole graph once the local rewrites are done (for rewrites that must see every
    reader of a value).
    """
    def deco(fn):
        REGISTRY.append(Rewrite(fn.__name__, (fn.__doc__ or '').strip().split('\n')[0], fn,
                                frozenset(tags), tracks))
        return fn
    return deco


class Context:
    """What a rewrite may ask about the graph being rewritten."""

    def __init__(self, protected, rewrites=(), merge=True):
        self.protected = protected
        self.rewrites = rewrites
        self.merge = merge

    def rewrite_inner(self, outputs):
        """An inner graph's outputs (a scan's step) rewritten with the same rewrites."""
        return Rewriter(self.rewrites, merge=self.merge)(list(outputs))

    def can_replace_through(self, var):
        """False for variables the caller needs to keep (e.g. a grad ``wrt``)."""
        return var not in self.protected


class Rewriter:
    """Runs the rewrites in ``rewrites`` over graphs (keeps its merge tables per run)."""

    MAX_ROUNDS = 32  # rewrites per node before giving up (guards against cycles)

    def __init__(self, rewrites, protected=(), merge=True):
        self.rewrites = [r for r in rewrites if r.tracks is not WHOLE_GRAPH]
        self.graph_rewrites = [r for r in rewrites if r.tracks is WHOLE_GRAPH]
        self.by_type = {}
        self.ctx = Context(set(protected), list(rewrites), merge)
        self.merge = merge
        self.memo = {}
        self.nodes = {}
        self.constants = {}
        self.done = set()
        self.applied = collections.Counter()

    def __call__(self, outputs):
        with paused_gc():
            for node in toposort(outputs):
                self._visit(node)
            outputs = [self._value(o) for o in outputs]
            for rewrite in self.graph_rewrites:
                rewritten = rewrite.fn(outputs, self.ctx)
                if any(new is not old for new, old in zip(rewritten, outputs)):
                    self.applied[rewrite.name] += 1
                outputs = rewritten
            return outputs

    def _value(self, var):
        if var in self.memo:
            return self.memo[var]
        if isinstance(var, Constant) and self.merge:
            return self.constants.setdefault(var.signature(), var)
        return var

    def _visit(self, node):
        if self.ctx.protected and any(o in self.ctx.protected for o in node.outputs):
            self.done.add(node)  # kept exactly as built, together with what it reads
            return
        new_inputs = [self._value(i) for i in node.inputs]
        if all(n is o for n, o in zip(new_inputs, node.inputs)):
            candidate = node
        else:
            candidate = node.op.make_node(*new_inputs)
            candidate.trace = node.trace
            for old, new in zip(node.outputs, candidate.outputs):
                new.name = old.name
        results = self._canonical(candidate)
        for old, new in zip(node.outputs, results):
            if new is not old:
                self.memo[old] = new
                if new.name is None and old.name is not None and new.owner is not None:
                    new.name = old.name

    def _canonical(self, node):
        """The outputs ``node`` becomes after merging and local rewrites."""
        for _ in range(self.MAX_ROUNDS):
            if node in self.done:
                return node.outputs
            if self.merge:
                key = (node.op, tuple(node.inputs))
                twin = self.nodes.get(key)
                if twin is not None:
                    return twin.outputs
            replacement = self._rewrite(node)
            if replacement is None:
                self.done.add(node)
                if self.merge:
                    self.nodes[(node.op, tuple(node.inputs))] = node
                return node.outputs
            replacement = [self._process_new(r) for r in replacement]
            if len(replacement) != 1 or replacement[0].owner is None or \
                    len(node.outputs) != 1 or len(replacement[0].owner.outputs) != 1:
                return replacement
            node = replacement[0].owner
        return node.outputs

    def _tracking(self, op_type):
        """The rewrites that look at nodes of ``op_type``, in registration order."""
        found = self.by_type.get(op_type)
        if found is None:
            found = self.by_type[op_type] = [r for r in self.rewrites if r.tracks is None or
                                             issubclass(op_type, r.tracks)]
        return found

    def _rewrite(self, node):
        for rewrite in self._tracking(type(node.op)):
            result = rewrite.fn(node, self.ctx)
            if result is not None:
                result = list(result)
                for old, new in zip(node.outputs, result):
                    if old.type != new.type:
                        raise TypeError('rewrite %s replaced %s of type %s with %s of type %s'
                                        % (rewrite.name, old, old.type, new, new.type))
                self.applied[rewrite.name] += 1
                return result
        return None

    def _process_new(self, var):
        """Bring a rewrite's replacement (whose new nodes are unvisited) into canonical form."""
        if var.owner is None or var.owner in self.done:
            return self._value(var)
        for node in toposort([var], stop=self._seen_vars()):
            if node not in self.done:
                self._visit(node)
        return self._value(var)

    def _seen_vars(self):
        return _SeenView(self)


class _SeenView:
    """Membership test 'is this variable already processed' for toposort's stop set."""

    def __init__(self, rewriter):
        self.rewriter = rewriter

    def __contains__(self, var):
        owner = var.owner
        return owner is None or owner in self.rewriter.done or var in self.rewriter.memo
