"""``theano.gof.utils``: the names client code imports from it."""
from symgraph.notyet import module_getattr


class MethodNotDefined(Exception):
    """A method an op or type must define was not (Theano's ``MethodNotDefined``)."""


__getattr__ = module_getattr(__name__)
