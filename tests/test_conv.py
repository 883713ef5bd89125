"""Convolution: ``T.nnet.conv2d`` (abstract), ``conv3d``, the gradient ops and the
transposed convolution, the legacy ``T.nnet.conv.conv2d``; values and gradients against
Theano 1.0.5 (goldens) and finite differences, printing, and the shape-hint checks."""
import warnings

import numpy as np
import pytest

import nnet_cases
from nnet_goldens import check_debugprint, check_values, names

import symgraph as theano
import symgraph.tensor as T
from symgraph.tensor.nnet import abstract_conv
from symgraph.testing import verify_grad


@pytest.mark.parametrize('name', names(['conv_', 'conv3d_']))
def test_values_and_gradients_match_theano(name):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_values(name)


@pytest.mark.parametrize('name', names(['dp_conv'], nnet_cases.DEBUGPRINT_CASES))
def test_debugprint_matches_theano(name):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_debugprint(name)
