"""Starting fast: compiled programs kept on disk between processes (``compiledir``,
``cache``), long compiles reported, and the short last batch's program compiled before
training needs it."""
import json
import logging
import os
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.compile import compilelog, executor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Builds and calls a small function; prints its result, how many programs this process
# took from JAX's persistent cache (JAX's own count of cache hits) and how many the function
# read as an earlier process kept them (f.stats.kept: found by its graph, never traced).
CHILD = r'''
import json, sys
import jax.monitoring
hits = []
jax.monitoring.register_event_listener(
    lambda event, **kw: hits.append(event) if event == '/jax/compilation_cache/cache_hits'
    else None)
import numpy as np
import symgraph as theano
import symgraph.tensor as T
x = T.dvector('x')
f = theano.function([x], x * 2 + 1)
result = f(np.arange(3.0)).tolist()
moved = []
if len(sys.argv) > 1:  # the directory may be changed while the program runs
    theano.config.compiledir = sys.argv[1]
    g = theano.function([x], x * 3 - 1)
    moved = g(np.arange(3.0)).tolist()
print(json.dumps({'result': result, 'moved': moved, 'hits': len(hits), 'kept': f.stats.kept,
                  'compiledir': theano.config.compiledir}))
'''


def run_child(*args, **env):
    full_env = dict(os.environ, PYTHONPATH=ROOT)
    for name in ('THEANO_FLAGS', 'SYMGRAPH_FLAGS', 'JAX_COMPILATION_CACHE_DIR',
                 'XDG_CACHE_HOME'):
        full_env.pop(name, None)
    full_env.update(env)
    done = subprocess.run([sys.executable, '-c', CHILD] + list(args), capture_output=True,
                          text=True, env=full_env, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def entries(path):
    """The files under ``path`` (programs are kept in a folder per CPU pool size)."""
    return sorted(os.path.relpath(os.path.join(folder, name), path)
                  for folder, _, names in os.walk(path) for name in names)


def test_a_second_process_loads_the_programs_the_first_one_compiled(tmp_path):
    cache = str(tmp_path / 'compiled')
    first = run_child(SYMGRAPH_FLAGS='compiledir=' + cache)
    written = entries(cache)
    assert first['result'] == [1.0, 3.0, 5.0] and first['hits'] == 0 and first['kept'] == 0
    assert written, 'the first process wrote no program to the cache'
    # Theano's flag name, from THEANO_FLAGS, reaches the same directory.
    second = run_child(THEANO_FLAGS='compiledir=' + cache)
    assert second['result'] == [1.0, 3.0, 5.0] and second['compiledir'] == cache
    assert second['kept'] == 1 and second['hits'] == 0  # found before any tracing
    assert entries(cache) == written  # nothing new had to be compiled


def test_a_program_from_jaxs_cache_is_used_but_not_kept_again(tmp_path):
    # An executable JAX's cache deserialized cannot be serialized again whole (its copy
    # fails when run): a process that found its program only there keeps nothing more.
    cache = str(tmp_path / 'compiled')
    run_child(SYMGRAPH_FLAGS='compiledir=' + cache)
    kept = [os.path.join(folder, name) for folder, _, names in os.walk(cache)
            for name in names if os.path.basename(folder) == 'programs']
    assert len(kept) == 1
    os.remove(kept[0])
    for _ in range(2):
        again = run_child(SYMGRAPH_FLAGS='compiledir=' + cache)
        assert again['result'] == [1.0, 3.0, 5.0]
        assert again['hits'] == 1 and again['kept'] == 0
        assert not os.path.exists(kept[0])


def test_cache_off_writes_nothing(tmp_path):
    cache = str(tmp_path / 'compiled')
    done = run_child(SYMGRAPH_FLAGS='cache=False,compiledir=' + cache)
    assert done['result'] == [1.0, 3.0, 5.0] and done['hits'] == 0
    assert entries(cache) == []


def test_the_default_directory_and_moving_it_at_run_time(tmp_path):
    home, moved = tmp_path / 'home', str(tmp_path / 'elsewhere')
    done = run_child(moved, HOME=str(home))
    default = str(home / '.cache' / 'symgraph')
    assert entries(default), 'nothing was written under ~/.cache/symgraph'
    assert done['moved'] == [-1.0, 2.0, 5.0] and done['compiledir'] == moved
    assert entries(moved), 'the program compiled after the move was not written there'


# -- long compiles are reported --------------------------------------------------------

def test_a_compile_past_the_notice_time_logs_one_line_with_name_and_size(monkeypatch, caplog):
    x = T.dvector('x')
    f = theano.function([x], T.tanh(x * 2).sum(), name='slow_one')
    monkeypatch.setattr(compilelog, 'NOTICE_SECONDS', 0.05)
    # The compile outlasts the notice time whatever the machine's load (its program may
    # come from the cache in a few milliseconds).
    kept_or_compiled = executor.Function.kept_or_compiled

    def slow(*args, **kwargs):
        time.sleep(1.0)
        return kept_or_compiled(*args, **kwargs)
    monkeypatch.setattr(executor.Function, 'kept_or_compiled', slow)
    with caplog.at_level(logging.INFO, logger='symgraph'):
        assert f(np.zeros(3)) == 0.0
        f(np.zeros(3))  # no compile, no line
    lines = [r.getMessage() for r in caplog.records if r.name == 'symgraph']
    assert len(lines) == 1
    assert 'function "slow_one"' in lines[0]
    assert '(%d nodes' % len(f.maker.fgraph.apply_nodes) in lines[0]


def test_a_short_compile_logs_nothing(caplog):
    x = T.dvector('x')
    with caplog.at_level(logging.INFO, logger='symgraph'):
        theano.function([x], x + 1)(np.zeros(2))
    assert not [r for r in caplog.records if r.name == 'symgraph']


# -- the short last batch ----------------------------------------------------------------
def batch_sum(data, batch):
    """f(i) = the sum of rows i*batch:(i+1)*batch of shared data."""
    X = theano.shared(data, name='X')
    i = T.lscalar('i')
    x = T.dmatrix('x')
    return theano.function([i], x.sum(), givens={x: X[i * batch:(i + 1) * batch]}), X


def test_the_short_last_batch_is_compiled_with_the_first_call():
    data = np.arange(46.0).reshape(23, 2)
    f, _ = batch_sum(data, 5)
    assert f(0) == data[:5].sum()
    assert f.stats.programs == 2  # full batches and the last one, of 3 rows
    sums = [float(f(k)) for k in range(5)]
    assert sums == [data[k * 5:(k + 1) * 5].sum() for k in range(5)]
    assert f.stats.programs == 2  # the last batch used the program compiled ahead


def test_nothing_is_compiled_ahead_without_a_short_batch():
    data = np.arange(50.0).reshape(25, 2)
    f, _ = batch_sum(data, 5)
    assert [float(f(k)) for k in range(5)] == [data[k * 5:(k + 1) * 5].sum() for k in range(5)]
    assert f.stats.programs == 1


def test_nothing_is_compiled_ahead_for_slices_that_do_not_tile_the_data():
    X = theano.shared(np.arange(23.0), name='X')
    i = T.lscalar('i')
    window = theano.function([i], X[i:i + 5].sum())  # a sliding window: overlapping slices
    assert window(0) == 10.0 and window.stats.programs == 1
    assert window(20) == 20.0 + 21.0 + 22.0 and window.stats.programs == 2


def test_slice_lengths_follow_the_data_when_its_length_changes():
    f, X = batch_sum(np.ones((23, 2)), 5)
    assert f(4) == 6.0  # rows 20..22
    X.set_value(np.ones((25, 2)))
    assert f(4) == 10.0  # rows 20..24
    X.set_value(np.ones((21, 2)))
    assert f(4) == 2.0 and f(5) == 0.0


def test_loop_over_a_short_last_batch_matches_separate_calls():
    data = np.arange(46.0).reshape(23, 2)
    f, _ = batch_sum(data, 5)
    sums = f.loop(i=np.arange(5))
    np.testing.assert_array_equal(sums, [data[k * 5:(k + 1) * 5].sum() for k in range(5)])


# -- argument conversion on the fast path --------------------------------------------------
def test_python_numbers_are_checked_as_theano_checks_them():
    i, d = T.iscalar('i'), T.dscalar('d')
    f = theano.function([i, d], i * d)
    assert f(3, 2) == 6.0 and f(-2 ** 31, 1.5) == -2 ** 31 * 1.5
    assert f(True, 2.5) == 2.5  # a bool is a lossless int, as numpy converts it
    with pytest.raises(TypeError, match='input i'):
        f(2 ** 31, 1.0)  # does not fit an int32
    with pytest.raises(TypeError, match='input i'):
        f(1.5, 1.0)
    g = theano.function([i], i + 1)  # one scalar input: the stateless path
    assert g(7) == 8 and g(np.int32(7)) == 8
    with pytest.raises(TypeError, match='input i'):
        g(2 ** 40)
    with pytest.raises(TypeError, match='input i'):
        g(np.float64(1.0))


def test_a_function_without_state_serves_threads_and_new_shapes():
    x = T.dvector('x')
    f = theano.function([x], x * 2)
    out = {}

    def work(k):
        out[k] = [f(np.full(k % 3 + 1, float(k))).tolist() for _ in range(20)]
    threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k, results in out.items():
        assert results == [[2.0 * k] * (k % 3 + 1)] * 20
    assert f.stats.programs == 3  # one per length met


def test_xla_text_after_a_call_with_a_fortran_ordered_matrix():
    x = T.dmatrix('x')
    W = theano.shared(np.ones((3, 4)), name='W')
    f = theano.function([x], T.dot(W, x).sum())
    value = np.asfortranarray(np.arange(8.0).reshape(4, 2))  # passed as its transpose
    assert f(value) == np.ones((3, 4)).dot(value).sum()
    assert 'stablehlo.dot' in f.xla_text() or 'dot_general' in f.xla_text()


def test_a_directory_that_cannot_be_made_means_no_cache_and_no_error(tmp_path):
    blocker = tmp_path / 'a_file'
    blocker.write_text('')
    done = run_child(SYMGRAPH_FLAGS='compiledir=%s' % (blocker / 'compiled'))
    assert done['result'] == [1.0, 3.0, 5.0] and done['hits'] == 0
