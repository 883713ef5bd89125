"""``T.slinalg``: scipy.linalg's operations, with Theano 1.0.5's names, types and gradients:
Cholesky (Murray's symbolic gradient), Solve (general, triangular, symmetric; the gradient
solves the transposed system) and Expm (ExpmGrad, through the Frechet derivative), and the
function ``kron``. They run on ``jax.scipy.linalg``: no scipy is needed.

A matrix that is not positive definite has no Cholesky factor: numpy raises, XLA gives
NaNs; symgraph raises when the value is known when the graph is evaluated (``eval()``,
constants) and gives NaNs inside a compiled function, as Theano's ``on_error='nan'``.
"""
import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np

from symgraph.graph.basic import Apply, Op
from symgraph.tensor import elemwise as ew, reduction
from symgraph.tensor.basic import isnan, join, outer, tril, triu
from symgraph.tensor.extra_ops import diag, diagonal
from symgraph.tensor.nlinalg import _float, _matrix
from symgraph.tensor.shape import reshape, shape
from symgraph.tensor.type import TensorType, upcast
from symgraph.tensor.var import as_tensor_variable

__all__ = ['Cholesky', 'cholesky', 'Solve', 'solve', 'solve_lower_triangular',
           'solve_upper_triangular', 'solve_symmetric', 'Expm', 'ExpmGrad', 'expm', 'kron',
           'MATRIX_STRUCTURES']

MATRIX_STRUCTURES = ('general', 'symmetric', 'lower_triangular', 'upper_triangular',
                     'hermitian', 'banded', 'diagonal', 'toeplitz')


class Cholesky(Op):
    """The Cholesky factor of a symmetric positive-definite matrix (lower by default)."""

    __props__ = ('lower', 'destructive', 'on_error')

    def __init__(self, lower=True, on_error='raise'):
        if on_error not in ('raise', 'nan'):
            raise ValueError('on_error must be one of "raise" or ""nan"')
        self.lower, self.destructive, self.on_error = lower, False, on_error

    def make_node(self, x):
        x = _matrix(x, 'cholesky')
        return Apply(self, [x], [x.type])

    def jax_impl(self, node, x):
        factor = jnp.linalg.cholesky(_float(x), symmetrize_input=False)  # numpy: reads the lower triangle
        if not self.lower:
            factor = factor.T
        if self.on_error == 'raise' and isinstance(x, np.ndarray) and \
                np.isnan(np.asarray(factor)).any():
            raise np.linalg.LinAlgError('Matrix is not positive definite')
        return factor.astype(node.outputs[0].dtype)

    def grad(self, node, output_grads):
        """Murray's reverse-mode rule (arXiv:1602.07527), built symbolically as Theano's."""
        (dz,), (chol_x,) = output_grads, node.outputs
        if self.on_error == 'nan':
            ok = ew.invert(_any_nan(chol_x))
            chol_x = ew.switch(ok, chol_x, 1)
            dz = ew.switch(ok, dz, 1)
        if not self.lower:
            chol_x, dz = chol_x.T, dz.T

        def tril_and_halve_diagonal(mtx):
            return tril(mtx) - diag(diagonal(mtx) / 2.)

        def conjugate_solve_triangular(outer_, inner):
            return solve_upper_triangular(outer_.T, solve_upper_triangular(outer_.T, inner.T).T)

        s = conjugate_solve_triangular(chol_x, tril_and_halve_diagonal(chol_x.T.dot(dz)))
        if self.lower:
            grad = tril(s + s.T) - diag(diagonal(s))
        else:
            grad = triu(s + s.T) - diag(diagonal(s))
        if self.on_error == 'nan':
            grad = ew.switch(ok, grad, np.nan)
        return [grad]


def _any_nan(x):
    return reduction.any(isnan(x))


cholesky = Cholesky()


class Solve(Op):
    """``solve(A, b)``: x with ``A x = b``, for a general, symmetric or triangular A."""

    __props__ = ('A_structure', 'lower', 'overwrite_A', 'overwrite_b')

    def __init__(self, A_structure='general', lower=False, overwrite_A=False,
                 overwrite_b=False):
        if A_structure not in MATRIX_STRUCTURES:
            raise ValueError('Invalid matrix structure argument', A_structure)
        self.A_structure, self.lower = A_structure, lower
        self.overwrite_A, self.overwrite_b = overwrite_A, overwrite_b

    def make_node(self, A, b):
        A = _matrix(A, 'solve')
        b = as_tensor_variable(b)
        if b.ndim not in (1, 2):
            raise TypeError('solve: b must be a vector or a matrix, got %s of type %s'
                            % (b, b.type))
        return Apply(self, [A, b], [TensorType(upcast(A.dtype, b.dtype), b.broadcastable)])

    def jax_impl(self, node, A, b):
        dtype = node.outputs[0].dtype
        A, b = _float(A).astype(dtype), _float(b).astype(dtype)
        if self.A_structure == 'lower_triangular':
            x = jsl.solve_triangular(A, b, lower=True)
        elif self.A_structure == 'upper_triangular':
            x = jsl.solve_triangular(A, b, lower=False)
        elif self.A_structure == 'symmetric':
            x = jsl.solve(A, b, assume_a='sym', lower=self.lower)
        else:
            x = jnp.linalg.solve(A, b)
        return x.astype(dtype)

    def grad(self, node, output_grads):
        A, (c,), (c_bar,) = node.inputs[0], node.outputs, output_grads
        trans_map = {'lower_triangular': 'upper_triangular',
                     'upper_triangular': 'lower_triangular'}
        trans_solve = Solve(A_structure=trans_map.get(self.A_structure, self.A_structure),
                            lower=not self.lower)
        b_bar = trans_solve(A.T, c_bar)
        A_bar = ew.neg(outer(b_bar, c)) if c.ndim == 1 else ew.neg(b_bar.dot(c.T))
        if self.A_structure == 'lower_triangular':
            A_bar = tril(A_bar)
        elif self.A_structure == 'upper_triangular':
            A_bar = triu(A_bar)
        return [A_bar, b_bar]


solve = Solve()
solve_lower_triangular = Solve(A_structure='lower_triangular', lower=True)
solve_upper_triangular = Solve(A_structure='upper_triangular', lower=False)
solve_symmetric = Solve(A_structure='symmetric')


class Expm(Op):
    """The matrix exponential."""

    def make_node(self, A):
        A = _matrix(A, 'expm')
        return Apply(self, [A], [A.type])

    def jax_impl(self, node, A):
        return jsl.expm(_float(A)).astype(node.outputs[0].dtype)

    def grad(self, node, output_grads):
        (A,), (g_out,) = node.inputs, output_grads
        return [ExpmGrad()(A, g_out)]


class ExpmGrad(Op):
    """The gradient of Expm: the adjoint of its Frechet derivative, ``L(A^T, gA)``."""

    def make_node(self, A, gw):
        A, gw = as_tensor_variable(A), as_tensor_variable(gw)
        return Apply(self, [A, gw], [A.type])

    def jax_impl(self, node, A, gA):
        A = _float(A)
        return jsl.expm_frechet(A.T, jnp.asarray(gA).astype(A.dtype),
                                compute_expm=False).astype(node.outputs[0].dtype)

    def grad(self, node, output_grads):
        return [ew.grad_not_implemented(self, k, i) for k, i in enumerate(node.inputs)]


expm = Expm()


def kron(a, b):
    """The Kronecker product of ``a`` and ``b`` (their dimensions must add up to 3 or
    more), built as Theano builds it from ``outer`` and reshapes."""
    a, b = as_tensor_variable(a), as_tensor_variable(b)
    if a.ndim + b.ndim <= 2:
        raise TypeError('kron: inputs dimensions must sum to 3 or more. You passed %d and %d.'
                        % (a.ndim, b.ndim))
    o = outer(a.flatten(), b.flatten())
    o = reshape(o, join(0, shape(a), shape(b)), ndim=a.ndim + b.ndim)
    shf = ew.dimshuffle(o, [0, 2, 1] + list(range(3, o.ndim)))
    if shf.ndim == 3:
        return ew.dimshuffle(o, (1, 0, 2)).flatten()
    return reshape(shf, [shape(o)[0] * shape(o)[2], shape(o)[1] * shape(o)[3]] +
                   [shape(o)[i] for i in range(4, o.ndim)], ndim=o.ndim - 2)
