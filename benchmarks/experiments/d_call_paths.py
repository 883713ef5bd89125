"""(d) Per-call overhead of different ways to invoke the same XLA executable:
jit wrapper (flat args / pytree args), AOT Compiled object, raw
LoadedExecutable.execute / execute_sharded, and output-conversion costs.

  python d_call_paths.py [--no-async] [--one-thread]
"""
import jax
import jax.numpy as jnp
import numpy as np

from _common import compare, init_from_argv, jb, load_note

print(init_from_argv())

sync = jax.block_until_ready


def paths(fn, args, n, title, tree_fn=None, tree_args=None):
    """Time each invocation path of fn(*args); every call is synchronised."""
    jitted = jax.jit(fn)
    comp = jitted.lower(*args).compile()
    exe = comp._executable.xla_executable       # jaxlib LoadedExecutable
    assert len(comp._executable._kept_var_idx) == len(args)  # no pruned args
    dev_args = [jnp.asarray(a) for a in args]
    # sanity: all paths give the same outputs
    ref = [np.asarray(o) for o in jax.tree.leaves(jitted(*args))]
    raw = [np.asarray(o) for o in exe.execute(dev_args)]
    assert all(np.allclose(a, b) for a, b in zip(ref, raw))
    fns = {
        "jit(f)(*args)": lambda: sync(jitted(*args)),
        "compiled(*args)  [AOT .lower().compile()]": lambda: sync(comp(*args)),
        "exe.execute(list_of_jax_arrays)": lambda: sync(exe.execute(dev_args)),
        "exe.execute_sharded(list).disassemble...()": lambda: sync(
            exe.execute_sharded(dev_args).disassemble_into_single_device_arrays()),
    }
    if tree_fn is not None:
        tj = jax.jit(tree_fn)
        fns["jit(f)(params_tuple, x, y) pytree args"] = lambda: sync(tj(*tree_args))
    print(f"\n{title} {load_note()}")
    compare(fns, n=n)


# 1) trivial f(x) = x + 1 on a 1000-vector already on device
v = jnp.ones(1000, jnp.float32)
paths(lambda x: x + 1, (v,), 1000, "trivial f(x)=x+1, 1000-vector device input")

# 2) the MLP step (x.T form), everything already on device
train_x, train_y = jb.make_data()
x, y = jb.batch_slice(train_x, train_y, 1)
P = tuple(jnp.asarray(a) for a in jb.init_params())
xT, yd = jnp.asarray(x.T), jnp.asarray(y)
paths(jb.sgd_step_xT, (*P, xT, yd), 100, "MLP step (x.T form), device inputs",
      tree_fn=lambda p, xT, y: jb.sgd_step_xT(*p, xT, y), tree_args=(P, xT, yd))

# 3) same-signature null step (tiny compute) -> pure dispatch overhead, 6 in / 5 out
null = lambda W1, b1, W2, b2, xT, y: (W1[0, 0] + xT[0, 0] + y[0], b1 + 1, b1 * 2, W2 + 1, b2 + 1)
paths(null, (*P, xT, yd), 1000, "null step: same 6 inputs, 5 tiny outputs (overhead only)")

# 3b) input handling on the null step: how x arrives (numpy views vs staged vs device)
nullj = jax.jit(null)
null_F = jax.jit(lambda W1, b1, W2, b2, x, y: null(W1, b1, W2, b2, x.T, y))  # takes (13989,5)
stage = jb.aligned_empty(x.T.shape)
np.copyto(stage, x.T)
yn = np.asarray(y)


def staged():
    np.copyto(stage, x.T)
    return sync(nullj(*P, stage, yn))


print(f"\nnull step, how the (5,13989) batch is passed {load_note()}")
compare({
    "x.T already on device": lambda: sync(nullj(*P, xT, yd)),
    "numpy x.T view (C-contig, unaligned) -> PjRt copies": lambda: sync(nullj(*P, x.T, yn)),
    "numpy F-order x, graph takes x (13989,5)": lambda: sync(null_F(*P, x, yn)),
    "np.copyto(aligned stage, x.T) + call (zero-copy)": staged,
}, n=300)

# 4) output / synchronisation costs on a finished 0-d result
f = jax.jit(lambda x: x.sum())
out = f(v)
out.block_until_ready()
print(f"\n0-d output conversion (result already computed) {load_note()}")
compare({
    "np.asarray(out)": lambda: np.asarray(out),
    "float(out)": lambda: float(out),
    "out.item()": lambda: out.item(),
    "jax.device_get(out)": lambda: jax.device_get(out),
    "out.block_until_ready()": lambda: out.block_until_ready(),
    "jax.block_until_ready(out)": lambda: jax.block_until_ready(out),
}, n=2000)
print(f"\ncall + 0-d result to numpy (fresh result each call) {load_note()}")
compare({
    "f(v) no sync": lambda: f(v),
    "np.asarray(f(v))": lambda: np.asarray(f(v)),
    "float(f(v))": lambda: float(f(v)),
    "f(v).block_until_ready()": lambda: f(v).block_until_ready(),
}, n=1000)
