"""(a) jax_cpu_enable_async_dispatch: effect on trivial calls and on the step,
and what happens when the flag is set before / after backend initialisation.

Each configuration runs in its own subprocess:
  python a_async_dispatch.py            # driver: runs all configs
  python a_async_dispatch.py CONFIG     # one config
"""
import json
import os
import subprocess
import sys
import time

CONFIGS = ["default", "off_before_init", "off_after_init",
           "off_after_init+clear_backends", "env_var_off"]


def run(config):
    import jax
    if config == "off_before_init":
        jax.config.update("jax_cpu_enable_async_dispatch", False)
    import jax.numpy as jnp
    import numpy as np
    from _common import compare, jb

    if config.startswith("off_after_init"):
        jnp.zeros(3).block_until_ready()          # backend now initialised
        jax.config.update("jax_cpu_enable_async_dispatch", False)  # no error?
        if config.endswith("clear_backends"):
            import jax.extend.backend
            jax.extend.backend.clear_backends()   # next op creates a new client

    out = {"config": config,
           "flag_value": jax.config.values["jax_cpu_enable_async_dispatch"]}
    f = jax.jit(lambda x: x + 1)
    xs = np.float32(1.0)
    xv = np.ones(1000, np.float32)
    xv_dev = jnp.asarray(xv)
    r = compare({
        "scalar_np_in_asarray_out": lambda: np.asarray(f(xs)),
        "vec1000_np_in_asarray_out": lambda: np.asarray(f(xv)),
        "vec1000_dev_in_asarray_out": lambda: np.asarray(f(xv_dev)),
        "vec1000_dev_in_no_sync": lambda: f(xv_dev),
    }, n=500, rounds=10, label_width=30)
    out.update({k + "_us": v[0] for k, v in r.items()})

    # the MLP step with numpy column slices (cost converted each call or not)
    train_x, train_y = jb.make_data()
    step = jax.jit(jb.sgd_step)
    sl = [jb.batch_slice(train_x, train_y, i) for i in range(jb.N_STEPS)]
    P = [tuple(jnp.asarray(a) for a in jb.init_params())]

    def epoch(sync):
        W1, b1, W2, b2 = P[0]
        for x, y in sl:
            c, W1, b1, W2, b2 = step(W1, b1, W2, b2, x, y)
            if sync:
                np.asarray(c)
        P[0] = (W1, b1, W2, b2)
        jax.block_until_ready(P[0])

    for sync in (False, True):
        r = jb.time_epochs(lambda: epoch(sync), epochs=7)
        out[f"step_epoch_{'sync' if sync else 'nosync'}_ms"] = r["best_s"] * 1e3
    return out


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(run(sys.argv[1])))
        sys.exit()
    for c in CONFIGS:
        env = dict(os.environ)
        if c == "env_var_off":
            env["JAX_CPU_ENABLE_ASYNC_DISPATCH"] = "false"
        r = subprocess.run([sys.executable, __file__, c], env=env,
                           capture_output=True, text=True)
        if r.returncode:
            print(c, "FAILED:", r.stderr[-2000:])
            continue
        d = json.loads(r.stdout.strip().splitlines()[-1])
        print(" ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                       for k, v in d.items()))
