"""``pprint``: Theano's one-line infix form of a graph."""
from symgraph.graph.basic import toposort
from symgraph.tensor.basic import Dot
from symgraph.tensor.elemwise import Cast, DimShuffle, Elemwise
from symgraph.tensor.subtensor import Subtensor

_INFIX = {'add': '+', 'sub': '-', 'mul': '*', 'true_div': '/', 'int_div': '//', 'mod': '%',
          'pow': '**'}


def _pformat_node(var, parts):
    """The text of one variable given the texts of its inputs."""
    node = var.owner
    op = node.op
    if isinstance(op, Elemwise):
        name = op.scalar_op.name
        if name in _INFIX:
            return '(%s %s %s)' % (parts[0], _INFIX[name], parts[1])
        if name == 'neg':
            return '(-%s)' % parts[0]
        if name == 'abs_':
            return '|%s|' % parts[0]
        if isinstance(op.scalar_op, Cast):
            return '%s(%s)' % (op.scalar_op.dtype, parts[0])
        label = str(op)
        if label.startswith('Elemwise{'):
            label = name
        return '%s(%s)' % (label, ', '.join(parts))
    if isinstance(op, Dot):
        return '(%s \\dot %s)' % tuple(parts)
    if isinstance(op, DimShuffle):
        order = list(op.new_order)
        while order and order[0] == 'x':  # leading new axes print as the input itself
            order.pop(0)
        ndim = len(op.input_broadcastable)
        if order == list(range(ndim)):
            return parts[0]
        if order == list(reversed(range(ndim))):
            return '%s.T' % parts[0]
        return 'DimShuffle{%s}(%s)' % (', '.join(str(d) for d in order), parts[0])
    if isinstance(op, Subtensor):
        return '%s[%s]' % (parts[0], ', '.join(_subtensor_entries(op, parts[1:])))
    return '%s(%s)' % (op, ', '.join(parts))


def _subtensor_entries(op, bounds):
    values = iter(bounds)
    entries = []
    for entry in op.idx_list:
        if isinstance(entry, slice):
            entries.append(':'.join('' if p is None else next(values)
                                    for p in (entry.start, entry.stop, entry.step)).rstrip(':')
                           or ':')
        else:
            entries.append(next(values))
    return entries


def pprint(var):
    """Theano's one-line infix rendering of a graph (named variables print by name)."""
    texts = {}
    for node in toposort([var]):
        for inp in node.inputs:
            if inp.owner is None:
                texts.setdefault(inp, str(inp))
        for out in node.outputs:
            texts[out] = _pformat_node(out, [texts[i] for i in node.inputs])
    if var.owner is None:
        return str(var)
    return texts[var]
