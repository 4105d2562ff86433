"""The small lzgis map runtime: features, popups, labels, legend, title, search, tiles note.

One script (``LZ_JS``, written for lzgis, no dependency beyond Leaflet) and
its CSS (``LZ_CSS``) serve every page: the one source of the runtime, which
:mod:`lzgis.maps._assets` writes once into a site's ``assets/lzgis/`` (pages
link it) or inlines into a self-contained page. GeoJSON layers decode their coordinates
with ``lz.ll`` (integer steps of 1e-5 degrees, each ring starting with an
absolute ``[x, y, 0]``) and call ``lz.feature`` for each feature: it binds
the pre-escaped popup and tooltip HTML built in Python, builds the marker
icons, and records names (for the search box) and label points.

Phone first: below 700 px the title is a one-line bar, the layer list and
the legend start collapsed behind buttons, and every popup is opened inside
the largest rectangle of the map that no visible control covers (auto-pan
padding and a maximum height computed when it opens). Names reach the page
through ``textContent``/``value`` only, never as HTML. When the basemap's
tiles cannot load, a small note says so; the outlines stay.
"""

from __future__ import annotations

import json
from typing import Any

from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from lzgis.maps._escape import SCHEMATIC_NOTE

__all__ = ["LZ_CSS", "LZ_JS", "NARROW_PX", "Runtime", "js_string"]

NARROW_PX = 700

LZ_CSS = """
.lz-pop table{border-collapse:collapse;margin-top:4px;font-size:12px}
.lz-pop th{text-align:left;padding:1px 6px 1px 0;color:#444;font-weight:600;vertical-align:top}
.lz-pop td{padding:1px 0;vertical-align:top}
.leaflet-popup-content{max-height:var(--lz-ph,60vh);overflow-y:auto;margin:10px 14px}
.lz-schem{margin-top:4px;color:#9a3412;font-size:11px;font-style:italic}
.lz-box{background:rgba(255,255,255,.94);padding:6px 8px;border-radius:4px;
  box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.35 sans-serif;max-width:320px}
.lz-box h1{font-size:14px;margin:0 0 2px}
.lz-legend .sw{display:inline-block;width:14px;height:10px;margin-right:5px;
  border:1px solid #555;vertical-align:middle}
.lz-legend svg{vertical-align:middle;margin-right:4px}
.lz-legend .lz-body{max-height:55vh;overflow-y:auto}
.lz-legend.closed .lz-body{display:none}
.lz-toggle{font:600 12px sans-serif;border:1px solid #999;border-radius:4px;background:#fff;
  padding:4px 8px;cursor:pointer;margin-bottom:2px}
.lz-search input{width:220px;font-size:13px;padding:3px}
.lz-search .hit{color:#9a3412;font-size:11px}
.lz-pin{background:none;border:none}
.lz-label{background:none;border:none;white-space:nowrap;pointer-events:none}
.lz-label span{display:inline-block;transform:translate(-50%,-50%);font:600 12px sans-serif;
  color:#222;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff}
.lz-label.d span{font-size:14px;color:#333}
.lz-note{color:#7c2d12}
.leaflet-control-layers{font-size:12px}
.lz-bar{position:absolute;top:0;left:0;right:0;z-index:1001;background:rgba(255,255,255,.96);
  box-shadow:0 1px 4px rgba(0,0,0,.3);font:13px/1.3 sans-serif;padding:5px 8px;cursor:pointer}
.lz-bar h1{font-size:14px;margin:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.lz-bar .lz-more{display:none}
.lz-bar.open .lz-more{display:block}
.lz-narrow .leaflet-top{top:30px}
.lz-narrow .lz-search input{width:calc(100vw - 110px);max-width:240px;font-size:16px}
.lz-narrow .lz-box{max-width:calc(100vw - 30px)}
.lz-narrow .leaflet-control-layers-expanded{max-height:60vh;overflow-y:auto}
.lz-narrow .lz-note{max-width:calc(100vw - 230px);font-size:11px}
"""

LZ_JS = r"""
var lz = (function () {
  var index = [], labelled = [], overlays = [], map = null, X = 0, Y = 0;
  function narrow() { return window.innerWidth < %NARROW%; }
  function ll(c) {
    if (c.length > 2) { X = c[0]; Y = c[1]; } else { X += c[0]; Y += c[1]; }
    return L.latLng(Y / 1e5, X / 1e5);
  }
  function icon(spec, id) {
    var color = /^#[0-9a-fA-F]{3,8}$/.test(spec[0]) ? spec[0] : '#333';
    var letter = /^[A-Z?]$/.test(spec[1] || '') ? spec[1] : '';
    var svg = '<svg width="24" height="24" viewBox="0 0 24 24"><circle cx="12" cy="12" r="' +
      (letter ? 10 : 7) + '" fill="' + color + '" stroke="#fff" stroke-width="2"/>' +
      (letter ? '<text x="12" y="16" text-anchor="middle" font-size="12" font-family="sans-serif" ' +
       'font-weight="700" fill="#fff">' + letter + '</text>' : '') + '</svg>';
    var d = document.createElement('div');
    d.innerHTML = svg;  // colour and letter checked above; the id goes in as an attribute
    if (id) { d.firstChild.setAttribute('data-lz-id', id); }
    return d.firstChild;
  }
  function feature(f, layer) {
    var p = f.properties || {};
    var names = p._n || [];
    var named = names.slice(0, 2).filter(function (n) { return n; });
    if (p._p !== undefined) {
      layer.on('click', function () { fit(layer); });  // before bindPopup: runs first
      layer.bindPopup(function () {
        var d = document.createElement('div');
        d.className = 'lz-pop';
        var b = L.DomUtil.create('b', '', d);
        b.textContent = names[0] || '';
        if (names[1]) {
          L.DomUtil.create('br', '', d);
          L.DomUtil.create('i', '', d).textContent = names[1];
        }
        L.DomUtil.create('div', '', d).innerHTML = p._p;  // built and escaped in Python
        return d;
      }, {maxWidth: 360});
    }
    if (named.length) {
      layer.bindTooltip(document.createTextNode(named.join(' / ') + (p._s ? ' (%SCHEM%)' : '')),
                        {sticky: !layer.getLatLng});
    }
    if (p._i && layer.setIcon) {
      var spec = p._i;
      layer.setIcon(L.divIcon({html: icon(spec, p._id), className: 'lz-pin', iconSize: [24, 24],
                               iconAnchor: [12, 12], popupAnchor: [0, -10]}));
    }
    for (var i = 0; i < names.length; i++) {
      if (names[i]) { index.push({name: names[i], layer: layer}); }
    }
    if (p._l && names[0]) {
      labelled.push({layer: layer, zoom: p._l[0], at: L.latLng(p._l[1], p._l[2]),
                     text: names[0], cls: p._l[3] || ''});
    }
  }
  function freeRect() {
    var c = map.getContainer(), box = c.getBoundingClientRect(), W = box.width, H = box.height;
    var rects = [];
    c.querySelectorAll('.leaflet-control, .lz-bar').forEach(function (e) {
      var r = e.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) {
        rects.push({l: r.left - box.left - 4, t: r.top - box.top - 4,
                    r: r.right - box.left + 4, b: r.bottom - box.top + 4});
      }
    });
    var x0 = [0], x1 = [W], y0 = [0], y1 = [H], best = null;
    rects.forEach(function (r) { x0.push(r.r); x1.push(r.l); y0.push(r.b); y1.push(r.t); });
    x0.forEach(function (l) { x1.forEach(function (rr) { if (rr - l < 100) { return; }
      y0.forEach(function (t) { y1.forEach(function (b) { if (b - t < 100) { return; }
        for (var i = 0; i < rects.length; i++) {
          var q = rects[i];
          if (q.l < rr && q.r > l && q.t < b && q.b > t) { return; }
        }
        var score = Math.min(rr - l, 380) * (b - t);
        if (!best || score > best.s) { best = {l: l, t: t, r: rr, b: b, s: score}; }
      }); }); }); });
    return best || {l: 0, t: 0, r: W, b: H};
  }
  function fit(layer) {
    var pop = layer.getPopup && layer.getPopup();
    if (!pop || !map) { return; }
    var f = freeRect(), s = map.getSize();
    pop.options.autoPanPaddingTopLeft = L.point(f.l + 6, f.t + 6);
    pop.options.autoPanPaddingBottomRight = L.point(s.x - f.r + 6, s.y - f.b + 6);
    pop.options.maxWidth = Math.max(150, Math.min(360, f.r - f.l - 50));
    pop.options.minWidth = Math.min(200, pop.options.maxWidth);
    map.getContainer().style.setProperty('--lz-ph', Math.max(60, f.b - f.t - 70) + 'px');
  }
  function contains(group, layer) {
    if (group === layer) { return true; }
    if (group.hasLayer && group.hasLayer(layer)) { return true; }
    var found = false;
    if (group.eachLayer) {
      group.eachLayer(function (c) { if (!found && c !== group && c.eachLayer && contains(c, layer)) { found = true; } });
    }
    return found;
  }
  function owner(layer) {
    for (var i = 0; i < overlays.length; i++) { if (contains(overlays[i], layer)) { return overlays[i]; } }
    return null;
  }
  function clusterOf(layer) {
    var top = owner(layer);
    return top && L.MarkerClusterGroup && top instanceof L.MarkerClusterGroup ? top : null;
  }
  function show(layer) {
    var top = owner(layer);
    if (top && !map.hasLayer(top)) { map.addLayer(top); }
    map.closePopup();
    var done = function () { fit(layer); if (layer.openPopup) { layer.openPopup(); } };
    if (layer.getBounds) {
      map.fitBounds(layer.getBounds(), {maxZoom: 15, animate: false});
      done();
      return;
    }
    var cluster = clusterOf(layer);
    map.setView(layer.getLatLng(), Math.min(15, Math.max(map.getZoom(), 13)), {animate: false});
    if (!cluster) { done(); return; }
    var spread = function () {  // never zoom further: spread the cluster the marker is in
      var parent = cluster.getVisibleParent(layer);
      if (!parent || parent === layer || !parent.spiderfy || cluster._spiderfied === parent) {
        done();
        return;
      }
      cluster.once('spiderfied', done);
      parent.spiderfy();
    };
    if (cluster._inZoomAnimation) { cluster.once('animationend', spread); } else { spread(); }
  }
  function find(q) {
    q = q.trim().toLowerCase();
    if (!q) { return null; }
    var tests = [
      function (n) { return n === q; },
      function (n) { return n.indexOf(q) === 0; },
      function (n) { return n.indexOf(q) >= 0; },
      function (n) {  // Chinese characters in order, e.g. 中川机场 in 兰州中川国际机场
        if (!/^[\u3400-\u9fff]+$/.test(q)) { return false; }
        var j = 0;
        for (var i = 0; i < n.length && j < q.length; i++) { if (n[i] === q[j]) { j++; } }
        return q.length > 1 && j === q.length;
      }
    ];
    for (var t = 0; t < tests.length; t++) {
      for (var k = 0; k < index.length; k++) { if (tests[t](index[k].name.toLowerCase())) { return index[k]; } }
    }
    return null;
  }
  function box(position, cls, html) {
    var c = L.control({position: position});
    c.onAdd = function () {
      var d = L.DomUtil.create('div', 'lz-box ' + cls);
      d.innerHTML = html;  // built and escaped in Python
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      return d;
    };
    c.addTo(map);
    return c.getContainer();
  }
  function legend(html, labels) {
    var d = box('bottomright', 'lz-legend', '');
    var b = L.DomUtil.create('button', 'lz-toggle', d);
    b.type = 'button';
    b.textContent = labels.legend;
    var body = L.DomUtil.create('div', 'lz-body', d);
    body.innerHTML = html;  // built and escaped in Python
    var head = body.querySelector('b');
    if (head && head === body.firstChild && !narrow()) {  // phones keep the short button label
      b.textContent = head.textContent;
      body.removeChild(head);
    }
    if (narrow()) { L.DomUtil.addClass(d, 'closed'); }
    L.DomEvent.on(b, 'click', function () {
      if (L.DomUtil.hasClass(d, 'closed')) { L.DomUtil.removeClass(d, 'closed'); }
      else { L.DomUtil.addClass(d, 'closed'); }
    });
  }
  function title(opts) {
    if (!narrow()) { box('topright', 'lz-title', opts.title); return; }
    var c = map.getContainer();
    L.DomUtil.addClass(c, 'lz-narrow');
    var bar = L.DomUtil.create('div', 'lz-bar lz-title', c);
    bar.innerHTML = opts.bar;  // built and escaped in Python
    L.DomEvent.disableClickPropagation(bar);
    L.DomEvent.on(bar, 'click', function () {
      if (L.DomUtil.hasClass(bar, 'open')) { L.DomUtil.removeClass(bar, 'open'); }
      else { L.DomUtil.addClass(bar, 'open'); }
    });
  }
  function search(labels) {
    var c = L.control({position: 'topleft'});
    c.onAdd = function () {
      var d = L.DomUtil.create('div', 'lz-box lz-search');
      var input = L.DomUtil.create('input', '', d);
      input.type = 'search';
      input.setAttribute('list', 'lz-names');
      input.setAttribute('enterkeyhint', 'search');
      input.placeholder = labels.placeholder;
      var list = L.DomUtil.create('datalist', '', d);
      list.id = 'lz-names';
      var seen = {};
      index.forEach(function (e) {
        if (seen[e.name]) { return; }
        seen[e.name] = 1;
        var o = document.createElement('option');
        o.value = e.name;
        list.appendChild(o);
      });
      var msg = L.DomUtil.create('div', 'hit', d);
      var last = null;
      var go = function () {
        if (!input.value.trim() || input.value === last) { return; }  // Enter, then change on blur
        last = input.value;
        msg.textContent = '';
        var hit = find(input.value);
        if (!hit) { msg.textContent = labels.none; return; }
        input.blur();
        show(hit.layer);
      };
      L.DomEvent.on(input, 'input', function () { last = null; });
      L.DomEvent.on(input, 'change', go);
      L.DomEvent.on(input, 'keydown', function (ev) { if (ev.key === 'Enter') { go(); } });
      L.DomEvent.disableClickPropagation(d);
      return d;
    };
    c.addTo(map);
  }
  function labels() {
    var z = map.getZoom();
    labelled.forEach(function (e) {
      var on = z >= e.zoom && e.top !== null && map.hasLayer(e.top);
      if (on && !e.mk) {
        var s = document.createElement('span');
        s.textContent = e.text;
        e.mk = L.marker(e.at, {icon: L.divIcon({className: 'lz-label ' + e.cls, html: s, iconSize: null}),
                               interactive: false, keyboard: false});
      }
      if (on && !map.hasLayer(e.mk)) { e.mk.addTo(map); }
      else if (!on && e.mk && map.hasLayer(e.mk)) { map.removeLayer(e.mk); }
    });
  }
  function tiles(note) {
    var told = false;
    map.eachLayer(function (l) {
      if (l instanceof L.TileLayer) {
        l.on('tileerror', function () {
          if (told) { return; }
          told = true;
          var d = box('bottomleft', 'lz-note', '');
          d.textContent = note;
          d.title = '×';
          L.DomEvent.on(d, 'click', function () { d.parentNode.removeChild(d); });  // tap to close
        });
      }
    });
  }
  function init(m, opts, control) {
    map = m;
    window.lzMap = m;
    if (opts.background) { m.getContainer().style.background = opts.background; }
    if (control && control._layers) {
      control._layers.forEach(function (o) { if (o.overlay) { overlays.push(o.layer); } });
    }
    labelled.forEach(function (e) { e.top = owner(e.layer); });
    title(opts);
    if (opts.legend) { legend(opts.legend, opts.labels); }
    search(opts.labels);
    tiles(opts.labels.tiles);
    m.on('zoomend overlayadd overlayremove', labels);
    labels();
    document.documentElement.setAttribute('data-lz-ready', '1');
  }
  return {feature: feature, init: init, index: index, show: show, ll: ll, narrow: narrow,
          find: find, freeRect: freeRect};
})();
""".replace("%NARROW%", str(NARROW_PX)).replace("%SCHEM%", SCHEMATIC_NOTE)


def js_string(value: Any) -> str:
    """``value`` as a JSON literal safe inside an inline ``<script>``."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Runtime(MacroElement):
    """Adds the lzgis runtime (CSS + JS) to the page and calls ``lz.init`` on the map.

    Add it to the map *last*, after every layer and the layer control
    (``control``), so that the search box sees every feature.
    ``title_html``, ``bar_html`` and ``legend_html`` are escaped HTML;
    ``head`` is what loads ``LZ_CSS`` and ``LZ_JS`` into the page's head
    (:func:`lzgis.maps._assets.runtime_tags`: links, inlined when offline).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            lz.init({{ this._parent.get_name() }}, {{ this.options }}, {{ this.control }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        *,
        title_html: str,
        bar_html: str,
        legend_html: str,
        background: str | None,
        head: str,
        control: str = "null",
    ) -> None:
        super().__init__()
        self._name = "LzRuntime"
        self.control = control
        self.head = head
        self.options = js_string(
            {
                "title": title_html,
                "bar": bar_html,
                "legend": legend_html,
                "background": background,
                "labels": {
                    "placeholder": "查找地名 / find a place",
                    "none": "未找到 / not found",
                    "legend": "图例 / Legend",
                    "tiles": "底图瓦片无法加载(可能没有网络),仍显示区县界 / "
                    "basemap tiles could not load (no network?); outlines still shown",
                },
            }
        )

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        assert isinstance(figure, Figure)
        figure.header.add_child(Element(self.head), name="lz_runtime")
        super().render(**kwargs)
        return ""
