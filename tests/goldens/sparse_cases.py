"""Snippets for the goldens of theano.sparse and theano.typed_list (sparse_goldens.json).

Each snippet runs with ``theano``, ``T``, ``S`` (theano.sparse), ``TL``
(theano.typed_list), ``np`` and ``sp`` (scipy.sparse) in scope, after PRELUDE. It defines
``out`` (printed with debugprint) and/or ``fn_inputs``, ``fn_outputs``, ``fn_args``: the
values ``theano.function(fn_inputs, fn_outputs)(*fn_args)`` returns are recorded (a sparse
result as its format, shape and dense value).
"""

PRELUDE = '''
rng = np.random.RandomState(0)
A = sp.random(6, 5, density=0.4, format='csr', random_state=1)
B = sp.random(6, 5, density=0.4, format='csr', random_state=2)
Wv = rng.rand(5, 3)
Dv = rng.rand(6, 5)
Mv = Dv * (Dv > 0.5)
x = S.csr_matrix('x')
y = S.csr_matrix('y')
c = S.csc_matrix('c')
W = T.matrix('W')
D = T.matrix('D')
'''

CASES = {
    'structured_dot': '''
out = S.structured_dot(x, W)
fn_inputs, fn_outputs, fn_args = [x, W], [out], [A, Wv]
''',
    'structured_dot_grad_W': '''
out = T.grad(S.structured_dot(x, W).sum(), W)
fn_inputs, fn_outputs, fn_args = [x, W], [out], [A, Wv]
''',
    'structured_dot_grad_x': '''
out = T.grad(S.structured_dot(x, W).sum(), x)
fn_inputs, fn_outputs, fn_args = [x, W], [out], [A, Wv]
''',
    'structured_dot_csc_grad_x': '''
out = T.grad(S.structured_dot(c, W).sum(), c)
fn_inputs, fn_outputs, fn_args = [c, W], [out], [A.tocsc(), Wv]
''',
    'dot_sparse_dense': '''
out = S.dot(x, W)
fn_inputs, fn_outputs, fn_args = [x, W], [out, T.grad((out ** 2).sum(), W)], [A, Wv]
''',
    'dot_dense_sparse': '''
out = S.dot(D.T, x)
fn_inputs, fn_outputs, fn_args = [D, x], [out], [Dv, A]
''',
    'dot_grad_x': '''
out = T.grad(S.dot(x, W).sum(), x)
''',
    'true_dot': '''
out = S.true_dot(x, W)
fn_inputs, fn_outputs, fn_args = [x, W], [out], [A, Wv]
''',
    'dense_from_sparse': '''
out = S.dense_from_sparse(x)
fn_inputs, fn_outputs, fn_args = [x], [out, T.grad((out ** 2).sum(), x)], [A]
''',
    'csr_from_dense': '''
M = T.matrix('M')
out = S.csr_from_dense(M)
fn_inputs, fn_outputs, fn_args = [M], [out], [Mv]
''',
    'csc_from_dense': '''
M = T.matrix('M')
out = S.csc_from_dense(M)
fn_inputs, fn_outputs, fn_args = [M], [out, T.grad(S.sp_sum(out * M), M)], [Mv]
''',
    'sp_sum_axis0': '''
out = S.sp_sum(x, axis=0)
fn_inputs, fn_outputs, fn_args = [x], [out, S.sp_sum(x, axis=1), S.sp_sum(x)], [A]
''',
    'sp_sum_sparse_grad': '''
out = T.grad((S.sp_sum(x, axis=1, sparse_grad=True) ** 2).sum(), x)
fn_inputs, fn_outputs, fn_args = [x], [out], [A]
''',
    'structured_sigmoid': '''
out = S.structured_sigmoid(x)
fn_inputs, fn_outputs, fn_args = [x], [out, S.structured_exp(x), S.sqr(x), S.sqrt(x), S.tanh(x), S.structured_pow(x, 3)], [A]
''',
    'structured_sigmoid_grad': '''
out = T.grad(S.sp_sum(S.structured_sigmoid(x)), x)
fn_inputs, fn_outputs, fn_args = [x], [out], [A]
''',
    'add_s_s': '''
out = S.add(x, y)
fn_inputs, fn_outputs, fn_args = [x, y], [out, S.sub(x, y), S.mul(x, y)], [A, B]
''',
    'add_s_d': '''
out = S.add(x, D)
fn_inputs, fn_outputs, fn_args = [x, D], [out, S.mul(x, D), S.sub(x, D)], [A, Dv]
''',
    'transpose': '''
out = S.transpose(x)
fn_inputs, fn_outputs, fn_args = [x], [out, x.T * 2.0], [A]
''',
    'row_col_scale': '''
s_row, s_col = T.vector('s_row'), T.vector('s_col')
out = S.col_scale(x, s_col)
fn_inputs, fn_outputs, fn_args = [x, s_row, s_col], [S.row_scale(x, s_row), out], [A, np.arange(1.0, 7.0), np.arange(1.0, 6.0)]
''',
    'csm_properties': '''
data, indices, indptr, shape = S.csm_properties(x)
out = S.CSR(data * 2, indices, indptr, shape)
fn_inputs, fn_outputs, fn_args = [x], [out, indptr, shape], [A]
''',
    'sp_ones_like': '''
out = S.sp_ones_like(x)
fn_inputs, fn_outputs, fn_args = [x], [out], [A]
''',
    'mul_grad': '''
out = T.grad(S.sp_sum(S.mul(x, D)), D)
fn_inputs, fn_outputs, fn_args = [x, D], [out, T.grad(S.sp_sum(S.mul(x, D)), x)], [A, Dv]
''',
    'clean': '''
Z = sp.csr_matrix((np.array([0.0, 2.0, 3.0, 4.0]), np.array([2, 0, 1, 1]), np.array([0, 2, 4])),
                  shape=(2, 3))
z = S.csr_matrix('z')
out = S.clean(z)
fn_inputs, fn_outputs, fn_args = [z], [out, S.remove0(z), S.ensure_sorted_indices(z)], [Z]
''',
    'hstack': '''
out = S.hstack([x, y])
fn_inputs, fn_outputs, fn_args = [x, y], [out, S.vstack([x, y], format='csr')], [A, B]
''',
    'comparisons': '''
out = S.lt(x, y)
fn_inputs = [x, y, D]
fn_outputs = [out, S.eq(x, y), S.neq(x, D), S.gt(D, x), x >= y, x <= D]
fn_args = [A, B, Dv]
''',
    'typed_list': '''
tl = TL.TypedListType(T.dvector)()
v = T.dvector('v')
i = T.lscalar('i')
appended = TL.append(tl, v)
out = TL.getitem(appended, i)
fn_inputs = [tl, v, i]
fn_outputs = [out, TL.length(appended), TL.count(appended, v), TL.index_(appended, v)]
fn_args = [[np.arange(3.0), np.ones(2)], np.arange(4.0), 2]
''',
    'typed_list_edit': '''
tl = TL.TypedListType(T.dmatrix)()
m = T.dmatrix('m')
j = T.lscalar('j')
out = TL.reverse(TL.insert(TL.extend(tl, tl), j, m))
fn_inputs = [tl, m, j]
fn_outputs = [out, TL.remove(tl, m), TL.make_list([m, m * 2])]
fn_args = [[np.zeros((2, 2)), np.ones((1, 3))], np.ones((1, 3)), 1]
''',
}
