"""Starting fast: compiled programs kept on disk between processes (``compiledir``,
``cache``), long compiles reported, and the short last batch's program compiled before
training needs it."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Builds and calls a small function; prints its result and how many programs this process
# took from JAX's persistent cache (JAX's own count of cache hits).
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
print(json.dumps({'result': result, 'moved': moved, 'hits': len(hits),
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
    return sorted(os.listdir(path)) if os.path.isdir(path) else []


def test_a_second_process_loads_the_programs_the_first_one_compiled(tmp_path):
    cache = str(tmp_path / 'compiled')
    first = run_child(SYMGRAPH_FLAGS='compiledir=' + cache)
    written = entries(cache)
    assert first['result'] == [1.0, 3.0, 5.0] and first['hits'] == 0
    assert written, 'the first process wrote no program to the cache'
    # Theano's flag name, from THEANO_FLAGS, reaches the same directory.
    second = run_child(THEANO_FLAGS='compiledir=' + cache)
    assert second['result'] == [1.0, 3.0, 5.0] and second['compiledir'] == cache
    assert second['hits'] >= 1
    assert entries(cache) == written  # nothing new had to be compiled


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
