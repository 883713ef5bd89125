"""(g) Ablation of the tuned numpy-slice loop.

Process-level settings (async dispatch, XLA pool size) need a fresh process
each; inside each process the per-call variants (staging, x.T, donation) are
timed round-robin so they see the same machine load.

  python g_ablation.py            # driver: 4 process configs
  python g_ablation.py child [--no-async] [--one-thread]
"""
import json
import os
import subprocess
import sys

VARIANTS = {
    "all (stage + x.T + donate)": {},
    "- staging (unaligned x.T view)": {"stage": False},
    "- donation": {"donate": False},
    "- x.T (stage F-slice into C (13989,5))": {"transpose": False},
    "- x.T - staging (plain F-order slice)": {"transpose": False, "stage": False},
}
PROCS = [["--no-async", "--one-thread"], ["--one-thread"], ["--no-async"], []]


def child():
    from _common import compare, init_from_argv, jb
    desc = init_from_argv()
    train_x, train_y = jb.make_data()
    fns = {k: jb.make_numpy_epoch(train_x, train_y, **sw) for k, sw in VARIANTS.items()}
    costs = {k: f() for k, f in fns.items()}        # same maths on every path
    assert max(costs.values()) - min(costs.values()) < 1e-4, costs
    res = compare(fns, n=1, rounds=15, warmup=1, quiet=True)
    return {"desc": desc, "ms": {k: (b / 1e3, m / 1e3) for k, (b, m) in res.items()}}


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        print(json.dumps(child()))
        sys.exit()
    here = os.path.dirname(os.path.abspath(__file__))
    for flags in PROCS:
        r = subprocess.run([sys.executable, os.path.join(here, "g_ablation.py"), "child"]
                           + flags, capture_output=True, text=True, check=True,
                           env=dict(os.environ, PYTHONPATH=here))
        d = json.loads(r.stdout.strip().splitlines()[-1])
        print(f"process: {' '.join(flags) or '(jax defaults)'}  [{d['desc']}]"
              f"  load {os.getloadavg()[0]:.2f}")
        for k, (b, m) in d["ms"].items():
            print(f"  {k:<42s} epoch best {b:6.1f} ms ({b / 320 * 1e3:5.1f} us/step)"
                  f"  median {m:6.1f} ms")
