"""Shared test helpers: running the Theano-golden snippets under symgraph."""
import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'goldens'))

import symgraph  # noqa: E402
import symgraph.tensor as T  # noqa: E402


def run_snippet(code):
    """Execute a golden case's snippet with symgraph standing in for Theano."""
    namespace = {'theano': symgraph, 'T': T, 'np': np}
    exec(compile(code, '<case>', 'exec'), namespace)
    return namespace


@pytest.fixture(autouse=True)
def _default_config():
    """Every test starts from the default flags."""
    saved = dict(symgraph.config.__dict__)
    yield
    for name, value in saved.items():
        object.__setattr__(symgraph.config, name, value)
