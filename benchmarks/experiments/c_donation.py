"""(c) Donating the parameter buffers (donate_argnums) on CPU: is the input
really consumed (is_deleted / buffer reuse), and does it speed the step?

  python c_donation.py [--no-async] [--one-thread]
"""
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from _common import compare, init_from_argv, jb, load_note

print(init_from_argv())

train_x, train_y = jb.make_data()
slices = [(x.T, y) for x, y in (jb.batch_slice(train_x, train_y, i) for i in range(jb.N_STEPS))]
plain = jax.jit(jb.sgd_step_xT)
donated = jax.jit(jb.sgd_step_xT, donate_argnums=(0, 1, 2, 3))

P = tuple(jnp.asarray(a) for a in jb.init_params())
ptrs = [a.unsafe_buffer_pointer() for a in P]
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    out = donated(*P, *slices[0])
    jax.block_until_ready(out)
print("warnings on donated call:", [str(m.message)[:120] for m in w] or "none")
print("donated inputs is_deleted():", [a.is_deleted() for a in P])
print("output buffers reuse the donated input buffers:",
      [o.unsafe_buffer_pointer() == p for o, p in zip(out[1:], ptrs)])
try:
    P[0] + 1
except Exception as e:  # using a donated array afterwards is an error
    print("using donated W1 afterwards ->", type(e).__name__, str(e)[:80])
# numpy inputs can't be donated (they are copied first): check no crash / warning
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    donated(*jb.init_params(), *slices[0])
print("numpy params passed to donated fn: warnings:", [str(m.message)[:100] for m in w] or "none")


def make_epoch(step, sync_cost):
    state = [tuple(jnp.asarray(a) for a in jb.init_params())]

    def epoch():
        W1, b1, W2, b2 = state[0]
        for xT, y in slices:
            c, W1, b1, W2, b2 = step(W1, b1, W2, b2, xT, y)
            if sync_cost:
                np.asarray(c)
        state[0] = (W1, b1, W2, b2)
        jax.block_until_ready(state[0])
    return epoch


print(f"\nepoch of 320 numpy-slice steps (x.T form), us per step {load_note()}")
res = compare({
    "no donation, cost left on device": make_epoch(plain, False),
    "donate params, cost left on device": make_epoch(donated, False),
    "no donation, np.asarray(cost) each step": make_epoch(plain, True),
    "donate params, np.asarray(cost) each step": make_epoch(donated, True),
}, n=1, rounds=15, warmup=1)
for k, (b, m) in res.items():
    print(f"  {k:<45s} epoch best {b/1e3:6.1f} ms  ({b/jb.N_STEPS:5.1f} us/step)")
