"""Graphs for the ``pydotprint`` goldens: each snippet uses only ``theano``, ``T`` and
``np`` and defines ``out`` (a variable or a compiled function); ``kwargs`` go to
``pydotprint``. ``program_order``: the graph is a compiled function's, whose node order
(and so the ``id=N`` in labels) is each library's own."""

LAYER = '''
rng = np.random.RandomState(0)
W1 = theano.shared(rng.randn(20, 100), name='W1', borrow=True)
b1 = theano.shared(np.zeros((20, 1)), name='b1', borrow=True, broadcastable=(False, True))
x = T.matrix('x')
z1 = T.dot(W1, x) + b1
z1.name = 'z1'
out = T.nnet.sigmoid(z1)
out.name = 'tilde_z1'
'''

CASES = {
    'layer': {'code': LAYER, 'kwargs': {}},
    'layer_full': {'code': LAYER,
                   'kwargs': {'compact': False, 'with_ids': True, 'high_contrast': False}},
    'constant': {'code': "x = T.matrix('x')\nout = T.nnet.sigmoid(x) * 2\n", 'kwargs': {}},
    'two_outputs': {'code': "x = T.matrix('x')\nout = T.max_and_argmax(x, axis=0)[0]\n",
                    'kwargs': {'compact': False}},
    'colours': {'code': "x = T.matrix('x')\n"
                        "out = T.alloc(np.float64(0), x.shape[0], 3) + x[0]\n",
                'kwargs': {'var_with_name_simple': True, 'max_label_size': 20}},
    'same_op_twice': {'code': "x = T.matrix('x')\nout = T.exp(x) + T.exp(x.T)\n",
                      'kwargs': {}},
    'function_updates': {
        'code': '''
w = theano.shared(np.zeros(3), name='w')
x, y = T.matrix('x'), T.vector('y')
cost = T.mean(T.sqr(T.dot(x, w) - y))
out = theano.function([x, y], cost, updates=[(w, w - 0.1 * T.grad(cost, w))],
                      mode=theano.Mode(optimizer=None))
''', 'kwargs': {'with_ids': True}, 'program_order': True},
}
