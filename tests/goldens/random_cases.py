"""Cases for the random-stream goldens (``random_streams.json``), made by real Theano 1.0.5.

Each case is a snippet that runs unchanged under Theano 1.0.5 and under symgraph, with
the names ``theano``, ``T``, ``np`` and ``MRG_RandomStreams`` (from
``theano.sandbox.rng_mrg``), under the case's floatX. It draws numbers through compiled
functions and leaves them, in order, in the list ``results``; a case with ``printed``
also records ``theano.printing.debugprint(printed, file='str')``.

The goldens are the numbers real Theano draws for the same seeds and calls:
``make_random_goldens.py`` writes them, ``tests/test_random_streams.py`` replays them.
"""
import textwrap


def _case(src, floatX='float64'):
    return dict(code=textwrap.dedent(src).strip() + '\n', floatX=floatX)


RANDOM_CASES = {
    # uniform ---------------------------------------------------------------------------
    'uniform_float32_constant_size': _case("""
        r = MRG_RandomStreams(12345)
        u = r.uniform((3, 4), dtype='float32')
        f = theano.function([], u)
        results = [f() for _ in range(3)]
        printed = u
    """),
    'uniform_float64_low_high': _case("""
        r = MRG_RandomStreams(234)
        u = r.uniform((5,), low=-2, high=3)
        f = theano.function([], u)
        results = [f() for _ in range(3)]
    """),
    'uniform_floatX32_symbolic_size': _case("""
        r = MRG_RandomStreams(7)
        x = T.matrix('x')
        u = r.uniform(x.shape)
        f = theano.function([x], u)
        results = [f(np.zeros(s, dtype='float32')) for s in [(4, 3), (2, 5), (130, 250), (4, 3)]]
        printed = u
    """, floatX='float32'),
    'uniform_large_constant_size': _case("""
        r = MRG_RandomStreams(99)
        u = r.uniform((500, 784), dtype='float32')
        v = r.uniform((300, 1001))
        f = theano.function([], [u, v])
        results = [a for _ in range(2) for a in f()]
    """),
    'uniform_float32_fused_multiply_add': _case("""
        r = MRG_RandomStreams(3)
        u = r.uniform((100, 100), low=-1.3, high=2.2, dtype='float32')
        x = T.fmatrix('x')
        f = theano.function([x], [u, u * x + 1.5])
        results = [a for _ in range(2) for a in f(np.full((100, 100), 0.7, 'float32'))]
    """),
    'uniform_nstreams_and_row': _case("""
        r = MRG_RandomStreams(5)
        u = r.uniform((1, 7), nstreams=3)
        w = r.uniform((2, 2), low=1., high=2., dtype='float32', nstreams=100)
        f = theano.function([], [u, w])
        results = [a for _ in range(3) for a in f()]
    """),
    'uniform_float16_and_numpy_int_size': _case("""
        r = MRG_RandomStreams(5)
        h = r.uniform((3, 7), dtype='float16')
        u = r.uniform((np.int64(3), 7))  # not Python ints: 60 * 256 streams, as in Theano
        f = theano.function([], [h, u])
        results = [a for _ in range(2) for a in f()]
    """),
    'uniform_six_int_seed': _case("""
        r = MRG_RandomStreams([1, 2, 3, 4, 5, 6])
        u = r.uniform((4, 4))
        f = theano.function([], u)
        results = [f(), f()]
    """),
    # normal ----------------------------------------------------------------------------
    'normal_float64_odd_size': _case("""
        r = MRG_RandomStreams(12345)
        n = r.normal((3, 5), avg=1.5, std=0.5)
        f = theano.function([], n)
        results = [f() for _ in range(3)]
        printed = n
    """),
    'normal_float32': _case("""
        r = MRG_RandomStreams(321)
        n = r.normal((4, 6), dtype='float32')
        f = theano.function([], n)
        results = [f() for _ in range(3)]
    """),
    'normal_symbolic_size_float32': _case("""
        r = MRG_RandomStreams(11)
        x = T.vector('x')
        n = r.normal(x.shape, avg=-1., std=3.)
        f = theano.function([x], n)
        results = [f(np.zeros(k, dtype='float32')) for k in (5, 8, 1)]
    """, floatX='float32'),
    'normal_int_size_nstreams': _case("""
        r = MRG_RandomStreams(77)
        n = r.normal(9, nstreams=4)
        f = theano.function([], n)
        results = [f(), f()]
    """),
    'truncated_normal': _case("""
        r = MRG_RandomStreams(2024)
        n = r.truncated_normal((40, 25), avg=0.5, std=2.0)
        f = theano.function([], n)
        results = [f() for _ in range(3)]
    """),
    # binomial --------------------------------------------------------------------------
    'binomial_float32_dropout_shape': _case("""
        r = MRG_RandomStreams(123)
        x = T.matrix('x')
        mask = r.binomial(size=x.shape, n=1, p=0.3, dtype='float32')
        f = theano.function([x], mask)
        results = [f(np.ones((6, 7), dtype='float32')) for _ in range(3)]
        printed = mask
    """, floatX='float32'),
    'binomial_int64_vector_p': _case("""
        r = MRG_RandomStreams(42)
        p = T.dvector('p')
        b = r.binomial((4, 5), p=p)
        f = theano.function([p], b)
        results = [f(np.linspace(0.1, 0.9, 5)) for _ in range(3)]
    """),
    'binomial_float64_symbolic_p': _case("""
        r = MRG_RandomStreams(8)
        p = T.dscalar('p')
        b = r.binomial((3, 9), p=1 - p, dtype='float64')
        f = theano.function([p], b)
        results = [f(0.2), f(0.7), f(0.0)]
    """),
    # multinomial and choice ------------------------------------------------------------
    'multinomial_float32': _case("""
        r = MRG_RandomStreams(31)
        pv = T.matrix('pv')
        m = r.multinomial(pvals=pv, dtype='float32')
        f = theano.function([pv], m)
        pvals = np.asarray([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3], [0.05, 0.05, 0.9],
                            [0.33, 0.33, 0.34]], dtype='float32')
        results = [f(pvals) for _ in range(4)]
    """, floatX='float32'),
    'multinomial_n3_int64': _case("""
        r = MRG_RandomStreams(55)
        pv = T.dmatrix('pv')
        m = r.multinomial(pvals=pv, n=3)
        f = theano.function([pv], m)
        pvals = np.random.RandomState(0).dirichlet(np.ones(6), size=5)
        results = [f(pvals) for _ in range(3)]
    """),
    'choice_without_replacement': _case("""
        r = MRG_RandomStreams(66)
        pv = T.dmatrix('pv')
        c = r.choice(size=3, p=pv, replace=False)
        f = theano.function([pv], c)
        pvals = np.random.RandomState(1).dirichlet(np.ones(7), size=4)
        results = [f(pvals) for _ in range(3)]
    """),
    'choice_without_replacement_float32': _case("""
        r = MRG_RandomStreams(67)
        pv = T.matrix('pv')
        c = r.choice(size=4, p=pv, replace=False, dtype='int32')
        f = theano.function([pv], c)
        pvals = np.random.RandomState(2).dirichlet(np.ones(5), size=6).astype('float32')
        results = [f(pvals) for _ in range(3)]
    """, floatX='float32'),
    # state semantics -------------------------------------------------------------------
    'two_functions_share_a_draw': _case("""
        r = MRG_RandomStreams(9)
        u = r.uniform((2, 3))
        f1 = theano.function([], u)
        f2 = theano.function([], u * 2)
        results = [f1(), f2(), f1(), f2()]
    """),
    'no_default_updates_freezes': _case("""
        r = MRG_RandomStreams(10)
        u = r.uniform((2, 2))
        frozen = theano.function([], u, no_default_updates=True)
        moving = theano.function([], u)
        results = [frozen(), frozen(), moving(), frozen(), moving()]
    """),
    'reseed': _case("""
        r = MRG_RandomStreams(10)
        u = r.uniform((2, 2))
        n = r.normal((3,))
        f = theano.function([], [u, n])
        results = list(f())
        r.seed(4321)
        results += list(f())
        results += list(f())
        r.seed()
        results += list(f())
    """),
    'several_draws_in_one_function': _case("""
        r = MRG_RandomStreams(1234)
        x = T.dmatrix('x')
        noisy = x + r.normal(x.shape, std=0.1) * r.binomial(x.shape, p=0.5, dtype='float64')
        f = theano.function([x], [noisy, r.uniform((2,))])
        results = [a for _ in range(3) for a in f(np.arange(12.).reshape(3, 4))]
    """),
    # scan ------------------------------------------------------------------------------
    'gibbs_chain_in_scan': _case("""
        rng = np.random.RandomState(0)
        W = theano.shared(rng.uniform(-0.5, 0.5, size=(6, 4)).astype('float32'), name='W')
        r = MRG_RandomStreams(rng.randint(2 ** 30))
        v0 = T.matrix('v0')

        def gibbs(v):
            h_mean = T.nnet.sigmoid(T.dot(v, W))
            h = r.binomial(size=h_mean.shape, n=1, p=h_mean, dtype='float32')
            v_mean = T.nnet.sigmoid(T.dot(h, W.T))
            return r.binomial(size=v_mean.shape, n=1, p=v_mean, dtype='float32')

        chain, updates = theano.scan(gibbs, outputs_info=v0, n_steps=4)
        f = theano.function([v0], chain, updates=updates)
        start = (rng.uniform(size=(3, 6)) > 0.5).astype('float32')
        results = [f(start) for _ in range(3)]
    """, floatX='float32'),
    'scan_draws_without_its_updates': _case("""
        r = MRG_RandomStreams(17)
        x = T.dvector('x')
        out, updates = theano.scan(lambda x_t: x_t + r.uniform((2,)), sequences=x)
        h = theano.function([x], out)
        f = theano.function([x], out, updates=updates)
        results = [h(np.zeros(2)), h(np.zeros(2)), f(np.zeros(3)), h(np.zeros(1))]
    """),
    # The DeepLearningTutorials patterns ------------------------------------------------
    'dA_corruption': _case("""
        numpy_rng = np.random.RandomState(123)
        theano_rng = MRG_RandomStreams(numpy_rng.randint(2 ** 30))
        x = T.matrix('x')
        results = []
        for corruption_level in (0., 0.3):
            tilde_x = theano_rng.binomial(size=x.shape, n=1, p=1 - corruption_level,
                                          dtype=theano.config.floatX) * x
            f = theano.function([x], tilde_x)
            data = numpy_rng.uniform(size=(20, 28 * 28)).astype(theano.config.floatX)
            results += [f(data) for _ in range(2)]
        printed = tilde_x
    """, floatX='float32'),
    'dA_training_steps': _case("""
        numpy_rng = np.random.RandomState(123)
        theano_rng = MRG_RandomStreams(numpy_rng.randint(2 ** 30))
        n_visible, n_hidden = 30, 12
        bound = 4 * np.sqrt(6. / (n_hidden + n_visible))
        W = theano.shared(np.asarray(numpy_rng.uniform(low=-bound, high=bound,
                                                        size=(n_visible, n_hidden)),
                                     dtype=theano.config.floatX), name='W', borrow=True)
        b = theano.shared(np.zeros(n_hidden, dtype=theano.config.floatX), name='b')
        b_prime = theano.shared(np.zeros(n_visible, dtype=theano.config.floatX))
        x = T.matrix('x')
        tilde_x = theano_rng.binomial(size=x.shape, n=1, p=1 - 0.3,
                                      dtype=theano.config.floatX) * x
        y = T.nnet.sigmoid(T.dot(tilde_x, W) + b)
        z = T.nnet.sigmoid(T.dot(y, W.T) + b_prime)
        L = - T.sum(x * T.log(z) + (1 - x) * T.log(1 - z), axis=1)
        cost = T.mean(L)
        params = [W, b, b_prime]
        gparams = T.grad(cost, params)
        updates = [(p, p - 0.1 * g) for p, g in zip(params, gparams)]
        train = theano.function([x], cost, updates=updates)
        data = numpy_rng.binomial(1, 0.4, size=(10, n_visible)).astype(theano.config.floatX)
        results = [np.asarray(train(data)) for _ in range(5)] + [W.get_value()]
    """, floatX='float32'),
    'lstm_dropout': _case("""
        SEED = 123
        trng = MRG_RandomStreams(SEED)
        use_noise = theano.shared(np.asarray(0., dtype=theano.config.floatX))
        proj = T.matrix('proj')

        def dropout_layer(state_before, use_noise, trng):
            proj = T.switch(use_noise,
                            (state_before *
                             trng.binomial(state_before.shape, p=0.5, n=1,
                                           dtype=state_before.dtype)),
                            state_before * 0.5)
            return proj

        out = dropout_layer(proj, use_noise, trng)
        f = theano.function([proj], out)
        data = np.arange(1., 1. + 16 * 10).reshape(16, 10).astype(theano.config.floatX)
        results = []
        for noise in (1., 1., 0., 1.):
            use_noise.set_value(np.asarray(noise, dtype=theano.config.floatX))
            results.append(f(data))
    """, floatX='float32'),
}
