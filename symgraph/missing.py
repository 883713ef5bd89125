"""``python -m symgraph.missing``: every Theano 1.0.5 name symgraph does not have yet,
module by module (see symgraph/notyet.py), computed from what symgraph has now."""
import symgraph


def main():
    """Print the missing names (symgraph is imported first: its modules loaded, the
    hooks of notyet.py installed)."""
    for theano_module, names in symgraph.notyet.missing().items():
        if names == ['*']:
            print('%s: the whole module' % theano_module)
        else:
            print('%s (%d): %s' % (theano_module, len(names), ' '.join(names)))


if __name__ == '__main__':
    main()
