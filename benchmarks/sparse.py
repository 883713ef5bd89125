"""Sparse products: ``structured_dot`` of a 2000 x 2000 CSR matrix with 1 % of its entries
stored and a dense 2000 x 64 matrix, forward and gradient, in one call.

    python -m benchmarks.sparse [rounds]

Each variant computes ``cost = sum(structured_dot(x, W) ** 2)``, its gradient for ``W``
and its (structured) gradient for ``x``'s stored entries, from a scipy matrix and a numpy
array, and returns them to the host:

* symgraph-sparse   ``function([x, W], [cost, gW, gx])`` with ``theano.sparse``: the
                    product runs on ``jax.experimental.sparse`` (BCSR) in the one program;
* symgraph-dense    the same graph through ``T.dot(dense_from_sparse(x), W)``: the dense
                    fallback, in the same framework;
* jax-bcsr          hand-written ``jax.jit`` of the same with a ``BCSR`` argument;
* jax-dense         hand-written ``jax.jit`` with the dense matrix;
* scipy             the same arithmetic with scipy and numpy on the host.

Also: the seconds to build and compile each symgraph function, and how many programs a
call sequence whose nnz varies compiles (see symgraph/sparse/type.py).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from jax.experimental import sparse as jsparse  # noqa: E402

import symgraph as theano  # noqa: E402
import symgraph.sparse as S  # noqa: E402
import symgraph.tensor as T  # noqa: E402
from benchmarks.timing import round_robin  # noqa: E402

N, K, DENSITY = 2000, 64, 0.01


def symgraph_function(dense):
    x, W = S.csr_matrix('x'), T.matrix('W')
    product = T.dot(S.dense_from_sparse(x), W) if dense else S.structured_dot(x, W)
    cost = (product ** 2).sum()
    gx = T.grad(cost, x)
    if dense:  # the gradient for the stored entries only, as the structured one
        gx = S.mul(S.sp_ones_like(x), gx)
    return theano.function([x, W], [cost, T.grad(cost, W), gx])


def jax_step(to_matrix):
    def cost(data, W, indices, indptr):
        product = to_matrix(data, indices, indptr) @ W
        return (product ** 2).sum()
    grad = jax.jit(jax.value_and_grad(cost, argnums=(0, 1)))

    def step(a, w):
        value, (g_data, g_w) = grad(a.data, w, a.indices, a.indptr)
        return float(value), np.asarray(g_w), np.asarray(g_data)
    return step


def _bcsr(data, indices, indptr):
    return jsparse.BCSR((data, indices, indptr), shape=(N, N))


def _dense(data, indices, indptr):
    rows = jnp.searchsorted(indptr, jnp.arange(data.shape[0]), side='right') - 1
    return jnp.zeros((N, N), data.dtype).at[rows, indices].add(data)


def scipy_step(a, w):
    product = a @ w
    g_product = 2 * product
    g_data = np.einsum('ij,ij->i', g_product[np.repeat(np.arange(N), np.diff(a.indptr))],
                       w[a.indices])
    return float((product ** 2).sum()), a.T @ g_product, g_data


def main(rounds=7):
    rng = np.random.RandomState(0)
    a = sp.random(N, N, density=DENSITY, format='csr', random_state=rng, dtype=np.float64)
    a.indices = a.indices.astype(np.int32)
    a.indptr = a.indptr.astype(np.int32)
    w = rng.rand(N, K)
    compile_seconds = {}
    functions = {}
    for name, dense in (('symgraph-sparse', False), ('symgraph-dense', True)):
        start = time.perf_counter()
        functions[name] = symgraph_function(dense)
        functions[name](a, w)
        compile_seconds[name] = time.perf_counter() - start
    reference = scipy_step(a, w)
    for name, f in functions.items():
        cost, g_w, g_x = f(a, w)
        assert np.allclose(cost, reference[0]) and np.allclose(g_w, reference[1]), name
        assert np.allclose(g_x.data, reference[2]), name
    bcsr_step, dense_step = jax_step(_bcsr), jax_step(_dense)
    for step in (bcsr_step, dense_step):
        assert np.allclose(step(a, w)[2], reference[2])
    variants = {
        'symgraph-sparse': lambda: functions['symgraph-sparse'](a, w),
        'symgraph-dense': lambda: functions['symgraph-dense'](a, w),
        'jax-bcsr': lambda: bcsr_step(a, w),
        'jax-dense': lambda: dense_step(a, w),
        'scipy': lambda: scipy_step(a, w),
    }
    results = round_robin(variants, rounds)
    print('structured_dot of a %dx%d CSR (%d stored) with %dx%d, forward + gradients, '
          'ms per call, best (median) of %d:' % (N, N, a.nnz, N, K, rounds))
    for name, (best, median) in results.items():
        print('  %-16s %8.2f (%.2f)' % (name, best * 1e3, median * 1e3))
    for name, seconds in compile_seconds.items():
        print('  %s: graph to first result %.2f s' % (name, seconds))
    f = functions['symgraph-sparse']
    before = f.stats.programs
    for density in np.linspace(0.0095, 0.0105, 20):
        f(sp.random(N, N, density=density, format='csr', random_state=rng), w)
    print('  20 calls with nnz from %d to %d: %d more programs'
          % (int(N * N * 0.0095), int(N * N * 0.0105), f.stats.programs - before))


if __name__ == '__main__':
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
