"""Regenerate pydotprint/<name>.dot, the DOT text Theano 1.0.5's ``pydotprint`` builds for
the graphs of pydotprint_cases.py.

Run from the repository root with the Theano 1.0.5 Python, pydot installed in it:

    /path/to/theano-python tests/goldens/make_pydotprint_goldens.py

Theano names its DOT nodes by ``id()``; they are renamed n1, n2, ... in the order they
first appear, so the output is deterministic.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import pydot  # noqa: E402
import theano  # noqa: E402
import theano.tensor as T  # noqa: E402

import pydotprint_cases  # noqa: E402


def theano_dot(out, kwargs):
    """The DOT text pydotprint hands to pydot to write (nothing is drawn)."""
    captured = []

    def capture(graph, path, prog=None, format='raw', encoding=None):
        captured.append(graph.to_string())
    write, pydot.Dot.write = pydot.Dot.write, capture
    try:
        theano.printing.pydotprint(out, outfile='unused.png', print_output_file=False,
                                   **kwargs)
    finally:
        pydot.Dot.write = write
    names = {}
    return re.sub(r'\b\d{6,}\b', lambda m: names.setdefault(m.group(), 'n%d' % (len(names) + 1)),
                  captured[0])


def main():
    assert theano.__version__ == '1.0.5', theano.__version__
    out_dir = os.path.join(HERE, 'pydotprint')
    os.makedirs(out_dir, exist_ok=True)
    for name, case in pydotprint_cases.CASES.items():
        ns = {'theano': theano, 'T': T, 'np': np}
        exec(compile(case['code'], '<case>', 'exec'), ns)
        with open(os.path.join(out_dir, name + '.dot'), 'w', newline='\n') as f:
            f.write(theano_dot(ns['out'], case['kwargs']))


if __name__ == '__main__':
    main()
