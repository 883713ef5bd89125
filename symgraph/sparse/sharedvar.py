"""Sparse shared variables: ``theano.shared(scipy.sparse.csr_matrix(...))``."""
import copy

import jax
import scipy.sparse

from symgraph.graph.basic import Variable, format_trace, user_frame
from symgraph.placement import to_device
from symgraph.sparse.type import SparseType, _SparseOperators, from_bcsr, to_bcsr
from symgraph.tensor.sharedvar import SharedVariable, _Container


class SparseTensorSharedVariable(_SparseOperators, SharedVariable):
    """A sparse matrix kept on the device between calls; ``get_value`` returns scipy."""

    def __init__(self, type, value, name=None, strict=False, allow_downcast=None, trace=None):
        self.container = _Container(_on_device(value, type))
        Variable.__init__(self, type, name=name, trace=trace)  # no dense value to take
        self.strict, self.allow_downcast = strict, allow_downcast

    static_shape = property(lambda self: self.get_value(borrow=True).shape)

    def get_value(self, borrow=False, return_internal_type=False):
        with self.container.lock:
            data = self.container.value
        if return_internal_type:
            return data
        return from_bcsr(data, self.type.format)

    def set_value(self, value, borrow=False):
        data = _on_device(self._filter(value), self.type)
        with self.container.lock:
            self.container.value = data

    def zero(self, borrow=False):
        self.set_value(self.type.format_cls[self.type.format](self.get_value().shape,
                                                                dtype=self.dtype))

    def clone(self):
        cp = type(self).__new__(type(self))
        cp.__dict__.update(self.__dict__)
        return cp

    def __getstate__(self):
        state = dict(self.__dict__)
        state['container'] = self.get_value()
        return state

    def __setstate__(self, state):
        value = state.pop('container')
        self.__dict__.update(state)
        self.container = _Container(_on_device(value, self.type))


def _on_device(matrix, type):
    return jax.tree_util.tree_map(to_device, to_bcsr(matrix, type.format))


def sparse_constructor(value, name=None, strict=False, allow_downcast=None, borrow=False,
                       format=None):
    """A shared variable of a scipy sparse matrix, in its format unless ``format`` says
    which; its value is always copied to the device."""
    if not scipy.sparse.issparse(value):
        raise TypeError('Expected a sparse matrix in the sparse shared variable constructor. '
                        'Received: %s' % type(value).__name__)
    format = format or value.format
    if format not in SparseType.format_cls:
        raise NotImplementedError('sparse shared variable %r: format %r is not supported; use '
                                  'csr or csc (value.tocsr())\nCreated at:\n%s'
                                  % (name, format, format_trace(user_frame())))
    type_ = SparseType(format, value.dtype)
    value = type_.filter(value if borrow else copy.deepcopy(value))
    return SparseTensorSharedVariable(type_, value, name=name, strict=strict,
                                      allow_downcast=allow_downcast, trace=user_frame())


shared = sparse_constructor

__all__ = ['SparseTensorSharedVariable', 'sparse_constructor', 'shared']
