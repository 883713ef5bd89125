"""``T.fft``: Theano's real FFTs of a batch, ``rfft`` and ``irfft``.

The first axis is the batch; the others are transformed. ``rfft`` returns the complex
coefficients as a last axis of length 2 (real, imaginary), in the input's dtype, and
``irfft`` takes them back; normalization as Theano's (``norm=None``: numpy's, 'ortho':
unitary, 'no_norm': none). RFFTOp and IRFFTOp carry Theano's gradients, each built from
the other. The transform lengths are shapes, known when the program is traced.
"""
import jax.numpy as jnp
import numpy as np

from symgraph.graph.basic import Apply, Op
from symgraph.tensor import elemwise as ew, reduction
from symgraph.tensor.subtensor import getitem, set_subtensor
from symgraph.tensor.type import INT_DTYPES, TensorType
from symgraph.tensor.var import as_tensor_variable

__all__ = ['RFFTOp', 'IRFFTOp', 'rfft', 'irfft', 'rfft_op', 'irfft_op']


def _lengths(op, s):
    s = as_tensor_variable(s)
    if s.dtype not in INT_DTYPES:
        raise TypeError('%s: length of the transformed axis must be of type integer'
                        % type(op).__name__)
    return s


def _halved_middle(g, s, factor):
    """``g`` with the coefficients that stand for a positive and a negative frequency
    (all but the first and, for even lengths, the last) multiplied by ``factor``."""
    index = tuple([slice(None)] * (g.ndim - 2) + [slice(1, (s[-1] // 2) + (s[-1] % 2))] +
                  [slice(None)])
    return set_subtensor(getitem(g, index), getitem(g, index) * factor)


class RFFTOp(Op):
    """The real FFT of each entry of a batch, over all but the first axis."""

    def make_node(self, a, s=None):
        a = as_tensor_variable(a)
        if a.ndim < 2:
            raise TypeError('%s: input must have dimension > 2, with first dimension batches'
                            % type(self).__name__)
        s = _lengths(self, a.shape[1:] if s is None else s)
        return Apply(self, [a, s], [TensorType(a.dtype, [False] * (a.ndim + 1))])

    def static_inputs(self, node):
        return (1,)

    def jax_impl(self, node, a, s):
        s = tuple(int(n) for n in np.asarray(s))
        coefs = jnp.fft.rfftn(a, s=s, axes=tuple(range(a.ndim - len(s), a.ndim)))
        return jnp.stack([jnp.real(coefs), jnp.imag(coefs)], axis=-1).astype(a.dtype)

    def grad(self, node, output_grads):
        (gout,), s = output_grads, node.inputs[1]
        return [irfft_op(_halved_middle(gout, s, 0.5), s), None]


rfft_op = RFFTOp()


class IRFFTOp(Op):
    """The inverse of RFFTOp, unnormalized (``irfft`` divides)."""

    def make_node(self, a, s=None):
        a = as_tensor_variable(a)
        if a.ndim < 3:
            raise TypeError('%s: input must have dimension >= 3,  with first dimension '
                            'batches and last real/imag parts' % type(self).__name__)
        if s is None:
            s = a.shape[1:-1]
            s = set_subtensor(s[-1], (s[-1] - 1) * 2)
        s = _lengths(self, s)
        return Apply(self, [a, s], [TensorType(a.dtype, [False] * (a.ndim - 1))])

    def static_inputs(self, node):
        return (1,)

    def jax_impl(self, node, a, s):
        s = tuple(int(n) for n in np.asarray(s))
        coefs = a[..., 0] + 1j * a[..., 1]
        out = jnp.fft.irfftn(coefs, s=s, axes=tuple(range(coefs.ndim - len(s), coefs.ndim)))
        return (out * int(np.prod(s))).astype(a.dtype)

    def grad(self, node, output_grads):
        (gout,), s = output_grads, node.inputs[1]
        return [_halved_middle(rfft_op(gout, s), s, 2), None]


irfft_op = IRFFTOp()


def _unitary(norm):
    if norm not in (None, 'ortho', 'no_norm'):
        raise ValueError("Invalid value %s for norm, must be None, 'ortho' or 'no norm'"
                         % norm)
    return norm


def rfft(inp, norm=None):
    """The real FFT of each entry of the batch ``inp`` (over all axes but the first):
    shape ``(batch, ..., n // 2 + 1, 2)``, real and imaginary parts last."""
    inp = as_tensor_variable(inp)
    s = inp.shape[1:]
    scaling = 1
    if _unitary(norm) == 'ortho':
        scaling = ew.sqrt(ew.cast(reduction.prod(s), inp.dtype))
    return rfft_op(inp, s) / scaling


def irfft(inp, norm=None, is_odd=False):
    """The inverse of ``rfft``; ``is_odd`` says whether the signal had an odd length."""
    if is_odd not in (True, False):
        raise ValueError('Invalid value %s for id_odd, must be True or False' % is_odd)
    inp = as_tensor_variable(inp)
    s = inp.shape[1:-1]
    if is_odd:
        s = set_subtensor(s[-1], (s[-1] - 1) * 2 + 1)
    else:
        s = set_subtensor(s[-1], (s[-1] - 1) * 2)
    cond_norm = _unitary(norm)
    scaling = 1
    if cond_norm is None:
        scaling = ew.cast(reduction.prod(s), inp.dtype)
    elif cond_norm == 'ortho':
        scaling = ew.sqrt(ew.cast(reduction.prod(s), inp.dtype))
    return irfft_op(inp, s) / scaling
