"""``python -m symgraph.missing``: every Theano 1.0.5 name symgraph does not have yet,
module by module (see symgraph/notyet.py), computed from what symgraph has now."""
import symgraph  # noqa: F401  (loads the modules, installs notyet's hooks)
from symgraph.notyet import missing


def main():
    for theano_module, names in missing().items():
        if names == ['*']:
            print('%s: the whole module' % theano_module)
        else:
            print('%s (%d): %s' % (theano_module, len(names), ' '.join(names)))


if __name__ == '__main__':
    main()
