"""Testing helpers that compile and run graphs: ``verify_grad``.

They sit above compile/ (``function``) and gradient.py (``grad``); Theano users reach
them as ``theano.gradient.verify_grad``, which gradient.py resolves lazily.
"""
import numpy as np

from symgraph.compile.function import function
from symgraph.gradient import grad
from symgraph.tensor import elemwise as ew
from symgraph.tensor.reduction import sum as reduce_sum
from symgraph.tensor.type import TensorType
from symgraph.tensor.var import as_tensor_variable


class GradientError(AssertionError):
    """Symbolic and numeric gradients disagree."""


_DEFAULT_EPS = {'float64': 1e-7, 'float32': 3e-3, 'float16': 1e-1}
_DEFAULT_TOL = {'float64': 1e-4, 'float32': 1e-2, 'float16': 5e-2}


def verify_grad(fun, pt, n_tests=2, rng=None, eps=None, out_type=None, abs_tol=None,
                rel_tol=None, mode=None, cast_to_output_type=False, no_debug_ref=True):
    """Check ``fun``'s symbolic gradient against central finite differences at ``pt``.

    ``fun`` takes symbolic variables (one per array in ``pt``) and returns a variable; the
    check projects it on random directions so any output shape works. Two functions are
    compiled (the output, and the gradient of its projection on a direction given as an
    input), whatever ``n_tests``. Raises GradientError naming the input and the largest
    discrepancy.
    """
    rng = rng if rng is not None else np.random.RandomState(42)
    pt = [np.array(p) for p in pt]
    dtype = str(np.result_type(*[p.dtype for p in pt if p.dtype.kind == 'f'] or ['float64']))
    eps = eps or _DEFAULT_EPS[dtype]
    abs_tol = _DEFAULT_TOL[dtype] if abs_tol is None else abs_tol
    rel_tol = _DEFAULT_TOL[dtype] if rel_tol is None else rel_tol
    inputs = [TensorType(p.dtype, (False,) * p.ndim)('input_%d' % k) for k, p in enumerate(pt)]
    output = as_tensor_variable(fun(*inputs))
    direction = TensorType(output.dtype, (False,) * output.ndim)('random_projection')
    projected = reduce_sum(ew.mul(output, direction))
    output_fn = function(inputs, output, mode=mode)
    grad_fn = function(inputs + [direction], grad(projected, inputs), mode=mode)
    out_shape = output_fn(*pt).shape
    for _ in range(n_tests):
        d = np.asarray(rng.rand(*out_shape), dtype=output.dtype)
        analytic = grad_fn(*(pt + [d]))
        for k, p in enumerate(pt):
            numeric = np.zeros(p.shape, dtype='float64')
            flat = p.reshape(-1)
            for j in range(flat.size):
                old = flat[j]
                flat[j] = old + eps
                plus = np.sum(np.asarray(output_fn(*pt), dtype='float64') * d)
                flat[j] = old - eps
                minus = np.sum(np.asarray(output_fn(*pt), dtype='float64') * d)
                flat[j] = old
                numeric.reshape(-1)[j] = (plus - minus) / (2 * eps)
            abs_err = np.abs(analytic[k] - numeric)
            rel_err = abs_err / np.maximum(np.abs(analytic[k]) + np.abs(numeric), 1e-8)
            bad = (abs_err > abs_tol) & (rel_err > rel_tol)
            if np.any(bad):
                j = int(np.argmax(np.where(bad, abs_err, 0)))
                raise GradientError(
                    'verify_grad: the gradient with respect to input %d (shape %s) disagrees '
                    'with finite differences: at flat position %d the symbolic gradient is %r '
                    'and the numeric one %r (abs error %.3g > %.3g, rel error %.3g > %.3g)'
                    % (k, p.shape, j, analytic[k].reshape(-1)[j], numeric.reshape(-1)[j],
                       abs_err.reshape(-1)[j], abs_tol, rel_err.reshape(-1)[j], rel_tol))
