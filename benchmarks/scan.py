"""``python -m benchmarks.scan``: programs built on ``theano.scan`` against hand-written JAX.

* ``rnn``   the LXMLS Day 6 Elman RNN (embedding 50, hidden 20, 45 tags, 4000 words)
            written as the lab writes it, ``theano.scan`` over a 20-word sentence: one
            forward + gradient + SGD update per call, µs per call, against a ``jax.jit``
            of ``lax.scan`` + ``jax.grad`` + the same update, in this process, variants
            interleaved round by round (target: at most 1.2x);
* ``day6``  Day 6's training loop from cold: 351 sentences of 15 distinct lengths, one
            update per sentence, 2 epochs, in a fresh process with JAX's persistent
            compilation cache off, every compile included; then the same 2 epochs warm,
            and the number of programs compiled (PyTensor, for reference, takes ~67 s cold
            and ~4 s warm on the 2-core machine of benchmarks/README.md);
* ``lstm``  the DeepLearningTutorials LSTM (``lstm.py``, run unchanged from
            ``tests/clients/dlt``; dim 128, batch 16, masks, dropout off, adadelta) for one
            epoch of synthetic IMDB-shaped data, against the same model and optimizer in
            JAX (benchmarks/dlt_lstm.py), interleaved (target: at most 1.1x).

Usage: ``python -m benchmarks.scan [rnn] [day6] [lstm] [--json PATH]`` (all three by
default); ``make bench`` runs them after benchmarks/run.py's LXMLS figures. Environment:
``SYMGRAPH_BENCH_ROUNDS`` (rounds of the interleaved comparisons), ``SYMGRAPH_BENCH_COLD_RUNS``
(fresh processes per variant of ``day6``), ``SYMGRAPH_BENCH_LSTM_SEQS`` (sequences in the
LSTM epoch). Nothing at module level imports JAX or symgraph: the cold runs start from a
bare interpreter.
"""
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

from benchmarks.timing import paired, round_robin

ROUNDS = int(os.environ.get('SYMGRAPH_BENCH_ROUNDS', '7'))
COLD_RUNS = int(os.environ.get('SYMGRAPH_BENCH_COLD_RUNS', '2'))
LSTM_SEQS = int(os.environ.get('SYMGRAPH_BENCH_LSTM_SEQS', '1024'))
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------------------------------
# LXMLS Day 6: the Elman RNN tagger
# ---------------------------------------------------------------------------------------

N_EMB, N_HIDD, N_TAGS, N_WORDS, LRATE = 50, 20, 45, 4000, 0.5


def day6_init(seed=0):
    """float32 W_e (n_emb, n_words), W_x, W_h, W_y as the lab initialises them."""
    rng = np.random.RandomState(seed)
    W_e = 0.01 * rng.uniform(size=(N_EMB, N_WORDS))
    W_x = rng.uniform(size=(N_HIDD, N_EMB))
    W_h = rng.uniform(size=(N_HIDD, N_HIDD))
    W_y = rng.uniform(size=(N_TAGS, N_HIDD))
    return [w.astype('float32') for w in (W_e, W_x, W_h, W_y)]


def day6_sentences(n=351, lengths=tuple(range(2, 31, 2)), seed=0):
    """``n`` (word ids, tag ids) int32 pairs whose lengths take each of ``lengths``."""
    rng = np.random.RandomState(seed)
    sizes = np.concatenate([lengths, rng.choice(lengths, n - len(lengths))])
    rng.shuffle(sizes)
    return [(rng.randint(0, N_WORDS, k).astype('int32'), rng.randint(0, N_TAGS, k)
             .astype('int32')) for k in sizes]


def day6_update(embedding_rows=False):
    """The Day 6 RNN and its per-sentence SGD update, written as the lab writes them:
    ``function([x, y], nll, updates=...)``. With ``embedding_rows`` the embedding is
    stored (n_words, n_emb) and read as ``W_e[x]`` instead of ``W_e[:, x].T`` (a
    diagnostic variant, not the lab's code)."""
    import symgraph as theano
    import symgraph.tensor as T
    W_e, W_x, W_h, W_y = day6_init()
    if embedding_rows:
        W_e = np.ascontiguousarray(W_e.T)
    param = [theano.shared(w, borrow=True) for w in (W_e, W_x, W_h, W_y)]
    _W_e, _W_x, _W_h, _W_y = param
    _x, _y = T.ivector('x'), T.ivector('y')
    _h0 = theano.shared(np.zeros((1, N_HIDD)).astype(theano.config.floatX), borrow=True)
    _z1 = _W_e[_x] if embedding_rows else _W_e[:, _x].T

    def rnn_step(_x_tm1, _h_tm1, _W_x, _W_h):
        return T.nnet.sigmoid(T.dot(_x_tm1, _W_x.T) + T.dot(_h_tm1, _W_h.T))

    _h, updates = theano.scan(fn=rnn_step, sequences=_z1, outputs_info=dict(initial=_h0),
                              non_sequences=[_W_x, _W_h])
    _z2 = _h[:, 0, :]
    _p_y = T.nnet.softmax(T.dot(_z2, _W_y.T))
    _F = -T.mean(T.log(_p_y)[T.arange(_y.shape[0]), _y])
    updates = [(par, par - LRATE * T.grad(_F, par)) for par in param]
    return theano.function([_x, _y], _F, updates=updates)


def jax_day6_cost(params, x, y, embedding_via_transpose=False):
    import jax
    import jax.numpy as jnp
    from jax import lax
    W_e, W_x, W_h, W_y = params
    # The diagnostic variant reads the embedding as symgraph's program does (rows of the
    # transposed matrix), so that its gradient is scattered into the transpose.
    z1 = W_e.T[x] if embedding_via_transpose else W_e[:, x].T

    def step(h, x_t):
        h = jax.nn.sigmoid(jnp.dot(x_t, W_x.T) + jnp.dot(h, W_h.T))
        return h, h

    _, h = lax.scan(step, jnp.zeros((1, N_HIDD), W_x.dtype), z1)
    log_p = jax.nn.log_softmax(jnp.dot(h[:, 0, :], W_y.T), axis=-1)
    return -jnp.mean(log_p[jnp.arange(y.shape[0]), y])


def jax_day6_update(embedding_via_transpose=False):
    """A hand-written ``jax.jit`` of the same step, parameters donated, called as a
    Theano function is (numpy arguments, the cost read back): ``update(x, y) -> cost``."""
    import jax

    def step(params, x, y):
        cost, grads = jax.value_and_grad(jax_day6_cost)(params, x, y,
                                                        embedding_via_transpose)
        return cost, [p - LRATE * g for p, g in zip(params, grads)]

    jitted = jax.jit(step, donate_argnums=0)
    state = [jax.numpy.asarray(w) for w in day6_init()]

    def update(x, y):
        cost, state[:] = jitted(list(state), x, y)
        return np.asarray(cost)
    update.jitted = jitted
    return update


def rnn_step(calls=200):
    """µs per call of the Day 6 update on one 20-word sentence (best, median), and the
    median ratio to ``jax.jit`` of rounds of 20 calls run side by side (wall, CPU time)."""
    import symgraph as theano
    theano.config.floatX = 'float32'
    x, y = day6_sentences(n=1, lengths=(20,), seed=1)[0]
    ours, rows = day6_update(), day6_update(embedding_rows=True)
    raw, raw_transposed = jax_day6_update(), jax_day6_update(embedding_via_transpose=True)
    first = [float(f(x, y)) for f in (ours, rows, raw, raw_transposed)]
    assert np.allclose(first, first[0], rtol=1e-5), first  # the same computation

    def many(update, n):
        def run():
            for _ in range(n):
                update(x, y)
        return run
    updates = {'symgraph (the lab\'s code)': ours, 'jax.jit(lax.scan)': raw,
               'symgraph, embedding read as W_e[x]': rows,
               'jax.jit, embedding read as W_e.T[x]': raw_transposed}
    times = round_robin({name: many(f, calls) for name, f in updates.items()},
                        rounds=3 * ROUNDS)
    ratios = paired({name: many(f, calls // 10) for name, f in updates.items()},
                    rounds=30 * ROUNDS, reference='jax.jit(lax.scan)')
    return {name: (best / calls * 1e6, median / calls * 1e6) + ratios[name]
            for name, (best, median) in times.items()}


def day6_cold_child(impl, epochs=2):
    """One cold run of Day 6's loop in this (fresh) process; JSON on stdout."""
    start = time.perf_counter()
    import jax
    jax.config.update('jax_enable_compilation_cache', False)  # no persistent cache
    sentences = day6_sentences()
    if impl == 'symgraph':
        import symgraph as theano
        theano.config.floatX = 'float32'
        update = day6_update()
    else:  # JAX at its defaults (int32, asynchronous dispatch, its own thread pool)
        update = jax_day6_update()
    built = time.perf_counter()

    def train():
        for _ in range(epochs):
            for x, y in sentences:
                update(x, y)
    train()
    cold = time.perf_counter()
    train()
    warm = time.perf_counter() - cold
    programs = update.stats.programs if impl == 'symgraph' else update.jitted._cache_size()
    print(json.dumps({'import_and_build_s': built - start, 'train_cold_s': cold - built,
                      'in_process_s': cold - start, 'warm_s': warm, 'programs': programs,
                      'compile_s': getattr(getattr(update, 'stats', None),
                                           'compile_seconds', None)}))


def day6_cold():
    """Cold and warm figures of Day 6's loop, each variant in fresh processes, alternated.
    ``total_s`` is the wall time of the whole process (interpreter start, imports, graph
    building, all compiles, 2 epochs); ``warm_s`` the same 2 epochs again, all compiled."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('JAX_COMPILATION_CACHE_DIR', 'PJRT_NPROC')}
    env['PYTHONPATH'] = os.pathsep.join(filter(None, [ROOT, env.get('PYTHONPATH')]))
    env['SYMGRAPH_FLAGS'] = ','.join(filter(None, [env.get('SYMGRAPH_FLAGS'), 'cache=False']))
    runs = {'symgraph': [], 'jax.jit': []}
    for _ in range(COLD_RUNS):
        for name, impl in (('symgraph', 'symgraph'), ('jax.jit', 'jax')):
            start = time.perf_counter()
            out = subprocess.run([sys.executable, '-m', 'benchmarks.scan', 'day6-cold', impl],
                                 env=env, cwd=ROOT, capture_output=True, text=True,
                                 check=True)
            result = json.loads(out.stdout.strip().splitlines()[-1])
            result['total_s'] = time.perf_counter() - start
            runs[name].append(result)
    summary = {}
    for name, results in runs.items():
        row = {}
        for key in ('total_s', 'import_and_build_s', 'train_cold_s', 'warm_s', 'compile_s'):
            values = [r[key] for r in results if r[key] is not None]
            if values:
                row[key] = (min(values), statistics.median(values))
        row['programs'] = results[0]['programs']
        summary[name] = row
    return summary


# ---------------------------------------------------------------------------------------
# DeepLearningTutorials LSTM
# ---------------------------------------------------------------------------------------

def lstm_epoch(n_seqs=LSTM_SEQS, dim=128, batch_size=16, n_words=10000, max_len=99):
    """Seconds per epoch of DLT's training loop body (``f_grad_shared(x, mask, y)`` then
    ``f_update(lrate)`` per minibatch), symgraph running lstm.py unchanged against
    lstm.py's model and adadelta in JAX (two jitted calls per minibatch as lstm.py makes
    them, and one fused call). Minibatches are padded to their longest sequence, so their
    shapes vary (one program per shape, compiled in the first epoch); a diagnostic pair
    runs the same minibatches ordered so that consecutive ones share a shape."""
    import symgraph as theano
    import symgraph.tensor as T
    from benchmarks import dlt_lstm
    theano.config.floatX = 'float32'
    with dlt_lstm.load_dlt() as (lstm, imdb):
        options = dict(dim_proj=dim, n_words=n_words, encoder='lstm', ydim=2,
                       use_dropout=False)
        tparams = lstm.init_tparams(lstm.init_params(options))
        initial = [p.get_value() for p in tparams.values()]
        _, x, mask, y, _, _, cost = lstm.build_model(tparams, options)
        grads = T.grad(cost, wrt=list(tparams.values()))
        lr = T.scalar(name='lr')
        f_grad_shared, f_update = lstm.adadelta(lr, tparams, grads, x, mask, y, cost)
        seqs, labels = dlt_lstm.synthetic_sequences(n_seqs, n_words, 10, max_len, seed=0)
        batches = dlt_lstm.epoch_minibatches(lstm, imdb, seqs, labels, batch_size)
    jax_batches = [(bx, bm, np.asarray(by)) for bx, bm, by in batches]
    two_calls, fused = dlt_lstm.JaxAdadelta(initial), dlt_lstm.JaxAdadelta(initial)
    lrate = 0.0001
    first = [float(f_grad_shared(*batches[0])), float(two_calls.grad_shared(*jax_batches[0])),
             float(fused.fused(*jax_batches[0]))]
    assert np.allclose(first, first[0], rtol=1e-5), first  # the same computation
    f_update(lrate)
    two_calls.update()

    def symgraph_epoch(batches):
        def run():
            for bx, bm, by in batches:
                f_grad_shared(bx, bm, by)
                f_update(lrate)
        return run

    def jax_epoch(batches):
        def run():
            for bx, bm, by in batches:
                two_calls.grad_shared(bx, bm, by)
                two_calls.update()
        return run

    def jax_fused_epoch():
        for bx, bm, by in jax_batches:
            fused.fused(bx, bm, by)

    # Diagnostic: the same minibatches in an order where consecutive ones share a shape.
    def by_shape(batches):
        return sorted(batches, key=lambda batch: batch[0].shape)

    start = time.perf_counter()
    symgraph_epoch(batches)()
    first_epoch = time.perf_counter() - start
    times = round_robin({'symgraph (lstm.py unchanged)': symgraph_epoch(batches),
                         'jax.jit, two calls (as lstm.py)': jax_epoch(jax_batches),
                         'jax.jit, one fused call': jax_fused_epoch,
                         'symgraph, minibatches grouped by shape': symgraph_epoch(
                             by_shape(batches)),
                         'jax.jit two calls, grouped by shape': jax_epoch(
                             by_shape(jax_batches))},
                        rounds=max(3, ROUNDS // 2))
    return {'epoch_seconds': times, 'minibatches': len(batches),
            'distinct_lengths': len({bx.shape for bx, _, _ in batches}),
            'symgraph_first_epoch_s': first_epoch,
            'symgraph_programs': f_grad_shared.stats.programs + f_update.stats.programs,
            'symgraph_compile_s': f_grad_shared.stats.compile_seconds
            + f_update.stats.compile_seconds,
            'jax_programs': two_calls._grad_shared._cache_size()
            + two_calls._update._cache_size()}


# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------

def run(which=('rnn', 'day6', 'lstm'), out=print):
    """Run the chosen benchmarks, print their tables, return their figures."""
    import jax
    import symgraph  # first: its JAX settings apply before JAX's CPU client exists
    results = {'jax': jax.__version__, 'symgraph': symgraph.__version__,
               'date': time.strftime('%Y-%m-%d')}
    if 'rnn' in which:
        rnn = results['rnn_step_us'] = rnn_step()
        base = rnn['jax.jit(lax.scan)'][0]
        out('\nLXMLS Day 6 RNN, one update on a 20-word sentence, µs per call, best / median; '
            'ratio of bests; median ratio of paired rounds, wall and CPU time:')
        for name, (best, median, wall, cpu) in rnn.items():
            out('  %-40s %7.1f / %7.1f   %.2fx   %.2fx  %.2fx'
                % (name, best, median, best / base, wall, cpu))
        ours = rnn['symgraph (the lab\'s code)']
        results['rnn_ratio'] = ours[0] / base
        out('  symgraph / jax.jit (target <= 1.2): %.2f best, %.2f paired wall, %.2f paired '
            'CPU' % (results['rnn_ratio'], ours[2], ours[3]))
    if 'day6' in which:
        cold = results['day6_cold'] = day6_cold()
        out('\nLXMLS Day 6 training loop (351 sentences, 15 lengths, 2 epochs), fresh '
            'process, best / median of %d:' % COLD_RUNS)
        for name, row in cold.items():
            out('  %-9s total %.1f / %.1f s (import + build %.1f, 2 epochs with compiles '
                '%.1f), warm 2 epochs %.2f / %.2f s, %d programs%s' % (
                    name, *row['total_s'], row['import_and_build_s'][0],
                    row['train_cold_s'][0], *row['warm_s'], row['programs'],
                    ', compiling %.1f s' % row['compile_s'][0] if 'compile_s' in row else ''))
        out('  (PyTensor, quoted: ~67 s cold, ~4 s warm)')
    if 'lstm' in which:
        lstm = results['dlt_lstm'] = lstm_epoch()
        times = lstm['epoch_seconds']
        base = times['jax.jit, two calls (as lstm.py)'][0]
        out('\nDLT LSTM (dim 128, batch 16, %d minibatches, %d shapes), s per epoch, '
            'best / median:' % (lstm['minibatches'], lstm['distinct_lengths']))
        for name, (best, median) in times.items():
            out('  %-40s %6.2f / %6.2f   %.2fx' % (name, best, median, best / base))
        out('  symgraph: first epoch %.1f s, %d programs (compiling %.1f s); jax.jit: %d '
            'programs' % (lstm['symgraph_first_epoch_s'], lstm['symgraph_programs'],
                          lstm['symgraph_compile_s'], lstm['jax_programs']))
        results['lstm_ratio'] = times['symgraph (lstm.py unchanged)'][0] / base
        out('  symgraph / jax.jit two calls (target <= 1.1): %.2f; / one fused call: %.2f; '
            'grouped by shape: %.2f' % (
                results['lstm_ratio'], times['symgraph (lstm.py unchanged)'][0]
                / times['jax.jit, one fused call'][0],
                times['symgraph, minibatches grouped by shape'][0]
                / times['jax.jit two calls, grouped by shape'][0]))
    return results


def main(argv):
    if argv[:1] == ['day6-cold']:
        return day6_cold_child(argv[1])
    json_path = None
    if '--json' in argv:
        json_path = argv[argv.index('--json') + 1]
        argv = [a for a in argv if a not in ('--json', json_path)]
    which = tuple(argv) or ('rnn', 'day6', 'lstm')
    import platform
    print('symgraph scan benchmarks on %s, %d cores, %s' % (
        platform.processor() or platform.machine(), os.cpu_count(), time.strftime('%Y-%m-%d')))
    results = run(which)
    if json_path:
        with open(json_path, 'w') as f:
            json.dump(results, f, indent=1)


if __name__ == '__main__':
    main(sys.argv[1:])
