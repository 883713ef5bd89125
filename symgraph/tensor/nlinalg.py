"""``T.nlinalg``: numpy.linalg's operations, with Theano 1.0.5's names, types and gradients.

MatrixInverse, Det, MatrixPinv and Eigh have Theano's gradients (Eigh's through EighGrad);
Eig, SVD and the QR decompositions have none in Theano, and asking for one raises
NullTypeGradError. Output dtypes are Theano's: the input's dtype (so the inverse of an int
matrix is declared int, as in Theano; it is computed in float64 and cast), except Eigh's
eigenvalues, float64 for integer input.

``Eig`` keeps the real part of numpy's complex result, as Theano's real outputs do; XLA
computes a general eigendecomposition on the CPU only.
"""
import functools

import jax.numpy as jnp

from symgraph.graph.basic import Apply, Op
from symgraph.tensor import elemwise as ew, reduction
from symgraph.tensor.basic import dot, identity_like
from symgraph.tensor.extra_ops import AllocDiag, ExtractDiag
from symgraph.tensor.type import DISCRETE_DTYPES, TensorType
from symgraph.tensor.var import as_tensor_variable

__all__ = ['MatrixInverse', 'matrix_inverse', 'Det', 'det', 'MatrixPinv', 'pinv', 'Eig', 'eig',
           'Eigh', 'EighGrad', 'eigh', 'SVD', 'svd', 'QRFull', 'QRIncomplete', 'qr', 'trace',
           'diag', 'alloc_diag', 'extract_diag', 'AllocDiag', 'ExtractDiag', 'norm',
           'matrix_dot', 'matrix_power']


def _matrix(x, what):
    x = as_tensor_variable(x)
    if x.ndim != 2:
        raise TypeError('%s takes a matrix; %s of type %s has %d dimensions'
                        % (what, x, x.type, x.ndim))
    return x


def _float(x):
    """``x`` as the float dtype LAPACK computes in."""
    x = jnp.asarray(x)
    return x.astype('float64') if x.dtype.name in DISCRETE_DTYPES else x


def matrix_dot(*args):
    """``dot(dot(args[0], args[1]), ...)``."""
    return functools.reduce(dot, args)


class MatrixInverse(Op):
    """The inverse of a square matrix (numpy.linalg.inv)."""

    def make_node(self, x):
        x = _matrix(x, 'matrix_inverse')
        return Apply(self, [x], [x.type])

    def jax_impl(self, node, x):
        return jnp.linalg.inv(_float(x)).astype(node.outputs[0].dtype)

    def grad(self, node, output_grads):
        (x,), (gz,) = node.inputs, output_grads
        xi = self(x)
        return [ew.neg(matrix_dot(xi, gz.T, xi).T)]


matrix_inverse = MatrixInverse()


class Det(Op):
    """The determinant of a square matrix."""

    def make_node(self, x):
        x = _matrix(x, 'det')
        return Apply(self, [x], [TensorType(x.dtype, ())])

    def jax_impl(self, node, x):
        return jnp.linalg.det(_float(x)).astype(node.outputs[0].dtype)

    def grad(self, node, output_grads):
        (x,), (gz,) = node.inputs, output_grads
        return [gz * self(x) * matrix_inverse(x).T]


det = Det()


class MatrixPinv(Op):
    """The Moore-Penrose pseudo-inverse (numpy.linalg.pinv)."""

    def make_node(self, x):
        x = _matrix(x, 'pinv')
        return Apply(self, [x], [x.type])

    def jax_impl(self, node, x):
        return jnp.linalg.pinv(_float(x)).astype(node.outputs[0].dtype)

    def grad(self, node, output_grads):
        (x,), (z,), (gz,) = node.inputs, node.outputs, output_grads
        x_dot_z, z_dot_x = dot(x, z), dot(z, x)
        grad = (ew.neg(matrix_dot(z, gz.T, z)) +
                matrix_dot(z, z.T, gz, identity_like(x_dot_z) - x_dot_z) +
                matrix_dot(identity_like(z_dot_x) - z_dot_x, gz, z.T, z))
        return [grad.T]


pinv = MatrixPinv()


class Eig(Op):
    """Eigenvalues and right eigenvectors of a square matrix (their real parts)."""

    def make_node(self, x):
        x = _matrix(x, 'eig')
        return Apply(self, [x], [TensorType(x.dtype, (False,)), x.type])

    def jax_impl(self, node, x):
        w, v = jnp.linalg.eig(_float(x))
        return jnp.real(w).astype(x.dtype), jnp.real(v).astype(x.dtype)

    def grad(self, node, output_grads):
        return [ew.grad_not_implemented(self, 0, node.inputs[0])]


eig = Eig()


class Eigh(Op):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix, from its lower
    (UPLO='L') or upper triangle."""

    __props__ = ('UPLO',)

    def __init__(self, UPLO='L'):
        if UPLO not in ('L', 'U'):
            raise ValueError("UPLO must be 'L' or 'U', not %r" % (UPLO,))
        self.UPLO = UPLO

    def make_node(self, x):
        x = _matrix(x, 'eigh')
        w_dtype = 'float64' if x.dtype in DISCRETE_DTYPES else x.dtype
        return Apply(self, [x], [TensorType(w_dtype, (False,)), x.type])

    def jax_impl(self, node, x):
        w, v = jnp.linalg.eigh(_float(x), UPLO=self.UPLO, symmetrize_input=False)
        return w.astype(node.outputs[0].dtype), v.astype(node.outputs[1].dtype)

    def grad(self, node, output_grads):
        (x,) = node.inputs
        w, v = node.outputs
        gw, gv = [ew.zeros_like(o) if g is None else g for o, g in zip(node.outputs, output_grads)]
        return [EighGrad(self.UPLO)(x, w, v, gw, gv)]


def eigh(a, UPLO='L'):
    return Eigh(UPLO)(a)


class EighGrad(Op):
    """The gradient of Eigh: ``sum_n outer(v_n, W_n v_n + G_n)`` with
    ``G_n = sum_{m != n} v_m (V_n . v_m) / (w_n - w_m)``, folded onto the triangle Eigh
    reads (the other triangle's entries enter twice in a symmetric matrix)."""

    __props__ = ('UPLO',)

    def __init__(self, UPLO='L'):
        self.UPLO = UPLO

    def make_node(self, x, w, v, gw, gv):
        x, w, v, gw, gv = (as_tensor_variable(i) for i in (x, w, v, gw, gv))
        dtype = ew.upcast(x.dtype, w.dtype, v.dtype, gw.dtype, gv.dtype)
        return Apply(self, [x, w, v, gw, gv], [TensorType(dtype, (False, False))])

    def jax_impl(self, node, x, w, v, W, V):
        dtype = node.outputs[0].dtype
        w, v, W, V = (jnp.asarray(a).astype(dtype) for a in (w, v, W, V))
        diff = w[:, None] - w[None, :]
        n = w.shape[0]
        off = ~jnp.eye(n, dtype=bool)
        F = jnp.where(off, 1 / jnp.where(off, diff, 1), 0)
        A = V.T @ v  # A[n, m] = V[:, n] . v[:, m]
        G = (A * F) @ v.T
        g = v @ (W[:, None] * v.T + G)
        if self.UPLO == 'L':
            return jnp.tril(g) + jnp.triu(g, 1).T
        return jnp.triu(g) + jnp.tril(g, -1).T

    def grad(self, node, output_grads):
        return [ew.grad_not_implemented(self, k, i) for k, i in enumerate(node.inputs)]


class SVD(Op):
    """Singular value decomposition: (u, s, vt), or s alone without ``compute_uv``."""

    __props__ = ('full_matrices', 'compute_uv')

    def __init__(self, full_matrices=1, compute_uv=1):
        self.full_matrices, self.compute_uv = full_matrices, compute_uv

    def make_node(self, x):
        x = _matrix(x, 'svd')
        s = TensorType(x.dtype, (False,))
        outputs = [x.type, s, x.type] if self.compute_uv else [s]
        return Apply(self, [x], outputs)

    def jax_impl(self, node, x):
        result = jnp.linalg.svd(_float(x), full_matrices=bool(self.full_matrices),
                                compute_uv=bool(self.compute_uv))
        if not self.compute_uv:
            return result.astype(node.outputs[0].dtype)
        return tuple(r.astype(o.dtype) for r, o in zip(result, node.outputs))

    def grad(self, node, output_grads):
        return [ew.grad_not_implemented(self, 0, node.inputs[0])]


def svd(a, full_matrices=1, compute_uv=1):
    return SVD(full_matrices, compute_uv)(a)


class QRFull(Op):
    """QR decomposition with both factors: mode 'reduced' or 'complete'."""

    __props__ = ('mode',)

    def __init__(self, mode):
        if mode not in ('reduced', 'complete'):
            raise NotImplementedError('qr mode %r is not implemented (reduced, complete, r)'
                                      % (mode,))
        self.mode = mode

    def make_node(self, x):
        x = _matrix(x, 'qr')
        return Apply(self, [x], [x.type, x.type])

    def jax_impl(self, node, x):
        q, r = jnp.linalg.qr(_float(x), mode=self.mode)
        return q.astype(x.dtype), r.astype(x.dtype)

    def grad(self, node, output_grads):
        return [ew.grad_not_implemented(self, 0, node.inputs[0])]


class QRIncomplete(Op):
    """QR decomposition, R only (mode 'r')."""

    __props__ = ('mode',)

    def __init__(self, mode):
        self.mode = mode

    def make_node(self, x):
        x = _matrix(x, 'qr')
        return Apply(self, [x], [x.type])

    def jax_impl(self, node, x):
        return jnp.linalg.qr(_float(x), mode='r').astype(x.dtype)

    def grad(self, node, output_grads):
        return [ew.grad_not_implemented(self, 0, node.inputs[0])]


def qr(a, mode='reduced'):
    """numpy's ``qr``: (q, r) for modes 'reduced' and 'complete', r alone for 'r'."""
    if mode == 'r':
        return QRIncomplete(mode)(a)
    return QRFull(mode)(a)


alloc_diag = AllocDiag()
extract_diag = ExtractDiag()


def diag(x):
    """A matrix with the vector ``x`` on its diagonal, or the diagonal of the matrix ``x``."""
    x = as_tensor_variable(x)
    if x.ndim == 1:
        return alloc_diag(x)
    if x.ndim == 2:
        return extract_diag(x)
    raise TypeError('diag requires vector or matrix argument', x)


def trace(X):
    """The sum of the diagonal of a matrix."""
    return reduction.sum(extract_diag(_matrix(X, 'trace')))


def matrix_power(M, n):
    """``M`` multiplied by itself ``n`` times (n >= 0, an int)."""
    if n < 0:
        raise ValueError('matrix_power: n must be at least 0, got %d' % n)
    result = None
    for _ in range(n):
        result = M if result is None else dot(result, M)
    return identity_like(M) if result is None else result


def norm(x, ord):
    """Theano's ``norm``: vector norms (None, 'inf', '-inf', 0, p) and matrix norms
    (None or 'fro', 'inf', '-inf', 1, -1), built from elementwise ops and reductions."""
    x = as_tensor_variable(x)
    if x.ndim == 0:
        raise ValueError("'axis' entry is out of bounds.")
    if x.ndim == 1:
        if ord is None:
            return reduction.sum(x ** 2) ** 0.5
        if ord == 'inf':
            return reduction.max(abs(x))
        if ord == '-inf':
            return reduction.min(abs(x))
        if ord == 0:
            return x[x.nonzero()].shape[0]
        try:
            return reduction.sum(abs(x ** ord)) ** (1. / ord)
        except TypeError:
            raise ValueError('Invalid norm order for vectors.') from None
    if x.ndim == 2:
        if ord is None or ord == 'fro':
            return reduction.sum(abs(x ** 2)) ** 0.5
        if ord == 'inf':
            return reduction.max(reduction.sum(abs(x), 1))
        if ord == '-inf':
            return reduction.min(reduction.sum(abs(x), 1))
        if ord == 1:
            return reduction.max(reduction.sum(abs(x), 0))
        if ord == -1:
            return reduction.min(reduction.sum(abs(x), 0))
        raise ValueError(0)
    raise NotImplementedError("We don't support norm witn ndim > 2")


