"""``In``, ``Out`` and the compile-time errors of ``function``."""


class In:
    """An explicit input with options: a keyword ``name`` and a default ``value``."""

    def __init__(self, variable, name=None, value=None, update=None, mutable=None, strict=False,
                 allow_downcast=None, autoname=True, implicit=None, borrow=None, shared=False):
        self.variable = variable
        self.name = name if name is not None else (variable.name if autoname else None)
        self.value = value
        self.has_default = value is not None
        self.update = update
        self.strict = strict
        self.allow_downcast = allow_downcast
        if update is not None:
            raise NotImplementedError('In(update=...) is not supported; use a shared variable '
                                      'with updates=')


class Out:
    """An output; with ``borrow=True`` the result may be a read-only view of device memory."""

    def __init__(self, variable, borrow=False):
        self.variable = variable
        self.borrow = borrow


class MissingInputError(Exception):
    """A graph input needed by the outputs was neither an input nor given a value."""


class UnusedInputError(Exception):
    """An explicit input is not needed to compute the outputs."""
