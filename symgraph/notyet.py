"""Errors for the Theano names symgraph does not have yet.

``T.nnet.ctc``, ``theano.printing.pydotprint``, ``import theano.tensor.io``: a name that
Theano 1.0.5 has and symgraph lacks raises ``NotYetError`` (an AttributeError, so
``hasattr`` and ``getattr(module, name, default)`` behave as usual) or, for a module,
``NotYetModuleError`` (a ModuleNotFoundError), saying so by name and pointing to the
README's list. A name Theano does not have either stays a plain AttributeError, with
Python's suggestion.

``module_getattr(__name__)`` is the module ``__getattr__`` (PEP 562) that does this for
one module; ``install()`` (run by ``import symgraph``) puts one on every symgraph module
loaded then that stands for a Theano module, chained after the module's own, and adds the
import hook for missing modules; a submodule reached as an attribute (``T.opt``) gets one
when it is imported. A module imported only later by name (``symgraph.sandbox.rng_mrg``)
gets one by declaring ``__getattr__ = module_getattr(__name__)``.
``python -m symgraph.missing`` prints every Theano name symgraph lacks, module by module.
"""
import importlib
import sys

from symgraph._theano_names import MODULES, NAMES

README_POINTER = ("the README's \"Not yet\" list (README.md) says what is missing and what "
                  "to use instead; python -m symgraph.missing prints every missing Theano name")

# symgraph modules whose Theano counterpart has another name.
_THEANO_NAME_OF = {'symgraph': 'theano'}


class NotYetError(AttributeError):
    """A Theano name symgraph does not have yet."""


class NotYetModuleError(ModuleNotFoundError):
    """A Theano module symgraph does not have yet. (Its ``name`` is left unset, so that
    ``from symgraph.tensor import fft`` reports it rather than a bare ImportError.)"""


def theano_name(module_name):
    """'symgraph.tensor' -> 'theano.tensor'."""
    if module_name in _THEANO_NAME_OF:
        return _THEANO_NAME_OF[module_name]
    return 'theano' + module_name[len('symgraph'):] if module_name.startswith('symgraph') \
        else module_name


def _names(theano_module):
    return set(NAMES.get(theano_module, '').split())


def is_theano_name(theano_module, name):
    """Whether Theano 1.0.5's ``theano_module`` has the public name ``name``."""
    return name in _names(theano_module) or '%s.%s' % (theano_module, name) in MODULES


def not_yet_message(theano_module, name, module_name):
    return ('%s.%s is a Theano name that symgraph does not have yet (%s has no %r): %s.'
            % (theano_module, name, module_name, name, README_POINTER))


def module_getattr(module_name, fallback=None):
    """A module ``__getattr__`` for ``module_name``: NotYetError for a Theano name it lacks,
    else AttributeError (after ``fallback``, a module's own ``__getattr__``, if any)."""
    theano_module = theano_name(module_name)

    def __getattr__(name):
        if fallback is not None:
            try:
                return fallback(name)
            except NotYetError:
                raise
            except AttributeError:
                pass
        if not name.startswith('__') and is_theano_name(theano_module, name):
            if '%s.%s' % (theano_module, name) in MODULES:  # a submodule not imported yet
                try:
                    submodule = importlib.import_module('%s.%s' % (module_name, name))
                except NotYetModuleError:
                    pass
                else:
                    _install_one(submodule.__name__, submodule)
                    return submodule
            raise NotYetError(not_yet_message(theano_module, name, module_name))
        raise AttributeError('module %r has no attribute %r' % (module_name, name))
    __getattr__.not_yet = True
    return __getattr__


class _MissingModuleFinder:
    """Last on ``sys.meta_path``: reached only when no finder found a ``symgraph.*``
    module; for one that stands for a Theano module, raises NotYetModuleError."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        if not fullname.startswith('symgraph.'):
            return None
        theano_module = theano_name(fullname)
        if theano_module in MODULES:
            raise NotYetModuleError('%s is a Theano module that symgraph does not have yet (no '
                                    'module %s): %s.' % (theano_module, fullname,
                                                         README_POINTER))
        return None

    @staticmethod
    def invalidate_caches():
        pass


def _install_one(name, module):
    if theano_name(name) not in NAMES:
        return
    existing = module.__dict__.get('__getattr__')
    if existing is None or not getattr(existing, 'not_yet', False):
        module.__getattr__ = module_getattr(name, fallback=existing)


def install():
    """Give each loaded symgraph module standing for a Theano module the ``__getattr__``
    of ``module_getattr`` (chained after its own), and add the import hook."""
    for name, module in list(sys.modules.items()):
        if (name == 'symgraph' or name.startswith('symgraph.')) and module is not None:
            _install_one(name, module)
    if not any(isinstance(f, _MissingModuleFinder) for f in sys.meta_path):
        sys.meta_path.append(_MissingModuleFinder())


def missing():
    """{Theano module: [names symgraph lacks]} (a module symgraph lacks entirely: ['*'])."""
    result = {}
    for theano_module in sorted(NAMES):
        module_name = 'symgraph' + theano_module[len('theano'):]
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            result[theano_module] = ['*']
            continue
        lacking = [name for name in sorted(_names(theano_module))
                   if not _has(module, name)]
        if lacking:
            result[theano_module] = lacking
    return result


def _has(module, name):
    try:
        getattr(module, name)
    except AttributeError:
        return False
    return True
