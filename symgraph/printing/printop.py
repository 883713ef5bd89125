"""``theano.printing.Print``: an identity op that prints its value when the function runs.

``Print('h')(x)`` stands for ``x`` in the graph; each time a compiled function computes
it, ``global_fn(op, value)`` is called on the host with the value as a numpy array, by
default printing ``h __str__ = [...]`` (one line per attribute of ``attrs``, as Theano
does). Inside the jitted program the value reaches Python through ``jax.debug.callback``
(ordered, so prints come in program order); the rest of the program stays compiled.
"""
import jax
import numpy as np

from symgraph.graph.basic import Apply, Op
from symgraph.tensor.var import as_tensor_variable


def _print_fn(op, xin):
    for attr in op.attrs:
        temp = getattr(xin, attr)
        message = temp() if callable(temp) else temp
        print(op.message, attr, '=', message)


class Print(Op):
    """``Print(message, attrs=('__str__',), global_fn=_print_fn)(x)`` returns ``x`` and
    prints it when computed (see the module docstring); its gradient passes through."""

    __props__ = ('message', 'attrs', 'global_fn')
    view_map = {0: [0]}
    calls_host = True
    fold_constants = False

    def __init__(self, message='', attrs=('__str__',), global_fn=_print_fn):
        self.message = message
        self.attrs = tuple(attrs)
        self.global_fn = global_fn

    def make_node(self, xin):
        xin = as_tensor_variable(xin)
        return Apply(self, [xin], [xin.type])

    def jax_impl(self, node, xin):
        jax.debug.callback(self._host, xin, ordered=True)
        return xin

    def _host(self, value):
        self.global_fn(self, np.asarray(value))

    def grad(self, node, output_grads):
        return list(output_grads)
