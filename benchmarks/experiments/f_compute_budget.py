"""(f) Per-step budget: pure compute (320 steps inside one lax.scan on device
data, several layouts) vs one jitted call per step on device-resident inputs.

  python f_compute_budget.py [--no-async] [--one-thread]
"""
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from _common import compare, init_from_argv, jb, load_note

print(init_from_argv())

train_x, train_y = jb.make_data()
B, N = jb.BATCH, jb.N_STEPS
X = jnp.asarray(train_x)                                 # (13989, 1600)
XT = jnp.asarray(np.ascontiguousarray(train_x.T))        # (1600, 13989)
Y = jnp.asarray(train_y)
Xb, Yb = XT.reshape(N, B, jb.N_FEAT), Y.reshape(N, B)    # pre-batched


def scan_xs_epoch(unroll=1):
    def body(params, xy):
        cost, *new = jb.sgd_step(*params, xy[0].T, xy[1])
        return tuple(new), cost
    return jax.jit(lambda p: lax.scan(body, p, (Xb, Yb), unroll=unroll)[::-1])


epochs = {
    "scan: X (feat,docs), dynamic_slice 5 cols [B-scan]": jb.make_scan_epoch(X, Y),
    "scan: X^T (docs,feat), dynamic_slice 5 rows, .T": jb.make_scan_epoch(XT, Y, True),
    "scan over xs = X^T reshaped (320,5,13989)": scan_xs_epoch(),
    "scan over xs, unroll=4": scan_xs_epoch(4),
}
P0 = tuple(jnp.asarray(a) for a in jb.init_params())
ref = None
for name, ep in epochs.items():   # all variants compute the same thing
    c = np.asarray(ep(P0)[0])
    ref = c if ref is None else ref
    assert np.allclose(c, ref, rtol=1e-4, atol=1e-5), name

print(f"\npure compute: one epoch (320 steps) in one call {load_note()}")
res = compare({k: (lambda ep=ep: jax.block_until_ready(ep(P0))) for k, ep in epochs.items()},
              n=1, rounds=15, warmup=2, quiet=True)
for k, (b, m) in res.items():
    print(f"  {k:<52s} -> {b / N:6.1f} us/step (median {m / N:6.1f})")

x, y = jb.batch_slice(train_x, train_y, 1)
xT, yd, xd = jnp.asarray(x.T), jnp.asarray(y), jnp.asarray(x)
step = jax.jit(jb.sgd_step)
stepT = jax.jit(jb.sgd_step_xT)
stepT_don = jax.jit(jb.sgd_step_xT, donate_argnums=(0, 1, 2, 3))
null = jax.jit(lambda W1, b1, W2, b2, xT, y: (W1[0, 0] + xT[0, 0] + y[0], b1 + 1,
                                                b1 * 2, W2 + 1, b2 + 1))
st = [tuple(jnp.asarray(a) for a in jb.init_params())]


def donated_call():
    c, *p = stepT_don(*st[0], xT, yd)
    st[0] = tuple(p)
    jax.block_until_ready(c)


print(f"\none jitted call per step, all inputs on device, synchronised {load_note()}")
compare({
    "step(x (13989,5))": lambda: jax.block_until_ready(step(*P0, xd, yd)),
    "stepT(x.T (5,13989))": lambda: jax.block_until_ready(stepT(*P0, xT, yd)),
    "stepT, params donated (fed back)": donated_call,
    "null step, same signature (dispatch overhead only)":
        lambda: jax.block_until_ready(null(*P0, xT, yd)),
}, n=50, rounds=15)
