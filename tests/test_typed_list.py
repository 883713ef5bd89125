"""theano.typed_list: against Python's own list operations and Theano 1.0.5's printed
graphs and values (tests/goldens/sparse_goldens.json)."""
import json
import os
import sys

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
import symgraph.typed_list as TL

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'goldens'))
import sparse_cases  # noqa: E402

with open(os.path.join(HERE, 'goldens', 'sparse_goldens.json')) as handle:
    GOLDENS = json.load(handle)


def assert_matches(value, golden, what):
    if 'list' in golden:
        assert isinstance(value, list) and len(value) == len(golden['list']), what
        for k, (v, g) in enumerate(zip(value, golden['list'])):
            assert_matches(v, g, '%s[%d]' % (what, k))
        return
    value = np.asarray(value)
    assert str(value.dtype) == golden['dtype'], (what, value.dtype)
    np.testing.assert_allclose(value, golden['value'], err_msg=what)


@pytest.mark.parametrize('name', ['typed_list', 'typed_list_edit'])
def test_like_theano(name):
    ns = {'theano': theano, 'T': T, 'TL': TL, 'np': np}
    code = sparse_cases.CASES[name]
    exec(compile(code, '<case %s>' % name, 'exec'), ns)
    assert theano.printing.debugprint(ns['out'], file='str') == GOLDENS[name]['debugprint']
    got = theano.function(ns['fn_inputs'], ns['fn_outputs'])(*ns['fn_args'])
    for k, (value, golden) in enumerate(zip(got, GOLDENS[name]['values'])):
        assert_matches(value, golden, '%s output %d' % (name, k))


@pytest.fixture(scope='module')
def vector_list_ops():
    l, v, i = TL.TypedListType(T.dvector)('l'), T.dvector('v'), T.lscalar('i')
    outputs = [l.remove(v), l.count(v), l.ind(v), TL.length(l), l[i], l[1:], l.reverse(),
               l.insert(i, v), l.append(v).extend(l)]
    return theano.function([l, v, i], outputs)


def _python_model(values, v, i):
    """What the ops do, with Python's lists."""
    listed = [list(x) for x in values]
    removed = list(listed)
    removed.remove(list(v))
    inserted = list(listed)
    inserted.insert(i, list(v))
    return [removed, listed.count(list(v)), listed.index(list(v)), len(listed), listed[i],
            listed[1:], listed[::-1], inserted, listed + [list(v)] + listed]


@pytest.mark.parametrize('position', [0, 2, 3])
def test_list_ops_against_python(vector_list_ops, position):
    rng = np.random.RandomState(position)
    values = [rng.rand(3) for _ in range(4)]
    v = values[position].copy()
    values.append(v.copy())  # a second equal element: remove takes the first
    got = vector_list_ops(values, v, 1)
    for k, (value, want) in enumerate(zip(got, _python_model(values, v, 1))):
        if isinstance(value, list):
            assert [list(x) for x in value] == want, k
        else:
            np.testing.assert_array_equal(value, want, err_msg=str(k))


def test_one_program_while_length_and_index_stay(vector_list_ops):
    """The element removed varies with the values, in one program; a list of another
    length compiles another."""
    before = vector_list_ops.stats.programs
    rng = np.random.RandomState(9)
    values = [rng.rand(3) for _ in range(5)]
    for position in (4, 1):
        got = vector_list_ops(values, values[position], 1)
        assert len(got[0]) == 4 and got[2] == position
    assert vector_list_ops.stats.programs - before <= 1
    got = vector_list_ops(values[:2], values[0], 1)
    assert got[3] == 2


def test_remove_needs_shapes_it_can_know():
    l, m = TL.TypedListType(T.dmatrix)('l'), T.dmatrix('m')
    f = theano.function([l, m], TL.remove(l, m))
    with pytest.raises(ValueError, match='different shapes'):
        f([np.ones((1, 2)), np.ones((2, 2)), np.ones((1, 2))], np.ones((1, 2)))


def test_make_list_and_bad_elements():
    a, b = T.dvector('a'), T.dvector('b')
    f = theano.function([a, b], TL.make_list([a, b * 2]))
    got = f(np.arange(2.0), np.ones(3))
    assert isinstance(got, list) and [x.tolist() for x in got] == [[0.0, 1.0], [2.0, 2.0, 2.0]]
    with pytest.raises(TypeError, match='same type'):
        TL.make_list([a, T.dmatrix('m')])
    l = TL.TypedListType(T.dvector)('l')
    with pytest.raises(TypeError, match='is not an element'):
        TL.append(l, T.fmatrix('x'))
    g = theano.function([l], TL.length(l))
    with pytest.raises(TypeError, match='input l'):
        g(np.ones(3))
