"""Shared helpers for the throwaway experiments (no backend init on import).

The 2-core machine is shared with other work, so timings are noisy: `compare`
runs the variants round-robin (each round = n calls of each variant) and
reports the best round (least disturbed) and the median round.
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import jax_baselines as jb  # noqa: E402,F401


def init_from_argv(argv=None):
    """Create the JAX CPU client per command-line switches (call before any JAX op):
    --no-async  -> jax_cpu_enable_async_dispatch=False
    --one-thread  -> one-thread XLA intra-op pool (affinity {cpu0} during client creation)
    Returns a short description string."""
    argv = sys.argv if argv is None else argv
    no_async, pin = "--no-async" in argv, "--one-thread" in argv
    jb.init_backend(async_dispatch=False if no_async else None,
                    pool_threads=1 if pin else None)
    import jax
    return (f"jax {jax.__version__}, async_dispatch="
            f"{jax.config.values['jax_cpu_enable_async_dispatch']}, one-thread pool={pin}")


def _round(fn, n):
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n * 1e6


def compare(fns, n=200, rounds=15, warmup=20, label_width=58, quiet=False):
    """fns: {name: zero-arg callable}. Prints and returns {name: (best, median)} us/call."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    per = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            per[k].append(_round(fn, n))
    out = {k: (min(v), statistics.median(v)) for k, v in per.items()}
    for k, (b, m) in out.items():
        if not quiet:
            print(f"  {k:<{label_width}s} best {b:8.1f} us   median {m:8.1f} us", flush=True)
    return out


def load_note():
    return f"(loadavg {os.getloadavg()[0]:.2f})"
