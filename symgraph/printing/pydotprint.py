"""``pydotprint``: a graph drawn by Graphviz, in Theano 1.0.5's look.

Apply nodes are ellipses labelled with the op (coloured by kind: Elemwise pink, Subtensor
purple, Shape brown, Scan yellow, IfElse magenta, Alloc orange), variables are boxes:
inputs green, shared variables cyan, outputs and updated values blue, unused outputs grey.
An edge into a node with several inputs carries the input's position; with ``compact``,
an unnamed intermediate variable is no box but the label of the edge that carries it.

The picture is built here as plain data (``picture``), then written as DOT text; Graphviz's
``dot`` program turns the text into png, svg and its other formats. Beyond Theano:

* the inner graph of a scan (any op carrying an ``InnerGraph``) is drawn inside the
  picture, as a cluster labelled with the op, its inputs linked by dashed grey edges to
  the outer values they read and its outputs to the node;
* the nodes that run only when an ifelse takes a branch (those the program computes
  inside the branch) are grouped in a cluster per branch;
* ``format='dot'`` writes the DOT text itself, with no Graphviz needed;
* variables and compiled functions draw themselves in notebooks (``_repr_svg_``).

symgraph's ops declare no ``view_map`` (XLA has no views), so the edges Theano coloured
blue for an op returning a view of its input are black here.
"""
import os
import shutil
import subprocess

import numpy as np

from symgraph.compile.executor import Function
from symgraph.compile.lower import _deferred_nodes
from symgraph.config import config
from symgraph.graph.basic import Apply, Constant, Variable, format_trace
from symgraph.graph.fg import FunctionGraph
from symgraph.graph.inner import InnerGraph
from symgraph.tensor.sharedvar import SharedVariable

default_colorCodes = {'GpuFromHost': 'red',
                      'HostFromGpu': 'red',
                      'Scan': 'yellow',
                      'Shape': 'brown',
                      'IfElse': 'magenta',
                      'Elemwise': '#FFAABB',  # dark pink
                      'Subtensor': '#FFAAFF',  # purple
                      'Alloc': '#FFAA22',  # orange
                      'Output': 'blue'}

INSTALL_HINT = ('Install Graphviz (Debian/Ubuntu: apt-get install graphviz; Fedora: dnf '
                'install graphviz; macOS: brew install graphviz; conda: conda install '
                'graphviz), or ask for format=\'dot\', the DOT text, which needs no Graphviz.')


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's ``dot`` program, which turns DOT text into pictures, is not installed."""


class Glyph:
    """One shape of a picture: its DOT attributes, and what the interactive page shows."""

    __slots__ = ('id', 'attrs', 'info')

    def __init__(self, id, attrs, info):
        self.id, self.attrs, self.info = id, attrs, info


class Cluster:
    """A framed part of a picture: an op's inner graph (``picture``, a Picture of its
    own) or the nodes an ifelse branch runs (``members``, ids in the same picture)."""

    def __init__(self, id, label, kind, owner, picture=None, members=()):
        self.id, self.label, self.kind, self.owner = id, label, kind, owner
        self.picture, self.members = picture, list(members)


class Picture:
    """One graph level: ``glyphs`` (the shapes drawn) by id, in drawing order; ``edges``
    ``(source id, target id, attrs, kind)``, kind being 'input', 'output', 'update' or
    'link' (an inner graph to the outer one); ``clusters``."""

    def __init__(self):
        self.glyphs = {}
        self.edges = []
        self.clusters = []

    def add(self, id, attrs, info):
        if id not in self.glyphs:
            self.glyphs[id] = Glyph(id, attrs, info)

    def walk(self):
        """This picture and the inner pictures in it, outermost first."""
        pending = [self]
        while pending:
            pic = pending.pop(0)
            yield pic
            pending.extend(c.picture for c in pic.clusters if c.picture is not None)


def graph_of(obj):
    """(outputs, nodes in order, {update expression: the shared variable it updates},
    whether the order is a compiled program's) of what ``pydotprint`` and ``d3viz``
    draw."""
    if isinstance(obj, Function):
        _, order = obj.printable_outputs()
        return (list(obj.outputs), list(order),
                dict(zip(obj.update_exprs, obj.update_targets)), True)
    if isinstance(obj, FunctionGraph):
        return list(obj.outputs), obj.toposort(), {}, True
    if isinstance(obj, Variable):
        outputs = [obj]
    elif isinstance(obj, Apply):
        outputs = list(obj.outputs)
    elif isinstance(obj, (list, tuple)) and obj and all(isinstance(v, Variable) for v in obj):
        outputs = list(obj)
    else:
        raise TypeError('pydotprint and d3viz draw a variable, an Apply node, a compiled '
                        'function, a FunctionGraph or a list of variables, not %s: %r'
                        % (type(obj).__name__, obj))
    return outputs, theano_order(outputs), {}, False


def picture(obj, compact=True, with_ids=False, high_contrast=True, colorCodes=None,
            max_label_size=70, var_with_name_simple=False):
    """The Picture of ``obj`` (a variable, an Apply node, a list of variables, a compiled
    function or a FunctionGraph), with pydotprint's labels and colours."""
    outputs, topo, updates, program = graph_of(obj)
    drawer = _Drawer(compact, with_ids, high_contrast, colorCodes or default_colorCodes,
                     max_label_size, var_with_name_simple)
    return drawer.level(outputs, topo, updates, positions=program)


def theano_order(outputs):
    """The nodes of ``outputs``' graph in the order Theano's FunctionGraph lists them
    (a depth-first walk that reaches a node's last input first); labels number nodes by
    it, so they read as Theano's."""
    computed, order = set(), []
    todo = [out.owner for out in reversed(outputs) if out.owner is not None]
    while todo:
        node = todo.pop()
        if node.outputs[0] in computed:
            continue
        if all(var in computed or var.owner is None for var in node.inputs):
            computed.update(node.outputs)
            order.append(node)
        else:
            todo.append(node)
            todo.extend(var.owner for var in node.inputs if var.owner is not None)
    return order


class _Drawer:
    """Theano's labelling and colouring rules, applied graph level by graph level."""

    def __init__(self, compact, with_ids, high_contrast, colors, max_label_size,
                 var_with_name_simple):
        self.compact, self.with_ids, self.high_contrast = compact, with_ids, high_contrast
        self.colors, self.max_size = colors, max_label_size
        self.name_simple = var_with_name_simple
        self.ids = {}
        self.var_str = {}

    def id(self, obj):
        """Ids in the order things are first drawn: the same graph gives the same text."""
        if obj not in self.ids:
            self.ids[obj] = 'n%d' % (len(self.ids) + 1)
        return self.ids[obj]

    def clip(self, text):
        return text[:self.max_size - 3] + '...' if len(text) > self.max_size else text

    def var_label(self, var, input_update):
        if var in self.var_str:
            return self.var_str[var]
        if var.name is not None:
            text = var.name if self.name_simple else 'name=%s %s' % (var.name, var.type)
        elif isinstance(var, Constant):
            text = 'val=' + str(np.asarray(var.data)).split('\n')[0] + ' ' + str(var.type)
        elif var in input_update and input_update[var].name is not None:
            text = input_update[var].name + ('' if self.name_simple else str(var.type))
        else:
            text = str(var.type)
        self.var_str[var] = self.clip(text)
        return self.var_str[var]

    def filled(self, color):
        return ({'style': 'filled', 'fillcolor': color} if self.high_contrast
                else {'color': color})

    def level(self, outputs, topo, input_update, positions, inner_inputs=()):
        """The Picture of one graph: ``topo`` its nodes in order, ``positions`` whether
        their order is a program's (shown in the page), ``inner_inputs`` the inputs of an
        inner graph (drawn green, as the inputs of the step)."""
        pic = Picture()
        labels, strings = {}, set()
        used = {var for node in topo for var in node.inputs}
        output_set, inner_inputs = set(outputs), set(inner_inputs)

        def apply_label(node, index):
            if node in labels:
                return labels[node]
            text = str(node.op).replace(':', '_')
            if text in strings or self.with_ids:
                suffix = ' id=%d' % index
                text = (text[:self.max_size - 3 - len(suffix)] + suffix + '...'
                        if len(text) + len(suffix) > self.max_size else text + suffix)
            elif len(text) > self.max_size:
                text = text[:self.max_size - 3] + '...'
                k = 1
                while text in strings:
                    k += 1
                    suffix = ' id=%d' % k
                    text = text[:self.max_size - 3 - len(suffix)] + '...' + suffix
            strings.add(text)
            labels[node] = text
            return text

        def add_var(var, attrs, kind):
            label = self.var_label(var, input_update)
            strings.add(label)
            pic.add(self.id(var), dict(attrs, label=label, shape='box'),
                    _var_info(var, kind))

        def boxed(var):
            """Whether edges carrying ``var`` leave from a box of its own (else from the
            node computing it, the variable's type on the edge)."""
            return var.owner is None or var.name or not self.compact or var in output_set

        def source(var):
            return self.id(var) if boxed(var) else self.id(var.owner)

        for index, node in enumerate(topo):
            label = apply_label(node, index)
            color = None
            for op_name, code in self.colors.items():
                if op_name in type(node.op).__name__:
                    color = code
            attrs = {'label': label, 'shape': 'ellipse'}
            if color is not None:
                attrs.update(self.filled(color))
            pic.add(self.id(node), attrs, _apply_info(node, index if positions else None))
            destroyed = {i for ps in getattr(node.op, 'destroy_map', {}).values() for i in ps}
            viewed = {i for ps in getattr(node.op, 'view_map', {}).values() for i in ps}
            for k, var in enumerate(node.inputs):
                edge = {'label': str(k)} if len(node.inputs) > 1 else {}
                if k in viewed:
                    edge['color'] = self.colors['Output']
                elif k in destroyed:
                    edge['color'] = 'red'
                if var.owner is None:
                    color = 'cyan' if isinstance(var, SharedVariable) else 'green'
                    kind = ('inner input' if var in inner_inputs else 'constant'
                            if isinstance(var, Constant) else 'shared'
                            if isinstance(var, SharedVariable) else 'input')
                    add_var(var, self.filled(color), kind)
                elif not boxed(var):
                    edge['label'] = self.clip(
                        (edge['label'] + ' ' if 'label' in edge else '') + str(var.type))
                pic.edges.append((source(var), self.id(node), edge, 'input'))
            for k, var in enumerate(node.outputs):
                edge = {'label': str(k)} if len(node.outputs) > 1 else {}
                if var in output_set or var in input_update:
                    add_var(var, self.filled(self.colors['Output']), 'output')
                elif var not in used:
                    add_var(var, self.filled('grey'), 'unused')
                elif var.name or not self.compact:
                    if self.compact:
                        edge['label'] = self.clip(
                            (edge['label'] + ' ' if 'label' in edge else '') + str(var.type))
                    add_var(var, {}, 'variable')
                else:
                    continue
                pic.edges.append((self.id(node), self.id(var), edge, 'output'))
            inner = getattr(node.op, 'inner', None)
            if isinstance(inner, InnerGraph):
                self.inner_cluster(pic, node, inner, source)
        for out in outputs:  # an input returned as it is: no node draws it
            if out.owner is None:
                add_var(out, self.filled(self.colors['Output']), 'output')
        for update, shared in input_update.items():
            pic.edges.append((self.id(update), self.id(shared),
                              {'label': 'UPDATE', 'color': self.colors['Output']}, 'update'))
        self.branch_clusters(pic, topo, outputs + list(input_update))
        return pic

    def inner_cluster(self, pic, node, inner, source):
        """The op's inner graph as a cluster, linked to the values it reads and the node."""
        sub = self.level(list(inner.outputs), list(inner.nodes), {}, positions=True,
                         inner_inputs=inner.inputs)
        for var in inner.inputs:
            if self.id(var) not in sub.glyphs:  # an input the step does not read
                sub.add(self.id(var), dict(self.filled('green'), shape='box',
                                           label=self.var_label(var, {})),
                        _var_info(var, 'inner input'))
        mapping = (node.op.inner_to_outer(node) if hasattr(node.op, 'inner_to_outer')
                   else dict(zip(inner.inputs, node.inputs)))
        link = {'style': 'dashed', 'color': 'grey'}
        for var in inner.inputs:
            if var in mapping:
                pic.edges.append((source(mapping[var]), self.id(var), dict(link), 'link'))
                sub.glyphs[self.id(var)].info['reads'] = str(mapping[var])
        for var in inner.outputs:
            pic.edges.append((self.id(var), self.id(node), dict(link), 'link'))
        pic.clusters.append(Cluster('cluster_' + self.id(node), str(node.op), 'inner',
                                    self.id(node), picture=sub))

    def branch_clusters(self, pic, topo, wanted):
        """A cluster for the nodes each ifelse branch computes, and only it."""
        branches = {}
        for node, (user, var) in _deferred_nodes(topo, wanted).items():
            lazy = set(user.op.lazy_inputs(user))
            n_outs = getattr(user.op, 'n_outs', None)
            sides = {'then' if n_outs is None or k <= n_outs else 'else'
                     for k, inp in enumerate(user.inputs) if inp is var and k in lazy}
            side = sides.pop() if len(sides) == 1 else 'either'
            members = branches.setdefault((user, side), [])
            members.append(self.id(node))
            members.extend(self.ids[out] for out in node.outputs
                           if self.ids.get(out) in pic.glyphs)
        for (user, side), members in branches.items():
            pic.clusters.append(Cluster('cluster_%s_%s' % (self.id(user), side),
                                        '%s %s branch' % (user.op, side), 'branch',
                                        self.id(user), members=members))


def _shape_text(var):
    """'(20, ?)': the lengths known while building the graph; None where none is."""
    shape = np.shape(var.data) if isinstance(var, Constant) \
        else getattr(var, 'static_shape', None)
    if shape is None or (len(shape) and all(s is None for s in shape)):
        return None
    parts = ['?' if s is None else str(s) for s in shape]
    return '(%s%s)' % (', '.join(parts), ',' if len(parts) == 1 else '')


def _var_info(var, kind):
    info = {'kind': kind, 'name': str(var), 'type': str(var.type),
            'shape': _shape_text(var)}
    if not isinstance(var, Constant):
        info['trace'] = format_trace(var.creation_trace)
    return info


def _apply_info(node, position):
    return {'kind': 'apply', 'name': str(node.op), 'op': type(node.op).__name__,
            'outputs': [{'name': str(out), 'type': str(out.type), 'shape': _shape_text(out)}
                        for out in node.outputs],
            'trace': format_trace(node.trace), 'position': position}


# -- DOT text and Graphviz -------------------------------------------------------------------
def _quote(value):
    return '"%s"' % str(value).replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


def _attrs(attrs):
    return ' [%s]' % ', '.join('%s=%s' % (k, _quote(v)) for k, v in attrs.items()) \
        if attrs else ''


def dot_text(pic):
    """The DOT text of a Picture: shapes, clusters (nested where an inner graph or a
    branch holds another), then every edge."""
    lines = ['digraph G {']
    placed = set()

    def emit(pic, indent, only=None):
        member_of = {}
        for cluster in pic.clusters:
            if cluster.kind == 'branch':
                for m in cluster.members:
                    member_of.setdefault(m, cluster)
        inner_of = {c.owner: c for c in pic.clusters if c.kind == 'inner'}
        for glyph in pic.glyphs.values():
            if glyph.id in placed or (only is not None and glyph.id not in only) \
                    or (only is None and glyph.id in member_of):
                continue
            placed.add(glyph.id)
            lines.append('%s%s%s;' % (indent, glyph.id, _attrs(glyph.attrs)))
            if glyph.id in inner_of:
                cluster = inner_of[glyph.id]
                open_cluster(cluster, indent)
                emit(cluster.picture, indent + '  ')
                lines.append(indent + '}')
        if only is None:
            for cluster in pic.clusters:
                if cluster.kind == 'branch':
                    open_cluster(cluster, indent)
                    emit(pic, indent + '  ', only=set(cluster.members))
                    lines.append(indent + '}')

    def open_cluster(cluster, indent):
        lines.append('%ssubgraph %s {' % (indent, cluster.id))
        lines.append('%s  label=%s;' % (indent, _quote(cluster.label)))
        lines.append('%s  style=%s;' % (indent, 'dashed' if cluster.kind == 'inner'
                                        else 'dotted'))

    emit(pic, '')
    for level in pic.walk():
        for source, target, attrs, _ in level.edges:
            lines.append('%s -> %s%s;' % (source, target, _attrs(attrs)))
    lines.append('}')
    return '\n'.join(lines) + '\n'


def render(text, format):
    """``text`` (DOT) drawn by Graphviz's ``dot`` in ``format`` ('png', 'svg', ...), as
    bytes; ``format='dot'`` is the text itself."""
    if format in ('dot', 'gv'):
        return text.encode('utf-8')
    program = shutil.which('dot')
    if program is None:
        raise GraphvizNotFoundError(
            'drawing a graph as %s needs Graphviz\'s "dot" program, which is not on the '
            'PATH. %s' % (format, INSTALL_HINT))
    done = subprocess.run([program, '-T' + format], input=text.encode('utf-8'),
                          capture_output=True)
    if done.returncode != 0:
        raise RuntimeError('Graphviz could not draw the graph as %r: %s'
                           % (format, done.stderr.decode('utf-8', 'replace').strip()))
    return done.stdout


def pydotprint(fct, outfile=None, compact=True, format='png', with_ids=False,
               high_contrast=True, cond_highlight=None, colorCodes=None,
               max_label_size=70, scan_graphs=False, var_with_name_simple=False,
               print_output_file=True, return_image=False):
    """Draw the graph of ``fct`` (a compiled function, a variable, an Apply node, a list
    of variables or a FunctionGraph) into ``outfile`` in ``format``, as Theano does
    (see the module docstring for the look); with ``return_image``, return the picture's
    bytes instead of writing a file.

    ``compact``: unnamed intermediate variables are edge labels, not boxes;
    ``with_ids``: node labels carry their position in the program; ``high_contrast``:
    colours fill the shapes rather than their borders; ``colorCodes``: {op class name
    part: colour}; ``var_with_name_simple``: a named variable's label is its name alone;
    ``scan_graphs``: also draw each scan's inner graph into a file of its own, named
    ``<outfile>_<scan name>_<position>``. ``cond_highlight`` is accepted for Theano's
    signature: every ifelse's branches are framed anyway.
    """
    pic = picture(fct, compact, with_ids, high_contrast, colorCodes, max_label_size,
                  var_with_name_simple)
    image = render(dot_text(pic), format)
    if return_image:
        return image
    if outfile is None:
        outfile = os.path.join(config.compiledir,
                               'theano.pydotprint.%s.%s' % (config.device, format))
    if not outfile.endswith('.' + format):
        outfile += '.' + format
    with open(outfile, 'wb') as f:
        f.write(image)
    if scan_graphs:
        base, ext = os.path.splitext(outfile)
        for index, node in enumerate(graph_of(fct)[1]):
            if hasattr(node.op, 'inner_to_outer'):
                name = '%s_%s_%d%s' % (base, node.op.info.name or 'scan_fn', index, ext)
                pydotprint(list(node.op.inner.outputs), name, compact, format, with_ids,
                           high_contrast, None, colorCodes, max_label_size, scan_graphs,
                           var_with_name_simple, print_output_file)
    if print_output_file:
        print('The output file is available at', outfile)


def svg_or_none(obj):
    """The graph of ``obj`` as SVG text for a notebook, or None (the notebook then shows
    its text form) where Graphviz is not installed."""
    if shutil.which('dot') is None:
        return None
    return render(dot_text(picture(obj)), 'svg').decode('utf-8')


def install_notebook_pictures():
    """Variables and compiled functions show their graph in notebooks (IPython calls
    ``_repr_svg_``). Set from here: the classes sit in layers below Graphviz's."""
    Variable._repr_svg_ = svg_or_none
    Function._repr_svg_ = svg_or_none
