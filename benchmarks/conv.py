"""Convolution benchmarks: symgraph against hand-written ``jax.jit`` code, in one process,
interleaved round by round (so that machine noise hits both alike).

* ``lenet``: one SGD training step of the DeepLearningTutorials LeNet (nkerns [20, 50],
  batch 500, 28x28, float32), symgraph as ``tutorials/lenet.py`` builds it (the data in
  shared variables, the minibatch chosen by ``givens``, updates applied), against the same
  step written by hand: ``lax.conv_general_dilated``, ``lax.reduce_window`` max pooling,
  ``jax.grad``, the parameters donated, the data on the device sliced by index.
* ``vgg``: one 3x3 convolution layer of a VGG-sized feature map (batch 8, 64 -> 64
  channels, 56x56, 'half' padding, ReLU), forward and the gradients with respect to the
  filters and the input, both ways, both called with the same numpy arrays.

Run: ``python -m benchmarks.conv [lenet|vgg|all] [--rounds N] [--steps N]``; prints seconds
per step (best and median of the rounds) and the ratio. Figures: benchmarks/README.md,
"Convolution". Theano's own CPU figures there come from
``benchmarks/experiments/theano_conv.py``, run with a Theano 1.0.5 Python.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

import symgraph as theano  # noqa: E402
import symgraph.tensor as T  # noqa: E402
from tutorials import lenet  # noqa: E402

DN = ('NCHW', 'OIHW', 'NCHW')


def interleaved(variants, rounds, steps):
    """{name: [seconds per step of each round]}, the variants run in turn each round."""
    times = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            start = time.perf_counter()
            run(steps)
            times[name].append((time.perf_counter() - start) / steps)
    return times


def report(title, times, baseline):
    print(title)
    base = min(times[baseline])
    for name, values in times.items():
        print('  %-34s %8.2f ms  (median %8.2f ms)  %.2fx' % (
            name, 1e3 * min(values), 1e3 * statistics.median(values), min(values) / base))


# ---------------------------------------------------------------------------------------
# LeNet training step
# ---------------------------------------------------------------------------------------

def lenet_data(n_batches, batch, seed=0):
    x, y = lenet.synthetic_digits(n_batches * batch, seed=seed)
    return x, y


def symgraph_lenet(x, y, batch, nkerns=(20, 50)):
    theano.config.floatX = 'float32'
    datasets = [lenet.shared_dataset((x, y))] * 3
    net = lenet.LeNet(datasets, nkerns=nkerns, batch_size=batch)
    n = net.n_batches[0]

    def run(steps):
        for i in range(steps):
            net.train(i % n)
    return net, run


@jax.custom_vjp
def _pool_with_mask_gradient(h):
    """2x2 max pooling whose gradient is a comparison with the maxima (as Theano's), not
    XLA's select-and-scatter."""
    return lax.reduce_window(h, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), 'VALID')


def _pool_fwd(h):
    m = _pool_with_mask_gradient(h)
    return m, (h, m)


def _pool_bwd(res, g):
    h, m = res
    n, c, r, s = h.shape
    tiles = h.reshape(n, c, r // 2, 2, s // 2, 2)
    hit = tiles == m[:, :, :, None, :, None]
    return (jnp.where(hit, g[:, :, :, None, :, None], 0).reshape(h.shape),)


_pool_with_mask_gradient.defvjp(_pool_fwd, _pool_bwd)


def jax_lenet(x, y, batch, params, lr=0.1, pooling='reduce_window'):
    """The same step by hand. ``params`` as the symgraph model orders them: W3, b3, W2, b2,
    W1, b1, W0, b0 (output layer first). ``pooling``: 'reduce_window' (``lax.reduce_window``,
    differentiated by XLA's select-and-scatter), 'reshape' (a max over a reshaped axis
    pair) or 'mask' (reduce_window with a custom gradient comparing with the maxima)."""
    X = jax.device_put(x.reshape(-1, 1, 28, 28))
    Y = jax.device_put(y.astype('int32'))

    def layer(h, W, b):
        h = lax.conv_general_dilated(h, W[:, :, ::-1, ::-1], (1, 1), 'VALID',
                                     dimension_numbers=DN)
        if pooling == 'reshape':
            n, c, r, s = h.shape
            h = h.reshape(n, c, r // 2, 2, s // 2, 2).max(axis=(3, 5))
        elif pooling == 'mask':
            h = _pool_with_mask_gradient(h)
        else:
            h = lax.reduce_window(h, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), 'VALID')
        return jnp.tanh(h + b[None, :, None, None])

    def cost(params, xb, yb):
        W3, b3, W2, b2, W1, b1, W0, b0 = params
        h = layer(layer(xb, W0, b0), W1, b1).reshape(xb.shape[0], -1)
        h = jnp.tanh(h @ W2 + b2)
        logp = jax.nn.log_softmax(h @ W3 + b3)
        return -jnp.mean(logp[jnp.arange(yb.shape[0]), yb])

    def step(params, i):
        xb = lax.dynamic_slice_in_dim(X, i * batch, batch)
        yb = lax.dynamic_slice_in_dim(Y, i * batch, batch)
        c, g = jax.value_and_grad(cost)(params, xb, yb)
        return c, [p - lr * gp for p, gp in zip(params, g)]

    step = jax.jit(step, donate_argnums=0)
    state = {'params': [jnp.asarray(p) for p in params]}
    n = x.shape[0] // batch

    def run(steps):
        for i in range(steps):
            c, state['params'] = step(state['params'], i % n)
            float(c)  # a Theano function returns its cost: wait for it
    return run, cost


def bench_lenet(rounds, steps, batch=500, n_batches=4):
    x, y = lenet_data(n_batches, batch)
    net, sym_run = symgraph_lenet(x, y, batch)
    params = [p.get_value() for p in net.params]
    jax_run, cost = jax_lenet(x, y, batch, params)
    jax_reshape_run, _ = jax_lenet(x, y, batch, params, pooling='reshape')
    jax_mask_run, _ = jax_lenet(x, y, batch, params, pooling='mask')
    # the two compute the same cost and gradients
    ref = float(cost([jnp.asarray(p) for p in params], jnp.asarray(x[:batch].reshape(
        -1, 1, 28, 28)), jnp.asarray(y[:batch].astype('int32'))))
    got = float(net.train(0))
    assert abs(got - ref) < 1e-4 * max(1, abs(ref)), (got, ref)
    sym_run(1)
    jax_run(2)  # compile them
    jax_reshape_run(2)
    jax_mask_run(2)
    times = interleaved({'symgraph (tutorial, givens)': sym_run,
                         'hand-written jax.jit': jax_run,
                         'hand-written, reshape pooling': jax_reshape_run,
                         'hand-written, mask pooling gradient': jax_mask_run},
                        rounds, steps)
    report('LeNet training step, nkerns [20, 50], batch %d, float32' % batch, times,
           'hand-written jax.jit')
    return times


# ---------------------------------------------------------------------------------------
# VGG-sized 3x3 convolution layer
# ---------------------------------------------------------------------------------------

def bench_vgg(rounds, steps, batch=8, channels=64, size=56):
    rng = np.random.RandomState(0)
    xv = rng.randn(batch, channels, size, size).astype('float32')
    wv = (rng.randn(channels, channels, 3, 3) * 0.05).astype('float32')
    x, w = T.tensor4('x', dtype='float32'), T.tensor4('w', dtype='float32')
    out = T.nnet.relu(T.nnet.conv2d(x, w, border_mode='half', filter_flip=False))
    cost = T.sum(out * out)
    f = theano.function([x, w], [cost] + T.grad(cost, [w, x]))

    def jcost(w, x):
        o = jax.nn.relu(lax.conv_general_dilated(x, w, (1, 1), ((1, 1), (1, 1)),
                                                 dimension_numbers=DN))
        return jnp.sum(o * o)
    g = jax.jit(lambda w, x: (jcost(w, x),) + jax.grad(jcost, argnums=(0, 1))(w, x))
    xd, wd = jax.device_put(xv), jax.device_put(wv)
    a, b = f(xv, wv), [np.asarray(v) for v in g(wd, xd)]
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v, rtol=2e-3, atol=1e-2 * float(np.abs(v).max()))

    def sym_run(steps):
        for _ in range(steps):
            f(xv, wv)

    def jax_run(steps):  # called with the numpy arrays, as the symgraph function is
        for _ in range(steps):
            [np.asarray(v) for v in g(wv, xv)]
    times = interleaved({'symgraph': sym_run, 'hand-written jax.jit': jax_run}, rounds, steps)
    report('VGG 3x3 layer, %dx%d -> %d channels, %dx%d, batch %d: forward + dW + dx'
           % (channels, channels, channels, size, size, batch), times, 'hand-written jax.jit')
    return times


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m benchmarks.conv')
    parser.add_argument('which', nargs='?', default='all', choices=('lenet', 'vgg', 'all'))
    parser.add_argument('--rounds', type=int, default=7)
    parser.add_argument('--steps', type=int, default=5)
    args = parser.parse_args(argv)
    print('jax %s, %s, %d cores' % (jax.__version__, jax.devices()[0].platform,
                                    os.cpu_count()))
    if args.which in ('lenet', 'all'):
        bench_lenet(args.rounds, args.steps)
    if args.which in ('vgg', 'all'):
        bench_vgg(args.rounds, args.steps)


if __name__ == '__main__':
    main()
