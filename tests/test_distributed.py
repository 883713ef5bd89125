"""Two processes on this machine, each with two CPU devices, joined by
``symgraph.distributed.initialize`` (gradients exchanged over TCP by gloo), train as one
program over the four devices and agree with the same training run here on one device.

The processes are this file run as a script; each prints its results as JSON.
"""
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

N_PROCESSES, LOCAL_DEVICES = 2, 2


def _free_port():
    with socket.socket() as s:
        s.bind(('localhost', 0))
        return s.getsockname()[1]


@pytest.fixture(scope='module')
def processes():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [
        root, os.environ.get('PYTHONPATH')])))
    env.pop('XLA_FLAGS', None)
    env.pop('SYMGRAPH_FLAGS', None)
    address = 'localhost:%d' % _free_port()
    running = [subprocess.Popen([sys.executable, os.path.abspath(__file__), address, str(k)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for k in range(N_PROCESSES)]
    reports = []
    try:
        for process in running:
            out, err = process.communicate(timeout=300)
            assert process.returncode == 0, err[-4000:]
            reports.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for process in running:
            if process.poll() is None:
                process.kill()
    return reports


@pytest.fixture(scope='module')
def one_device():
    """The same training, here, on one device and with the whole batches."""
    return {'rows': train_rows(lambda batch, axis=0: batch), 'givens': train_givens()}


def _close(got, want):
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-9, atol=1e-11)


def test_every_process_sees_all_devices(processes):
    for k, report in enumerate(processes):
        assert report['process'] == [k, N_PROCESSES]
        assert report['devices'] == [N_PROCESSES * LOCAL_DEVICES, LOCAL_DEVICES]


def test_each_process_feeds_its_part_of_the_batch(processes, one_device):
    for report in processes:
        _close(report['rows'], one_device['rows'])


def test_givens_minibatches_by_index(processes, one_device):
    for report in processes:
        _close(report['givens'], one_device['givens'])


def test_index_out_of_range_raises_in_every_process(processes):
    for report in processes:
        assert report['index_error'].startswith('index 40 is out of bounds')
        assert report['unchanged']


def test_a_part_its_devices_cannot_share_is_refused(processes):
    for report in processes:
        assert report['uneven'] == (
            'Input x of function "%s:%d": with 2 processes, each passes its own part of the '
            'batch, split along axis 0 among its 2 devices, but this process passed 3 '
            'entries along that axis; pass a multiple of 2 (see '
            'symgraph.distributed.local_part)' % (os.path.abspath(__file__), report['line']))


# ---------------------------------------------------------------------------------------
# The training runs, here and in each process
# ---------------------------------------------------------------------------------------

def _data():
    rng = np.random.RandomState(0)
    return rng.randn(48, 5), rng.randint(0, 3, 48).astype('int32')


def train_rows(part):
    """Logistic regression by SGD on batches of 16 rows, call by call, then as a loop;
    ``part`` gives this process's part of a batch (the whole batch on one process)."""
    import symgraph as theano
    import symgraph.tensor as T
    data_x, data_y = _data()
    W = theano.shared(np.random.RandomState(1).randn(5, 3) * 0.1, name='W')
    b = theano.shared(np.zeros(3), name='b')
    x, y = T.matrix('x'), T.ivector('y')
    p = T.nnet.softmax(T.dot(x, W) + b)
    cost = -T.mean(T.log(p)[T.arange(y.shape[0]), y])
    train = theano.function([x, y], cost, updates=[(v, v - 0.5 * T.grad(cost, v))
                                                   for v in (W, b)])
    costs = [float(train(part(data_x[k:k + 16]), part(data_y[k:k + 16])))
             for k in (0, 16, 32, 8)]
    steps = [0, 32, 16]  # the same as a loop: each step's batch along axis 1
    costs += list(train.loop(part(np.stack([data_x[k:k + 16] for k in steps]), axis=1),
                             part(np.stack([data_y[k:k + 16] for k in steps]), axis=1)))
    return costs + [W.get_value(), b.get_value()]


def train_givens():
    """An MLP with examples as columns, minibatches taken by index from shared data (every
    process passes the same index), step by step and as a loop."""
    import symgraph as theano
    import symgraph.tensor as T
    data_x, data_y = _data()
    rng = np.random.RandomState(2)
    W1 = theano.shared(rng.randn(4, 5), name='W1')
    W2 = theano.shared(rng.randn(3, 4), name='W2')
    X, Y = theano.shared(data_x.T.copy(), name='X'), theano.shared(data_y, name='Y')
    x, y, index = T.matrix('x'), T.ivector('y'), T.lscalar('index')
    p_y = T.nnet.softmax(T.dot(W2, T.tanh(T.dot(W1, x))).T).T
    cost = -T.mean(T.log(p_y[y, T.arange(y.shape[0])]))
    train = theano.function([index], cost, updates=[
        (w, w - 0.5 * T.grad(cost, w)) for w in (W1, W2)], givens={
        x: X[:, index * 8:(index + 1) * 8], y: Y[index * 8:(index + 1) * 8]})
    costs = [float(train(k)) for k in (0, 3, 5)]
    costs += list(train.loop(index=np.arange(6)))
    return costs + [W1.get_value(), W2.get_value()]


def index_out_of_range(report):
    import symgraph as theano
    import symgraph.tensor as T
    E = theano.shared(np.arange(120.).reshape(40, 3), name='E')
    ids = T.lvector('ids')
    step = theano.function([theano.In(ids, batch_axis=None)], [],
                           updates=[(E, T.inc_subtensor(E[ids], 1.0))])
    try:
        step(np.array([1, 40]))
    except IndexError as err:
        report['index_error'] = str(err)
    report['unchanged'] = bool(np.array_equal(E.get_value(), np.arange(120.).reshape(40, 3)))


def uneven_part(report):
    import symgraph as theano
    import symgraph.tensor as T
    x = T.matrix('x')
    total = theano.function([x], T.sum(x))
    report['line'] = sys._getframe().f_lineno - 1
    try:
        total(np.ones((3, 2)))
    except ValueError as err:
        report['uneven'] = str(err)


def _main(address, process_id):
    import jax

    import symgraph
    from symgraph import distributed
    jax.config.update('jax_num_cpu_devices', LOCAL_DEVICES)
    distributed.initialize(address, num_processes=N_PROCESSES, process_id=process_id)
    report = {'process': [distributed.process_index(), distributed.process_count()],
              'devices': [jax.device_count(), jax.local_device_count()],
              'rows': train_rows(distributed.local_part), 'givens': train_givens()}
    index_out_of_range(report)
    uneven_part(report)
    assert symgraph.config.data_parallel == 'all'
    print(json.dumps(report, default=lambda value: np.asarray(value).tolist()), flush=True)
    distributed.shutdown()


if __name__ == '__main__':
    _main(sys.argv[1], int(sys.argv[2]))
