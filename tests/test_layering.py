"""The module layering of DESIGN.md, checked on the source: every import of every module
under symgraph/ (at the top of a file or inside a function) is read with ``ast``.

* No two files import each other, directly or through others.
* Each module imports only from its own layer or the layers below it:
  config/placement < graph/ < tensor/ < gradient.py, control flow (scan_module/,
  ifelse.py), updates.py, the MRG random streams (sandbox/) < rewrite/ < compile/ <
  printing/, testing.py < the ``symgraph`` package itself.

The few imports that go the other way are calls upward by design, listed in
LATE_IMPORTS with their reasons; each is made inside a function, when every module is
loaded, except the tensor methods' late binding, which only names the package.
"""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / 'symgraph'

LAYERS = [  # (module name or package prefix, layer); the longest match decides
    ('symgraph.config', 0), ('symgraph.placement', 0), ('symgraph.notyet', 0),
    ('symgraph._theano_names', 0),
    ('symgraph.graph', 1),
    ('symgraph.tensor', 2),  # with its packages: nnet/ (conv, bn, neighbours), signal/ (pool)
    ('symgraph.tensor.nnet', 2), ('symgraph.tensor.signal', 2),
    ('symgraph.gradient', 3), ('symgraph.updates', 3), ('symgraph.scan_module', 3),
    ('symgraph.ifelse', 3), ('symgraph.sandbox', 3),
    ('symgraph.rewrite', 4),
    ('symgraph.compile', 5),
    ('symgraph.printing', 6), ('symgraph.testing', 6),
    ('symgraph', 7),
]

# (importer, imported): why the import goes upward (or, for var.py, back into its package).
LATE_IMPORTS = {
    ('symgraph.tensor.var', 'symgraph.tensor'):
        "the variable methods (x.sum(), x.T, x[i], ...) reach the ops through the package, "
        "read when a method is called",
    ('symgraph.tensor.var', 'symgraph.compile.interpreter'): 'x.eval() computes the variable',
    ('symgraph.tensor', 'symgraph.gradient'): 'T.grad, where Theano users find it',
    ('symgraph.gradient', 'symgraph.rewrite'): 'grad differentiates the stabilized cost',
    ('symgraph.gradient', 'symgraph.testing'): 'theano.gradient.verify_grad',
    ('symgraph.gradient', 'symgraph.scan_module'):
        'jacobian of a vector of unknown length loops with scan, as Theano does',
    ('symgraph.graph.basic', 'symgraph.compile.testvalue'):
        'compute_test_value: an op applied runs at once on its inputs\' test values',
    ('symgraph.compile.nanguardmode', 'symgraph.printing.debugprint'):
        "NanGuardMode's error prints the node that produced the NaN, as Theano's does",
    ('symgraph.tensor.opt', 'symgraph.rewrite.engine'):
        "Theano's register_canonicalize & co. add client code's rewrites to the engine",
    ('symgraph.tensor.raw_random', 'symgraph.gradient'):
        "a random draw's gradient is undefined: Theano's grad_undefined, which lives there",
}
MODULE_LEVEL_LATE = {('symgraph.tensor.var', 'symgraph.tensor')}


def _module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def _modules():
    return {_module_name(p): p for p in sorted(ROOT.rglob('*.py'))}


def _imports(name, path, modules):
    """[(imported module, lineno, at module level)] of the symgraph modules ``name`` imports."""
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    found = []

    def visit(node, top):
        for child in ast.iter_child_nodes(node):
            in_function = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ''
                if child.level:
                    anchor = package.split('.')[:len(package.split('.')) - child.level + 1]
                    base = '.'.join(anchor + ([base] if base else []))
                targets = ['%s.%s' % (base, a.name) if '%s.%s' % (base, a.name) in modules
                           else base for a in child.names]
            else:
                visit(child, top and not in_function)
                continue
            for target in targets:
                while target and target not in modules:  # import a.b.c: the deepest module
                    target = target.rpartition('.')[0]
                if target.startswith('symgraph'):
                    found.append((target, child.lineno, top))

    visit(tree, True)
    return found


def _layer(name):
    matches = [(len(prefix), layer) for prefix, layer in LAYERS
               if name == prefix or name.startswith(prefix + '.')]
    assert matches, '%s belongs to no layer: add it to LAYERS in %s' % (name, __file__)
    return max(matches)[1]


@pytest.fixture(scope='module')
def graph():
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def test_no_import_cycle(graph):
    edges = {name: sorted({t for t, _, _ in imports
                           if t != name and (name, t) not in LATE_IMPORTS})
             for name, imports in graph.items()}
    # Tarjan's strongly connected components; any component of two or more is a cycle.
    index, low, on_stack, stack, cycles = {}, {}, set(), [], []

    def connect(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    assert not cycles, 'modules that import one another: %s' % cycles


def test_layers(graph):
    wrong = []
    for name, imports in sorted(graph.items()):
        for target, line, top in imports:
            if (name, target) in LATE_IMPORTS:
                if top and (name, target) not in MODULE_LEVEL_LATE:
                    wrong.append('%s:%d imports %s at module level; it must stay inside the '
                                 'function that needs it' % (name, line, target))
            elif _layer(target) > _layer(name):
                wrong.append('%s:%d imports %s from a layer above'
                             % (name, line, target))
    assert not wrong, '\n'.join(wrong)


def test_late_imports_are_still_made(graph):
    """Each listed exception is still needed; one made unnecessary leaves the list."""
    made = {(name, target) for name, imports in graph.items() for target, _, _ in imports}
    assert set(LATE_IMPORTS) <= made, set(LATE_IMPORTS) - made


def test_the_variable_methods_need_one_late_binding(graph):
    """tensor/var.py imports no op module: its methods read them through the package."""
    targets = {t for t, _, _ in graph['symgraph.tensor.var']}
    assert targets == {'symgraph.graph.basic', 'symgraph.tensor.type', 'symgraph.tensor',
                       'symgraph.compile.interpreter'}, targets
