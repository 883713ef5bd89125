"""(b) Cost of handing a Fortran-ordered column slice to jax vs its C-contiguous
transpose x.T (zero-copy view), and whether jax aliases aligned numpy memory.

  python b_input_layout.py [--no-async] [--one-thread]
"""
import jax
import jax.numpy as jnp
import numpy as np

from _common import compare, init_from_argv, jb, load_note

print(init_from_argv())

train_x, train_y = jb.make_data()
x0, y0 = jb.batch_slice(train_x, train_y, 0)   # columns 0:5
x1, _ = jb.batch_slice(train_x, train_y, 1)    # columns 5:10
print("x0 flags: F", x0.flags.f_contiguous, "C", x0.flags.c_contiguous,
      "| x0.T C", x0.T.flags.c_contiguous)


def aligned_copy(a):
    out = jb.aligned_empty(a.shape, a.dtype)
    out[...] = a
    return out


def aliasing(a):
    """Does the device array share the numpy buffer? (pointer equality)"""
    d = jax.device_put(a)
    d.block_until_ready()
    return d.unsafe_buffer_pointer() == a.ctypes.data


print("zero-copy check (device_put, pointer equality):")
xa = aligned_copy(x1.T)
for name, a in [("x0.T (start of train_x)", x0.T), ("x1.T (offset 279780 B)", x1.T),
                ("x0 (F-order)", x0), ("np.ascontiguousarray(x0)", np.ascontiguousarray(x0)),
                ("64B-aligned copy of x1.T", xa)]:
    print(f"  {name:<28s} addr%64={a.ctypes.data % 64:2d}  zero-copy={aliasing(a)}")
d = jnp.asarray(xa)
xa[0, 0] += 1   # mutate numpy after transfer: does the device array see it?
print("  jnp.asarray(aligned) then mutate numpy -> device sees change:",
      bool(d[0, 0] == xa[0, 0]))
xa[0, 0] -= 1

sync = jax.block_until_ready
print("\nhost->device conversion of one (13989,5) float32 batch", load_note())
compare({
    "np.ascontiguousarray(x1) [numpy transpose-copy only]": lambda: np.ascontiguousarray(x1),
    "jnp.asarray(x1) F-order": lambda: sync(jnp.asarray(x1)),
    "jax.device_put(x1) F-order": lambda: sync(jax.device_put(x1)),
    "jax.device_put(x1.T) C view, unaligned": lambda: sync(jax.device_put(x1.T)),
    "jax.device_put(aligned x1.T) C, 64B-aligned (zero-copy)": lambda: sync(jax.device_put(xa)),
}, n=200)

P = tuple(jnp.asarray(a) for a in jb.init_params())
step = jax.jit(jb.sgd_step)
stepT = jax.jit(jb.sgd_step_xT)
xd = jnp.asarray(x1)
xTd = jnp.asarray(x1.T)
stage = jb.aligned_empty(x1.T.shape)


def staged():
    np.copyto(stage, x1.T)
    return sync(stepT(*P, stage, y0))


print("\nfull step, params on device, block each call", load_note())
compare({
    "stepT(np.copyto(aligned stage, x1.T))  [staging]": staged,
    "step(x1 numpy F-order)": lambda: sync(step(*P, x1, y0)),
    "stepT(x1.T numpy C view, unaligned)": lambda: sync(stepT(*P, x1.T, y0)),
    "stepT(aligned x1.T numpy, zero-copy)": lambda: sync(stepT(*P, xa, y0)),
    "step(x on device)": lambda: sync(step(*P, xd, y0)),
    "stepT(x.T on device)": lambda: sync(stepT(*P, xTd, y0)),
}, n=100)
