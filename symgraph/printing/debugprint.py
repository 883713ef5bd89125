"""``debugprint``: a graph as an indented tree, in Theano 1.0.5's format byte for byte."""
import sys

from symgraph.graph.basic import Apply, Variable


def char_from_number(number):
    """Theano's id letters: 0 -> A, 25 -> Z, 26 -> BA (base 26 with A as zero)."""
    digits = []
    while True:
        number, rem = divmod(number, 26)
        digits.append(chr(ord('A') + rem))
        if number == 0:
            return ''.join(reversed(digits))


class _Ids:
    """Assigns ids in the order objects are first printed, shared across a whole call."""

    def __init__(self, style):
        if style not in ('CHAR', 'int', 'id', ''):
            raise ValueError("ids must be 'CHAR', 'int', 'id' or '', not %r" % (style,))
        self.style = style
        self.assigned = {}

    def __call__(self, obj):
        if obj not in self.assigned:
            n = len(self.assigned)
            self.assigned[obj] = {'CHAR': lambda: '[id %s]' % char_from_number(n),
                                  'int': lambda: '[id %d]' % n,
                                  'id': lambda: '[id %d]' % id(obj),
                                  '': lambda: ''}[self.style]()
        return self.assigned[obj]


def _loops_over(var):
    """Whether ``var`` is an output of a node that prints its inner graph (a scan)."""
    return var.owner is not None and hasattr(var.owner.op, 'inner_to_outer')


def _print_tree(root, out, ids, done, depth, print_type, stop_on_name, order, loops,
                prefix='', inner_to_outer=None):
    """One output's tree, walked with an explicit stack (deep graphs need no recursion).

    Scan outputs met on the way are added to ``loops``, in the order Theano meets them;
    inside a scan's inner graph, ``inner_to_outer`` links its inputs to the outer ones.
    """
    stack = [(root, prefix, prefix, depth, False)]
    while stack:
        var, prefix, prefix_child, remaining, collect = stack.pop()
        if remaining == 0:
            continue
        if collect and _loops_over(var):
            loops.append(var)
        type_str = ' <%s>' % var.type if print_type else ''
        node = var.owner
        if node is None:
            if inner_to_outer is not None and var in inner_to_outer:
                outer = inner_to_outer[var]
                out.append('%s%s %s%s -> %s' % (prefix, var, ids(var), type_str,
                                                 ids(outer.owner or outer)))
            else:
                out.append('%s%s %s%s' % (prefix, var, ids(var), type_str))
            continue
        already_printed = node in done
        done.add(node)
        idx = '' if len(node.outputs) == 1 else '.%d' % node.outputs.index(var)
        position = str(order.index(node)) if order else ''
        out.append("%s%s%s %s%s '%s'   %s" % (prefix, node.op, idx, ids(node), type_str,
                                             var.name or '', position))
        if already_printed or (stop_on_name and var.name is not None):
            continue
        children = []
        for i, child in enumerate(node.inputs):
            last = i == len(node.inputs) - 1
            children.append((child, prefix_child + ' |',
                             prefix_child + ('  ' if last else ' |'), remaining - 1, True))
        stack.extend(reversed(children))


def _print_inner_graphs(loops, lines, ids, done, depth, print_type, stop_on_name):
    """Theano's "Inner graphs of the scan ops:" section: each scan's line, then its inner
    outputs' trees behind '>', their inputs linked to the scan's outer inputs."""
    lines.append('')
    lines.append('Inner graphs of the scan ops:')
    k = 0
    while k < len(loops):  # inner graphs may hold scans of their own, appended as met
        var = loops[k]
        k += 1
        op, node = var.owner.op, var.owner
        mapping = op.inner_to_outer(node)
        lines.append('')
        _print_tree(var, lines, ids, done, depth, print_type, stop_on_name, None, loops)
        for out in op.inner.outputs:
            if _loops_over(out):
                loops.append(out)
            _print_tree(out, lines, ids, done, depth, print_type, stop_on_name, None, loops,
                        prefix=' >', inner_to_outer=mapping)


def debugprint(obj, depth=-1, print_type=False, file=None, ids='CHAR', stop_on_name=False,
               done=None):
    """Print a graph as an indented tree, exactly as Theano 1.0.5 does.

    ``obj`` is a variable, an Apply node, a compiled function (or its ``maker.fgraph``), or
    a list of them (which share ids). ``file='str'`` returns the text; None prints to
    stdout and returns None; a file object is written to and returned (as Theano does).
    """
    if not isinstance(depth, int):
        raise TypeError('depth must be an int, not %r' % (depth,))
    roots = []
    for item in obj if isinstance(obj, (list, tuple)) else [obj]:
        if isinstance(item, Variable):
            roots.append((item, None))
        elif isinstance(item, Apply):
            roots.extend((o, None) for o in item.outputs)
        elif hasattr(item, 'printable_outputs'):
            outputs, order = item.printable_outputs()
            roots.extend((o, order) for o in outputs)
        elif hasattr(item, 'variable'):  # In / Out
            roots.append((item.variable, None))
        else:
            raise TypeError('debugprint cannot print an object of type %s: %r'
                            % (type(item).__name__, item))
    lines, id_maker, loops = [], _Ids(ids), []
    done = set() if done is None else done
    for root, order in roots:
        if _loops_over(root):
            loops.append(root)
        _print_tree(root, lines, id_maker, done, depth, print_type, stop_on_name, order, loops)
    if loops:
        _print_inner_graphs(loops, lines, id_maker, done, depth, print_type, stop_on_name)
    text = ''.join(line + '\n' for line in lines)
    if file == 'str':
        return text
    if file is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return None
    file.write(text)
    return file
