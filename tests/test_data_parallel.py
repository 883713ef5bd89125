"""Data parallel (``config.data_parallel``) on 8 CPU devices agrees with one device.

The pytest process has already started JAX with one CPU device, so the checks run in one
subprocess started with ``--xla_force_host_platform_device_count=8`` (this file, run as
a script). Each check builds the same model twice from the same initial values, once
with data parallel off and once over the 8 devices, runs the same calls, and reports
both; the tests compare them. One subprocess serves every test.
"""
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

N_DEVICES = 8


@pytest.fixture(scope='module')
def report():
    env = dict(os.environ, XLA_FLAGS='--xla_force_host_platform_device_count=%d' % N_DEVICES,
               PYTHONPATH=os.pathsep.join(filter(None, [
                   os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                   os.environ.get('PYTHONPATH')])))
    env.pop('SYMGRAPH_FLAGS', None)
    done = subprocess.run([sys.executable, os.path.abspath(__file__)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _close(one, many, rtol=1e-9, atol=1e-11):
    for a, b in zip(one, many, strict=True):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=rtol, atol=atol)


def test_the_mesh_holds_every_device(report):
    assert report['devices'] == N_DEVICES
    assert report['parameter_layout'] == {'devices': N_DEVICES, 'spec': []}


def test_lxmls_givens_columns_update(report):
    """MLP with examples as columns, minibatches sliced by index from a shared dataset."""
    one, many = report['lxmls_givens']
    _close(one, many)


def test_givens_minibatch_split_gradients_all_reduced_updates_in_place(report):
    layout = report['lxmls_givens_program']
    assert layout['minibatch_split_along_columns']
    assert layout['all_reduces'] >= 1
    assert layout['updates_in_place'] == 4


def test_lxmls_explicit_columns_with_batch_axis_1(report):
    one, many = report['lxmls_columns']
    _close(one, many)
    assert report['lxmls_columns_input_layout'] == [[None, 'batch'], ['batch']]


def test_loop_of_an_epoch_by_index(report):
    one, many = report['lxmls_loop']
    _close(one, many)


def test_logistic_rows_and_a_batch_that_does_not_divide(report):
    one, many = report['logistic_rows']
    _close(one, many)


def test_rnn_scan_step(report):
    one, many = report['rnn']
    _close(one, many)


def test_lenet_step(report):
    one, many = report['lenet']
    _close(one, many, rtol=2e-4, atol=1e-5)  # float32


def test_sharded_parameters(report):
    one, many = report['sharded']
    _close(one, many)
    assert report['sharded_layout'] == [[None, 'batch'], ['batch']]


def test_index_out_of_range_raises_and_loses_nothing(report):
    check = report['index']
    assert check['error'].startswith('index 40 is out of bounds for axis 0 with size 40')
    assert check['unchanged']
    one, many = check['runs']
    _close(one, many)


def test_a_failing_host_call_loses_nothing(report):
    check = report['host_call']
    assert check['errors'] == [True, True]  # the op's error, raised, once per setting
    assert check['unchanged'] == [True, True]
    one, many = check['runs']
    _close(one, many)


def test_updated_buffers_are_donated_and_moved_to_the_mesh(report):
    check = report['donated']
    assert check['old_deleted']
    assert check['devices'] == N_DEVICES
    got, want = check['values']
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_programs_on_the_mesh_are_kept_by_graph(report):
    check = report['kept']
    assert check['kept'] == [0, 2]  # the call's program and the loop's, read back
    assert check['same']


def test_a_count_of_devices_makes_a_smaller_mesh(report):
    assert report['count'] == {'devices': 4, 'agree': True}


# In this process (one device): the flags and the errors.

def test_flags_from_the_environment_string():
    from symgraph.config import config
    config.apply_flag_string('data_parallel=all,shard_parameters=True')
    assert (config.data_parallel, config.shard_parameters) == ('all', True)
    config.apply_flag_string('data_parallel=4')
    assert config.data_parallel == 4
    config.apply_flag_string('data_parallel=off')
    assert config.data_parallel == 'off'
    with pytest.raises(ValueError, match="data_parallel must be 'off', 'all' or a number of "
                                         "devices, not 'most'"):
        config.data_parallel = 'most'


def test_a_batch_axis_the_input_lacks_is_refused_where_it_is_given():
    import symgraph as theano
    import symgraph.tensor as T
    x = T.matrix('x')
    with pytest.raises(ValueError) as err:
        theano.In(x, batch_axis=2)
    assert str(err.value).startswith('In(x, batch_axis=2): the batch axis must be None or an '
                                     'axis of the 2-d input (-2 to 1)')
    assert "x = T.matrix('x')" in str(err.value)
    assert theano.In(x, batch_axis=-1).batch_axis == 1
    assert theano.In(T.scalar('s'), batch_axis=0).batch_axis is None


def test_more_devices_than_there_are_is_an_error():
    import jax

    import symgraph as theano
    import symgraph.tensor as T
    theano.config.data_parallel = len(jax.devices()) + 1
    x = T.vector('x')
    with pytest.raises(RuntimeError, match=r'data_parallel is %d, but JAX sees %d cpu device'
                       % (len(jax.devices()) + 1, len(jax.devices()))):
        theano.function([x], x * 2)


# ---------------------------------------------------------------------------------------
# The checks, run in the subprocess
# ---------------------------------------------------------------------------------------

def _both(build):
    """``build()``'s results with data parallel off, then on all devices."""
    import symgraph
    results = []
    for setting in ('off', 'all'):
        symgraph.config.data_parallel = setting
        results.append(build())
    symgraph.config.data_parallel = 'off'
    return results


def _values(*shared):
    return [s.get_value() for s in shared]


def _mlp(rng, n_in=6, n_hidden=5, n_out=3):
    import symgraph as theano
    return [theano.shared(rng.randn(n_hidden, n_in), name='W1'),
            theano.shared(np.zeros((n_hidden, 1)), name='b1', broadcastable=(False, True)),
            theano.shared(rng.randn(n_out, n_hidden), name='W2'),
            theano.shared(np.zeros((n_out, 1)), name='b2', broadcastable=(False, True))]


def _mlp_cost(params, x, y):
    """The LXMLS Day 5 cost, examples as columns."""
    import symgraph.tensor as T
    W1, b1, W2, b2 = params
    hidden = T.nnet.sigmoid(T.dot(W1, x) + b1)
    p_y = T.nnet.softmax((T.dot(W2, hidden) + b2).T).T
    return -T.mean(T.log(p_y[y, T.arange(y.shape[0])]))


def _data(n=64, n_in=6, n_out=3, seed=1):
    rng = np.random.RandomState(seed)
    return rng.randn(n_in, n).astype('float64'), rng.randint(0, n_out, n).astype('int32')


def lxmls_givens(report):
    """Calls by minibatch index, then an epoch as a loop, then a call after it."""
    import symgraph as theano
    import symgraph.tensor as T
    data_x, data_y = _data()
    programs = {}

    def build():
        params = _mlp(np.random.RandomState(0))
        X, Y = theano.shared(data_x, name='X'), theano.shared(data_y, name='Y')
        x, y, index = T.matrix('x'), T.ivector('y'), T.lscalar('index')
        cost = _mlp_cost(params, x, y)
        updates = [(p, p - 0.5 * T.grad(cost, p)) for p in params]
        train = theano.function([index], cost, updates=updates, givens={
            x: X[:, index * 16:(index + 1) * 16], y: Y[index * 16:(index + 1) * 16]})
        programs[theano.config.data_parallel] = train
        calls = [float(train(i)) for i in (0, 1, 2, 3, 1)] + _values(*params)
        loop = [train.loop(index=np.arange(4))]
        loop += [float(train(2))] + _values(*params)  # reads the values the loop left
        return calls, loop
    (one_calls, one_loop), (many_calls, many_loop) = _both(build)
    report['lxmls_givens'] = one_calls, many_calls
    report['lxmls_loop'] = one_loop, many_loop
    train = programs['all']
    train(1)
    constraints = [line for line in train.xla_text().splitlines()
                   if 'sdy.sharding_constraint' in line]
    key = train._last_key
    args = train._abstract_args(key)
    partitioned = train._jitted(key, args).lower(*args).compile().as_text()
    report['lxmls_givens_program'] = {
        'minibatch_split_along_columns': any('[{}, {"batch"}]' in c for c in constraints),
        'all_reduces': partitioned.count('all-reduce('),
        # each of the four updates written over its donated parameter
        'updates_in_place': partitioned.splitlines()[0].count('may-alias')}


def lxmls_columns(report):
    import symgraph as theano
    import symgraph.tensor as T
    data_x, data_y = _data()
    layouts = []

    def build():
        params = _mlp(np.random.RandomState(0))
        x, y = T.matrix('x'), T.ivector('y')
        cost = _mlp_cost(params, x, y)
        train = theano.function([theano.In(x, batch_axis=1), y], cost,
                                updates=[(p, p - 0.5 * T.grad(cost, p)) for p in params])
        costs = [float(train(data_x[:, k:k + 16], data_y[k:k + 16])) for k in (0, 16, 32)]
        if theano.config.data_parallel != 'off':
            layouts.extend(_argument_layouts(train.xla_text())[-2:])
        return costs + _values(*params)
    report['lxmls_columns'] = _both(build)
    report['lxmls_columns_input_layout'] = layouts


def logistic_rows(report):
    import symgraph as theano
    import symgraph.tensor as T
    rng = np.random.RandomState(2)
    data_x, data_y = rng.randn(40, 7), rng.randint(0, 4, 40).astype('int32')

    def build():
        W = theano.shared(np.zeros((7, 4)), name='W')
        b = theano.shared(np.zeros(4), name='b')
        x, y = T.matrix('x'), T.ivector('y')
        p = T.nnet.softmax(T.dot(x, W) + b)
        cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
        train = theano.function([x, y], [cost, T.argmax(p, axis=1)], updates=[
            (v, v - 0.3 * T.grad(cost, v)) for v in (W, b)])
        runs = []
        for lo, hi in ((0, 16), (16, 29), (24, 40)):  # 13 rows: replicated
            c, pred = train(data_x[lo:hi], data_y[lo:hi])
            runs += [float(c), pred]
        steps = [0, 24, 8]  # as a loop, 16 rows a step
        runs += train.loop(np.stack([data_x[k:k + 16] for k in steps]),
                           np.stack([data_y[k:k + 16] for k in steps]))
        return runs + _values(W, b)
    report['logistic_rows'] = _both(build)


def rnn(report):
    import symgraph as theano
    import symgraph.tensor as T
    rng = np.random.RandomState(3)
    steps, batch, n_in, n_h = 5, 16, 3, 4
    data = rng.randn(steps, batch, n_in), rng.randn(batch, n_h)

    def build():
        init = np.random.RandomState(4)
        Wx = theano.shared(init.randn(n_in, n_h) * 0.5, name='Wx')
        Wh = theano.shared(init.randn(n_h, n_h) * 0.5, name='Wh')
        x, target = T.tensor3('x'), T.matrix('target')
        h0 = T.zeros((x.shape[1], n_h))
        hs, _ = theano.scan(lambda x_t, h: T.tanh(T.dot(x_t, Wx) + T.dot(h, Wh)),
                            sequences=x, outputs_info=h0)
        cost = T.mean((hs[-1] - target) ** 2)
        train = theano.function([theano.In(x, batch_axis=1), target], cost, updates=[
            (p, p - 0.1 * T.grad(cost, p)) for p in (Wx, Wh)])
        costs = [float(train(*data)) for _ in range(3)]
        return costs + _values(Wx, Wh)
    report['rnn'] = _both(build)


def lenet(report):
    import symgraph as theano
    from tutorials.lenet import LeNet, shared_dataset, synthetic_digits
    theano.config.floatX = 'float32'
    digits = synthetic_digits(32, seed=5)

    def build():
        sets = [shared_dataset(digits) for _ in range(3)]
        net = LeNet(sets, nkerns=(2, 3), batch_size=16, learning_rate=0.1)
        costs = [float(net.train(i)) for i in (0, 1, 0)]
        return costs + [p.get_value() for p in net.params]
    report['lenet'] = _both(build)
    theano.config.floatX = 'float64'


def sharded(report):
    import symgraph as theano
    import symgraph.tensor as T
    rng = np.random.RandomState(6)
    data_x, data_y = rng.randn(32, 5), rng.randn(32, 16)
    layouts = []

    def build():
        W = theano.shared(np.random.RandomState(7).randn(5, 16), name='W')
        b = theano.shared(np.zeros(16), name='b')
        x, y = T.matrix('x'), T.matrix('y')
        cost = T.mean((T.tanh(T.dot(x, W) + b) - y) ** 2)
        train = theano.function([x, y], cost, updates=[
            (v, v - 0.2 * T.grad(cost, v)) for v in (W, b)])
        costs = [float(train(data_x[k:k + 16], data_y[k:k + 16])) for k in (0, 16, 8)]
        if theano.config.data_parallel != 'off':
            layouts.extend(_spec(v.container.value.sharding) for v in (W, b))
        return costs + _values(W, b)
    theano.config.shard_parameters = True
    report['sharded'] = _both(build)
    theano.config.shard_parameters = False
    report['sharded_layout'] = layouts


def index_out_of_range(report):
    import symgraph as theano
    import symgraph.tensor as T
    checks = {}

    def build():
        E = theano.shared(np.random.RandomState(8).randn(40, 3), name='E')
        ids, target = T.lvector('ids'), T.matrix('target')
        cost = T.mean((E[ids] - target) ** 2)
        train = theano.function([ids, target], cost, updates=[(E, E - T.grad(cost, E))])
        good = np.arange(16) * 2, np.ones((16, 3))
        costs = [float(train(*good))]
        before = E.get_value()
        try:
            train(np.arange(16) * 2 + 10, np.ones((16, 3)))  # reaches 40
        except IndexError as err:
            checks['error'] = str(err)
        checks['unchanged'] = checks.get('unchanged', True) and \
            bool(np.array_equal(E.get_value(), before))
        costs.append(float(train(*good)))
        return costs + _values(E)
    checks['runs'] = _both(build)
    report['index'] = checks


def host_call(report):
    """A program with an op that runs in Python (``as_op``) runs on one device under data
    parallel, calls and loops alike, so that the op's failure raises instead of leaving the
    other devices waiting in an all-reduce."""
    import symgraph as theano
    import symgraph.tensor as T
    from symgraph.compile.ops import as_op
    refuse = []
    checks = {'errors': [], 'unchanged': []}

    @as_op(itypes=[T.dvector], otypes=[T.dvector])
    def checked(v):
        if refuse:
            raise RuntimeError('the host refused')
        return v * 2

    def build():
        W = theano.shared(np.arange(16.) / 16, name='W')
        X = theano.shared(np.linspace(0, 1, 64), name='X')
        index = T.lscalar('index')
        cost = T.sum(checked(X[index * 16:(index + 1) * 16]) * W)
        step = theano.function([index], cost, updates=[(W, W - 0.1 * T.grad(cost, W))])
        costs = [float(step(0))]
        before = W.get_value()
        refuse.append(True)
        try:
            step(1)
        except RuntimeError as err:
            checks['errors'].append('the host refused' in str(err))
        refuse.clear()
        checks['unchanged'].append(bool(np.array_equal(W.get_value(), before)))
        costs.append(float(step(1)))
        costs += list(step.loop(index=np.arange(4)))
        return costs + _values(W)
    checks['runs'] = _both(build)
    report['host_call'] = checks


def donated(report):
    """A shared variable made before data parallel was turned on moves to the mesh at the
    first call; its buffer is donated at each call."""
    import symgraph as theano
    import symgraph.tensor as T
    start = np.arange(32.).reshape(4, 8) / 100
    W = theano.shared(start, name='W')
    theano.config.data_parallel = 'all'
    x = T.matrix('x')
    step = theano.function([x], [], updates=[(W, W - 0.01 * T.sum(T.dot(x, W), axis=0))])
    data = np.random.RandomState(9).randn(8, 4)
    step(data)
    old = W.get_value(borrow=True, return_internal_type=True)
    step(data)
    want = start
    for _ in range(2):
        want = want - 0.01 * (data @ want).sum(axis=0)
    report['donated'] = {
        'old_deleted': old.is_deleted(), 'devices': len(W.container.value.sharding.device_set),
        'values': [W.get_value(), want]}
    theano.config.data_parallel = 'off'


def _argument_layouts(stablehlo):
    """Per argument of the program's main function, per axis: 'batch' if split."""
    main = next(line for line in stablehlo.splitlines() if 'func.func public @main' in line)
    layouts = []
    for argument in main.split('%arg')[1:]:
        axes = re.search(r'sdy.sharding<@mesh, \[(.*?)\]>', argument).group(1)
        layouts.append(['batch' if '"batch"' in axis else None
                        for axis in axes.split('}, {')] if axes else [])
    return layouts


def kept(report):
    """Programs split over the mesh are kept by graph (compile/programcache.py): the
    same function built again, as a later process would build it, reads its call's and
    its loop's programs and computes the same, bit for bit."""
    import tempfile

    import symgraph as theano
    import symgraph.tensor as T
    data_x, data_y = _data()

    def build():
        params = _mlp(np.random.RandomState(0))
        X, Y = theano.shared(data_x, name='X'), theano.shared(data_y, name='Y')
        x, y, index = T.matrix('x'), T.ivector('y'), T.lscalar('index')
        cost = _mlp_cost(params, x, y)
        train = theano.function(
            [index], cost, updates=[(p, p - 0.5 * T.grad(cost, p)) for p in params],
            givens={x: X[:, index * 16:(index + 1) * 16], y: Y[index * 16:(index + 1) * 16]})
        runs = [train(i) for i in (0, 1, 2)] + [train.loop(index=np.arange(4))]
        return runs + _values(*params), train.stats.kept
    with tempfile.TemporaryDirectory() as folder, \
            theano.change_flags(compiledir=folder, data_parallel='all'):
        (first, kept_first), (again, kept_again) = build(), build()
    report['kept'] = {'kept': [kept_first, kept_again], 'same': all(
        np.array_equal(a, b) for a, b in zip(first, again, strict=True))}


def count(report):
    """``data_parallel=4``: a mesh of the first four devices."""
    import symgraph as theano
    import symgraph.tensor as T
    theano.config.data_parallel = 4
    W = theano.shared(np.ones((3, 2)), name='W')
    x = T.matrix('x')
    cost = T.sum(T.dot(x, W) ** 2)
    step = theano.function([x], cost, updates=[(W, W - 0.01 * T.grad(cost, W))])
    data = np.arange(24.).reshape(8, 3) / 10
    step(data)
    want = np.ones((3, 2)) - 0.01 * 2 * data.T @ (data @ np.ones((3, 2)))
    report['count'] = {'devices': len(W.container.value.sharding.device_set),
                       'agree': bool(np.allclose(W.get_value(), want, rtol=1e-12))}
    theano.config.data_parallel = 'off'


def _spec(sharding):
    spec = getattr(sharding, 'spec', ())
    return list(spec) if len(sharding.device_set) == N_DEVICES else 'one device'


def _main():
    import jax

    import symgraph
    symgraph.config.data_parallel = 'all'
    report = {'devices': len(jax.devices()),
              'parameter_layout': {'devices': len(symgraph.shared(np.ones(3)).container.value
                                                  .sharding.device_set),
                                   'spec': list(symgraph.shared(np.ones(3)).container.value
                                                .sharding.spec)}}
    symgraph.config.data_parallel = 'off'
    for check in (lxmls_givens, lxmls_columns, logistic_rows, rnn, lenet,
                  sharded, index_out_of_range, host_call, donated, kept, count):
        check(report)
    print(json.dumps(report, default=_jsonable))


def _jsonable(value):
    return np.asarray(value).tolist()


if __name__ == '__main__':
    _main()
