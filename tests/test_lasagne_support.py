"""Theano names and behaviours that Lasagne relies on, each checked against Theano 1.0.5
(expected values printed by the real Theano oracle) or numpy."""
import numpy as np

import symgraph as theano
import symgraph.tensor as T


def test_equal_computations_compares_structure_as_theano_does():
    from symgraph.scan_module.scan_utils import equal_computations as eq
    x, y, z = T.matrix('x'), T.matrix('y'), T.matrix('z')
    # Theano 1.0.5 answers True False True False True False True True False
    assert [eq([x + y], [x + y]), eq([x + y], [y + x]),
            eq([T.sum(x ** 2)], [T.sum(x ** 2)]), eq([T.sum(x ** 2)], [T.sum(x ** 3)]),
            eq([x * 2], [z * 2], [x], [z]), eq([x * 2], [z * 2]),
            eq([x + 1.0], [x + 1.0]), eq([x], [x]), eq([T.cast(x, 'float32')], [x])] == \
        [True, False, True, False, True, False, True, True, False]


def test_gpuarray_backend_reports_itself_inactive():
    from symgraph import gpuarray
    assert gpuarray.pygpu_activated is False
