/* The d3viz page: lays out and draws the graph held in #graph-data, with zoom (wheel),
   pan (drag), a tooltip per node (hover) and inner graphs opened in place (click).
   No library: a layered layout (ranks by longest path, barycentre ordering, isotonic
   placement) recomputed whenever an inner graph opens or closes. */
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var GAP_X = 24, GAP_Y = 46, PAD = 14, TITLE = 24;
  var LONG = 40;  // an edge crossing more ranks is drawn straight, with no bend points
  var data = JSON.parse(document.getElementById('graph-data').textContent);
  var canvas = document.getElementById('canvas');
  var viewport = document.getElementById('viewport');
  var tooltip = document.getElementById('tooltip');
  var opened = {};  // node id -> true while its inner graph is shown
  var view = {x: 0, y: 0, k: 1};
  var defs = make('defs', {}, canvas);
  var markers = {};
  var measurer = make('text', {x: -9999, y: -9999, style: 'font: 12px sans-serif'}, canvas);

  function make(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function textWidth(text) {
    measurer.textContent = text;
    return measurer.getComputedTextLength();
  }

  function marker(color) {
    if (!markers[color]) {
      var id = 'arrow-' + Object.keys(markers).length;
      var m = make('marker', {id: id, viewBox: '0 0 10 10', refX: 10, refY: 5,
                              markerWidth: 8, markerHeight: 8, orient: 'auto'}, defs);
      make('path', {d: 'M0,0 L10,5 L0,10 z', fill: color}, m);
      markers[color] = 'url(#' + id + ')';
    }
    return markers[color];
  }

  // -- layout ---------------------------------------------------------------------------
  function layout(graph, depth) {
    var items = graph.nodes.map(function (node) {
      var item = {node: node, depth: depth};
      var width = textWidth((node.inner ? '\u229e ' : '') + node.label);
      if (node.inner && opened[node.id]) {
        item.inner = layout(node.inner, depth + 1);
        item.w = Math.max(item.inner.width + 2 * PAD, width + 2 * PAD);
        item.h = item.inner.height + TITLE + 2 * PAD;
      } else if (node.shape === 'ellipse') {
        item.w = width * 1.2 + 28;
        item.h = 36;
      } else {
        item.w = width + 16;
        item.h = 28;
      }
      return item;
    });
    var index = {};
    items.forEach(function (item, i) { index[item.node.id] = i; });
    var flow = graph.edges.filter(function (e) {
      return e.kind !== 'update' && e.source in index && e.target in index &&
        e.source !== e.target;
    });
    var n = items.length, succ = [], pred = [], rank = [], i;
    for (i = 0; i < n; i++) { succ.push([]); pred.push([]); rank.push(0); }
    flow.forEach(function (e) {
      succ[index[e.source]].push(index[e.target]);
      pred[index[e.target]].push(index[e.source]);
    });
    // Ranks: the longest path from a source (Kahn's order), then each leaf just above
    // its nearest consumer.
    var waiting = pred.map(function (p) { return p.length; }), queue = [];
    for (i = 0; i < n; i++) if (!waiting[i]) queue.push(i);
    for (var head = 0; head < queue.length; head++) {
      var v = queue[head];
      succ[v].forEach(function (w) {
        rank[w] = Math.max(rank[w], rank[v] + 1);
        if (--waiting[w] === 0) queue.push(w);
      });
    }
    for (i = 0; i < n; i++) {
      if (!pred[i].length && succ[i].length) {
        rank[i] = Math.min.apply(null, succ[i].map(function (w) { return rank[w]; })) - 1;
      }
    }
    // Vertices: the items, and a point per rank crossed by a longer edge.
    var verts = items.map(function (item, k) { return {w: item.w, h: item.h, rank: rank[k]}; });
    var up = verts.map(function () { return []; }), down = verts.map(function () { return []; });
    function link(a, b) { down[a].push(b); up[b].push(a); }
    var routes = flow.map(function (e) {
      var s = index[e.source], t = index[e.target], chain = [s], prev = s;
      for (var r = rank[s] + 1; r < rank[t] && rank[t] - rank[s] <= LONG; r++) {
        verts.push({w: 6, h: 0, rank: r});
        up.push([]); down.push([]);
        link(prev, verts.length - 1);
        chain.push(verts.length - 1);
        prev = verts.length - 1;
      }
      link(prev, t);
      chain.push(t);
      return {edge: e, chain: chain};
    });
    var layers = [];
    verts.forEach(function (vert, k) {
      while (layers.length <= vert.rank) layers.push([]);
      layers[vert.rank].push(k);
    });
    var pos = [];
    function number(layer) { layer.forEach(function (v, k) { pos[v] = k; }); }
    layers.forEach(number);
    // Order within ranks: barycentres of the neighbours, sweeping down then up.
    for (var sweep = 0; sweep < 8; sweep++) {
      var goingDown = sweep % 2 === 0;
      for (var step = 1; step < layers.length; step++) {
        var r = goingDown ? step : layers.length - 1 - step;
        var neighbours = goingDown ? up : down;
        var key = {};
        layers[r].forEach(function (v) {
          var nb = neighbours[v];
          key[v] = nb.length ? nb.reduce(function (s, u) { return s + pos[u]; }, 0) / nb.length
            : pos[v];
        });
        layers[r].sort(function (a, b) { return key[a] - key[b] || pos[a] - pos[b]; });
        number(layers[r]);
      }
    }
    // Horizontal places: each vertex near its neighbours' mean, none overlapping.
    layers.forEach(function (layer) {
      var x = 0;
      layer.forEach(function (v) { verts[v].x = x + verts[v].w / 2; x += verts[v].w + GAP_X; });
    });
    for (var pass = 0; pass < 12; pass++) {
      var towards = pass < 10 ? (pass % 2 === 0 ? [up] : [down]) : [up, down];
      layers.forEach(function (layer) {
        place(layer.map(function (v) { return verts[v]; }), layer.map(function (v) {
          var nb = [].concat.apply([], towards.map(function (side) { return side[v]; }));
          return nb.length ? nb.reduce(function (s, u) { return s + verts[u].x; }, 0) / nb.length
            : verts[v].x;
        }));
      });
    }
    var left = Infinity, width = 0, top = 0;
    verts.forEach(function (vert) { left = Math.min(left, vert.x - vert.w / 2); });
    verts.forEach(function (vert) {
      vert.x -= left;
      width = Math.max(width, vert.x + vert.w / 2);
    });
    layers.forEach(function (layer) {
      var height = Math.max.apply(null, layer.map(function (v) { return verts[v].h; }));
      layer.forEach(function (v) { verts[v].y = top + height / 2; });
      top += height + GAP_Y;
    });
    items.forEach(function (item, k) { item.x = verts[k].x; item.y = verts[k].y; });
    routes.forEach(function (route) {
      var s = verts[route.chain[0]], t = verts[route.chain[route.chain.length - 1]];
      route.points = [{x: s.x, y: s.y + s.h / 2}].concat(
        route.chain.slice(1, -1).map(function (v) { return {x: verts[v].x, y: verts[v].y}; }),
        [{x: t.x, y: t.y - t.h / 2}]);
    });
    var updates = graph.edges.filter(function (e) {
      return e.kind === 'update' && e.source in index && e.target in index;
    }).map(function (e) {
      return {edge: e, from: items[index[e.source]], to: items[index[e.target]]};
    });
    return {items: items, routes: routes, updates: updates, width: width,
            height: Math.max(0, top - GAP_Y)};
  }

  // The centres closest to ``desired`` (least squares) that keep the vertices in order and
  // GAP_X apart: isotonic regression by pooling adjacent violators.
  function place(verts, desired) {
    var offset = [0], blocks = [], k;
    for (k = 1; k < verts.length; k++) {
      offset.push(offset[k - 1] + (verts[k - 1].w + verts[k].w) / 2 + GAP_X);
    }
    for (k = 0; k < verts.length; k++) {
      blocks.push({sum: desired[k] - offset[k], count: 1, value: desired[k] - offset[k]});
      while (blocks.length > 1 &&
             blocks[blocks.length - 2].value > blocks[blocks.length - 1].value) {
        var last = blocks.pop(), prev = blocks[blocks.length - 1];
        prev.sum += last.sum;
        prev.count += last.count;
        prev.value = prev.sum / prev.count;
      }
    }
    k = 0;
    blocks.forEach(function (block) {
      for (var j = 0; j < block.count; j++, k++) verts[k].x = block.value + offset[k];
    });
  }

  // -- drawing --------------------------------------------------------------------------
  function draw(lay, parent) {
    var edges = make('g', {'class': 'edges'}, parent);
    var nodes = make('g', {'class': 'nodes'}, parent);
    lay.routes.forEach(function (route) { drawEdge(route.edge, route.points, edges); });
    lay.updates.forEach(function (u) {
      var a = {x: u.from.x + u.from.w / 2, y: u.from.y}, b = {x: u.to.x + u.to.w / 2, y: u.to.y};
      var bend = Math.max(a.x, b.x) + 60;
      var g = make('g', {'class': 'edge update'}, edges);
      var color = u.edge.color || 'blue';
      make('path', {d: 'M' + a.x + ',' + a.y + ' C' + bend + ',' + a.y + ' ' + bend + ',' + b.y +
                    ' ' + b.x + ',' + b.y, stroke: color, 'marker-end': marker(color)}, g);
      label(g, u.edge.label, bend - 14, (a.y + b.y) / 2);
    });
    lay.items.forEach(function (item) { drawNode(item, nodes); });
  }

  function drawEdge(edge, points, parent) {
    var color = edge.color || 'black';
    var g = make('g', {'class': 'edge', 'data-source': edge.source, 'data-target': edge.target},
                 parent);
    var d = 'M' + points[0].x + ',' + points[0].y;
    for (var k = 1; k < points.length; k++) {
      var a = points[k - 1], b = points[k], middle = (a.y + b.y) / 2;
      d += ' C' + a.x + ',' + middle + ' ' + b.x + ',' + middle + ' ' + b.x + ',' + b.y;
    }
    make('path', {d: d, stroke: color, 'marker-end': marker(color)}, g);
    // The input's position is drawn; the whole label (with the type an unnamed variable
    // has) shows on hover.
    var end = points[points.length - 1], before = points[points.length - 2];
    label(g, (/^\d+/.exec(edge.label) || [''])[0], (end.x + before.x) / 2 + 4,
          (end.y + before.y) / 2);
    if (edge.label) make('title', {}, g).textContent = edge.label;
  }

  var palette = document.createElement('canvas').getContext('2d');
  function dark(color) {
    palette.fillStyle = '#ffffff';
    palette.fillStyle = color;  // read back as #rrggbb
    var rgb = parseInt(palette.fillStyle.slice(1), 16);
    return 0.299 * (rgb >> 16) + 0.587 * ((rgb >> 8) & 255) + 0.114 * (rgb & 255) < 110;
  }

  function label(parent, text, x, y) {
    if (text) make('text', {x: x, y: y}, parent).textContent = text;
  }

  function drawNode(item, parent) {
    var node = item.node, w = item.w, h = item.h;
    var kind = node.shape === 'ellipse' ? 'apply' : 'variable';
    var g = make('g', {'class': 'node ' + kind + (node.inner ? ' expandable' : '') +
                       (item.inner ? ' block' : ''),
                       'data-id': node.id,
                       transform: 'translate(' + (item.x - w / 2) + ',' + (item.y - h / 2) + ')'},
                 parent);
    g.item = item;
    var fill = node.fill || 'white', ink = dark(fill) ? 'white' : 'black';
    var mark = node.inner ? (item.inner ? '\u229f ' : '\u229e ') : '';
    if (item.inner) {
      make('rect', {'class': 'frame', width: w, height: h, rx: 8}, g);
      make('rect', {'class': 'outline', width: w, height: TITLE, rx: 8, fill: fill}, g);
      make('text', {'class': 'title', x: PAD, y: TITLE / 2, 'dominant-baseline': 'central',
                    fill: ink}, g).textContent = mark + node.label;
      draw(item.inner, make('g', {transform: 'translate(' + PAD + ',' + (TITLE + PAD) + ')'}, g));
      return;
    }
    if (kind === 'apply') {
      make('ellipse', {'class': 'outline', cx: w / 2, cy: h / 2, rx: w / 2, ry: h / 2,
                       fill: fill}, g);
    } else {
      make('rect', {'class': 'outline', width: w, height: h, fill: fill}, g);
    }
    make('text', {x: w / 2, y: h / 2, 'text-anchor': 'middle', 'dominant-baseline': 'central',
                  fill: ink}, g).textContent = mark + node.label;
  }

  function render() {
    viewport.textContent = '';
    draw(layout(data.graph, 0), viewport);
  }

  // -- tooltip --------------------------------------------------------------------------
  function rows(item) {
    var node = item.node, info = node.info, out = [];
    if (info.kind === 'apply') {
      out.push(['op', info.op]);
      info.outputs.forEach(function (o, k) {
        out.push([info.outputs.length > 1 ? 'output ' + k : 'output',
                  o.type + (o.shape ? ', shape ' + o.shape : '')]);
      });
      if (info.position !== null && info.position !== undefined) {
        out.push([item.depth ? 'position in the inner graph' : 'position in the program',
                  String(info.position)]);
      }
    } else {
      out.push(['kind', info.kind], ['type', info.type]);
      if (info.shape) out.push(['shape', info.shape]);
      if (info.reads) out.push(['reads', info.reads]);
    }
    if (info.branch) out.push(['runs in', info.branch]);
    if (info.trace) {
      out.push(['created at', info.trace.replace(/^ {2}/, '').replace(/\n {4}/, '\n')]);
    }
    if (node.inner) {
      out.push(['', 'click to ' + (item.inner ? 'close' : 'open') + ' its inner graph']);
    }
    return out;
  }

  function showTip(item, ev) {
    tooltip.textContent = '';
    var head = document.createElement('div');
    head.className = 'head';
    head.textContent = item.node.label;
    tooltip.appendChild(head);
    rows(item).forEach(function (row) {
      var line = document.createElement('div');
      if (row[0]) {
        var key = document.createElement('span');
        key.className = 'key';
        key.textContent = row[0] + ': ';
        line.appendChild(key);
      }
      line.appendChild(document.createTextNode(row[1]));
      tooltip.appendChild(line);
    });
    tooltip.style.display = 'block';
    moveTip(ev);
  }

  function moveTip(ev) {
    var x = ev.clientX + 14, y = ev.clientY + 14;
    if (x + tooltip.offsetWidth > window.innerWidth) {
      x = Math.max(0, ev.clientX - 14 - tooltip.offsetWidth);
    }
    if (y + tooltip.offsetHeight > window.innerHeight) {
      y = Math.max(0, ev.clientY - 14 - tooltip.offsetHeight);
    }
    tooltip.style.left = x + 'px';
    tooltip.style.top = y + 'px';
  }

  function nodeAt(target) {
    var g = target.closest ? target.closest('.node') : null;
    return g && g.item ? g : null;
  }

  canvas.addEventListener('mouseover', function (ev) {
    var g = nodeAt(ev.target);
    if (g && !panning) showTip(g.item, ev); else tooltip.style.display = 'none';
  });
  canvas.addEventListener('mousemove', function (ev) {
    if (tooltip.style.display === 'block') moveTip(ev);
  });
  canvas.addEventListener('mouseleave', function () { tooltip.style.display = 'none'; });

  // -- zoom, pan, open and close --------------------------------------------------------
  function applyView() {
    viewport.setAttribute('transform',
                          'translate(' + view.x + ',' + view.y + ') scale(' + view.k + ')');
  }

  function fit() {
    var box = viewport.getBBox(), area = canvas.getBoundingClientRect();
    view.k = Math.min(area.width / (box.width + 40), area.height / (box.height + 40), 1.5);
    view.x = (area.width - box.width * view.k) / 2 - box.x * view.k;
    view.y = (area.height - box.height * view.k) / 2 - box.y * view.k;
    applyView();
  }

  canvas.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var area = canvas.getBoundingClientRect();
    var mx = ev.clientX - area.left, my = ev.clientY - area.top;
    var k = Math.min(8, Math.max(0.05, view.k * Math.exp(-ev.deltaY * 0.0015)));
    view.x = mx - (mx - view.x) * k / view.k;
    view.y = my - (my - view.y) * k / view.k;
    view.k = k;
    applyView();
  }, {passive: false});

  var panning = null, dragged = false;
  canvas.addEventListener('mousedown', function (ev) {
    panning = {x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y};
    dragged = false;
  });
  window.addEventListener('mousemove', function (ev) {
    if (!panning) return;
    var dx = ev.clientX - panning.x, dy = ev.clientY - panning.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) {
      dragged = true;
      canvas.classList.add('panning');
      tooltip.style.display = 'none';
    }
    view.x = panning.vx + dx;
    view.y = panning.vy + dy;
    applyView();
  });
  window.addEventListener('mouseup', function () {
    panning = null;
    canvas.classList.remove('panning');
  });

  function toggle(ids, open) {
    ids.forEach(function (id) { if (open) opened[id] = true; else delete opened[id]; });
  }

  function keepInPlace(id, change) {
    var before = viewport.querySelector('.node[data-id="' + id + '"]').getBoundingClientRect();
    change();
    render();
    var after = viewport.querySelector('.node[data-id="' + id + '"]').getBoundingClientRect();
    view.x += before.left - after.left;
    view.y += before.top - after.top;
    applyView();
  }

  canvas.addEventListener('click', function (ev) {
    if (dragged) return;
    var g = nodeAt(ev.target);
    if (!g || !g.item.node.inner) return;
    var id = g.item.node.id;
    tooltip.style.display = 'none';
    keepInPlace(id, function () { toggle([id], !opened[id]); });
  });

  function everyInner(graph, found) {
    graph.nodes.forEach(function (node) {
      if (node.inner) { found.push(node.id); everyInner(node.inner, found); }
    });
    return found;
  }

  document.getElementById('fit').addEventListener('click', fit);
  document.getElementById('expand-all').addEventListener('click', function () {
    toggle(everyInner(data.graph, []), true);
    render();
    fit();
  });
  document.getElementById('collapse-all').addEventListener('click', function () {
    opened = {};
    render();
    fit();
  });

  render();
  fit();
})();
