"""Cases for the Theano 1.0.5 goldens of convolution, pooling and the rest of ``T.nnet``.

Each case is a snippet that runs unchanged under Theano 1.0.5 and under symgraph, with the
names ``theano``, ``T`` and ``np`` (and ``rand``/``rng``, defined by PRELUDE), and
defines some of:

* ``out``: a variable or a list of them; the golden is
  ``theano.printing.debugprint(out, file='str')`` (``nnet_debugprint/<name>.txt``);
* ``fn_inputs``, ``fn_outputs``, ``fn_args``: the golden is what
  ``theano.function(fn_inputs, fn_outputs)(*fn_args)`` returns (``nnet_values.json``:
  per output its dtype, shape and values), typically a value and its gradients.

``make_nnet_goldens.py`` (run with the oracle's Python) writes both; ``test_conv.py``,
``test_pool.py`` and ``test_nnet_extra.py`` check symgraph against them. Module paths are
reached as attributes (``T.nnet.abstract_conv``, ``theano.tensor.signal.pool``), which
both libraries provide once those modules are imported.
"""
import textwrap

PRELUDE = """
rng = np.random.RandomState(1234)
def rand(*shape):
    return rng.uniform(-1, 1, size=shape)
"""


def _code(src):
    return textwrap.dedent(src).strip() + '\n'


# ---------------------------------------------------------------------------------------
# Convolution: values and gradients (float64)
# ---------------------------------------------------------------------------------------

def _conv_values(xshape, wshape, args, fn='T.nnet.conv2d', tensor='T.tensor4'):
    """conv(x, w, **args), the gradients of sum(out ** 2) with respect to x and w, and the
    second derivative of sum(d/dx ** 2) with respect to w (gradInputs differentiated)."""
    wtensor = tensor if len(wshape) == len(xshape) else \
        "T.TensorType('float64', (False,) * %d)" % len(wshape)
    return _code("""
        x = {tensor}('x')
        w = {wtensor}('w')
        out = {fn}(x, w, {args})
        cost = T.sum(out ** 2)
        gx, gw = T.grad(cost, [x, w])
        ggw = T.grad(T.sum(gx ** 2), w)
        fn_inputs = [x, w]
        fn_outputs = [out, gx, gw, ggw]
        fn_args = [rand{xshape}, rand{wshape}]
        """.format(tensor=tensor, wtensor=wtensor, fn=fn, args=args, xshape=xshape,
                   wshape=wshape))


def _conv3d_values(xshape, wshape, args):
    return _conv_values(xshape, wshape, args, fn='T.nnet.conv3d',
                        tensor="T.TensorType('float64', (False,) * 5)")


CONV_VALUE_CASES = {
    'conv_valid': _conv_values((2, 3, 7, 6), (4, 3, 3, 2), "border_mode='valid'"),
    'conv_full': _conv_values((2, 3, 5, 6), (4, 3, 3, 2), "border_mode='full'"),
    'conv_half_odd': _conv_values((2, 2, 6, 5), (3, 2, 3, 5), "border_mode='half'"),
    'conv_half_even': _conv_values((2, 2, 6, 5), (3, 2, 2, 4), "border_mode='half'"),
    'conv_int': _conv_values((1, 2, 5, 5), (3, 2, 3, 3), 'border_mode=1'),
    'conv_pair': _conv_values((2, 2, 5, 6), (3, 2, 3, 3), 'border_mode=(2, 1)'),
    'conv_asymmetric': _conv_values((2, 2, 5, 6), (3, 2, 3, 3),
                                    'border_mode=((1, 2), (0, 3))'),
    'conv_asymmetric_mixed': _conv_values((1, 2, 5, 6), (3, 2, 2, 3),
                                          'border_mode=(1, (2, 0))'),
    'conv_subsample': _conv_values((2, 2, 9, 8), (3, 2, 3, 3), 'subsample=(2, 3)'),
    'conv_subsample_full': _conv_values((2, 2, 6, 7), (3, 2, 3, 2),
                                        "border_mode='full', subsample=(2, 2)"),
    'conv_subsample_half': _conv_values((2, 2, 7, 8), (3, 2, 3, 3),
                                        "border_mode='half', subsample=(3, 2)"),
    'conv_no_flip': _conv_values((2, 3, 6, 6), (2, 3, 3, 2), 'filter_flip=False'),
    'conv_dilation': _conv_values((2, 2, 9, 8), (3, 2, 3, 2), 'filter_dilation=(2, 3)'),
    'conv_dilation_half': _conv_values((1, 2, 7, 7), (2, 2, 3, 3),
                                       "border_mode='half', filter_dilation=(2, 2)"),
    'conv_dilation_full_subsample': _conv_values(
        (1, 2, 7, 6), (2, 2, 2, 3), "border_mode='full', subsample=(2, 1), "
        "filter_dilation=(2, 2)"),
    'conv_groups': _conv_values((2, 4, 6, 5), (6, 2, 3, 3), 'num_groups=2'),
    'conv_groups_3': _conv_values((1, 6, 5, 5), (3, 2, 2, 2), 'num_groups=3'),
    'conv_shape_hints': _conv_values((2, 3, 6, 6), (4, 3, 3, 3),
                                     'input_shape=(2, 3, 6, 6), filter_shape=(4, 3, 3, 3)'),
    'conv_everything': _conv_values(
        (2, 4, 9, 10), (4, 2, 3, 2), "border_mode=(1, (0, 2)), subsample=(2, 1), "
        "filter_flip=False, filter_dilation=(1, 2), num_groups=2"),
    'conv_unshared': _conv_values((2, 2, 5, 5), (3, 3, 3, 2, 3, 3), 'unshared=True'),
    'conv_unshared_subsample': _conv_values((1, 2, 7, 6), (2, 4, 4, 2, 3, 2),
                                            'unshared=True, subsample=(2, 2), '
                                            'border_mode=1'),
    'conv_unshared_groups': _conv_values((1, 4, 5, 5), (4, 3, 3, 2, 3, 3),
                                         'unshared=True, num_groups=2, filter_flip=False'),
    'conv3d_valid': _conv3d_values((2, 2, 4, 5, 4), (3, 2, 2, 3, 2), "border_mode='valid'"),
    'conv3d_half_subsample': _conv3d_values((1, 2, 5, 5, 4), (2, 2, 3, 3, 3),
                                            "border_mode='half', subsample=(2, 1, 2)"),
    'conv3d_full_dilation': _conv3d_values((1, 2, 4, 4, 3), (2, 2, 2, 2, 2),
                                           "border_mode='full', filter_dilation=(2, 1, 2)"),
    'conv3d_groups_noflip': _conv3d_values((1, 4, 4, 4, 4), (2, 2, 2, 2, 3),
                                           'num_groups=2, filter_flip=False, '
                                           'border_mode=(1, 0, 2)'),
    'conv_grad_wrt_inputs': _code("""
        top = T.tensor4('top')
        w = T.tensor4('w')
        out = T.nnet.abstract_conv.conv2d_grad_wrt_inputs(
            top, w, input_shape=(None, None, 9, 8), subsample=(2, 2), border_mode='half')
        gtop, gw = T.grad(T.sum(out ** 2), [top, w])
        fn_inputs = [top, w]
        fn_outputs = [out, gtop, gw]
        fn_args = [rand(2, 3, 5, 4), rand(3, 2, 3, 3)]
        """),
    'conv_grad_wrt_inputs_symbolic_shape': _code("""
        top = T.tensor4('top')
        w = T.tensor4('w')
        h = T.lscalar('h')
        out = T.nnet.abstract_conv.conv2d_grad_wrt_inputs(
            top, w, input_shape=(2, 2, h, 6), subsample=(2, 1), filter_flip=False)
        fn_inputs = [top, w, h]
        fn_outputs = [out, T.grad(T.sum(out ** 2), w)]
        fn_args = [rand(2, 3, 3, 4), rand(3, 2, 2, 3), 7]
        """),
    'conv_transpose': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        out = T.nnet.conv2d_transpose(x, w, output_shape=(2, 2, 8, 8), input_dilation=(2, 2),
                                      border_mode=(1, 1))
        gx, gw = T.grad(T.sum(out ** 2), [x, w])
        fn_inputs = [x, w]
        fn_outputs = [out, gx, gw]
        fn_args = [rand(2, 3, 4, 4), rand(3, 2, 4, 4)]
        """),
    'conv_grad_wrt_weights': _code("""
        x = T.tensor4('x')
        top = T.tensor4('top')
        out = T.nnet.abstract_conv.conv2d_grad_wrt_weights(
            x, top, filter_shape=(3, 2, 3, 2), border_mode='full')
        gx, gtop = T.grad(T.sum(out ** 2), [x, top])
        fn_inputs = [x, top]
        fn_outputs = [out, gx, gtop]
        fn_args = [rand(2, 2, 4, 5), rand(2, 3, 6, 6)]
        """),
    'conv_second_order': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        out = T.nnet.conv2d(x, w, border_mode=(1, 0), subsample=(2, 1))
        gx, gw = T.grad(T.sum(T.tanh(out)), [x, w])
        hxx = T.grad(T.sum(gx ** 2), x)
        hww = T.grad(T.sum(gw ** 2), w)
        hwx = T.grad(T.sum(gw * gw), x)
        fn_inputs = [x, w]
        fn_outputs = [hxx, hww, hwx]
        fn_args = [rand(2, 2, 6, 5), rand(3, 2, 3, 2)]
        """),
    'conv_legacy_valid': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        out = T.nnet.conv.conv2d(x, w)
        fn_inputs = [x, w]
        fn_outputs = [out] + T.grad(T.sum(out ** 2), [x, w])
        fn_args = [rand(2, 3, 6, 7), rand(4, 3, 3, 2)]
        """),
    'conv_legacy_full_shapes': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        out = T.nnet.conv.conv2d(x, w, image_shape=(2, 3, 6, 7), filter_shape=(4, 3, 3, 2),
                                 border_mode='full')
        fn_inputs = [x, w]
        fn_outputs = [out] + T.grad(T.sum(out ** 2), [x, w])
        fn_args = [rand(2, 3, 6, 7), rand(4, 3, 3, 2)]
        """),
    'conv_legacy_full_subsample': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        out = T.nnet.conv.conv2d(x, w, image_shape=(2, 3, 6, 7), filter_shape=(4, 3, 3, 2),
                                 border_mode='full', subsample=(2, 1))
        fn_inputs = [x, w]
        fn_outputs = [out] + T.grad(T.sum(out ** 2), [x, w])
        fn_args = [rand(2, 3, 6, 7), rand(4, 3, 3, 2)]
        """),
    'conv_legacy_logical_kernel': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        ConvOp = T.nnet.conv.ConvOp
        out = ConvOp(imshp=(1, 8, 7), kshp=(2, 2), nkern=3, bsize=2, kshp_logical=(4, 3))(x, w)
        out2 = ConvOp(imshp=(1, 8, 7), kshp=(2, 2), nkern=3, bsize=2, kshp_logical=(5, 3),
                      kshp_logical_top_aligned=False)(x, w)
        out3 = ConvOp(imshp=(1, 4, 3), kshp=(2, 2), nkern=3, bsize=2, imshp_logical=(1, 8, 6),
                      output_mode='full')(x[:, :, :4, :3], w)
        fn_inputs = [x, w]
        fn_outputs = [out, out2, out3]
        fn_args = [rand(2, 1, 8, 7), rand(3, 1, 2, 2)]
        """),
    'conv_legacy_valid_subsample': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        out = T.nnet.conv.conv2d(x, w, subsample=(2, 3))
        fn_inputs = [x, w]
        fn_outputs = [out]
        fn_args = [rand(2, 3, 7, 8), rand(4, 3, 3, 2)]
        """),
}


# ---------------------------------------------------------------------------------------
# Pooling: values and gradients (float64)
# ---------------------------------------------------------------------------------------

def _pool_values(shape, args, fn='theano.tensor.signal.pool.pool_2d', data=None,
                 grads=True):
    """pool(x, **args), the gradient of sum(out ** 2), and the second derivative (the
    gradient of sum(tanh(gx) * x) with respect to x, through the pooling gradient).
    Theano has no gradient for average_exc_pad with padding (``grads=False``)."""
    data = data or 'rand%s' % (shape,)
    return _code("""
        x = T.TensorType('float64', (False,) * {ndim})('x')
        out = {fn}(x, {args})
        gx = T.grad(T.sum(out ** 2), x)
        ggx = T.grad(T.sum(T.tanh(gx) * x), x)
        fn_inputs = [x]
        fn_outputs = {outputs}
        fn_args = [{data}]
        """.format(ndim=len(shape), fn=fn, args=args, data=data,
                   outputs='[out, gx, ggx]' if grads else '[out]'))


POOL_VALUE_CASES = {}
for _mode in ('max', 'sum', 'average_inc_pad', 'average_exc_pad'):
    _m = "mode='%s'" % _mode
    POOL_VALUE_CASES.update({
        'pool_%s_ignore_border' % _mode: _pool_values((2, 3, 7, 6),
                                                      '(2, 2), ignore_border=True, ' + _m),
        'pool_%s_keep_border' % _mode: _pool_values((2, 3, 7, 5),
                                                    '(2, 3), ignore_border=False, ' + _m),
        'pool_%s_stride' % _mode: _pool_values((2, 2, 8, 7),
                                               '(3, 2), ignore_border=True, stride=(2, 1), '
                                               + _m),
        'pool_%s_stride_keep_border' % _mode: _pool_values(
            (1, 2, 8, 7), '(3, 3), ignore_border=False, stride=(2, 2), ' + _m),
        'pool_%s_big_stride_keep_border' % _mode: _pool_values(
            (1, 2, 9, 7), '(2, 2), ignore_border=False, stride=(4, 3), ' + _m),
        'pool_%s_pad' % _mode: _pool_values((2, 2, 7, 6), '(3, 3), ignore_border=True, '
                                            'stride=(2, 2), pad=(1, 2), ' + _m,
                                            grads=_mode != 'average_exc_pad'),
        'pool_%s_3d' % _mode: _pool_values(
            (2, 2, 5, 4, 5), '(2, 2, 3), ignore_border=False, stride=(2, 1, 2), ' + _m,
            fn='theano.tensor.signal.pool.pool_3d'),
        'pool_%s_3d_pad' % _mode: _pool_values(
            (1, 2, 5, 6, 5), '(3, 2, 2), ignore_border=True, pad=(1, 1, 0), ' + _m,
            fn='theano.tensor.signal.pool.pool_3d', grads=_mode != 'average_exc_pad'),
    })
POOL_VALUE_CASES.update({
    'pool_max_ties': _pool_values((2, 2, 6, 6), '(2, 2), ignore_border=True',
                                  data='np.round(rand(2, 2, 6, 6))'),
    'pool_max_ties_overlap': _pool_values((1, 2, 7, 7), '(3, 3), ignore_border=False, '
                                          'stride=(2, 2)', data='np.round(rand(1, 2, 7, 7))'),
    'pool_max_ties_pad': _pool_values((1, 1, 6, 6), '(3, 3), ignore_border=True, pad=(2, 1)',
                                      data='np.maximum(rand(1, 1, 6, 6), 0)'),
    'pool_matrix': _pool_values((7, 5), '(2, 2), ignore_border=False'),
    'pool_5d_input_2d_pool': _pool_values((2, 1, 2, 5, 4), '(2, 2), ignore_border=True'),
    'pool_deprecated_names': _pool_values((1, 2, 7, 7), 'ds=(3, 2), st=(2, 2), '
                                          'padding=(1, 1), ignore_border=True'),
    'pool_max_same_size': _code("""
        x = T.tensor4('x')
        out = theano.tensor.signal.pool.max_pool_2d_same_size(x, (2, 3))
        fn_inputs = [x]
        fn_outputs = [out, T.grad(T.sum(out ** 2), x)]
        fn_args = [np.round(rand(2, 2, 6, 7) * 2)]
        """),
    'pool_lenet_layer': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        b = T.vector('b')
        conv_out = T.nnet.conv2d(input=x, filters=w, filter_shape=(4, 1, 5, 5),
                                 input_shape=(3, 1, 12, 12))
        pooled = theano.tensor.signal.pool.pool_2d(input=conv_out, ws=(2, 2),
                                                   ignore_border=True)
        out = T.tanh(pooled + b.dimshuffle('x', 0, 'x', 'x'))
        fn_inputs = [x, w, b]
        fn_outputs = [out] + T.grad(T.sum(out ** 2), [x, w, b])
        fn_args = [rand(3, 1, 12, 12), rand(4, 1, 5, 5), rand(4)]
        """),
})


# ---------------------------------------------------------------------------------------
# debugprint of convolution and pooling graphs, their gradients and second derivatives
# ---------------------------------------------------------------------------------------

DEBUGPRINT_CASES = {
    'dp_conv2d': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        out = T.nnet.conv2d(x, w)
        """),
    'dp_conv2d_options': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        out = [T.nnet.conv2d(x, w, input_shape=(2, 3, 8, 8), filter_shape=[4, 3, 3, 3],
                             border_mode='half', subsample=(2, 2), filter_flip=False),
               T.nnet.conv2d(x, w, border_mode=1, filter_dilation=(2, 1), num_groups=3),
               T.nnet.conv2d(x, w, border_mode=(0, 0)),
               T.nnet.conv2d(x, w, border_mode=((1, 1), (2, 3))),
               T.nnet.conv2d(x, w, border_mode=((1, 2), 3), input_shape=(None, 3, None, 8))]
        """),
    'dp_conv2d_grad': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        y = T.nnet.conv2d(x, w, border_mode='full', subsample=(2, 1), filter_shape=(4, 3, 3, 3))
        c = y.sum()
        c.name = 'c'
        out = T.grad(c, [x, w])
        """),
    'dp_conv2d_second_order': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        y = T.nnet.conv2d(x, w, border_mode='half')
        gx, gw = T.grad(T.sum(T.tanh(y)), [x, w])
        out = [T.grad(T.sum(gx ** 2), w), T.grad(T.sum(gw ** 2), x)]
        """),
    'dp_conv2d_unshared_grad': _code("""
        x = T.tensor4('x')
        w = T.TensorType('float64', (False,) * 6)('w')
        y = T.nnet.conv2d(x, w, unshared=True)
        out = T.grad(y.sum(), [x, w])
        """),
    'dp_conv3d_grad': _code("""
        x = T.TensorType('float64', (False,) * 5)('x')
        w = T.TensorType('float64', (False,) * 5)('w')
        y = T.nnet.conv3d(x, w, border_mode='half', subsample=(1, 2, 1))
        out = [y] + T.grad(y.sum(), [x, w])
        """),
    'dp_conv_grad_wrt_inputs': _code("""
        top = T.tensor4('top')
        w = T.tensor4('w')
        h = T.lscalar('h')
        out = [T.nnet.abstract_conv.conv2d_grad_wrt_inputs(top, w, (None, 3, h, 8),
                                                           subsample=(2, 2)),
               T.nnet.conv2d_transpose(top, w, output_shape=(2, 3, 9, 9),
                                       input_dilation=(2, 2))]
        """),
    'dp_conv_legacy': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        out = [T.nnet.conv.conv2d(x, w),
               T.nnet.conv.conv2d(x, w, image_shape=(2, 3, 8, 8), filter_shape=(4, 3, 3, 3),
                                  border_mode='full', subsample=(2, 1))]
        """),
    'dp_conv_legacy_grad': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        y = T.nnet.conv.conv2d(x, w, image_shape=(2, 3, 8, 8), filter_shape=(4, 3, 3, 3),
                               border_mode='full', subsample=(2, 1))
        c = y.sum()
        c.name = 'c'
        out = T.grad(c, [x, w])
        """),
    'dp_conv_legacy_grad_valid': _code("""
        x = T.tensor4('x')
        w = T.tensor4('w')
        y = T.nnet.conv.conv2d(x, w, image_shape=(5, 3, 8, 8), filter_shape=(6, 3, 3, 3))
        out = T.grad(y.sum(), [x, w])
        """),
    'dp_pool': _code("""
        x = T.tensor4('x')
        pool = theano.tensor.signal.pool
        out = [pool.pool_2d(x, (2, 2), ignore_border=True),
               pool.pool_2d(x, (2, 3), ignore_border=False, stride=(1, 2), mode='sum'),
               pool.pool_2d(x, (3, 3), ignore_border=True, pad=(1, 1),
                            mode='average_exc_pad'),
               pool.pool_3d(x, (2, 2, 2), ignore_border=True, mode='average_inc_pad')]
        """),
    'dp_pool_max_grad': _code("""
        x = T.tensor4('x')
        y = theano.tensor.signal.pool.pool_2d(x, (2, 2), ignore_border=True)
        c = T.sum(y ** 2)
        c.name = 'c'
        gx = T.grad(c, x)
        out = [gx, T.grad(T.sum(gx * x), x)]
        """),
    'dp_pool_average_grad': _code("""
        x = T.tensor4('x')
        y = theano.tensor.signal.pool.pool_2d(x, (3, 2), ignore_border=False,
                                              mode='average_inc_pad')
        gx = T.grad(T.sum(y ** 2), x)
        out = [gx, T.grad(T.sum(gx * x), x)]
        """),
    'dp_pool_max_same_size': _code("""
        x = T.tensor4('x')
        out = theano.tensor.signal.pool.max_pool_2d_same_size(x, (2, 2))
        """),
    'dp_lenet_layer_grad': _code("""
        x = T.matrix('x')
        W = theano.shared(np.zeros((4, 1, 5, 5)), name='W')
        b = theano.shared(np.zeros(4), name='b')
        layer0_input = x.reshape((3, 1, 12, 12))
        conv_out = T.nnet.conv2d(input=layer0_input, filters=W, filter_shape=(4, 1, 5, 5),
                                 input_shape=(3, 1, 12, 12))
        pooled_out = theano.tensor.signal.pool.pool_2d(input=conv_out, ws=(2, 2),
                                                       ignore_border=True)
        output = T.tanh(pooled_out + b.dimshuffle('x', 0, 'x', 'x'))
        cost = output.flatten(2).mean()
        cost.name = 'cost'
        out = T.grad(cost, [W, b])
        """),
}


# ---------------------------------------------------------------------------------------
# The rest of T.nnet: activations, softmax with bias, cross-entropies, h_softmax,
# batch normalization, neighbours (values and gradients, float64)
# ---------------------------------------------------------------------------------------

def _unary_values(expr):
    return _code("""
        x = T.matrix('x')
        out = {expr}
        fn_inputs = [x]
        fn_outputs = [out, T.grad(T.sum(out * T.arange(20).reshape((4, 5))), x)]
        fn_args = [rand(4, 5) * 4]
        """.format(expr=expr))


NNET_VALUE_CASES = {
    'nnet_elu': _unary_values('T.nnet.elu(x)'),
    'nnet_elu_alpha': _unary_values('T.nnet.elu(x, alpha=0.3)'),
    'nnet_selu': _unary_values('T.nnet.selu(x)'),
    'nnet_softsign': _unary_values('T.nnet.softsign(x)'),
    'nnet_hard_sigmoid': _unary_values('T.nnet.hard_sigmoid(x)'),
    'nnet_relu': _unary_values('T.nnet.relu(x)'),
    'nnet_relu_leaky': _unary_values('T.nnet.relu(x, alpha=0.1)'),
    'nnet_ultra_fast_sigmoid': _code("""
        x = T.vector('x')
        out = T.nnet.ultra_fast_sigmoid(x)
        fn_inputs = [x]
        fn_outputs = [out]
        fn_args = [np.array([-8, -5, -3.4, -3, -2, -1.7, -0.3, 0, 0.2, 1.7, 3.39, 3.4, 6, 9.])]
        """),
    'nnet_softmax_with_bias': _code("""
        x = T.matrix('x')
        b = T.vector('b')
        out = T.nnet.softmax_with_bias(x, b)
        gx, gb = T.grad(T.sum(out * T.arange(15).reshape((3, 5))), [x, b])
        fn_inputs = [x, b]
        fn_outputs = [out, gx, gb]
        fn_args = [rand(3, 5) * 3, rand(5)]
        """),
    'nnet_crossentropy_softmax_1hot': _code("""
        x = T.matrix('x')
        y = T.ivector('y')
        nll, sm = T.nnet.crossentropy_softmax_1hot(x, y)
        out = [nll, sm]
        fn_inputs = [x, y]
        fn_outputs = [nll, sm, T.grad(T.sum(nll * T.arange(4)), x),
                      T.grad(T.sum(nll) + T.sum(sm[:, 1]), x)]
        fn_args = [rand(4, 5) * 3, np.array([1, 0, 4, 2], dtype='int32')]
        """),
    'nnet_crossentropy_softmax_argmax_1hot_with_bias': _code("""
        x = T.matrix('x')
        b = T.vector('b')
        y = T.lvector('y')
        nll, sm, am = T.nnet.crossentropy_softmax_argmax_1hot_with_bias(x, b, y)
        cost = T.sum(nll ** 2) + T.sum(sm[:, 0])
        fn_inputs = [x, b, y]
        fn_outputs = [nll, sm, am] + T.grad(cost, [x, b])
        fn_args = [rand(4, 5) * 3, rand(5), np.array([1, 0, 4, 4])]
        """),
    'nnet_crossentropy_softmax_second_order': _code("""
        x = T.matrix('x')
        b = T.vector('b')
        y = T.lvector('y')
        nll, sm = T.nnet.crossentropy_softmax_1hot_with_bias(x, b, y)
        gx = T.grad(T.sum(nll), x)
        fn_inputs = [x, b, y]
        fn_outputs = [T.grad(T.sum(gx ** 2), x), T.grad(T.sum(gx ** 2), b)]
        fn_args = [rand(3, 4), rand(4), np.array([3, 0, 1])]
        """),
    'nnet_h_softmax': _code("""
        x = T.matrix('x')
        W1, b1, W2, b2 = T.matrix('W1'), T.vector('b1'), T.tensor3('W2'), T.matrix('b2')
        target = T.ivector('target')
        probs = T.nnet.h_softmax(x, 4, 7, 3, 3, W1, b1, W2, b2)
        picked = T.nnet.h_softmax(x, 4, 7, 3, 3, W1, b1, W2, b2, target)
        fn_inputs = [x, W1, b1, W2, b2, target]
        fn_outputs = [probs, picked] + T.grad(T.sum(T.log(picked)), [x, W1, b1, W2, b2])
        fn_args = [rand(4, 6), rand(6, 3), rand(3), rand(3, 6, 3), rand(3, 3),
                   np.array([0, 6, 3, 5], dtype='int32')]
        """),
    'nnet_batch_normalization': _code("""
        x, gamma, beta = T.matrix('x'), T.vector('gamma'), T.vector('beta')
        mean, std = T.vector('mean'), T.vector('std')
        low = T.nnet.bn.batch_normalization(x, gamma, beta, mean, std)
        high = T.nnet.bn.batch_normalization(x, gamma, beta, mean, std, mode='high_mem')
        fn_inputs = [x, gamma, beta, mean, std]
        fn_outputs = [low, high] + T.grad(T.sum(low ** 2), [x, gamma, beta, mean, std])
        fn_args = [rand(4, 3), rand(3), rand(3), rand(3), rand(3) + 2]
        """),
    'nnet_batch_normalization_train': _code("""
        x = T.tensor4('x')
        gamma, beta = T.tensor4('gamma'), T.tensor4('beta')
        rm, rv = T.tensor4('rm'), T.tensor4('rv')
        out, mean, invstd, new_rm, new_rv = T.nnet.bn.batch_normalization_train(
            x, gamma, beta, axes='spatial', running_mean=rm, running_var=rv)
        cost = T.sum(out ** 3) + T.sum(mean) + T.sum(invstd)
        fn_inputs = [x, gamma, beta, rm, rv]
        fn_outputs = [out, mean, invstd, new_rm, new_rv] + T.grad(cost, [x, gamma, beta])
        fn_args = [rand(3, 2, 4, 3), rand(1, 2, 1, 1), rand(1, 2, 1, 1), rand(1, 2, 1, 1),
                   rand(1, 2, 1, 1) + 1]
        """),
    'nnet_batch_normalization_train_per_activation': _code("""
        x, gamma, beta = T.matrix('x'), T.vector('gamma'), T.vector('beta')
        out, mean, invstd = T.nnet.bn.batch_normalization_train(x, gamma, beta, epsilon=1e-3)
        gx, ggamma, gbeta = T.grad(T.sum(out ** 3), [x, gamma, beta])
        fn_inputs = [x, gamma, beta]
        fn_outputs = [out, mean, invstd, gx, ggamma, gbeta,
                      T.grad(T.sum(gx ** 2) + T.sum(ggamma ** 2), x),
                      T.grad(T.sum(gx ** 2), gamma)]
        fn_args = [rand(5, 3), rand(3), rand(3)]
        """),
    'nnet_batch_normalization_test': _code("""
        x = T.tensor4('x')
        gamma, beta, mean, var = T.vector('gamma'), T.vector('beta'), T.vector('m'), T.vector('v')
        out = T.nnet.bn.batch_normalization_test(x, gamma, beta, mean, var, axes=(0, 2, 3))
        fn_inputs = [x, gamma, beta, mean, var]
        fn_outputs = [out] + T.grad(T.sum(out ** 2), [x, gamma, beta, mean, var])
        fn_args = [rand(2, 3, 2, 2), rand(3), rand(3), rand(3), rand(3) + 1]
        """),
    'nnet_images2neibs': _code("""
        x = T.tensor4('x')
        modes = [('valid', (2, 3), None), ('ignore_borders', (2, 2), None),
                 ('valid', (3, 2), (1, 2)), ('half', (3, 3), (1, 1)), ('full', (2, 3), (1, 1)),
                 ('wrap_centered', (3, 3), None), ('ignore_borders', (2, 2), (3, 1))]
        outs = [T.nnet.neighbours.images2neibs(x, shape, step, mode=mode)
                for mode, shape, step in modes]
        fn_inputs = [x]
        fn_outputs = outs + [T.grad(T.sum(outs[0] ** 2), x), T.grad(T.sum(outs[1] ** 2), x),
                             T.grad(T.sum(outs[2] ** 2), x)]
        fn_args = [rand(2, 2, 4, 6)]
        """),
    'nnet_neibs2images': _code("""
        n = T.matrix('n')
        out = T.nnet.neighbours.neibs2images(n, (2, 3), (2, 2, 4, 6))
        fn_inputs = [n]
        fn_outputs = [out, T.grad(T.sum(out ** 2), n)]
        fn_args = [rand(16, 6)]
        """),
}

NNET_DEBUGPRINT_CASES = {
    'dp_nnet_activations': _code("""
        x = T.matrix('x')
        out = [T.nnet.elu(x), T.nnet.selu(x), T.nnet.softsign(x), T.nnet.hard_sigmoid(x),
               T.nnet.ultra_fast_sigmoid(x), T.nnet.relu(x), T.nnet.relu(x, 0.2)]
        """),
    'dp_nnet_softmax_with_bias': _code("""
        x = T.matrix('x')
        b = T.vector('b')
        y = T.lvector('y')
        sm = T.nnet.softmax_with_bias(x, b)
        nll, sm2, am = T.nnet.crossentropy_softmax_argmax_1hot_with_bias(x, b, y)
        out = [sm] + T.grad(T.sum(sm[:, 0]), [x, b]) + [nll, am] + T.grad(T.sum(nll), [x, b])
        """),
    'dp_nnet_crossentropy_softmax_1hot': _code("""
        x = T.matrix('x')
        y = T.ivector('y')
        nll, sm = T.nnet.crossentropy_softmax_1hot(x, y)
        out = [nll, sm, T.grad(T.mean(nll), x)]
        """),
    'dp_nnet_batch_normalization': _code("""
        x, gamma, beta = T.matrix('x'), T.vector('gamma'), T.vector('beta')
        mean, std = T.vector('mean'), T.vector('std')
        y = T.nnet.bn.batch_normalization(x, gamma, beta, mean, std)
        out = [y] + T.grad(y.sum(), [x, gamma])
        """),
    'dp_nnet_batch_normalization_train': _code("""
        x = T.tensor4('x')
        gamma, beta = T.vector('gamma'), T.vector('beta')
        out, mean, invstd = T.nnet.bn.batch_normalization_train(x, gamma, beta, 'spatial')
        out = [out, mean, invstd] + T.grad(out.sum(), [x, gamma])
        """),
    'dp_nnet_batch_normalization_test': _code("""
        x = T.matrix('x')
        gamma, beta, mean, var = T.vector('gamma'), T.vector('beta'), T.vector('m'), T.vector('v')
        y = T.nnet.bn.batch_normalization_test(x, gamma, beta, mean, var)
        out = [y] + T.grad(y.sum(), [x, var])
        """),
    'dp_nnet_neighbours': _code("""
        x = T.tensor4('x')
        n = T.nnet.neighbours.images2neibs(x, (2, 2))
        out = [n, T.nnet.neighbours.images2neibs(x, (3, 3), (1, 1), mode='half'),
               T.nnet.neighbours.neibs2images(n, (2, 2), x.shape), T.grad(n.sum(), x)]
        """),
}

DEBUGPRINT_CASES.update(NNET_DEBUGPRINT_CASES)

CASES = {}
for _table in (CONV_VALUE_CASES, POOL_VALUE_CASES, NNET_VALUE_CASES, DEBUGPRINT_CASES):
    CASES.update(_table)
