"""``theano.d3viz``: the page's data against the compiled function it shows, and the page
itself in a headless Chromium (nodes drawn without overlap, a scan opened and closed, the
tooltip, zoom and pan, and a screenshot against tests/goldens/d3viz_page.png).

The browser tests need Chromium, chromedriver and the ``selenium`` and ``Pillow``
packages (``make test`` installs them where it can) and are skipped without them.
``SYMGRAPH_WRITE_REFERENCE=1`` writes the reference screenshot anew instead of comparing.
"""
import inspect
import json
import os
import re
import shutil
import tempfile

import numpy as np
import pytest

import symgraph as theano
import symgraph.tensor as T
from symgraph.ifelse import ifelse

REFERENCE = os.path.join(os.path.dirname(__file__), 'goldens', 'd3viz_page.png')
WINDOW = (900, 600)


def build_recurrence():
    """A scan over a sequence reading a shared matrix, trained by one update."""
    W = theano.shared(np.eye(3), name='W')
    seq, h0 = T.matrix('seq'), T.vector('h0')
    h, _ = theano.scan(lambda s, prev: T.tanh(T.dot(W, prev) + s), sequences=seq,
                       outputs_info=h0)
    cost = T.sqr(h[-1]).sum()
    cost.name = 'cost'
    f = theano.function([seq, h0], cost, updates=[(W, W * 0.9)], name='step')
    return W, f


@pytest.fixture(scope='module')
def recurrence(tmp_path_factory):
    W, f = build_recurrence()
    path = str(tmp_path_factory.mktemp('d3viz') / 'page' / 'step.html')
    theano.d3viz.d3viz(f, path)
    with open(path, encoding='utf-8') as page:
        text = page.read()
    scan = [n for n in f.maker.fgraph.toposort() if hasattr(n.op, 'inner_to_outer')][0]
    return W, f, scan, path, text


def page_json(text):
    found = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>',
                      text, re.S)
    return json.loads(found.group(1))


def test_the_page_needs_no_other_file(recurrence):
    text = recurrence[4]
    assert not re.search(r'<(script|link|img)[^>]*(src|href)=', text)
    assert not re.search(r'https?://(?!www\.w3\.org/2000/svg)', text)


def test_the_page_shows_the_program_in_order(recurrence):
    W, f, scan, _, text = recurrence
    graph = page_json(text)['graph']
    program = f.maker.fgraph.toposort()
    applies = [n for n in graph['nodes'] if n['shape'] == 'ellipse']
    assert sorted(n['info']['position'] for n in applies) == list(range(len(program)))
    for node in applies:  # labels as pydotprint's: ':' (a port in DOT) becomes '_'
        assert node['info']['name'] == str(program[node['info']['position']].op)
        assert node['label'].startswith(node['info']['name'].replace(':', '_'))
    scan_node = [n for n in applies if 'inner' in n]
    assert len(scan_node) == 1
    inner = [n for n in scan_node[0]['inner']['nodes'] if n['shape'] == 'ellipse']
    assert [str(scan.op.inner.nodes[n['info']['position']].op) for n in inner] == \
        [n['info']['name'] for n in inner]
    w_box = [n for n in graph['nodes'] if n['label'].startswith('name=W ')][0]
    assert w_box['info']['shape'] == '(3, 3)' and w_box['info']['kind'] == 'shared'
    assert 'W = theano.shared(np.eye(3), name=\'W\')' in w_box['info']['trace']
    assert [e for e in graph['edges'] if e['kind'] == 'update' and e['target'] == w_box['id']]


def test_branch_and_escaping(tmp_path):
    x, c = T.vector('</script><b>x'), T.scalar('c')
    out = ifelse(T.gt(c, 0), T.exp(x).sum(), x.sum())
    path = str(tmp_path / 'if.html')
    theano.d3viz.d3viz(out, path)
    text = open(path, encoding='utf-8').read()
    assert '</script><b>' not in text
    nodes = page_json(text)['graph']['nodes']
    assert sorted((n['info']['branch'], n['info']['name']) for n in nodes
                  if 'branch' in n['info']) == [
        ('if{} else branch', 'Sum{acc_dtype=float64}'),
        ('if{} then branch', 'Elemwise{exp,no_inplace}'),
        ('if{} then branch', 'Sum{acc_dtype=float64}')]
    assert any(n['label'] == 'name=</script><b>x TensorType(float64, vector)' for n in nodes)


def test_d3write_writes_the_dot_text(tmp_path):
    x = T.vector('x')
    theano.d3viz.d3write(x * 2, str(tmp_path / 'g.dot'))
    text = (tmp_path / 'g.dot').read_text()
    assert text.startswith('digraph G {') and 'label="Elemwise{mul,no_inplace}"' in text
    if shutil.which('dot'):
        assert '<svg' in theano.printing.pydotprint(x * 2, format='svg',
                                                    return_image=True).decode()


# -- in the browser -------------------------------------------------------------------
def _chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        if shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope='module')
def browser():
    webdriver = pytest.importorskip('selenium.webdriver')
    pytest.importorskip('PIL')
    binary, driver_path = _chromium(), shutil.which('chromedriver')
    if binary is None or driver_path is None:
        pytest.skip('Chromium or chromedriver is not installed')
    from selenium.common.exceptions import SessionNotCreatedException
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    profile = tempfile.mkdtemp()
    for flag in ('--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--hide-scrollbars', '--force-device-scale-factor=1',
                 '--user-data-dir=' + profile, '--window-size=%d,%d' % WINDOW):
        options.add_argument(flag)
    options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
    try:
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
    except SessionNotCreatedException as err:  # a chromedriver for another Chromium
        pytest.skip('Chromium and chromedriver do not start together: %s' % err.msg)
    driver.set_window_size(*WINDOW)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, recurrence):
    browser.get('file://' + recurrence[3])
    return browser


def _boxes(driver, selector):
    return driver.execute_script(
        'return Array.from(document.querySelectorAll(arguments[0])).map(function (g) {'
        '  var r = g.getBoundingClientRect(); var t = g.querySelector("text");'
        '  return {id: g.getAttribute("data-id"), label: t ? t.textContent : "",'
        '          left: r.left, top: r.top, right: r.right, bottom: r.bottom}; });',
        selector)


def _node(driver, label_start):
    return driver.find_element(
        'xpath', '//*[@id="viewport"]/*[@class="nodes"]/*[name()="g"][starts-with('
                 'normalize-space(.), "%s")]' % label_start)


def _node_in_block(driver, label_start):
    return driver.find_element(
        'xpath', '//*[contains(@class, "block")]//*[contains(@class, "node")][starts-with('
                 'normalize-space(.), "%s")]' % label_start)


def test_nodes_render_without_overlap(page, recurrence):
    f = recurrence[1]
    assert [e for e in page.get_log('browser') if e['level'] == 'SEVERE'] == []
    applies = _boxes(page, '#viewport > .nodes > .node.apply')
    labels = sorted(re.sub(r'^\W+ | id=\d+$', '', b['label']) for b in applies)
    assert labels == sorted(str(n.op).replace(':', '_') for n in f.maker.fgraph.toposort())
    _assert_apart(_boxes(page, '#viewport > .nodes > .node'))


def _assert_apart(boxes):
    assert len(boxes) > 1
    for k, a in enumerate(boxes):
        assert a['right'] > a['left'] and a['bottom'] > a['top']
        for b in boxes[k + 1:]:
            overlap = (min(a['right'], b['right']) - max(a['left'], b['left']) > 0.5 and
                       min(a['bottom'], b['bottom']) - max(a['top'], b['top']) > 0.5)
            assert not overlap, (a['label'], b['label'])


def test_a_scan_opens_and_closes_in_place(page, recurrence):
    from selenium.webdriver.common.action_chains import ActionChains
    scan = recurrence[2]
    before = len(_boxes(page, '.node.apply'))
    closed = [b for b in _boxes(page, '.node.expandable') if b['label'].startswith('\u229e')]
    _node(page, '\u229e for{cpu,').click()
    inner = _boxes(page, '.node.block .node.apply')
    assert sorted(re.sub(r' id=\d+$', '', b['label']) for b in inner) == \
        sorted(str(n.op).replace(':', '_') for n in scan.op.inner.nodes)
    assert len(_boxes(page, '.node.apply')) == before + len(scan.op.inner.nodes)
    _assert_apart(_boxes(page, '#viewport > .nodes > .node'))
    _assert_apart(_boxes(page, '.node.block > g > .nodes > .node'))
    block = _boxes(page, '.node.block')[0]
    assert (block['left'], block['top']) == pytest.approx(
        (closed[0]['left'], closed[0]['top']), abs=1)  # the node stays where it was
    ActionChains(page).move_to_element(_node_in_block(page, 'name=W_copy')).perform()
    tooltip = page.find_element('id', 'tooltip').text
    assert 'kind: inner input' in tooltip and 'reads: W' in tooltip
    ActionChains(page).move_to_element(_node_in_block(page, 'Elemwise{tanh')).perform()
    tanh = [k for k, n in enumerate(scan.op.inner.nodes) if 'tanh' in str(n.op)]
    assert 'position in the inner graph: %d' % tanh[0] in page.find_element('id', 'tooltip').text
    for b in inner:  # the inner graph is drawn inside its frame
        assert block['left'] < b['left'] and b['right'] < block['right']
        assert block['top'] < b['top'] and b['bottom'] < block['bottom']
    page.find_element('css selector', '.node.block > rect.outline').click()
    assert _boxes(page, '.node.block') == []
    assert len(_boxes(page, '.node.apply')) == before


def test_hovering_shows_type_shape_line_and_position(page, recurrence):
    from selenium.webdriver.common.action_chains import ActionChains
    f = recurrence[1]
    tooltip = page.find_element('id', 'tooltip')
    assert not tooltip.is_displayed()
    ActionChains(page).move_to_element(_node(page, 'name=W ')).perform()
    assert tooltip.is_displayed()
    source = inspect.getsource(build_recurrence).splitlines()[2].strip()
    text = tooltip.text
    assert 'type: TensorType(float64, matrix)' in text and 'shape: (3, 3)' in text
    assert 'test_d3viz.py' in text and source in text
    program = f.maker.fgraph.toposort()
    sqr = [k for k, n in enumerate(program) if str(n.op) == 'Elemwise{sqr,no_inplace}']
    ActionChains(page).move_to_element(_node(page, 'Elemwise{sqr')).perform()
    assert 'position in the program: %d' % sqr[0] in tooltip.text
    ActionChains(page).move_by_offset(0, 0).move_to_element_with_offset(
        page.find_element('id', 'toolbar'), 0, 0).perform()
    assert not tooltip.is_displayed()


def _transform(driver):
    numbers = re.findall(r'-?[\d.]+(?:e-?\d+)?',
                         driver.find_element('id', 'viewport').get_attribute('transform'))
    return [float(v) for v in numbers]


def test_wheel_zooms_and_dragging_pans(page):
    from selenium.webdriver.common.action_chains import ActionChains
    x, y, k = _transform(page)
    page.execute_script(
        'var c = document.getElementById("canvas"), r = c.getBoundingClientRect();'
        'c.dispatchEvent(new WheelEvent("wheel", {deltaY: -300, clientX: r.left + 10,'
        ' clientY: r.top + 10, bubbles: true, cancelable: true}));')
    x2, y2, k2 = _transform(page)
    assert k2 == pytest.approx(k * np.exp(0.45))
    assert (x2 - 10) == pytest.approx((x - 10) * k2 / k)  # the point under the mouse stays
    canvas = page.find_element('id', 'canvas')
    ActionChains(page).move_to_element_with_offset(canvas, -200, -150).click_and_hold() \
        .move_by_offset(60, 40).release().perform()
    x3, y3, k3 = _transform(page)
    assert (x3 - x2, y3 - y2, k3) == pytest.approx((60, 40, k2))


def _thumbnail(png, size=(180, 120)):
    import io
    from PIL import Image
    return Image.open(io.BytesIO(png)).convert('RGB').resize(size, Image.BILINEAR)


def test_screenshot(page):
    from selenium.webdriver.common.action_chains import ActionChains
    ActionChains(page).move_to_element(page.find_element('id', 'toolbar')).perform()
    png = page.get_screenshot_as_png()
    shot = np.asarray(_thumbnail(png, WINDOW), dtype=float)
    canvas = shot[40:]  # below the toolbar
    assert canvas.std() > 10  # not blank
    colours = {'scan (yellow)': (255, 255, 0), 'shared (cyan)': (0, 255, 255),
               'input (green)': (0, 255, 0), 'output (blue)': (0, 0, 255)}
    for name, rgb in colours.items():
        assert (np.abs(canvas - rgb).max(axis=-1) < 30).sum() > 20, name
    thumb = _thumbnail(png)
    if os.environ.get('SYMGRAPH_WRITE_REFERENCE'):
        thumb.save(REFERENCE, optimize=True)
        pytest.skip('wrote ' + REFERENCE)
    from PIL import Image
    reference = np.asarray(Image.open(REFERENCE).convert('RGB'), dtype=float)
    difference = np.abs(np.asarray(thumb, dtype=float) - reference).mean()
    assert difference < 2, 'the page looks %.1f grey levels (of 255) away from %s' % (
        difference, REFERENCE)
