"""Snippets for the ops of tests/test_ops_extra.py, run by Theano 1.0.5
(make_extra_goldens.py writes extra_ops.json) and by symgraph.

Each snippet uses only ``theano``, ``T``, ``np``; it defines ``out`` (a variable or a list of
variables) and ``given`` ({input variable: value}). ``E`` is ``theano.tensor.extra_ops``,
``N`` ``theano.tensor.nlinalg``, ``S`` ``theano.tensor.slinalg``, ``F`` ``theano.tensor.fft``.
"""
import textwrap

# The elementwise functions of the "math" table: (name, arity).
MATH = [('sin', 1), ('cos', 1), ('tan', 1), ('arcsin', 1), ('arccos', 1), ('arctan', 1),
        ('arctan2', 2), ('sinh', 1), ('cosh', 1), ('arcsinh', 1), ('arccosh', 1),
        ('arctanh', 1), ('erf', 1), ('erfc', 1), ('erfinv', 1), ('erfcx', 1), ('erfcinv', 1),
        ('gamma', 1), ('gammaln', 1), ('psi', 1), ('tri_gamma', 1), ('expm1', 1), ('log2', 1),
        ('log10', 1), ('exp2', 1), ('inv', 1), ('sqr', 1), ('deg2rad', 1), ('rad2deg', 1),
        ('isnan', 1), ('isinf', 1), ('isclose', 2), ('allclose', 2)]
MATH_DTYPES = ['bool', 'int8', 'uint8', 'int16', 'int32', 'int64', 'float32', 'float64']

_PRELUDE = """
v = T.vector('v'); m = T.matrix('m'); iv = T.ivector('iv'); lv = T.lvector('lv')
t3 = T.tensor3('t3'); bv = T.bvector('bv'); r = T.row('r')
vv = np.array([0.5, -1.0, 0.0, 2.0, 0.25]); mv = np.arange(12.0).reshape(3, 4) - 5
ivv = np.array([0, 2, 2, 5, 1], dtype='int32'); t3v = np.arange(12.0).reshape(2, 3, 2) / 4 - 1
spd = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
"""


def _c(code):
    return _PRELUDE + textwrap.dedent(code)


CASES = {
    # reductions and selection
    'any': _c("out = [T.any(m), T.any(m, axis=0), T.all(iv), T.all(m, axis=1, keepdims=True)]; given = {m: mv, iv: ivv}"),
    'where': _c("out = T.where(v > 0, v, 0); given = {v: vv}"),
    'nonzero': _c("out = [T.nonzero(m)[0], T.nonzero(m)[1], T.nonzero(m, return_matrix=True)]; given = {m: mv}"),
    'nonzero_values': _c("out = T.nonzero_values(m); given = {m: mv}"),
    'flatnonzero': _c("out = T.flatnonzero(m); given = {m: mv}"),
    'sort': _c("out = [T.sort(m), T.sort(m, axis=0), T.sort(m, axis=None)]; given = {m: -mv * mv}"),
    'argsort': _c("out = [T.argsort(v), T.argsort(m, axis=0)]; given = {v: vv, m: np.cos(mv)}"),
    'cumsum': _c("out = [T.cumsum(m), T.cumsum(m, axis=0), T.cumsum(bv)]; given = {m: mv, bv: np.array([1, 2, 3], 'int8')}"),
    'cumprod': _c("out = [T.cumprod(v), T.cumprod(m, axis=1)]; given = {v: vv, m: mv / 4}"),
    'diff': _c("out = [E.diff(m), E.diff(m, n=2, axis=0), E.diff(r)]; given = {m: mv ** 2, r: np.array([[1.0, 4.0, 9.0]])}"),
    'bincount': _c("out = [E.bincount(iv), E.bincount(iv, weights=v, minlength=8)]; given = {iv: ivv, v: vv}"),
    'squeeze': _c("out = E.squeeze(r); given = {r: np.array([[1.0, 2.0]])}"),
    'compress': _c("out = [E.compress(v > 0, v), E.compress(iv > 1, m, axis=1)]; given = {v: vv, iv: ivv[:4], m: mv}"),
    'tile': _c("out = [T.tile(v, (2,)), T.tile(m, (2, 1, 3))]; given = {v: vv, m: mv}"),
    'repeat': _c("out = [T.repeat(v, 3), T.repeat(m, 2, axis=1)]; given = {v: vv, m: mv}"),
    'repeat_vector': _c("out = T.repeat(m, lv, axis=0); given = {m: mv, lv: np.array([1, 0, 3])}"),
    'roll': _c("out = [T.roll(v, 2), T.roll(m, -1, axis=1), T.roll(m, 5)]; given = {v: vv, m: mv}"),
    'batched_dot': _c("out = [T.batched_dot(t3, t3.dimshuffle(0, 2, 1)), T.batched_dot(m, m), T.batched_dot(t3, m[:2, :2])]; given = {t3: t3v, m: mv}"),
    'batched_tensordot': _c("out = T.batched_tensordot(t3, t3, axes=[[2], [2]]); given = {t3: t3v}"),
    'shape_pad': _c("out = [T.shape_padleft(v), T.shape_padright(v, 2), T.shape_padaxis(m, 1)]; given = {v: vv, m: mv}"),
    'mgrid': _c("out = [T.mgrid[0:3, 0:2][0], T.mgrid[0:3, 0:2][1]]; given = {}"),
    'ogrid': _c("out = [T.ogrid[0:3, 0:2][0], T.ogrid[0:3, 0:2][1]]; given = {}"),
    'tri': _c("out = [T.tri(3), T.tri(3, 4, 1, dtype='int32')]; given = {}"),
    'tril_triu': _c("out = [T.tril(m), T.triu(m, 1), T.tril(m, -1)]; given = {m: mv}"),
    'diag': _c("out = [T.diag(v), T.diag(m), T.diagonal(m, 1), T.diag(v, 1)]; given = {v: vv, m: mv}"),
    'choose': _c("out = T.choose(iv, [v, 2 * v, 3 * v, 4 * v, 5 * v, 6 * v]); given = {iv: ivv, v: vv}"),
    'fill_diagonal': _c("out = [T.fill_diagonal(m, 1.0), E.fill_diagonal_offset(m, 7.0, -1), E.fill_diagonal_offset(m, 7.0, 2)]; given = {m: mv}"),
    'unravel_index': _c("out = list(T.unravel_index(lv, (3, 4))); given = {lv: np.array([0, 5, 11])}"),
    'ravel_multi_index': _c("out = T.ravel_multi_index((lv, lv), (3, 4)); given = {lv: np.array([0, 1, 2])}"),
    'tensordot_int': _c("out = [T.tensordot(m, m.T, 1), T.tensordot(v, v, 0), T.tensordot(t3, m[:3, :2], 2)]; given = {m: mv, v: vv, t3: t3v}"),
    'unique': _c("out = list(E.Unique(True, True, True)(iv)); given = {iv: ivv}"),
    'searchsorted': _c("out = E.searchsorted(v, m); given = {v: np.sort(vv), m: mv / 4}"),
    'to_one_hot': _c("out = E.to_one_hot(iv, 6); given = {iv: ivv}"),
    'bartlett': _c("out = E.bartlett(5); given = {}"),
    'stack': _c("out = T.stack(v, v, v); given = {v: vv}"),
    'stacklists': _c("a, b, c, d = T.dscalars('a', 'b', 'c', 'd'); out = T.stacklists([[a, b], [c, d]]); given = {a: 1.0, b: 2.0, c: 3.0, d: 4.0}"),
    'specify_shape': _c("out = T.specify_shape(v, (5,)); given = {v: vv}"),
    # boolean masks, softmax of a vector
    'mask_vector': _c("out = v[v > 0.2]; given = {v: vv}"),
    'mask_matrix': _c("out = [m[m > 0], m[m.sum(1) > 0], m[:, m.sum(0) > 0]]; given = {m: mv}"),
    'mask_set_inc': _c("out = [T.set_subtensor(v[v > 0], 0), T.inc_subtensor(m[m > 0], 1.5)]; given = {v: vv, m: mv}"),
    'mask_grad': _c("out = T.grad((v[v > 0.2] ** 2).sum(), v); given = {v: vv}"),
    'softmax_vector': _c("out = T.nnet.softmax(v); given = {v: vv}"),
    # linear algebra, fft
    'nlinalg': _c("out = [N.matrix_inverse(m), N.det(m), N.pinv(m), N.trace(m), N.eigh(m)[0], N.svd(m, compute_uv=False), N.qr(m, 'r'), N.matrix_dot(m, m, m)]; given = {m: spd}"),
    'norm': _c("out = [N.norm(m, None), N.norm(m, 'inf'), N.norm(m, 1), N.norm(v, None), N.norm(v, 'inf'), N.norm(v, 3)]; given = {m: mv, v: vv}"),
    'slinalg': _c("out = [S.cholesky(m), S.solve(m, v[:3]), S.solve(m, m), S.expm(m / 4), S.solve_lower_triangular(T.tril(m), v[:3])]; given = {m: spd, v: vv}"),
    'kron': _c("out = S.kron(m, m[:2, :2]); given = {m: spd}"),
    'fft': _c("out = [F.rfft(m), F.irfft(F.rfft(m)), F.rfft(m, norm='ortho'), F.irfft(F.rfft(m[:, :3]), is_odd=True)]; given = {m: mv}"),
    'linalg_grads': _c("out = [T.grad(N.det(m), m), T.grad(N.matrix_inverse(m).sum(), m), T.grad(S.cholesky(m).sum(), m), T.grad(N.eigh(m)[0].sum(), m), T.grad(S.expm(m / 4).sum(), m)]; given = {m: spd}"),
}


def all_cases():
    return CASES
