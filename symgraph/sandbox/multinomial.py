"""Theano's ``theano.sandbox.multinomial``: samples of a multinomial made from uniform draws.

``MRG_RandomStreams.multinomial`` and ``.choice`` draw uniforms with the MRG generator and
turn them into outcomes here, exactly as Theano 1.0.5's C code does: the running sum of a
row of ``pvals`` is accumulated in float64, in order, and the outcome is the first entry
whose running sum exceeds the uniform. The sums are made sequentially (a scan over the
outcomes, vectorized over the rows): a tree-shaped cumulative sum would round differently
and, for a uniform close to a boundary, pick another outcome than Theano.
"""
import jax
import jax.numpy as jnp

from symgraph.graph.basic import Apply, Op
from symgraph.tensor import elemwise as ew
from symgraph.tensor.type import DISCRETE_DTYPES, TensorType
from symgraph.tensor.var import as_tensor_variable


def _running_sum(p):
    """Cumulative sums of the rows of ``p`` in float64, added left to right (as C does)."""
    def add(total, column):
        total = total + column
        return total, total
    _, sums = jax.lax.scan(add, jnp.zeros(p.shape[0], 'float64'), p.T.astype('float64'))
    return sums.T


def _first_above(sums, u):
    """(index of the first running sum above ``u``, whether there is one), per row."""
    hit = sums > u.astype('float64')[..., None]
    return jnp.argmax(hit, axis=-1), hit.any(axis=-1)


def _static_n(n, what):
    n = int(n)
    if n < 0:
        raise ValueError('%s: the number of samples must be >= 0, got %d' % (what, n))
    return n


class MultinomialFromUniform(Op):
    """Counts of ``n`` multinomial draws per row of ``pvals``, from ``pvals.shape[0] * n``
    uniforms (draw ``c`` of row ``r`` uses uniform ``c * pvals.shape[0] + r``)."""

    __props__ = ('odtype',)
    fold_constants = False

    def __init__(self, odtype):
        self.odtype = odtype

    def __str__(self):
        return '%s{%s}' % (type(self).__name__, self.odtype)

    def _out_dtype(self, pvals):
        return pvals.dtype if self.odtype == 'auto' else self.odtype

    def _check_inputs(self, pvals, unis, n):
        pvals, unis, n = (as_tensor_variable(v) for v in (pvals, unis, n))
        if pvals.ndim != 2:
            raise NotImplementedError('pvals ndim should be 2', pvals.ndim)
        if unis.ndim != 1:
            raise NotImplementedError('unis ndim should be 1', unis.ndim)
        if n.ndim != 0 or n.dtype not in DISCRETE_DTYPES:
            raise TypeError('%s: n must be an integer scalar, got %s of type %s'
                            % (self, n, n.type))
        return pvals, unis, n

    def make_node(self, pvals, unis, n=1):
        pvals, unis, n = self._check_inputs(pvals, unis, n)
        out = TensorType(self._out_dtype(pvals), pvals.broadcastable)
        return Apply(self, [pvals, unis, n], [out])

    def static_inputs(self, node):
        return (2,)

    def jax_impl(self, node, pvals, unis, n):
        n = _static_n(n, str(self))
        rows, outcomes = pvals.shape
        if unis.shape[0] != rows * n:
            raise ValueError('unis.shape[0] != pvals.shape[0] * n_samples',
                             unis.shape[0], rows, n)
        first, found = _first_above(_running_sum(pvals)[None], unis.reshape(n, rows))
        hits = (first[..., None] == jnp.arange(outcomes)) & found[..., None]
        return hits.sum(axis=0).astype(node.outputs[0].dtype)

    def grad(self, node, output_grads):
        return [None if x.dtype in DISCRETE_DTYPES else ew.zeros_like(x) for x in node.inputs]


class ChoiceFromUniform(MultinomialFromUniform):
    """``n`` outcomes per row of ``pvals`` without replacement (each drawn outcome's
    probability is set to zero and the row renormalized, in the dtype of ``pvals`` as
    Theano's C code does), from ``pvals.shape[0] * n`` uniforms."""

    __props__ = ('odtype', 'replace')

    def __init__(self, odtype, replace=False):
        super().__init__(odtype)
        self.replace = replace

    def _out_dtype(self, pvals):
        return 'int64' if self.odtype == 'auto' else self.odtype

    def jax_impl(self, node, pvals, unis, n):
        n = _static_n(n, str(self))
        rows, outcomes = pvals.shape
        if n > outcomes:
            raise ValueError('Cannot sample without replacement n samples bigger than the '
                             'size of the distribution.')
        if unis.shape[0] != rows * n:
            raise ValueError('unis.shape[0] != pvals.shape[0] * n_samples',
                             unis.shape[0], rows, n)
        dtype = pvals.dtype
        columns = jnp.arange(outcomes)

        def draw(p, u_and_last):
            u, last = u_and_last
            sums = _running_sum(p)
            m, found = _first_above(sums, u)
            if self.replace:
                return p, jnp.where(found, m, -1)
            chosen = columns == m[:, None]
            p_m = jnp.where(chosen, p, 0).sum(axis=1)  # exact: one nonzero term
            before = (jnp.take_along_axis(sums, m[:, None], axis=1)[:, 0]
                      - p_m.astype('float64')).astype(dtype)
            zeroed = jnp.where(chosen, jnp.zeros((), dtype), p)

            def add(total, k_column):
                k, column = k_column
                return jnp.where(k >= m, total + column, total), None
            total, _ = jax.lax.scan(add, before, (columns, zeroed.T))
            renormalized = zeroed / total[:, None]
            keep = ~found[:, None] | last
            return jnp.where(keep, p, renormalized), jnp.where(found, m, -1)

        last = jnp.arange(n) == n - 1
        _, picks = jax.lax.scan(draw, pvals, (unis.reshape(n, rows), last))
        return picks.T.astype(node.outputs[0].dtype)


class MultinomialWOReplacementFromUniform(ChoiceFromUniform):
    """Theano's deprecated name of ChoiceFromUniform."""
