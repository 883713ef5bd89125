"""Hand-written JAX baselines for the LXMLS MLP minibatch SGD step (CPU).

Workload: W1 (20, 13989), b1 (20, 1), W2 (2, 20), b2 (2, 1), float32;
x = train_x[:, i*5:(i+1)*5] where train_x is a Fortran-ordered (13989, 1600)
float32 array (train_x = X.T of a C-ordered (docs, features) array);
y int32 (5,).  320 steps per epoch.

Baselines (modes)
  default      B-default: jitted step called with numpy column slices; params
               are jax arrays returned by the step and fed back; costs stay
               jax arrays until the end of the epoch.  JAX at default settings.
  default_sync same, but np.asarray(cost) after every call (Theano-style).
  device       B-device: data on device, step takes an int index and
               lax.dynamic_slices the batch out of X (13989, 1600).
  scan         B-scan: the whole epoch as one lax.scan over batch indices.
  numpy_tuned  fastest numpy-slice loop found (see make_numpy_epoch and
               experiments/FINDINGS.md); forces --no-async --one-thread.
  *_xT*, *_donate*, device_T, scan_T: variants used in the findings (x passed
               transposed / params donated / data stored as X^T on device).

Usage (each run in its own process; JSON on stdout):
  python benchmarks/jax_baselines.py default [--epochs N] [--no-async] [--one-thread]
  python benchmarks/jax_baselines.py all      # ALL_RUNS, each in a subprocess;
                                              # summary table on stderr

Importing this module does NOT initialise the JAX backend, so experiment
scripts can import the helpers and still set backend flags first.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

N_FEAT = 13989
N_HID = 20
N_OUT = 2
N_DOCS = 1600
BATCH = 5
LR = 0.01
N_STEPS = N_DOCS // BATCH  # 320


# ----------------------------------------------------------------- data ----
def make_data(seed=0):
    """Synthetic stand-in for the LXMLS Amazon sentiment data.

    Returns train_x (13989, 1600) float32 *Fortran-ordered* (transpose of a
    C-ordered (docs, features) array, as in the lab) and train_y int32 (1600,).
    Values are sparse-ish non-negative counts; only layout/dtype matter here.
    """
    rng = np.random.default_rng(seed)
    X = np.zeros((N_DOCS, N_FEAT), dtype=np.float32)  # C-ordered (docs, feats)
    nnz = 100
    rows = np.repeat(np.arange(N_DOCS), nnz)
    cols = rng.integers(0, N_FEAT, size=N_DOCS * nnz)
    X[rows, cols] = rng.integers(1, 4, size=rows.size).astype(np.float32)
    train_x = X.T
    assert train_x.flags.f_contiguous and not train_x.flags.c_contiguous
    train_y = rng.integers(0, N_OUT, size=N_DOCS).astype(np.int32)
    return train_x, train_y


def init_params(seed=1):
    """numpy float32 params (W1, b1, W2, b2)."""
    rng = np.random.default_rng(seed)
    W1 = (rng.standard_normal((N_HID, N_FEAT)) * 0.01).astype(np.float32)
    b1 = np.zeros((N_HID, 1), np.float32)
    W2 = (rng.standard_normal((N_OUT, N_HID)) * 0.1).astype(np.float32)
    b2 = np.zeros((N_OUT, 1), np.float32)
    return W1, b1, W2, b2


def batch_slice(train_x, train_y, i):
    return train_x[:, i * BATCH:(i + 1) * BATCH], train_y[i * BATCH:(i + 1) * BATCH]


# ---------------------------------------------------------------- model ----
def loss_fn(params, x, y):
    """x: (13989, n) column batch, y: (n,) int labels."""
    import jax
    import jax.numpy as jnp
    W1, b1, W2, b2 = params
    z1 = W1 @ x + b1
    h = jax.nn.sigmoid(z1)
    z2 = W2 @ h + b2
    z2 = z2 - jnp.max(z2, axis=0, keepdims=True)
    e = jnp.exp(z2)
    p = e / jnp.sum(e, axis=0, keepdims=True)
    n = x.shape[1]
    return -jnp.mean(jnp.log(p[y, jnp.arange(n)]))


def sgd_step(W1, b1, W2, b2, x, y):
    """Pure step: returns (cost, W1, b1, W2, b2)."""
    import jax
    params = (W1, b1, W2, b2)
    cost, grads = jax.value_and_grad(loss_fn)(params, x, y)
    new = tuple(p - LR * g for p, g in zip(params, grads))
    return (cost,) + new


def sgd_step_xT(W1, b1, W2, b2, xT, y):
    """Same step, but takes x transposed ((n, 13989), C-contiguous view)."""
    return sgd_step(W1, b1, W2, b2, xT.T, y)


# -------------------------------------------------------------- backend ----
def init_backend(async_dispatch=None, pool_threads=None):
    """Configure and create the JAX CPU client. Must run before any JAX op.

    async_dispatch=False: jax_cpu_enable_async_dispatch off.  Read only when the
      CPU client is created; a later jax.config.update is silently ignored
      (and the env var JAX_CPU_ENABLE_ASYNC_DISPATCH is not read at all).
    pool_threads=N: size of XLA:CPU's intra-op/dispatch thread pools, via the
      PJRT_NPROC environment variable that the PjRt CPU client reads when it
      is created (default: one thread per schedulable core).  With 1, XLA also
      compiles without parallel-partitioned loops.
    """
    import jax
    if async_dispatch is not None:
        jax.config.update("jax_cpu_enable_async_dispatch", bool(async_dispatch))
    if pool_threads is not None:
        os.environ["PJRT_NPROC"] = str(int(pool_threads))
    jax.devices()


# --------------------------------------------------------------- timing ----
def time_epochs(run_epoch, epochs, warmup=1):
    for _ in range(warmup):
        run_epoch()
    ts = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        run_epoch()
        ts.append(time.perf_counter() - t0)
    return {"best_s": min(ts), "median_s": statistics.median(ts),
            "per_call_us": min(ts) / N_STEPS * 1e6, "epochs": ts}


def _jax_info():
    import jax
    return {"jax": jax.__version__, "device": str(jax.devices()[0]),
            "async_dispatch": bool(jax.config.values["jax_cpu_enable_async_dispatch"])}


# ------------------------------------------------------------ baselines ----
def bench_default(epochs=7, sync_cost=False, transpose=False, donate=False):
    """B-default: jitted step, numpy column slices, jax params fed back.

    sync_cost=True converts the cost to numpy every call (Theano-style
    function returning numpy outputs); otherwise costs stay jax arrays and are
    converted once at the end of the epoch.
    transpose=True passes the C-contiguous view x.T and transposes in-graph.
    donate=True donates the four param buffers (updated in place by XLA).
    """
    import jax
    train_x, train_y = make_data()
    fn = sgd_step_xT if transpose else sgd_step
    step = jax.jit(fn, donate_argnums=(0, 1, 2, 3) if donate else ())
    state = {"p": tuple(jax.device_put(a) for a in init_params())}
    slices = [batch_slice(train_x, train_y, i) for i in range(N_STEPS)]
    if transpose:
        slices = [(x.T, y) for x, y in slices]

    def run_epoch():
        W1, b1, W2, b2 = state["p"]
        costs = []
        for x, y in slices:
            cost, W1, b1, W2, b2 = step(W1, b1, W2, b2, x, y)
            costs.append(np.asarray(cost) if sync_cost else cost)
        state["p"] = (W1, b1, W2, b2)
        c = float(np.mean([np.asarray(c) for c in costs]))
        jax.block_until_ready(state["p"])
        return c

    res = time_epochs(run_epoch, epochs)
    res["final_epoch_mean_cost"] = run_epoch()
    return res


def aligned_empty(shape, dtype=np.float32, align=64):
    """Uninitialised numpy array whose data pointer is `align`-byte aligned.

    XLA:CPU only aliases (zero-copy) numpy memory that is 64-byte aligned and
    C-contiguous; anything else is copied by PjRt, which is much slower than a
    numpy memcpy for a 280 KB batch."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape))
    raw = np.empty(n * dtype.itemsize + align, np.uint8)
    off = -raw.ctypes.data % align
    return raw[off:off + n * dtype.itemsize].view(dtype).reshape(shape)


def make_numpy_epoch(train_x, train_y, stage=True, transpose=True, donate=True,
                     n_stage=2):
    """run_epoch() for the numpy-slice loop; the switches select the call path.

    Fastest combination (all True; see experiments/FINDINGS.md):
    - params donated (updated in place, no 1.1 MB output allocation),
    - x passed as its C-contiguous transpose x.T, transposed back in-graph,
    - x.T copied (memcpy, ~7 us) into a reusable 64-byte-aligned staging buffer
      so PjRt aliases it instead of doing its own (slower) copy,
    - cost converted with np.asarray each call (this also guarantees the step
      has finished before its staging buffer is overwritten).
    Run it with async dispatch off and a one-thread XLA pool (init_backend).
    """
    import jax
    fn = sgd_step_xT if transpose else sgd_step
    step = jax.jit(fn, donate_argnums=(0, 1, 2, 3) if donate else ())
    shape = (BATCH, N_FEAT) if transpose else (N_FEAT, BATCH)
    stages = [aligned_empty(shape) for _ in range(n_stage)]
    state = {"p": tuple(jax.device_put(a) for a in init_params())}

    def run_epoch():
        W1, b1, W2, b2 = state["p"]
        costs = []
        for i in range(N_STEPS):
            x, y = batch_slice(train_x, train_y, i)
            if transpose:
                x = x.T
            if stage:
                buf = stages[i % n_stage]
                np.copyto(buf, x)
                x = buf
            cost, W1, b1, W2, b2 = step(W1, b1, W2, b2, x, y)
            costs.append(np.asarray(cost))
        state["p"] = (W1, b1, W2, b2)
        return float(np.mean(costs))

    return run_epoch


def bench_numpy_tuned(epochs=7, **switches):
    """Tuned numpy-slice loop (see make_numpy_epoch)."""
    train_x, train_y = make_data()
    run_epoch = make_numpy_epoch(train_x, train_y, **switches)
    res = time_epochs(run_epoch, epochs)
    res["final_epoch_mean_cost"] = run_epoch()
    return res


def bench_device(epochs=7, transposed=False):
    """B-device: data on device, step takes int index + lax.dynamic_slice.

    transposed=False: X = train_x as given, (13989, 1600), slice 5 columns.
    transposed=True:  X^T stored (1600, 13989) so a batch is 5 contiguous rows.
    """
    import jax
    import jax.numpy as jnp
    from jax import lax
    train_x, train_y = make_data()
    Y = jnp.asarray(train_y)
    if transposed:
        XT = jnp.asarray(np.ascontiguousarray(train_x.T))

        def get_x(i):
            return lax.dynamic_slice_in_dim(XT, i * BATCH, BATCH, axis=0).T
    else:
        X = jnp.asarray(train_x)  # (13989, 1600) row-major on device

        def get_x(i):
            return lax.dynamic_slice_in_dim(X, i * BATCH, BATCH, axis=1)

    @jax.jit
    def step(W1, b1, W2, b2, i):
        y = lax.dynamic_slice_in_dim(Y, i * BATCH, BATCH)
        return sgd_step(W1, b1, W2, b2, get_x(i), y)

    state = {"p": tuple(jax.device_put(a) for a in init_params())}
    idx = [np.int32(i) for i in range(N_STEPS)]

    def run_epoch():
        W1, b1, W2, b2 = state["p"]
        costs = []
        for i in idx:
            cost, W1, b1, W2, b2 = step(W1, b1, W2, b2, i)
            costs.append(cost)
        state["p"] = (W1, b1, W2, b2)
        c = float(np.mean([np.asarray(c) for c in costs]))
        jax.block_until_ready(state["p"])
        return c

    res = time_epochs(run_epoch, epochs)
    res["final_epoch_mean_cost"] = run_epoch()
    return res


def make_scan_epoch(X, Y, transposed=False):
    """jitted epoch(params) -> (costs[320], params) as one lax.scan.

    X is (13989, 1600), or (1600, 13989) = X^T when transposed=True."""
    import jax
    from jax import lax

    def body(params, i):
        if transposed:
            x = lax.dynamic_slice_in_dim(X, i * BATCH, BATCH, axis=0).T
        else:
            x = lax.dynamic_slice_in_dim(X, i * BATCH, BATCH, axis=1)
        y = lax.dynamic_slice_in_dim(Y, i * BATCH, BATCH)
        cost, *new = sgd_step(*params, x, y)
        return tuple(new), cost

    @jax.jit
    def epoch(params):
        import jax.numpy as jnp
        params, costs = lax.scan(body, params, jnp.arange(N_STEPS, dtype=jnp.int32))
        return costs, params

    return epoch


def make_scan_epoch_T(XT, Y):
    return make_scan_epoch(XT, Y, transposed=True)


def bench_scan(epochs=7, transposed=False):
    """B-scan: whole epoch = one lax.scan, jitted once, called per epoch."""
    import jax
    import jax.numpy as jnp
    train_x, train_y = make_data()
    X = np.ascontiguousarray(train_x.T) if transposed else train_x
    epoch = make_scan_epoch(jnp.asarray(X), jnp.asarray(train_y), transposed)
    state = {"p": tuple(jax.device_put(a) for a in init_params())}

    def run_epoch():
        costs, state["p"] = epoch(state["p"])
        c = float(np.mean(np.asarray(costs)))
        jax.block_until_ready(state["p"])
        return c

    res = time_epochs(run_epoch, epochs)
    res["final_epoch_mean_cost"] = run_epoch()
    return res


MODES = {
    "default": lambda a: bench_default(a.epochs),
    "default_sync": lambda a: bench_default(a.epochs, sync_cost=True),
    "default_xT": lambda a: bench_default(a.epochs, transpose=True),
    "default_xT_sync": lambda a: bench_default(a.epochs, sync_cost=True, transpose=True),
    # tuned numpy-slice loop: x.T + donation (+ run with --no-async)
    "default_xT_donate": lambda a: bench_default(a.epochs, transpose=True, donate=True),
    "default_xT_donate_sync": lambda a: bench_default(a.epochs, sync_cost=True,
                                                      transpose=True, donate=True),
    "numpy_tuned": lambda a: bench_numpy_tuned(a.epochs),
    "device": lambda a: bench_device(a.epochs),
    "device_T": lambda a: bench_device(a.epochs, transposed=True),
    "scan": lambda a: bench_scan(a.epochs),
    "scan_T": lambda a: bench_scan(a.epochs, transposed=True),
}


ALL_RUNS = [
    ("default", []), ("default_sync", []),
    ("default", ["--no-async"]), ("default_sync", ["--no-async"]),
    ("default_xT_sync", ["--no-async"]),
    ("default_xT_donate_sync", ["--no-async"]),
    ("default_xT_donate_sync", ["--no-async", "--one-thread"]),
    ("numpy_tuned", []),
    ("device", []), ("device_T", []), ("device_T", ["--no-async", "--one-thread"]),
    ("scan", []), ("scan_T", []), ("scan_T", ["--one-thread"]),
]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=sorted(MODES) + ["all"])
    ap.add_argument("--epochs", type=int, default=7)
    ap.add_argument("--no-async", action="store_true",
                    help="jax_cpu_enable_async_dispatch=False (set before backend init)")
    ap.add_argument("--one-thread", action="store_true",
                    help="one-thread XLA:CPU pool (PJRT_NPROC=1 before the client is created)")
    ap.add_argument("--cpus", default=None,
                    help="comma list of CPU ids to pin the whole process to before JAX starts")
    a = ap.parse_args(argv)
    if a.cpus:
        os.sched_setaffinity(0, {int(c) for c in a.cpus.split(",")})
    if a.mode == "all":
        out = {}
        for m, extra in ALL_RUNS:
            cmd = [sys.executable, os.path.abspath(__file__), m,
                   "--epochs", str(a.epochs)] + extra
            r = subprocess.run(cmd, capture_output=True, text=True, check=True)
            d = json.loads(r.stdout)
            key = " ".join([m] + extra)
            out[key] = d
            print(f"{key:<40s} best {d['best_s']*1e3:7.1f} ms  median "
                  f"{d['median_s']*1e3:7.1f} ms  ({d['per_call_us']:6.1f} us/step)",
                  file=sys.stderr, flush=True)
        print(json.dumps(out, indent=1))
        return
    if a.mode == "numpy_tuned":
        a.no_async = a.one_thread = True
    init_backend(async_dispatch=False if a.no_async else None,
                 pool_threads=1 if a.one_thread else None)
    res = MODES[a.mode](a)
    res.update(mode=a.mode, one_thread=a.one_thread, cpus=a.cpus, **_jax_info())
    res["epochs"] = [round(t, 5) for t in res["epochs"]]
    print(json.dumps(res))


if __name__ == "__main__":
    main()
