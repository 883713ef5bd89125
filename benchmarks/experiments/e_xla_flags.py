"""(e) Quick check of XLA CPU flags / thread settings for the small step.
Each config runs in a subprocess (XLA_FLAGS are read at backend init).
All configs use async dispatch off; the numpy loop donates params and passes
x.T views (no staging); step(dev) = one non-donated call on device inputs.

  python e_xla_flags.py            # driver
  python e_xla_flags.py child      # one measurement, env set by the driver
"""
import json
import os
import subprocess
import sys

# name: (XLA_FLAGS, taskset cpu list or None, extra env, pin-only-during-init)
CONFIGS = {
    "default flags": ("", None),
    "--xla_cpu_multi_thread_eigen=false": ("--xla_cpu_multi_thread_eigen=false", None),
    "--xla_cpu_use_thunk_runtime=false": ("--xla_cpu_use_thunk_runtime=false", None),
    "--xla_cpu_use_xnnpack=false": ("--xla_cpu_use_xnnpack=false", None),
    "--xla_cpu_use_fusion_emitters=false": ("--xla_cpu_use_fusion_emitters=false", None),
    "taskset -c 0 (1 core visible)": ("", "0"),
    "eigen=false + taskset -c 0": ("--xla_cpu_multi_thread_eigen=false", "0"),
    "env NPROC=1": ("", None, {"NPROC": "1"}),
    "env PJRT_NPROC=1": ("", None, {"PJRT_NPROC": "1"}),
    "affinity {0} only while backend inits, then restored": ("", None, {}, True),
}


def child():
    import jax
    jax.config.update("jax_cpu_enable_async_dispatch", False)
    if os.environ.get("PIN_DURING_INIT"):
        old = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {0})
        jax.devices()                        # creates the CPU client now
        os.sched_setaffinity(0, old)
    import jax.numpy as jnp
    import numpy as np
    from _common import compare, jb

    train_x, train_y = jb.make_data()
    slices = [(x.T, y) for x, y in (jb.batch_slice(train_x, train_y, i)
                                    for i in range(jb.N_STEPS))]
    step = jax.jit(jb.sgd_step_xT, donate_argnums=(0, 1, 2, 3))
    st = [tuple(jnp.asarray(a) for a in jb.init_params())]
    P = tuple(jnp.asarray(a) for a in jb.init_params())
    xT, y = jnp.asarray(slices[1][0]), jnp.asarray(slices[1][1])
    nodon = jax.jit(jb.sgd_step_xT)

    def epoch():
        W1, b1, W2, b2 = st[0]
        for xs, ys in slices:
            c, W1, b1, W2, b2 = step(W1, b1, W2, b2, xs, ys)
            np.asarray(c)
        st[0] = (W1, b1, W2, b2)

    XT = jnp.asarray(np.ascontiguousarray(train_x.T))
    scan_ep = jb.make_scan_epoch_T(XT, jnp.asarray(train_y))
    sp = [tuple(jnp.asarray(a) for a in jb.init_params())]

    def scan():
        c, sp[0] = scan_ep(sp[0])
        np.asarray(c)

    r = compare({"epoch_numpy_loop_us": epoch, "scan_epoch_us": scan},
                n=1, rounds=15, warmup=2, quiet=True)
    r.update(compare({"step_device_inputs_us": lambda: jax.block_until_ready(nodon(*P, xT, y))},
                     n=50, rounds=10, quiet=True))
    # a big op, to see what a one-thread pool costs elsewhere: full-data forward
    fwd = jax.jit(lambda W1, b1, W2, b2, XT: jnp.argmax(W2 @ jax.nn.sigmoid(W1 @ XT.T + b1) + b2, 0))
    r.update(compare({"fwd": lambda: jax.block_until_ready(fwd(*P, XT))}, n=5, rounds=10, quiet=True))
    c = step.lower(*st[0], *slices[0]).compile().as_text()
    return {"step_device_inputs_us": r["step_device_inputs_us"][0],
            "epoch_numpy_loop_ms": r["epoch_numpy_loop_us"][0] / 1e3,
            "scan_per_step_us": r["scan_epoch_us"][0] / jb.N_STEPS,
            "fwd_1600_docs_ms": r["fwd"][0] / 1e3,
            "n_ynn_fusions": c.count("__ynn_fusion\"}"),
            "n_partitioned": c.count('outer_dimension_partitions":["')}


if __name__ == "__main__":
    if sys.argv[1:] == ["child"]:
        print(json.dumps(child()))
        sys.exit()
    here = os.path.dirname(os.path.abspath(__file__))
    for name, (flags, cpus, *more) in CONFIGS.items():
        env = dict(os.environ, XLA_FLAGS=flags, **(more[0] if more else {}))
        if len(more) > 1 and more[1]:
            env["PIN_DURING_INIT"] = "1"
        cmd = [sys.executable, os.path.join(here, __file__), "child"]
        if cpus is not None:
            cmd = ["taskset", "-c", cpus] + cmd
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if r.returncode:
            print(f"{name:<40s} FAILED: {r.stderr.strip().splitlines()[-1][:150]}")
            continue
        d = json.loads(r.stdout.strip().splitlines()[-1])
        print(f"{name:<40s} step(dev) {d['step_device_inputs_us']:6.1f} us | numpy-loop "
              f"epoch {d['epoch_numpy_loop_ms']:6.1f} ms | scan {d['scan_per_step_us']:6.1f}"
              f" us/step | fwd(1600 docs) {d['fwd_1600_docs_ms']:5.2f} ms | ynn fusions {d['n_ynn_fusions']}, partitioned {d['n_partitioned']}",
              flush=True)
