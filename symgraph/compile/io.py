"""``In``, ``Out`` and the compile-time errors of ``function``."""
import warnings

from symgraph.graph.basic import Constant, Variable, format_trace
from symgraph.tensor.var import as_tensor_variable


class In:
    """An explicit input with options, as Theano's ``theano.In``:

    * ``name``: the keyword it can be passed by (default: the variable's name);
    * ``value``: its default value; with ``update``, its initial state;
    * ``update``: an expression that replaces the stored value after each call, so that the
      input keeps state between calls (``In(s, value=10.0, update=s + x)``); ``f[s]``
      reads it, ``f[s] = v`` sets it; a value passed for it in a call overwrites it;
    * ``implicit``: an implicit input cannot be passed (default: True when ``value`` is a
      container, ``other_function.container[s]``, whose state is then shared);
    * ``strict``, ``allow_downcast``: how passed values are converted to its type;
    * ``mutable``, ``borrow``: whether the function may overwrite or alias the value
      passed; symgraph never does either (XLA reads a copy), so they change nothing;
    * ``batch_axis``: under ``config.data_parallel``, the axis along which the value is
      split among the devices: 0 (the default), 1 for examples stored as columns, None for
      an input that is not a batch (copied to every device, as scalars always are).
    """

    def __init__(self, variable, name=None, value=None, update=None, mutable=None, strict=False,
                 allow_downcast=None, autoname=True, implicit=None, borrow=None, shared=False,
                 batch_axis=0):
        self.variable = variable
        self.batch_axis = _checked_batch_axis(variable, batch_axis)
        self.name = name if name is not None or not autoname else getattr(variable, 'name', None)
        if self.name is not None and not isinstance(self.name, str):
            raise TypeError('name must be a string! (got: %s)' % (self.name,))
        if update is not None:
            update = as_tensor_variable(update)
            if update.type != variable.type:
                raise TypeError("Variable '%s' has type %s but an update of type %s. The type "
                                "of the update should be the same as the type of the variable"
                                % (variable, variable.type, update.type))
        self.update = update
        self.mutable = mutable if mutable is not None else update is not None
        self.borrow = self.mutable if borrow is None else borrow
        if self.mutable and not self.borrow:
            raise AssertionError('Symbolic input for variable %s (name=%s) has flags '
                                 'mutable=True, borrow=False. This combination is incompatible '
                                 'since mutable=True implies that the input variable may be both '
                                 'aliased (borrow=True) and overwritten.' % (variable, name))
        self.strict = strict
        self.allow_downcast = allow_downcast
        self.shared = shared
        if implicit is None:
            implicit = is_container(value)
        self.implicit = implicit
        self.value = value
        if self.implicit and value is None:
            raise TypeError('An implicit input must be given a default value')

    @property
    def has_default(self):
        return self.value is not None

    def __str__(self):
        if self.update is not None:
            return 'In(%s -> %s)' % (self.variable, self.update)
        return 'In(%s)' % self.variable

    __repr__ = __str__


def _checked_batch_axis(variable, axis):
    """``axis`` as a non-negative axis of ``variable`` (None for a scalar or an input that
    is not a batch)."""
    ndim = getattr(variable, 'ndim', 0)
    if axis is None or not ndim:
        return None
    if isinstance(axis, bool) or not isinstance(axis, int) or not -ndim <= axis < ndim:
        raise ValueError('In(%s, batch_axis=%r): the batch axis must be None or an axis of '
                         'the %d-d input (%d to %d)\nThe variable was created at:\n%s'
                         % (variable.name or variable, axis, ndim, -ndim, ndim - 1,
                            format_trace(getattr(variable, 'creation_trace', None))))
    return axis % ndim


def is_container(value):
    """Whether ``value`` is another function's input storage (``f.container[s]``) or a
    shared variable, whose state an input then shares."""
    return hasattr(value, 'shared_variable') or hasattr(value, 'container')


SymbolicInput = In


class Param(In):
    """Deprecated. Use In instead."""

    def __init__(self, variable, default=None, name=None, mutable=False, strict=False,
                 allow_downcast=None, implicit=None, borrow=None):
        warnings.warn('The Param class is deprecated. Replace Param(default=N) by '
                      'theano.In(value=N)', stacklevel=2)
        super().__init__(variable, name=name, value=default, mutable=mutable, strict=strict,
                         allow_downcast=allow_downcast, implicit=implicit, borrow=borrow)


def convert_function_input(item):
    """An input of ``function``'s list as an In. Besides In and variables, Theano's older
    forms: ``(name, var)``, ``(var, value)``, ``((var, update), value)``,
    ``(name, var, value)``, ``(name, (var, update), value)``."""
    if isinstance(item, In):
        return item
    if isinstance(item, Constant):
        raise TypeError('A Constant instance is not a legal function input', item)
    if isinstance(item, Variable) or not isinstance(item, (list, tuple)):
        return In(item)
    original = item
    if not item:
        raise TypeError('Nonsensical input specification: %s' % (item,))
    name = None
    if isinstance(item[0], str):
        name, item = item[0], item[1:]
    update = value = None
    if item and isinstance(item[0], (list, tuple)):
        if len(item[0]) != 2 or len(item) != 2:
            raise TypeError('Invalid input syntax: %s (check documentation or use an In '
                            'instance)' % (original,))
        (variable, update), value = item
    elif item and isinstance(item[0], Variable):
        if len(item) == 1:
            variable = item[0]
        elif len(item) == 2:
            variable, value = item
        else:
            raise TypeError('Invalid input syntax: %s (check documentation or use an In '
                            'instance)' % (original,))
    elif item and isinstance(item[0], In):
        spec = item[0]
        if len(item) == 2:
            spec.value = item[1]
        if name is not None:
            spec.name = name
        return spec
    else:
        raise TypeError('The input specification is not valid: %s' % (original,))
    if not isinstance(variable, Variable):
        raise TypeError('Unknown input type: %s, expected Variable instance'
                        % type(variable), variable)
    if update is not None and not isinstance(update, Variable):
        raise TypeError('Unknown update type: %s, expected Variable instance' % type(update),
                        update)
    if isinstance(value, (Variable, In)):
        raise TypeError('The value for input %s should not be a Variable or SymbolicInput '
                        'instance (got: %s)' % (variable, value))
    return In(variable, name=name, value=value, update=update)


class Out:
    """An output; with ``borrow=True`` the result may be a read-only view of device memory."""

    def __init__(self, variable, borrow=False):
        self.variable = variable
        self.borrow = borrow


SymbolicOutput = Out


class MissingInputError(Exception):
    """A graph input needed by the outputs was neither an input nor given a value."""


class UnusedInputError(Exception):
    """An explicit input is not needed to compute the outputs."""
