"""Interleaved timing shared by the benchmarks (imports neither JAX nor symgraph, so that
a benchmark can still measure a cold start after importing it)."""
import statistics
import time


def round_robin(variants, rounds, clock=time.perf_counter):
    """{name: (best, median)} seconds, running the variants in turn each round, after one
    run of each (which compiles what it needs), so that machine noise hits them alike.
    ``clock=time.thread_time`` counts the CPU time of the calling thread instead of wall
    time, which other processes on a loaded machine disturb less."""
    times = {name: [t for (t,) in samples]
             for name, samples in _interleaved(variants, rounds, (clock,)).items()}
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


def paired(variants, rounds, reference):
    """{name: (median over rounds of its wall time / the reference's in that round, the
    same in CPU time of the process)}: the variants run in turn each round (after one
    run of each), so that a ratio compares runs a few milliseconds apart, which drifts in
    a shared machine's speed disturb far less than they do the best or median of each."""
    times = _interleaved(variants, rounds, (time.perf_counter, time.process_time))
    base = times[reference]
    return {name: tuple(statistics.median(t[k] / b[k] for t, b in zip(samples, base))
                        for k in (0, 1))
            for name, samples in times.items()}


def _interleaved(variants, rounds, clocks):
    """{name: [(seconds by each clock) per round]}: each variant run once, then all in
    turn, ``rounds`` times."""
    for run in variants.values():
        run()
    times = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            starts = [clock() for clock in clocks]
            run()
            times[name].append(tuple(clock() - start for clock, start in zip(clocks, starts)))
    return times
