"""``theano.updates.OrderedUpdates``: the updates dictionary scan returns."""
import collections

from symgraph.tensor.sharedvar import SharedVariable


class OrderedUpdates(collections.OrderedDict):
    """An ordered {shared variable: new value} dict that refuses other keys and refuses
    two different updates of one variable when merged, as Theano's does."""

    def __setitem__(self, key, value):
        if not isinstance(key, SharedVariable):
            raise TypeError('OrderedUpdates keys must be shared variables, got %r of type %s'
                            % (key, type(key).__name__))
        super().__setitem__(key, value)

    def update(self, other=None, **kwargs):
        if other is None:
            return
        items = other.items() if isinstance(other, dict) else other
        for key, value in items:
            if key in self and self[key] != value:
                raise KeyError('Collision: two different updates of %s' % key)
            self[key] = value

    def __add__(self, other):
        merged = OrderedUpdates()
        merged.update(self)
        merged.update(other)
        return merged

    def __radd__(self, other):
        merged = OrderedUpdates()
        merged.update(other)
        merged.update(self)
        return merged
