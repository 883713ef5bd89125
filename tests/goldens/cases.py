"""Cases for the Theano 1.0.5 golden outputs in this folder.

Every ``code`` value is a Python snippet that runs unchanged under Theano 1.0.5 and under
symgraph.  It may use only the names ``theano``, ``T`` (``theano.tensor``) and ``np``
(``numpy``) and defines ``out``:

* DEBUGPRINT_CASES: ``out`` is a variable or a list of variables; the golden is
  ``theano.printing.debugprint(out, file='str', **kwargs)`` (floatX=float64).
* TYPE_CASES: ``out`` is one variable; the golden records ``str(out.type)``, ``out.dtype``,
  ``out.broadcastable`` and, when every input of the graph is a constant or a shared
  variable, ``out.eval()``.
* PPRINT_CASES: ``out`` is one variable; the golden is ``theano.printing.pprint(out)``.
* ERROR_CASES: the snippet raises; the golden is the exception class name and ``str(e)``,
  produced with ``theano.config.traceback.limit = 0`` (so Theano adds no "Backtrace when that
  variable is created" section, which would depend on the caller's stack).

Snippets are run with ``exec(compile(code, '<case>', 'exec'), {'theano': theano, 'T': T,
'np': np})``.  The filename matters: an unnamed ``theano.function`` is named
``'<file>:<line>'`` of its call, e.g. ``"<case>:2"``, and that name appears in error messages.
"""
import textwrap


def _code(src):
    return textwrap.dedent(src).strip() + "\n"


def _case(src, **kwargs):
    return dict(code=_code(src), kwargs=kwargs)


# LXMLS Day 5 (Theano-era) graphs.  W1/b1/W2/b2 are shared variables, b1/b2 are columns
# (broadcastable=(False, True)), x is a matrix with one example per column.
_LXMLS_PARAMS = """
W1 = theano.shared(np.ones((3, 4)), name='W1', borrow=True)
b1 = theano.shared(np.zeros((3, 1)), name='b1', borrow=True, broadcastable=(False, True))
W2 = theano.shared(np.ones((2, 3)), name='W2', borrow=True)
b2 = theano.shared(np.zeros((2, 1)), name='b2', borrow=True, broadcastable=(False, True))
x = T.matrix('x')
"""

# Ex 5.2
_LXMLS_PERCEPTRON = _LXMLS_PARAMS + """
z1 = T.dot(W1, x) + b1
z1.name = 'z1'
tilde_z1 = T.nnet.sigmoid(z1)
tilde_z1.name = 'tilde_z1'
out = tilde_z1
"""

# Ex 5.4 (TheanoMLP._forward)
_LXMLS_FORWARD = _LXMLS_PARAMS + """
z1 = T.dot(W1, x) + b1
z1.name = 'z1'
tilde_z1 = T.nnet.sigmoid(z1)
tilde_z1.name = 'tilde_z1'
z2 = T.dot(W2, tilde_z1) + b2
z2.name = 'z2'
tilde_z2 = T.nnet.softmax(z2.T).T
tilde_z2.name = 'tilde_z2'
out = tilde_z2
"""

# Ex 5.5 (cost built by hand in the notebook: z2 and tilde_z2 unnamed)
_LXMLS_COST = _LXMLS_PARAMS + """
z1 = T.dot(W1, x) + b1
z1.name = 'z1'
tilde_z1 = T.nnet.sigmoid(z1)
tilde_z1.name = 'tilde_z1'
z2 = T.dot(W2, tilde_z1) + b2
tilde_z2 = T.nnet.softmax(z2.T).T
y = T.ivector('y')
F = -T.mean(T.log(tilde_z2[y, T.arange(y.shape[0])]))
out = F
"""


# scan: a simple RNN step, the shared W used inside the step without being passed.
_SCAN_RNN = """
x = T.matrix('x')
h0 = T.vector('h0')
W = theano.shared(np.ones((3, 3)), name='W')
U = T.matrix('U')
h, updates = theano.scan(lambda x_t, h_tm1, U: T.tanh(T.dot(x_t, W) + T.dot(h_tm1, U)),
                         sequences=x, outputs_info=h0, non_sequences=U)
out = h
"""


DEBUGPRINT_CASES = {
    # ---- LXMLS Day 5 -------------------------------------------------------------------
    'lxmls_perceptron': _case(_LXMLS_PERCEPTRON),
    'lxmls_perceptron_print_type': _case(_LXMLS_PERCEPTRON, print_type=True),
    'lxmls_perceptron_ids_int': _case(_LXMLS_PERCEPTRON, ids='int'),
    'lxmls_perceptron_ids_empty': _case(_LXMLS_PERCEPTRON, ids=''),
    'lxmls_forward': _case(_LXMLS_FORWARD),
    'lxmls_forward_stop_on_name': _case(_LXMLS_FORWARD, stop_on_name=True),
    'lxmls_cost': _case(_LXMLS_COST),
    'lxmls_cost_depth2': _case(_LXMLS_COST, depth=2),
    'lxmls_cost_print_type': _case(_LXMLS_COST, print_type=True),

    # ---- layout: repeated nodes, many ids, lists ---------------------------------------
    'repeated_node': _case("""
        x = T.matrix('x')
        y = T.matrix('y')
        a = x * y
        out = a + a.sum()
        """),
    'many_nodes': _case("""
        x = T.vector('x')
        w = T.vector('w')
        h = x
        for k in range(8):
            h = T.tanh(h * w + k)
        out = h.sum()
        """),
    'two_outputs_shared': _case("""
        x = T.matrix('x')
        W = theano.shared(np.ones((3, 3)), name='W')
        h = T.dot(x, W)
        h.name = 'h'
        out = [T.exp(h).sum(), h * 2]
        """),
    'two_outputs_shared_ids_int': _case("""
        x = T.matrix('x')
        W = theano.shared(np.ones((3, 3)), name='W')
        h = T.dot(x, W)
        out = [T.exp(h).sum(), h * 2, x]
        """, ids='int', print_type=True),

    # ---- scalars and constants ---------------------------------------------------------
    'scalar_constants': _case("""
        x = T.vector('x')
        out = [x + 1, x * 2.5, 2 ** x, 1 - x, x / 2, x + np.float64(0.5)]
        """),
    'matrix_constants': _case("""
        m = T.matrix('m')
        s = T.scalar('s')
        out = [m + 1, m * s, 0.5 * m + s, m + np.ones((2, 2)), m * np.arange(3.0)]
        """),
    'float32_autocast': _case("""
        X = T.fmatrix('X')
        v = T.fvector('v')
        d = T.dvector('d')
        out = [X * 2.5, X + 1, X / 3.0, v + d, X * T.lscalar('n')]
        """, print_type=True),
    'int_vectors': _case("""
        iv = T.ivector('iv')
        lv = T.lvector('lv')
        bv = T.bvector('bv')
        out = [iv + 1, iv + lv, iv / iv, iv // 2, iv % 3, iv * 2.5, bv + 1000]
        """, print_type=True),

    'constant_identity': _case("""
        x = T.vector('x')
        out = [x + 1, x + 1, x + 20, x + 20, x + 1.0, x * 2.5, x * 2.5, x - 10, x - 10, x - 11, x - 11]
        """, print_type=True),
    'unnamed_shared_and_array_constants': _case("""
        s = theano.shared(np.ones((2, 2)))
        v = T.vector('v')
        C = T.constant(np.arange(4.0).reshape(2, 2), name='C')
        out = [s * 2, v + np.arange(30.0), v + np.arange(5), s + np.ones((2, 2)), s + C,
               v + np.array([1.5, -2.0]), s * np.eye(2)]
        """, print_type=True),

    # ---- TensorVariable operators ------------------------------------------------------
    'binary_operators': _case("""
        x = T.matrix('x')
        y = T.matrix('y')
        out = [x + y, x - y, x * y, x / y, x // y, x % y, x ** y]
        """),
    'unary_and_reflected': _case("""
        x = T.matrix('x')
        out = [-x, abs(x), 3 - x, 3 / x, 3 // x, 3 % x, 2 * x, x ** 2]
        """),
    'comparisons': _case("""
        x = T.matrix('x')
        y = T.matrix('y')
        out = [x < y, x <= y, x > y, x >= y, T.eq(x, y), T.neq(x, y), x > 0]
        """, print_type=True),

    # ---- dimshuffle / reshape ----------------------------------------------------------
    'transpose': _case("""
        W = T.matrix('W')
        x = T.matrix('x')
        out = [W.T, (W + x).T, W.T.T, T.transpose(x)]
        """),
    'dimshuffle': _case("""
        v = T.vector('v')
        m = T.matrix('m')
        out = [v.dimshuffle(0, 'x'), v.dimshuffle('x', 0), m.dimshuffle(1, 0),
               m.dimshuffle('x', 0, 1), m.dimshuffle(0, 'x', 1)]
        """, print_type=True),
    'reshape_flatten': _case("""
        m = T.matrix('m')
        t = T.tensor3('t')
        out = [m.reshape((3, 4)), m.reshape((m.shape[0] * m.shape[1],)), t.flatten(2),
               m.flatten(), t.reshape((t.shape[0], -1))]
        """, print_type=True),

    # ---- reductions --------------------------------------------------------------------
    'reductions_all': _case("""
        m = T.matrix('m')
        out = [m.sum(), m.mean(), m.max(), m.min(), m.prod(), m.argmax(), m.argmin()]
        """),
    'reductions_axis': _case("""
        m = T.matrix('m')
        out = [m.sum(axis=0), m.mean(axis=1), m.max(axis=0), m.min(axis=1),
               m.prod(axis=0), m.argmax(axis=1), m.argmin(axis=0), T.sum(m, axis=1)]
        """),
    'reductions_keepdims': _case("""
        m = T.matrix('m')
        out = [m.sum(axis=1, keepdims=True), m.mean(axis=0, keepdims=True),
               m.max(axis=1, keepdims=True), m.argmax(axis=1, keepdims=True),
               m.sum(keepdims=True)]
        """, print_type=True),
    'var_std': _case("""
        m = T.matrix('m')
        out = [m.var(), m.std(axis=0)]
        """),
    'int_reductions': _case("""
        iv = T.ivector('iv')
        bv = T.bvector('bv')
        out = [iv.sum(), bv.sum(), iv.mean(), bv.prod(), iv.max()]
        """, print_type=True),

    # ---- elementwise functions ---------------------------------------------------------
    'cast_switch_clip': _case("""
        x = T.matrix('x')
        y = T.matrix('y')
        iv = T.ivector('iv')
        out = [T.cast(x, 'int32'), T.cast(iv, 'float32'), T.switch(x > 0, x, 0),
               T.switch(T.lt(x, y), x, y), T.clip(x, 0, 1), T.maximum(x, y), T.minimum(x, 0)]
        """),
    'elemwise_math': _case("""
        x = T.vector('x')
        out = [T.exp(x), T.log(x), T.log1p(x), T.sqrt(x), T.sqr(x), T.tanh(x), T.sgn(x),
               T.round(x), T.floor(x), T.ceil(x), T.abs_(x), T.xlogx.xlogx(x)]
        """),

    # ---- join / constructors -----------------------------------------------------------
    'join_stack': _case("""
        x = T.matrix('x')
        y = T.matrix('y')
        v = T.vector('v')
        w = T.vector('w')
        out = [T.concatenate([x, y], axis=0), T.concatenate([x, y], axis=1), T.stack([v, w]),
               T.join(0, v, w)]
        """, print_type=True),
    'arange': _case("""
        n = T.lscalar('n')
        k = T.iscalar('k')
        out = [T.arange(n), T.arange(2, n), T.arange(1, n, 2), T.arange(k), T.arange(10)]
        """, print_type=True),
    'alloc_fill': _case("""
        n = T.lscalar('n')
        x = T.matrix('x')
        out = [T.alloc(0.0, n, 3), T.zeros((n, 3)), T.ones((2, 3)), T.zeros_like(x),
               T.ones_like(x), T.fill(x, 2.0), T.eye(3)]
        """, print_type=True),

    # ---- indexing ----------------------------------------------------------------------
    'basic_slicing': _case("""
        x = T.matrix('x')
        i = T.lscalar('i')
        bs = 20
        out = [x[1:3], x[:, 2], x[i * bs:(i + 1) * bs], x[::-1], x[-1], x[1:], x[:2, 1]]
        """),
    'minibatch_slice_shared': _case("""
        train_x = theano.shared(np.zeros((100, 5)), name='train_x')
        index = T.lscalar('index')
        batch_size = 20
        out = train_x[index * batch_size: (index + 1) * batch_size]
        """),
    'newaxis': _case("""
        x = T.vector('x')
        out = [x[None, :], x[:, None]]
        """, print_type=True),
    'advanced_indexing': _case("""
        x = T.matrix('x')
        v = T.vector('v')
        ivec = T.ivector('ivec')
        y = T.ivector('y')
        p = T.matrix('p')
        out = [v[ivec], x[ivec], x[:, ivec], p[y, T.arange(y.shape[0])]]
        """),
    'set_inc_subtensor': _case("""
        x = T.matrix('x')
        v = T.vector('v')
        ivec = T.ivector('ivec')
        out = [T.set_subtensor(x[1:3], 0), T.inc_subtensor(x[:, 2], v),
               T.set_subtensor(v[ivec], 1.0), T.inc_subtensor(x[ivec], v),
               T.inc_subtensor(x[ivec, T.arange(ivec.shape[0])], 1.0)]
        """),

    # ---- nnet --------------------------------------------------------------------------
    'nnet_ops': _case("""
        x = T.matrix('x')
        p = T.matrix('p')
        y = T.ivector('y')
        t = T.matrix('t')
        out = [T.nnet.sigmoid(x), T.nnet.softplus(x), T.nnet.relu(x), T.nnet.softmax(x),
               T.nnet.categorical_crossentropy(p, y), T.nnet.binary_crossentropy(p, t)]
        """),

    # ---- dot ---------------------------------------------------------------------------
    'dot_variants': _case("""
        u = T.vector('u')
        v = T.vector('v')
        A = T.matrix('A')
        B = T.matrix('B')
        out = [T.dot(u, v), T.dot(u, A), T.dot(A, v), T.dot(A, B), A.dot(B)]
        """, print_type=True),

    # ---- DeepLearningTutorials-style logistic regression -------------------------------
    'logreg_nll': _case("""
        x = T.matrix('x')
        y = T.ivector('y')
        W = theano.shared(np.zeros((5, 3)), name='W', borrow=True)
        b = theano.shared(np.zeros((3,)), name='b', borrow=True)
        p_y_given_x = T.nnet.softmax(T.dot(x, W) + b)
        y_pred = T.argmax(p_y_given_x, axis=1)
        nll = -T.mean(T.log(p_y_given_x)[T.arange(y.shape[0]), y])
        errors = T.mean(T.neq(y_pred, y))
        out = [nll, errors]
        """),

    # ---- gradients ---------------------------------------------------------------------
    'grad_dot_sum': _case("""
        x = T.matrix('x')
        W = theano.shared(np.ones((3, 2)), name='W')
        cost = T.dot(x, W).sum()
        cost.name = 'cost'
        out = T.grad(cost, W)
        """),
    'grad_sigmoid_mean': _case("""
        x = T.vector('x')
        w = T.vector('w')
        cost = T.mean(T.nnet.sigmoid(x * w))
        out = T.grad(cost, [w, x])
        """, print_type=True),
    'grad_int_input': _case("""
        iv = T.ivector('iv')
        out = T.grad(iv.sum(), iv)
        """, print_type=True),
    # OpFromGraph: a graph used as one op, applied twice, with two outputs, differentiated.
    'op_from_graph': _case("""
        x, y, z = T.dscalar('x'), T.dscalar('y'), T.dscalar('z')
        op = theano.OpFromGraph([x, y, z], [x + y * z])
        a, b, c = T.dscalar('a'), T.dscalar('b'), T.dscalar('c')
        out = op(a, b, c) + op(c, b, a)
        """),
    'op_from_graph_two_outputs': _case("""
        x, y = T.dmatrix('x'), T.dmatrix('y')
        op = theano.OpFromGraph([x, y], [x + y, T.dot(x, y)])
        m, n = T.dmatrix('m'), T.dmatrix('n')
        out = op(m, n)
        """, print_type=True),
    'op_from_graph_grad': _case("""
        x, y, z = T.dscalar('x'), T.dscalar('y'), T.dscalar('z')
        op = theano.OpFromGraph([x, y, z], [x + y * z])
        a, b, c = T.dscalar('a'), T.dscalar('b'), T.dscalar('c')
        out = T.grad(op(a, b, c), b)
        """),

    # ---- scan: the outer graph and the "Inner graphs of the scan ops:" section ----------
    # A simple RNN: a sit-sot (h0), the shared W read inside the step (a non-sequence).
    'scan_rnn_shared': _case(_SCAN_RNN),
    'scan_rnn_shared_print_type': _case(_SCAN_RNN, print_type=True),
    'scan_rnn_shared_ids_int': _case(_SCAN_RNN, ids='int'),
    'scan_map_vector': _case("""
        v = T.vector('v')
        out, updates = theano.map(lambda v_t: v_t ** 2 + 1, sequences=v)
        """),
    # The power example of Theano's scan tutorial (symbolic n_steps, last step only).
    'scan_power': _case("""
        k = T.iscalar('k')
        A = T.vector('A')
        result, updates = theano.scan(lambda prior, A: prior * A, outputs_info=T.ones_like(A),
                                      non_sequences=A, n_steps=k)
        out = result[-1]
        """),
    'scan_mit_sot_taps': _case("""
        x0 = T.matrix('x0')
        s = T.vector('s')
        out, updates = theano.scan(lambda s_t, a, b: a - 0.5 * b + s_t, sequences=s,
                                   outputs_info=dict(initial=x0, taps=[-2, -1]))
        """),
    'scan_sequence_taps': _case("""
        x = T.matrix('x')
        out, updates = theano.scan(lambda x_tm1, x_t: x_t - x_tm1,
                                   sequences=dict(input=x, taps=[-1, 0]))
        """),
    # Two outputs: a sit-sot and a nit-sot (None in outputs_info); both returned.
    'scan_two_outputs': _case("""
        x = T.matrix('x')
        h0 = T.vector('h0')
        c = T.scalar('c')
        out, updates = theano.scan(lambda x_t, h, c: [h * c + x_t, T.sum(x_t * h)],
                                   sequences=x, outputs_info=[h0, None], non_sequences=c)
        """),
    'scan_named': _case("""
        x = T.matrix('x')
        h0 = T.vector('h0')
        W = theano.shared(np.ones((3, 3)), name='W')
        out, updates = theano.scan(lambda x_t, h: T.tanh(x_t + T.dot(h, W)), sequences=x,
                                   outputs_info=h0, name='rnn')
        """),
    'scan_go_backwards_taps': _case("""
        x = T.matrix('x')
        h0 = T.vector('h0')
        out, updates = theano.scan(lambda x_tm1, x_t, h: h + x_t * x_tm1,
                                   sequences=dict(input=x, taps=[-1, 0]), outputs_info=h0,
                                   go_backwards=True)
        """),
    # A shared counter updated by the step: the update is a state of the loop.
    'scan_updates_counter': _case("""
        x = T.vector('x')
        count = theano.shared(np.int64(0), name='count')
        out, updates = theano.scan(lambda x_t: (x_t * 2, {count: count + 1}), sequences=x)
        out = [out, updates[count]]
        """),
    'scan_until': _case("""
        h0 = T.scalar('h0')
        out, updates = theano.scan(
            lambda h: (h * 2, theano.scan_module.until(h * 2 > 50)), outputs_info=h0,
            n_steps=20)
        """),
    # LXMLS Day 6 (RNN forward, ex. 6.3 style): embeddings looked up by word id, a sigmoid
    # recurrent layer of 20 units started from a shared zero state, a softmax output layer.
    'lxmls_day6_rnn_forward': _case("""
        n_words, n_emb, n_hidd, n_tags = 12, 8, 20, 5
        W_e = theano.shared(np.ones((n_words, n_emb)), name='W_e', borrow=True)
        W_x = theano.shared(np.ones((n_hidd, n_emb)), name='W_x', borrow=True)
        W_h = theano.shared(np.ones((n_hidd, n_hidd)), name='W_h', borrow=True)
        W_y = theano.shared(np.ones((n_tags, n_hidd)), name='W_y', borrow=True)
        _h0 = theano.shared(np.zeros((1, n_hidd)), name='h0', borrow=True)
        _x = T.ivector('x')
        _z1 = W_e[_x]

        def rnn_step(_x_tm1, _h_tm1, _W_x, _W_h):
            return T.nnet.sigmoid(T.dot(_x_tm1, _W_x.T) + T.dot(_h_tm1, _W_h.T))

        _h, updates = theano.scan(fn=rnn_step, sequences=_z1, outputs_info=dict(initial=_h0),
                                  non_sequences=[W_x, W_h])
        _z2 = _h[:, 0, :]
        _p_y = T.nnet.softmax(T.dot(_z2, W_y.T))
        out = _p_y
        """),
}


# ---- dtype / type rules -------------------------------------------------------------------
# Only constants and shared variables where a value is wanted (so that out.eval() works).
TYPE_CASES = {
    'int32_plus_int64': "out = T.constant(np.arange(3, dtype='int32')) + T.constant(np.arange(3, dtype='int64'))",
    'int8_plus_pyint': "out = T.constant(np.arange(3, dtype='int8')) + 1",
    'int8_plus_pyint_large': "out = T.constant(np.arange(3, dtype='int8')) + 1000",
    'int8_plus_pyint_large_shared': "out = theano.shared(np.arange(3, dtype='int8')) + 1000",
    'uint8_minus_pyint': "out = theano.shared(np.arange(3, dtype='uint8')) - 1",
    'int32_times_pyfloat': "out = T.constant(np.arange(3, dtype='int32')) * 2.5",
    'int8_times_pyfloat': "out = T.constant(np.arange(3, dtype='int8')) * 2.5",
    'float32_plus_pyfloat': "out = theano.shared(np.ones(3, dtype='float32')) + 1.5",
    'float32_times_pyfloat_inexact': "out = theano.shared(np.ones(3, dtype='float32')) * 0.1",
    'float32_plus_pyint': "out = theano.shared(np.ones(3, dtype='float32')) + 1",
    'float32_plus_npfloat64': "out = theano.shared(np.ones(3, dtype='float32')) + np.float64(1.5)",
    'float32_times_int64': "out = theano.shared(np.ones(3, dtype='float32')) * theano.shared(np.arange(3, dtype='int64'))",
    'float32_times_int32': "out = theano.shared(np.ones(3, dtype='float32')) * theano.shared(np.arange(3, dtype='int32'))",
    'float32_times_int16': "out = theano.shared(np.ones(3, dtype='float32')) * theano.shared(np.arange(3, dtype='int16'))",
    'float32_times_int8': "out = theano.shared(np.ones(3, dtype='float32')) * theano.shared(np.arange(3, dtype='int8'))",
    'float32_plus_float64': "out = theano.shared(np.ones(3, dtype='float32')) + theano.shared(np.ones(3))",
    'int32_truediv_int32': "out = theano.shared(np.arange(1, 4, dtype='int32')) / theano.shared(np.array([2, 2, 2], dtype='int32'))",
    'int8_truediv_int8': "out = theano.shared(np.arange(1, 4, dtype='int8')) / theano.shared(np.array([2, 2, 2], dtype='int8'))",
    'int_floordiv_int': "out = theano.shared(np.arange(-3, 4, dtype='int32')) // 2",
    'int_mod_int': "out = theano.shared(np.arange(-3, 4, dtype='int32')) % 3",
    'float_floordiv': "out = theano.shared(np.array([-2.5, 2.5])) // 2",
    'int_pow_int': "out = theano.shared(np.arange(4, dtype='int32')) ** 2",
    'comparison_lt': "out = theano.shared(np.arange(3, dtype='int32')) < 1",
    'comparison_eq_float': "out = T.eq(theano.shared(np.arange(3.0)), 1.0)",
    'bool_plus_int': "out = (theano.shared(np.arange(3, dtype='int32')) < 1) + 1",
    'bool_sum': "out = (theano.shared(np.arange(3, dtype='int32')) < 2).sum()",
    'mean_int32': "out = T.mean(theano.shared(np.arange(4, dtype='int32')))",
    'mean_float32': "out = T.mean(theano.shared(np.arange(4, dtype='float32')))",
    'sum_int8': "out = theano.shared(np.arange(4, dtype='int8')).sum()",
    'sum_uint8': "out = theano.shared(np.arange(4, dtype='uint8')).sum()",
    'sum_float32': "out = theano.shared(np.arange(4, dtype='float32')).sum()",
    'prod_int32': "out = theano.shared(np.arange(1, 5, dtype='int32')).prod()",
    'max_int8': "out = theano.shared(np.arange(4, dtype='int8')).max()",
    'argmax': "out = theano.shared(np.array([[1.0, 3.0], [4.0, 2.0]])).argmax(axis=1)",
    'argmax_keepdims': "out = theano.shared(np.array([[1.0, 3.0], [4.0, 2.0]])).argmax(axis=1, keepdims=True)",
    'sum_axis0_keepdims': "out = theano.shared(np.arange(6.0).reshape(2, 3)).sum(axis=0, keepdims=True)",
    'arange_pyint': "out = T.arange(5)",
    'arange_pyint_int16': "out = T.arange(300, 303)",
    'arange_int32': "out = T.arange(T.constant(np.int32(4)))",
    'arange_int64': "out = T.arange(T.constant(np.int64(4)))",
    'arange_pyfloat': "out = T.arange(0.0, 1.0, 0.25)",
    'arange_int8_int32': "out = T.arange(T.constant(np.int8(1)), T.constant(np.int32(4)))",
    'cast_int32': "out = T.cast(theano.shared(np.array([1.7, -1.7])), 'int32')",
    'cast_float32': "out = T.cast(theano.shared(np.arange(3, dtype='int64')), 'float32')",
    'astype_int8': "out = theano.shared(np.array([1.5, 2.5])).astype('int8')",
    'shape_dtype': "out = theano.shared(np.zeros((2, 3))).shape",
    'shape_elem_dtype': "out = theano.shared(np.zeros((2, 3))).shape[0]",
    'sqrt_int32': "out = T.sqrt(theano.shared(np.arange(4, dtype='int32')))",
    'sqrt_int8': "out = T.sqrt(theano.shared(np.arange(4, dtype='int8')))",
    'sqrt_int64': "out = T.sqrt(theano.shared(np.arange(4, dtype='int64')))",
    'exp_int16': "out = T.exp(theano.shared(np.arange(3, dtype='int16')))",
    'neg_uint8': "out = -theano.shared(np.arange(3, dtype='uint8'))",
    'abs_int8': "out = abs(theano.shared(np.array([-3, 2], dtype='int8')))",
    'constant_pyint': "out = T.constant(3)",
    'constant_pyint_300': "out = T.as_tensor_variable(300)",
    'constant_pyfloat': "out = T.constant(2.5)",
    'constant_pyfloat_as_tensor': "out = T.as_tensor_variable(0.1)",
    'constant_list_int': "out = T.as_tensor_variable([1, 2, 3])",
    'constant_list_float': "out = T.as_tensor_variable([1.0, 2.0])",
    'zeros_default': "out = T.zeros((2, 3))",
    'ones_int32': "out = T.ones((2,), dtype='int32')",
    'eye': "out = T.eye(3)",
    'switch_int_float': "out = T.switch(theano.shared(np.array([1, 0], dtype='int8')), theano.shared(np.array([1, 2], dtype='int32')), 0.5)",
    'clip_int_floatbounds': "out = T.clip(theano.shared(np.arange(5, dtype='int32')), 1.5, 3)",
    'maximum_int_float32': "out = T.maximum(theano.shared(np.arange(3, dtype='int32')), theano.shared(np.ones(3, dtype='float32')))",
    'dot_int32': "out = T.dot(theano.shared(np.arange(3, dtype='int32')), theano.shared(np.arange(3, dtype='int32')))",
    'dot_float32_float64': "out = T.dot(theano.shared(np.ones((2, 2), dtype='float32')), theano.shared(np.ones(2)))",
    'concatenate_int32_int64': "out = T.concatenate([theano.shared(np.arange(2, dtype='int32')), theano.shared(np.arange(2, dtype='int64'))])",
    'stack_scalars': "out = T.stack([T.constant(1), T.constant(2.5)])",
    'dimshuffle_col': "out = theano.shared(np.arange(3.0)).dimshuffle(0, 'x')",
    'shared_broadcastable_col': "out = theano.shared(np.zeros((3, 1)), broadcastable=(False, True))",
    'shared_int_default': "out = theano.shared(np.arange(3))",
    'shared_pyfloat_scalar': "out = theano.shared(1.5)",
    'shared_pyint_scalar': "out = theano.shared(3)",
    'softmax_float32': "out = T.nnet.softmax(theano.shared(np.zeros((2, 3), dtype='float32')))",
    'sigmoid_int32': "out = T.nnet.sigmoid(theano.shared(np.arange(3, dtype='int32')))",
    'free_ivector_plus_lvector': "out = T.ivector('a') + T.lvector('b')",
    'free_fmatrix_div_iscalar': "out = T.fmatrix('X') / T.iscalar('n')",
    'free_lscalar_times_pyint': "out = T.lscalar('i') * 20",
    'free_wvector_plus_bvector': "out = T.wvector('a') + T.bvector('b')",
}
TYPE_CASES = {k: _code(v) for k, v in TYPE_CASES.items()}


PPRINT_CASES = {
    'lxmls_cost': _code(_LXMLS_COST),
    'lxmls_perceptron': _code(_LXMLS_PERCEPTRON),
    'lxmls_forward': _code(_LXMLS_FORWARD),
    'scalar_constants': _code("""
        x = T.vector('x')
        out = (x + 1) * 2.5 - 2 ** x / x
        """),
    'reductions_and_transpose': _code("""
        m = T.matrix('m')
        out = m.T.sum(axis=0) + m.mean() - m.max(axis=1)
        """),
    'comparisons_and_neg': _code("""
        x = T.vector('x')
        y = T.vector('y')
        out = T.switch(x < y, -x, abs(y))
        """),
    'logreg_nll': _code(DEBUGPRINT_CASES['logreg_nll']['code'].replace(
        'out = [nll, errors]', 'out = nll')),
}


ERROR_CASES = {
    'set_value_dtype': """
        s = theano.shared(np.zeros(3, dtype='float32'), name='s')
        s.set_value(np.zeros(3, dtype='float64'))
        """,
    'set_value_int_into_int_downcast': """
        s = theano.shared(np.zeros(3, dtype='int32'), name='s')
        s.set_value(np.zeros(3, dtype='int64'))
        """,
    'set_value_ndim': """
        s = theano.shared(np.zeros(3), name='s')
        s.set_value(np.zeros((3, 2)))
        """,
    'set_value_broadcastable': """
        s = theano.shared(np.zeros((3, 1)), name='s', broadcastable=(False, True))
        s.set_value(np.zeros((3, 2)))
        """,
    'call_bad_dtype_float_to_int': """
        x = T.ivector('x')
        f = theano.function([x], x * 2)
        f(np.array([1.5, 2.0]))
        """,
    'call_bad_dtype_float64_to_float32': """
        x = T.fvector('x')
        f = theano.function([x], x * 2)
        f(np.array([1.5, 2.0]))
        """,
    'call_wrong_ndim': """
        x = T.vector('x')
        f = theano.function([x], x * 2)
        f(np.zeros((2, 2)))
        """,
    'call_too_many_args': """
        x = T.vector('x')
        f = theano.function([x], x * 2)
        f(np.zeros(2), np.zeros(2))
        """,
    'call_missing_arg': """
        x = T.vector('x')
        y = T.vector('y')
        f = theano.function([x, y], x + y)
        f(np.zeros(2))
        """,
    'function_missing_input': """
        x = T.vector('x')
        y = T.vector('y')
        f = theano.function([x], x + y)
        """,
    'function_unused_input': """
        x = T.vector('x')
        y = T.vector('y')
        f = theano.function([x, y], x * 2)
        """,
    'function_shared_as_input': """
        s = theano.shared(np.zeros(3), name='s')
        f = theano.function([s], s * 2)
        """,
    'function_update_type_mismatch': """
        s = theano.shared(np.zeros(3, dtype='float32'), name='s')
        x = T.dvector('x')
        f = theano.function([x], [], updates=[(s, s + x)])
        """,
    'function_update_ndim_mismatch': """
        s = theano.shared(np.zeros(3), name='s')
        f = theano.function([], [], updates=[(s, s.sum())])
        """,
    'function_update_not_shared': """
        x = T.vector('x')
        f = theano.function([x], [], updates=[(x, x * 2)])
        """,
    'function_givens_type_mismatch': """
        x = T.dvector('x')
        s = theano.shared(np.zeros(3, dtype='float32'), name='s')
        f = theano.function([], x * 2, givens={x: s})
        """,
    'grad_non_scalar_cost': """
        x = T.vector('x')
        T.grad(x * 2, x)
        """,
    'grad_disconnected_input': """
        x = T.vector('x')
        y = T.vector('y')
        T.grad(x.sum(), y)
        """,
    'grad_wrt_not_variable': """
        x = T.vector('x')
        T.grad(x.sum(), 3)
        """,
    'call_unknown_kwarg': """
        x = T.vector('x')
        f = theano.function([x], x * 2)
        f(z=np.zeros(2))
        """,
    'call_broadcastable_mismatch': """
        x = T.col('x')
        f = theano.function([x], x * 2)
        f(np.zeros((3, 2)))
        """,
    'function_inputs_not_list': """
        x = T.vector('x')
        f = theano.function(x, x * 2)
        """,
    'set_subtensor_not_subtensor': """
        x = T.vector('x')
        T.set_subtensor(x * 2, 0)
        """,
    'dimshuffle_drop_non_broadcastable': """
        m = T.matrix('m')
        m.dimshuffle(0)
        """,
    'concatenate_ndim_mismatch': """
        T.concatenate([T.vector('v'), T.matrix('m')])
        """,
    'index_with_float': """
        v = T.vector('v')
        v[T.scalar('s')]
        """,
}
ERROR_CASES = {k: _code(v) for k, v in ERROR_CASES.items()}
