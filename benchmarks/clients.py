"""Client code run on symgraph: Lasagne's own test suite and the examples of Theano's
documentation, with ``theano`` standing for symgraph.

    python -m benchmarks.clients lasagne LASAGNE_CHECKOUT [--runslow] [--json OUT]
                                         [--only TEST...] [PYTEST_ARGS...]
    python -m benchmarks.clients docs THEANO_CHECKOUT [--oracle PYTHON] [--pages GLOB]
                                      [--cache DIR] [--json OUT] [-v]

``lasagne`` runs ``LASAGNE_CHECKOUT/lasagne/tests`` with pytest in this process (the
checkout's own ``lasagne`` package first on the path, its ``setup.cfg`` options ignored)
and prints passed/failed/skipped counts, then each failure with its exception line.
It needs ``mock`` installed. One rule of old
numpy that Lasagne's tests rely on is restored in the test files (see _OldNumpyIndexing).

``docs`` extracts the examples of ``doc/tutorial/*.txt`` and ``doc/library/**/*.txt`` of a
Theano source checkout as Sphinx's doctest extension sees them: ``>>>`` blocks, and
``.. testcode::`` blocks with the ``.. testoutput::`` that follows, after the page's
``.. testsetup::``. Each page runs in a fresh process, first with real Theano (the
``--oracle`` interpreter; its verdicts are cached under ``--cache``), then with symgraph.
An example counts only if it passes on real Theano; it passes here when it raises nothing
and, if the page gives its output, prints that output (Sphinx's default doctest flags).
Both sides print numpy arrays as numpy 1.13 did, the format the pages were written in.
Pages about GPUs are left out.

Nothing of Lasagne or Theano is copied here: both are read from the checkouts given.
"""
import argparse
import ast
import builtins
import doctest
import fnmatch
import glob
import importlib
import importlib.abc
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from contextlib import redirect_stdout

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(HERE)


# ---------------------------------------------------------------------------------------
# theano -> symgraph
# ---------------------------------------------------------------------------------------

class TheanoAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``import theano.X`` gives the module ``symgraph.X`` itself (one object under both
    names), so ``theano.tensor is symgraph.tensor``; a module symgraph lacks raises its
    ImportError, as Theano-era code that probes optional modules expects."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == 'theano' or fullname.startswith('theano.'):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return importlib.import_module('symgraph' + spec.name[len('theano'):])

    def exec_module(self, module):
        pass


def install_theano_alias():
    if not any(isinstance(finder, TheanoAlias) for finder in sys.meta_path):
        sys.meta_path.insert(0, TheanoAlias())
    if REPO_ROOT not in sys.path:
        sys.path.insert(0, REPO_ROOT)


# ---------------------------------------------------------------------------------------
# Lasagne
# ---------------------------------------------------------------------------------------

class _Outcomes:
    """A pytest plugin that records each test's outcome and, for a failure, the last line
    of its error (the exception and its message)."""

    def __init__(self):
        self.results = {}

    def pytest_runtest_logreport(self, report):
        if report.when == 'call' or report.outcome != 'passed':
            if report.nodeid in self.results and self.results[report.nodeid][0] != 'passed':
                return  # keep the first failure (setup) over a teardown error
            self.results[report.nodeid] = (report.outcome, _error_line(report))

    def pytest_collectreport(self, report):
        if report.outcome == 'failed':
            self.results[report.nodeid] = ('failed', _error_line(report))


def _error_line(report):
    if report.outcome == 'passed':
        return ''
    if report.outcome == 'skipped':
        longrepr = report.longrepr
        return str(longrepr[2] if isinstance(longrepr, tuple) else longrepr)
    text = str(report.longrepr)
    errors = [line[2:].strip() for line in text.splitlines() if line.startswith('E ')]
    if errors:
        return errors[0][:300]
    return text.strip().splitlines()[-1][:300] if text.strip() else ''


class _OldNumpyIndexing(ast.NodeTransformer):
    """``a[i]`` becomes ``a[_old_numpy_index(i)]`` where ``i`` is not written out: numpy
    before 1.23 read a list holding a slice as a tuple (``output[[slice(1, 3)] * 2]``), and
    Lasagne's tests build their expected results that way."""

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if not isinstance(node.slice, (ast.Slice, ast.Tuple, ast.Constant)):
            node.slice = ast.Call(ast.Name('_old_numpy_index', ast.Load()), [node.slice], [])
        return node


def _old_numpy_index(index):
    if isinstance(index, list) and any(isinstance(e, slice) for e in index):
        return tuple(index)
    return index


def _rewrite_old_numpy_indexing():
    """Apply _OldNumpyIndexing to the test files, through pytest's assertion rewriting
    (which parses and compiles them)."""
    from _pytest.assertion import rewrite
    original = rewrite.rewrite_asserts
    if getattr(original, 'old_numpy_indexing', False):
        return

    def rewrite_asserts(mod, *args, **kwargs):
        ast.fix_missing_locations(_OldNumpyIndexing().visit(mod))
        return original(mod, *args, **kwargs)
    rewrite_asserts.old_numpy_indexing = True
    rewrite.rewrite_asserts = rewrite_asserts
    builtins._old_numpy_index = _old_numpy_index


def _record_lasagne_metadata(checkout, folder):
    """Lasagne 0.1 reads its version from its installed metadata (pkg_resources); write
    the metadata ``pip install -e`` would, the version taken from setup.py, and put it on
    the path."""
    with open(os.path.join(checkout, 'setup.py')) as f:
        found = re.search(r"^version = '([^']+)'", f.read(), re.M)
    if not found:
        return
    info = os.path.join(folder, 'Lasagne.egg-info')
    os.makedirs(info)
    with open(os.path.join(info, 'PKG-INFO'), 'w') as f:
        f.write('Metadata-Version: 1.0\nName: Lasagne\nVersion: %s\n' % found.group(1))
    sys.path.append(folder)
    if 'pkg_resources' in sys.modules:
        sys.modules['pkg_resources'].working_set.add_entry(folder)


def run_lasagne(checkout, runslow=False, pytest_args=(), only=()):
    """Run the checkout's lasagne/tests (or the files ``only``, relative to the checkout)
    with theano = symgraph; returns {nodeid: (outcome, error line)}."""
    import pytest
    install_theano_alias()
    _rewrite_old_numpy_indexing()
    checkout = os.path.abspath(checkout)
    sys.path.insert(0, checkout)
    with tempfile.TemporaryDirectory() as empty:
        sys.pycache_prefix = empty  # the rewritten tests are compiled afresh, kept nowhere
        _record_lasagne_metadata(checkout, os.path.join(empty, 'metadata'))
        ini = os.path.join(empty, 'pytest.ini')
        with open(ini, 'w') as f:
            f.write('[pytest]\npython_files = test*py\n')
        outcomes = _Outcomes()
        tests = os.path.join(checkout, 'lasagne', 'tests')
        # --confcutdir: lasagne/conftest.py only serves its doctest run (and its hook's
        # signature is too old for current pytest)
        args = ['-c', ini, '--rootdir', checkout, '--confcutdir', tests, '-q',
                '--continue-on-collection-errors', '-p', 'no:cacheprovider', '-W', 'ignore']
        args += [os.path.join(checkout, path) for path in only] or [tests]
        if runslow:
            args.append('--runslow')
        pytest.main(args + list(pytest_args), plugins=[outcomes])
    return outcomes.results


def _lasagne_report(results):
    counts = {}
    for outcome, _ in results.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    lines = ['passed %d  failed %d  skipped %d  (of %d)' % (
        counts.get('passed', 0), counts.get('failed', 0), counts.get('skipped', 0),
        len(results))]
    for nodeid, (outcome, error) in sorted(results.items()):
        if outcome == 'failed':
            lines.append('FAILED %s: %s' % (nodeid, error))
    return '\n'.join(lines)


# ---------------------------------------------------------------------------------------
# Theano's documentation
# ---------------------------------------------------------------------------------------

LEFT_OUT = ('*gpu*', '*cuda*')  # pages about GPUs (no page with examples is about C code)
SPHINX_FLAGS = doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | \
    doctest.DONT_ACCEPT_TRUE_FOR_1
_DIRECTIVE = re.compile(r'^(\s*)\.\. (testsetup|testcode|testoutput|testcleanup)::(.*)$')


def doc_pages(checkout, pattern=None):
    doc = os.path.join(checkout, 'doc')
    pages = sorted(glob.glob(os.path.join(doc, 'tutorial', '*.txt')) +
                   glob.glob(os.path.join(doc, 'library', '**', '*.txt'), recursive=True))
    pages = [os.path.relpath(page, doc) for page in pages]
    pages = [page for page in pages
             if not any(fnmatch.fnmatch('/' + page, pat) for pat in LEFT_OUT)]
    if pattern:
        pages = [page for page in pages if fnmatch.fnmatch(page, pattern)]
    return [page for page in pages if _has_examples(os.path.join(doc, page))]


def _has_examples(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    return bool(re.search(r'^\s*>>> |\.\. testcode::', text, re.M))


def _directive_blocks(lines):
    """[(kind, first line number, code, flags)] for the testsetup/code/output blocks, and
    the lines with those blocks blanked out (for the ``>>>`` parser)."""
    blocks, rest, i = [], list(lines), 0
    while i < len(lines):
        match = _DIRECTIVE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, kind = len(match.group(1)), match.group(2)
        start, flags, body = i, 0, []
        i += 1
        while i < len(lines) and (not lines[i].strip() or
                                  len(lines[i]) - len(lines[i].lstrip()) > indent):
            stripped = lines[i].strip()
            if not body and stripped.startswith(':'):  # :options: +FLAG, ...; :hide:
                if stripped.startswith(':options:'):
                    for option in stripped[len(':options:'):].split(','):
                        option = option.strip()
                        if option:
                            flag = doctest.OPTIONFLAGS_BY_NAME[option[1:]]
                            flags = flags | flag if option[0] == '+' else flags & ~flag
            elif body or stripped:
                body.append(lines[i])
            i += 1
        for j in range(start, i):
            rest[j] = ''
        while body and not body[-1].strip():
            body.pop()
        blocks.append((kind, start + 1, _dedent(body), flags))
    return blocks, rest


def _dedent(lines):
    width = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return '\n'.join(line[width:] for line in lines) + ('\n' if lines else '')


def page_examples(path):
    """The page's examples in order: dicts with line, source, want, mode ('single' for a
    ``>>>`` line, 'exec' for a testcode block), flags, setup (testsetup code)."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    blocks, rest = _directive_blocks(lines)
    examples, setup = [], []
    for example in doctest.DocTestParser().get_examples('\n'.join(rest)):
        flags, skip = SPHINX_FLAGS, False
        for flag, on in example.options.items():
            if flag == doctest.SKIP and on:
                skip = True
            flags = flags | flag if on else flags & ~flag
        if not skip:
            examples.append({'line': example.lineno + 1, 'source': example.source,
                             'want': example.want, 'exc_msg': example.exc_msg,
                             'mode': 'single', 'flags': flags})
    for index, (kind, line, code, flags) in enumerate(blocks):
        if kind == 'testsetup':
            setup.append(code)
        elif kind == 'testcode':
            want, out_flags = '', SPHINX_FLAGS
            if index + 1 < len(blocks) and blocks[index + 1][0] == 'testoutput':
                want, out_flags = blocks[index + 1][2], SPHINX_FLAGS | blocks[index + 1][3]
            exc_msg = None
            if want.startswith('Traceback (most recent call last)'):
                exc_msg = want.strip().splitlines()[-1] + '\n'
            examples.append({'line': line, 'source': code, 'want': want, 'exc_msg': exc_msg,
                             'mode': 'exec', 'flags': out_flags})
    examples.sort(key=lambda example: example['line'])
    return setup, examples


def _exception_matches(exc_msg, error, flags):
    """doctest's comparison of an expected exception line with ``error`` (its notes, which
    JAX adds to errors raised while tracing, left out)."""
    got = '%s: %s\n' % (type(error).__qualname__, error)
    if flags & doctest.IGNORE_EXCEPTION_DETAIL:
        return exc_msg.split(':', 1)[0].split('.')[-1].strip() == type(error).__qualname__
    return doctest.OutputChecker().check_output(exc_msg, got, flags)


def run_page(path, symgraph):
    """Run one page's examples in this process; [(line, has_want, verdict, detail)]."""
    if symgraph:
        install_theano_alias()
    import numpy
    numpy.set_printoptions(legacy='1.13')
    namespace = {'__name__': '__main__'}
    checker = doctest.OutputChecker()
    results = []
    setup, examples = page_examples(path)
    for code in setup:
        try:
            with redirect_stdout(io.StringIO()):
                exec(compile(code, path, 'exec'), namespace)
        except Exception as error:  # noqa: BLE001 - a setup failure fails every example
            return [(ex['line'], bool(ex['want'] or ex['exc_msg']), 'error',
                     'testsetup: %r' % error) for ex in examples]
    for ex in examples:
        out = io.StringIO()
        has_want = bool(ex['want'] or ex['exc_msg'])
        try:
            with redirect_stdout(out):
                exec(compile(ex['source'], path, ex['mode']), namespace)
        except Exception as error:  # noqa: BLE001 - every failure of an example is recorded
            if ex['exc_msg'] and _exception_matches(ex['exc_msg'], error, ex['flags']):
                results.append((ex['line'], has_want, 'pass', ''))
            else:
                detail = '%s: %s' % (type(error).__qualname__, error)
                results.append((ex['line'], has_want, 'error', detail[:300]))
            continue
        if ex['exc_msg']:
            results.append((ex['line'], has_want, 'fail', 'no exception raised'))
        elif checker.check_output(ex['want'], out.getvalue(), ex['flags']):
            results.append((ex['line'], has_want, 'pass', ''))
        else:
            results.append((ex['line'], has_want, 'fail',
                            'expected %r, got %r' % (ex['want'][:150], out.getvalue()[:150])))
    return results


def _run_page_process(python, path, symgraph, timeout=600):
    with tempfile.TemporaryDirectory() as work:
        command = [python, '-m', 'benchmarks.clients', 'docs-page', path]
        if symgraph:
            command.append('--symgraph')
        env = dict(os.environ, PYTHONPATH=REPO_ROOT)
        try:
            done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        marker = done.stdout.rfind('\n@@RESULTS@@')
        if marker < 0:
            return None
        return [tuple(r) for r in json.loads(done.stdout[marker + len('\n@@RESULTS@@'):])]


def run_docs(checkout, oracle, cache, pattern=None, verbose=False):
    """Per page: {'oracle': results, 'symgraph': results} (None for a page that crashed)."""
    os.makedirs(cache, exist_ok=True)
    report = {}
    for page in doc_pages(checkout, pattern):
        path = os.path.join(checkout, 'doc', page)
        cached = os.path.join(cache, page.replace('/', '__') + '.json')
        if os.path.exists(cached):
            with open(cached) as f:
                real = [tuple(r) for r in json.load(f)]
        else:
            real = _run_page_process(oracle, path, symgraph=False)
            if real is not None:
                with open(cached, 'w') as f:
                    json.dump(real, f)
        ours = _run_page_process(sys.executable, path, symgraph=True)
        report[page] = {'oracle': real, 'symgraph': ours}
        if verbose:
            print(_page_line(page, real, ours), flush=True)
            if real and ours:
                good = {r[0] for r in real if r[2] == 'pass'}
                for line, _, verdict, detail in ours:
                    if line in good and verdict != 'pass':
                        print('    line %d %s: %s' % (line, verdict, detail), flush=True)
    return report


def _counts(real, ours):
    """(examples passing on Theano, of them passing here, the same two for examples with
    an expected output)."""
    good = {r[0]: r[1] for r in (real or []) if r[2] == 'pass'}
    passed = {r[0] for r in (ours or []) if r[2] == 'pass'}
    with_output = {line for line, has_want in good.items() if has_want}
    return len(good), len(passed & set(good)), len(with_output), len(passed & with_output)


def _page_line(page, real, ours):
    total, passed, total_out, passed_out = _counts(real, ours)
    return '%-40s %3d/%-3d  with output %3d/%-3d%s' % (
        page, passed, total, passed_out, total_out, '' if ours is not None else '  (crashed)')


def _docs_report(report):
    lines, sums, pages_ok, pages = [], [0, 0, 0, 0], 0, 0
    for page, runs in sorted(report.items()):
        counts = _counts(runs['oracle'], runs['symgraph'])
        if counts[0] == 0:
            continue
        pages += 1
        pages_ok += counts[0] == counts[1]
        sums = [a + b for a, b in zip(sums, counts)]
        lines.append(_page_line(page, runs['oracle'], runs['symgraph']))
    lines.append('pages passing entirely %d/%d; examples %d/%d (%.0f%%); with output %d/%d '
                 '(%.0f%%)' % (pages_ok, pages, sums[1], sums[0],
                               100.0 * sums[1] / max(sums[0], 1), sums[3], sums[2],
                               100.0 * sums[3] / max(sums[2], 1)))
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    commands = parser.add_subparsers(dest='command', required=True)
    lasagne = commands.add_parser('lasagne', help="run a Lasagne checkout's tests")
    lasagne.add_argument('checkout')
    lasagne.add_argument('--runslow', action='store_true')
    lasagne.add_argument('--json', help='write {test: [outcome, error]} here')
    lasagne.add_argument('--only', nargs='+', default=(),
                         help='test files or node ids, relative to the checkout')
    docs = commands.add_parser('docs', help="run the examples of Theano's documentation")
    docs.add_argument('checkout')
    docs.add_argument('--oracle', default=os.path.join(os.path.dirname(REPO_ROOT), 'shared',
                                                       'oracle', 'theano-python'),
                      help='a python that imports real Theano 1.0.5')
    docs.add_argument('--cache', default=os.path.expanduser('~/.cache/symgraph-clients'),
                      help="where real Theano's verdicts are kept")
    docs.add_argument('--pages', help="only the pages matching this glob ('tutorial/*')")
    docs.add_argument('--json')
    docs.add_argument('-v', '--verbose', action='store_true')
    page = commands.add_parser('docs-page')  # one page, in the process docs starts
    page.add_argument('path')
    page.add_argument('--symgraph', action='store_true')
    args, pytest_args = parser.parse_known_args(argv)
    if pytest_args and args.command != 'lasagne':
        parser.error('unrecognized arguments: %s' % ' '.join(pytest_args))
    if args.command == 'lasagne':
        results = run_lasagne(args.checkout, args.runslow,
                              [a for a in pytest_args if a != '--'], args.only)
        print(_lasagne_report(results))
        data = results
    elif args.command == 'docs':
        data = run_docs(args.checkout, args.oracle, args.cache, args.pages, args.verbose)
        print(_docs_report(data))
    else:
        results = run_page(args.path, args.symgraph)
        sys.stdout.write('\n@@RESULTS@@' + json.dumps(results))
        return
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(data, f, indent=1, sort_keys=True)


if __name__ == '__main__':
    main()
