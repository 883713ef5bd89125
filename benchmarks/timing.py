"""Interleaved timing shared by the benchmarks (imports neither JAX nor symgraph, so that
a benchmark can still measure a cold start after importing it)."""
import statistics
import time


def round_robin(variants, rounds):
    """{name: (best, median)} seconds, running the variants in turn each round, after one
    run of each (which compiles what it needs), so that machine noise hits them alike."""
    for run in variants.values():
        run()
    times = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}
