"""``theano.printing.pydotprint``: the DOT text against what Theano 1.0.5's pydotprint
builds for the same graphs (tests/goldens/pydotprint/), the inner-graph and branch
clusters against the graphs' own structure, and the pictures Graphviz draws from it."""
import collections
import os
import re
import shutil
import sys

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.ifelse import ifelse
from symgraph.printing.pydotprint import GraphvizNotFoundError, dot_text, picture

GOLDENS = os.path.join(os.path.dirname(__file__), 'goldens')
sys.path.insert(0, GOLDENS)
import pydotprint_cases  # noqa: E402

needs_graphviz = pytest.mark.skipif(shutil.which('dot') is None,
                                    reason="Graphviz's dot program is not installed")

_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^,\]\s]+)')


def _attrs(text):
    return {k: v[1:-1] if v.startswith('"') else v for k, v in _ATTR.findall(text or '')}


def parse_dot(text):
    """({node id: attributes}, [(source, target, attributes)], {cluster: [node ids]})
    of DOT text written one statement a line, as pydot and symgraph write it."""
    nodes, edges, clusters, open_clusters = {}, [], {}, []
    for line in text.splitlines():
        line = line.strip()
        edge = re.match(r'^(\w+) -> (\w+)(?: \[(.*)\])?;$', line)
        node = re.match(r'^(\w+)(?: \[(.*)\])?;$', line)
        cluster = re.match(r'^subgraph (\w+) \{$', line)
        if edge:
            edges.append((edge.group(1), edge.group(2), _attrs(edge.group(3))))
        elif cluster:
            open_clusters.append(cluster.group(1))
            clusters[cluster.group(1)] = []
        elif line == '}' and open_clusters:
            open_clusters.pop()
        elif node:
            nodes.setdefault(node.group(1), {}).update(_attrs(node.group(2)))
            for name in open_clusters:
                clusters[name].append(node.group(1))
    return nodes, edges, clusters


def structure(text, strip_ids=False, views=True):
    """The graph with its node names forgotten: the multiset of node attributes and of
    (source attributes, target attributes, edge attributes). ``strip_ids``: labels
    without their program positions; ``views=False``: edges without the blue of views."""
    nodes, edges, _ = parse_dot(text)
    if not views:
        edges = [(s, t, {k: v for k, v in a.items()
                         if not (k == 'color' and v == 'blue' and a.get('label') != 'UPDATE')})
                 for s, t, a in edges]

    def key(attrs):
        if strip_ids and 'label' in attrs:
            attrs = dict(attrs, label=re.sub(r' id=\d+', '', attrs['label']))
        return tuple(sorted(attrs.items()))
    return (collections.Counter(key(a) for a in nodes.values()),
            collections.Counter((key(nodes[s]), key(nodes[t]), key(a)) for s, t, a in edges))


def run_case(code):
    ns = {'theano': theano, 'T': T, 'np': np}
    exec(compile(code, '<case>', 'exec'), ns)
    return ns['out']


@pytest.mark.parametrize('name', sorted(pydotprint_cases.CASES))
def test_dot_text_has_theanos_structure(name):
    case = pydotprint_cases.CASES[name]
    with open(os.path.join(GOLDENS, 'pydotprint', name + '.dot')) as f:
        golden = f.read()
    mine = dot_text(picture(run_case(case['code']), **case['kwargs']))
    strip = case.get('program_order', False)
    # Theano colours blue the edge into an op returning a view of that input; symgraph's
    # ops declare no views (XLA has none).
    assert structure(mine, strip) == structure(golden, strip, views=False)


def test_same_graph_same_text():
    code = pydotprint_cases.CASES['function_updates']['code']
    assert dot_text(picture(run_case(code))) == dot_text(picture(run_case(code)))


@pytest.fixture(scope='module')
def loop():
    """A recurrence (a scan reading a shared matrix) and the picture of its cost."""
    W = theano.shared(np.eye(3), name='W')
    seq, h0 = T.matrix('seq'), T.vector('h0')
    h, _ = theano.scan(lambda s, prev: T.tanh(T.dot(W, prev) + s), sequences=seq,
                       outputs_info=h0)
    cost = h[-1].sum()
    return cost, h.owner.inputs[0].owner, dot_text(picture(cost))


def test_scan_inner_graph_is_a_cluster_linked_to_the_outer_graph(loop):
    cost, scan_node, text = loop
    nodes, edges, clusters = parse_dot(text)
    scan_id = [k for k, a in nodes.items() if a['label'] == str(scan_node.op)]
    assert len(scan_id) == 1 and nodes[scan_id[0]]['fillcolor'] == 'yellow'
    inner = clusters['cluster_' + scan_id[0]]
    ops = sorted(nodes[k]['label'] for k in inner if nodes[k]['shape'] == 'ellipse')
    assert ops == sorted(str(n.op) for n in scan_node.op.inner.nodes)
    boxes = {nodes[k]['label'] for k in inner if nodes[k]['shape'] == 'box'}
    assert {'name=%s %s' % (v.name, v.type) for v in scan_node.op.inner.inputs} <= boxes
    links = [(s, t) for s, t, a in edges if a.get('style') == 'dashed']
    # each inner input reads one outer value; the inner output feeds the scan node
    assert len([t for s, t in links if t in inner]) == len(scan_node.op.inner.inputs)
    assert [s for s, t in links if t == scan_id[0]] == [
        k for k in inner if nodes[k].get('fillcolor') == 'blue']
    w_box = [k for k, a in nodes.items() if a['label'].startswith('name=W ')]
    w_copy = [k for k in inner if nodes[k]['label'].startswith('name=W_copy')]
    assert (w_box[0], w_copy[0]) in links


def test_ifelse_branches_are_clusters():
    x, c = T.vector('x'), T.scalar('c')
    out = ifelse(T.gt(c, 0), T.exp(x).sum(), T.log(x).sum() * 2)
    nodes, _, clusters = parse_dot(dot_text(picture(out)))
    labels = {name: sorted(re.sub(' id=\\d+', '', nodes[k]['label']) for k in members)
              for name, members in clusters.items()}
    then = [v for k, v in labels.items() if k.endswith('_then')]
    other = [v for k, v in labels.items() if k.endswith('_else')]
    assert then == [['Elemwise{exp,no_inplace}', 'Sum{acc_dtype=float64}']]
    assert other == [['Elemwise{log,no_inplace}', 'Elemwise{mul,no_inplace}',
                      'Sum{acc_dtype=float64}']]
    outside = [a['label'] for k, a in nodes.items()
               if not any(k in m for m in clusters.values())]
    assert 'if{}' in outside and 'Elemwise{gt,no_inplace}' in outside


def test_a_bad_argument_says_what_can_be_drawn():
    with pytest.raises(TypeError, match='pydotprint and d3viz draw a variable, an Apply '
                                        'node, a compiled function.*not int: 3'):
        theano.printing.pydotprint(3)


def test_dot_format_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setenv('PATH', str(tmp_path))
    x = T.vector('x')
    out = tmp_path / 'g'
    theano.printing.pydotprint(x * 2, outfile=str(out), format='dot', print_output_file=False)
    assert (tmp_path / 'g.dot').read_text() == dot_text(picture(x * 2))
    with pytest.raises(GraphvizNotFoundError, match=r'needs Graphviz.*apt-get install '
                                                    r'graphviz.*format=\'dot\''):
        theano.printing.pydotprint(x * 2, outfile=str(out))
    assert x._repr_svg_() is None


@needs_graphviz
def test_png_and_svg_files(tmp_path, capsys, loop):
    cost = loop[0]
    theano.printing.pydotprint(cost, outfile=str(tmp_path / 'cost'))
    assert capsys.readouterr().out == 'The output file is available at %s\n' % (
        tmp_path / 'cost.png')
    assert (tmp_path / 'cost.png').read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    svg = theano.printing.pydotprint(cost, format='svg', return_image=True).decode()
    assert svg.count('class="node"') == len(parse_dot(loop[2])[0])
    assert 'for{cpu,scan_fn}' in svg and 'class="cluster"' in svg


@needs_graphviz
def test_scan_graphs_draws_each_inner_graph_too(tmp_path, loop):
    theano.printing.pydotprint(loop[0], outfile=str(tmp_path / 'cost.svg'), format='svg',
                               scan_graphs=True, print_output_file=False)
    inner = [p.name for p in tmp_path.iterdir() if p.name != 'cost.svg']
    assert len(inner) == 1 and re.fullmatch(r'cost_scan_fn_\d+\.svg', inner[0])
    assert 'Elemwise{tanh,no_inplace}' in (tmp_path / inner[0]).read_text()


@needs_graphviz
def test_notebooks_show_variables_and_functions_as_svg():
    x = T.vector('x')
    f = theano.function([x], T.exp(x) + 1)
    for obj, label in ((T.exp(x) + 1, 'Elemwise{exp,no_inplace}'), (f, 'Elemwise{add')):
        svg = obj._repr_svg_()
        assert svg.lstrip().startswith('<?xml') and '<svg' in svg and label in svg
