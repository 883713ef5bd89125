"""Elementwise arithmetic on values known while a graph is built or traced (constants
folded, shapes) is computed by numpy: bit for bit what the compiled program computes, the
CPU's flushing of subnormal numbers included."""
import jax
import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.tensor import elemwise as ew

pytestmark = pytest.mark.skipif(theano.config.jax_platform != 'cpu',
                                reason='numpy reproduces the CPU\'s arithmetic; on a GPU, JAX '
                                       'computes known values as the GPU does')

SPECIAL = {
    'float32': [0., -0., 1., -1.5, 3e38, -3e38, 1e-39, -1e-39, 1.2e-38, 1e-45, np.inf,
                -np.inf, np.nan, 7.1, 1 / 3],
    'float64': [0., -0., 1., -1.5, 1.7e308, -1.7e308, 1e-310, -1e-310, 2.3e-308, 5e-324,
                np.inf, -np.inf, np.nan, 7.1, 1 / 3],
    'int32': [0, 1, -1, 2 ** 31 - 1, -2 ** 31, 7, -13],
    'int64': [0, 1, -1, 2 ** 63 - 1, -2 ** 63, 7, -13],
    'uint8': [0, 1, 255, 128, 7],
}


def _bits(value):
    value = np.asarray(value)
    return value.view('u%d' % value.dtype.itemsize) if value.dtype.kind == 'f' else value


@pytest.mark.parametrize('dtype', sorted(SPECIAL))
@pytest.mark.parametrize('scalar_op', sorted(ew._EXACT_IN_NUMPY, key=str), ids=str)
def test_numpy_computes_what_the_program_computes(scalar_op, dtype):
    specials = np.array(SPECIAL[dtype], dtype=dtype)
    rng = np.random.RandomState(0)
    if dtype.startswith('float'):
        drawn = (rng.randn(40) * 10.0 ** rng.randint(-40, 40, 40)).astype(dtype)
    else:
        info = np.iinfo(dtype)
        drawn = rng.randint(info.min, info.max, 40, dtype=dtype)
    values = np.concatenate([specials, drawn])
    xs = np.repeat(values, len(values))
    ys = np.tile(values, len(values))
    x, y = T.TensorType(dtype, (False,))('x'), T.TensorType(dtype, (False,))('y')
    inputs = [x] if scalar_op.nin == 1 else [x, y]
    node = ew.Elemwise(scalar_op)(*inputs).owner
    args = [xs] if scalar_op.nin == 1 else [xs, ys]
    on_host = node.op.jax_impl(node, *args)
    assert isinstance(on_host, np.ndarray)  # computed by numpy, not by a program
    in_program = np.asarray(jax.jit(lambda *a: node.op.jax_impl(node, *a))(*args))
    assert on_host.dtype == in_program.dtype == node.outputs[0].dtype
    np.testing.assert_array_equal(_bits(on_host), _bits(in_program))


def test_folded_constants_match_the_unfolded_program():
    # (-c) * 0.5 of a subnormal c: folded while the graph is built, it is what the program
    # computes from c at run time (the CPU reads c as zero there).
    x = T.fscalar('x')
    for c in (np.float32(1e-39), np.float32(-2.5), np.float32(3e38), np.float32(2.4e-38)):
        folded = theano.function([], -T.constant(c) * np.float32(0.5))
        unfolded = theano.function([x], -x * np.float32(0.5))
        assert not [n for n in folded.maker.fgraph.toposort() if n.inputs]  # all folded
        assert _bits(folded()) == _bits(unfolded(c))
