"""The memory layout of a compiled function's arguments, arranged for XLA:CPU's speed.

Three details of a call cost more than the small programs of a minibatch step:

* a 2-d argument in Fortran order (a column slice of ``X.T``, as LXMLS feeds minibatches)
  is passed as its C-ordered transpose, a free view, and transposed back inside the
  program, where XLA folds it into the consumer instead of copying 30-40 µs per call;
* XLA:CPU reads a numpy argument in place only when its memory is 64-byte aligned (numpy
  guarantees 16), and otherwise makes a slow copy of its own; large unaligned arguments
  are therefore copied into an aligned staging buffer first, a plain memcpy;
* a shared matrix that the function only reads through column slices (``X[:, a:b]``, the
  LXMLS minibatch of a features x examples dataset) is passed as a transposed copy kept
  on the device, so a minibatch is a block of contiguous rows instead of a strided gather.
  The copy is shared by every function reading that variable, and remade when its value
  changes.
"""
import weakref

import jax
import numpy as np

from symgraph.tensor.subtensor import Subtensor
from symgraph.tensor.type import TensorType

_ALIGNMENT = 64
_STAGE_MIN_BYTES = 65536  # XLA copies smaller arguments about as fast itself

# container -> (the value it was made from, that value transposed on the device)
_transposes = weakref.WeakKeyDictionary()


class ArgumentLayout:
    """How one function passes its inputs and the shared values it only reads."""

    def __init__(self, input_vars, kept, nodes, outputs, device):
        self.n_inputs = len(input_vars)
        self.c_order = (False,) * self.n_inputs
        arrays = [k for k, v in enumerate(input_vars) if isinstance(v.type, TensorType)]
        self.matrix_positions = [k for k in arrays if input_vars[k].ndim == 2]
        self.stage_positions = [k for k in arrays if input_vars[k].ndim > 0] \
            if device.platform == 'cpu' else []
        self._staging = {}
        readers = _consumers(nodes)
        # Per kept shared variable: passed transposed (read only through column slices)?
        self.kept_transposed = tuple(_only_column_sliced(v, readers.get(v, ()), outputs)
                                     for v in kept)
        self.any_kept_transposed = any(self.kept_transposed)

    def order(self, args):
        """Per input, whether it comes in Fortran order (and is passed transposed)."""
        if not self.matrix_positions:
            return self.c_order
        flags = [False] * self.n_inputs
        for k in self.matrix_positions:
            f = args[k].flags
            flags[k] = f.f_contiguous and not f.c_contiguous
        return tuple(flags)

    # Only arrays of at least this size are staged (see stage).
    stage_min_bytes = _STAGE_MIN_BYTES

    def stage(self, values):
        """``values`` with each large unaligned array replaced by an aligned copy."""
        for k in self.stage_positions:
            array = values[k]
            if array.nbytes >= _STAGE_MIN_BYTES and not (
                    array.flags.c_contiguous and array.ctypes.data % _ALIGNMENT == 0):
                values = list(values)
                values[k] = self._staged(k, array)
        return values

    def _staged(self, position, array):
        buffer = self._staging.get(position)
        if buffer is None or buffer.shape != array.shape or buffer.dtype != array.dtype:
            buffer = self._staging[position] = _aligned_like(array)
        np.copyto(buffer, array)
        return buffer

    def kept_values(self, containers):
        """Current values of the shared variables read but not updated, column-sliced
        matrices as their transpose."""
        if not self.any_kept_transposed:
            return [c.value for c in containers]
        return [_transposed(c) if t else c.value
                for c, t in zip(containers, self.kept_transposed)]


def restore(values, transposed):
    """Inside the program: the arguments passed transposed, transposed back."""
    return [value.T if t else value for value, t in zip(values, transposed)]


def _aligned_like(array):
    """An uninitialised C-ordered array like ``array`` whose data is 64-byte aligned."""
    raw = np.empty(array.nbytes + _ALIGNMENT, dtype=np.uint8)
    start = -raw.ctypes.data % _ALIGNMENT
    return raw[start:start + array.nbytes].view(array.dtype).reshape(array.shape)


def _consumers(nodes):
    """{variable: the nodes that read it}."""
    readers = {}
    for node in nodes:
        for var in node.inputs:
            readers.setdefault(var, []).append(node)
    return readers


def _only_column_sliced(var, consumers, outputs):
    """True for a matrix that the graph reads only as ``var[:, a:b]``."""
    if not isinstance(var.type, TensorType) or var.ndim != 2 or var in outputs:
        return False
    return bool(consumers) and all(
        isinstance(node.op, Subtensor) and node.inputs[0] is var and
        var not in node.inputs[1:] and len(node.op.idx_list) == 2 and
        node.op.idx_list[0] == slice(None) and isinstance(node.op.idx_list[1], slice)
        for node in consumers)


def _transposed(container):
    """The container's value transposed on the device, remade when the value changes."""
    cached = _transposes.get(container)
    if cached is None or cached[0] is not container.value:
        cached = _transposes[container] = (container.value,
                                           jax.numpy.transpose(container.value))
    return cached[1]
