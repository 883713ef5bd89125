"""``d3viz``: a graph as one HTML page to explore in a browser.

The page holds everything it needs (its data, page.js and page.css from beside this file,
inlined), so it opens anywhere with no network. It shows pydotprint's picture
(same labels and colours): the mouse wheel zooms, dragging pans, hovering a node shows
its type, shape where known, the line of user code that created it and, for a compiled
function, its position in the program; clicking a scan node opens its inner graph in
place, and clicking it again closes it.

The layout is computed in the page (page.js: a layered layout, nodes ranked by longest
path, ordered by barycentres, placed by isotonic regression) rather than here or by
Graphviz: opening an inner graph changes the size of its node and so the whole layout,
and the page can lay out again at once, with no Graphviz installed anywhere.
"""
import html
import json
import os

from symgraph.compile.executor import Function
from symgraph.printing.pydotprint import dot_text, picture

_HERE = os.path.dirname(os.path.abspath(__file__))

# Graphviz reads colour names as X11 does; where a browser's (CSS) name means another
# colour, the page gets Graphviz's.
_X11 = {'green': '#00ff00', 'grey': '#bebebe', 'gray': '#bebebe'}

_TEMPLATE = '''<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>%(title)s</title>
<style>
%(css)s</style>
</head>
<body>
<div id="toolbar"><b>%(title)s</b>
<button id="fit">Fit</button><button id="expand-all">Open all</button><button
 id="collapse-all">Close all</button>
<span class="hint">wheel: zoom &middot; drag: pan &middot; hover: details &middot; click a
 node with &#8862;: its inner graph</span></div>
<svg id="canvas" xmlns="http://www.w3.org/2000/svg"><g id="viewport"></g></svg>
<div id="tooltip"></div>
<script type="application/json" id="graph-data">%(data)s</script>
<script>
%(js)s</script>
</body>
</html>
'''


def page_data(fct, compact=True):
    """What the page shows, as JSON-ready data: {'title', 'compiled', 'graph'}, a graph
    being {'nodes', 'edges'} and a node with an inner graph carrying it as 'inner'."""
    return {'title': _title(fct), 'compiled': isinstance(fct, Function),
            'graph': _graph(picture(fct, compact=compact))}


def _title(fct):
    if isinstance(fct, Function):
        return 'function %s' % (fct.name or '')
    return 'graph of %s' % (', '.join(str(v) for v in fct) if isinstance(fct, (list, tuple))
                            else fct)


def _graph(pic):
    inner = {c.owner: c for c in pic.clusters if c.kind == 'inner'}
    branch = {m: c.label for c in pic.clusters if c.kind == 'branch' for m in c.members}
    nodes = []
    for glyph in pic.glyphs.values():
        info = dict(glyph.info)
        if glyph.id in branch:
            info['branch'] = branch[glyph.id]
        fill = glyph.attrs.get('fillcolor')
        item = {'id': glyph.id, 'label': glyph.attrs['label'], 'shape': glyph.attrs['shape'],
                'fill': _X11.get(fill, fill), 'info': info}
        if glyph.id in inner:
            item['inner'] = _graph(inner[glyph.id].picture)
        nodes.append(item)
    edges = [{'source': s, 'target': t, 'label': a.get('label', ''), 'color': a.get('color'),
              'kind': kind} for s, t, a, kind in pic.edges if kind != 'link']
    return {'nodes': nodes, 'edges': edges}


def _read(name):
    with open(os.path.join(_HERE, name), encoding='utf-8') as f:
        return f.read()


def d3viz(fct, outfile, copy_deps=True, compact=True):
    """Write the interactive page of ``fct`` (a compiled function, a variable, an Apply
    node or a list of variables) to ``outfile``, making its folder if needed.

    ``compact``: unnamed intermediate variables are edge labels, not boxes.
    ``copy_deps`` is accepted for Theano's signature: the page needs no other file.
    """
    data = json.dumps(page_data(fct, compact), separators=(',', ':'))
    folder = os.path.dirname(outfile)
    if folder:
        os.makedirs(folder, exist_ok=True)
    title = html.escape(_title(fct))
    with open(outfile, 'w', encoding='utf-8') as f:
        f.write(_TEMPLATE % {'title': title, 'css': _read('page.css'), 'js': _read('page.js'),
                             'data': data.replace('<', '\\u003c')})


def d3write(fct, path, compact=True):
    """Write the graph of ``fct`` to ``path`` as DOT text (pydotprint's)."""
    with open(path, 'w', encoding='utf-8') as f:
        f.write(dot_text(picture(fct, compact=compact)))
