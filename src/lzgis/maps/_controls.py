"""The small lzgis map runtime: popups, icons, legend, title note and find-by-name.

One inline script (``LZ_JS``, written for lzgis, no dependency beyond
Leaflet) is added to every page. GeoJSON layers call ``lz.feature`` for each
feature: it binds the pre-escaped popup and tooltip HTML built in Python,
sets inline-SVG marker icons and records the feature's names for the search
box. Names go into the search list through ``textContent``/``value`` only,
never as HTML.
"""

from __future__ import annotations

import json
from typing import Any

from branca.element import Element, Figure, MacroElement
from jinja2 import Template

__all__ = ["LZ_CSS", "LZ_JS", "Runtime", "js_string"]

LZ_CSS = """
.lz-pop table{border-collapse:collapse;margin-top:4px;font-size:12px}
.lz-pop th{text-align:left;padding:1px 6px 1px 0;color:#444;font-weight:600;vertical-align:top}
.lz-pop td{padding:1px 0;vertical-align:top}
.lz-schem{margin-top:4px;color:#9a3412;font-size:11px;font-style:italic}
.lz-box{background:rgba(255,255,255,.92);padding:6px 8px;border-radius:4px;
  box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.35 sans-serif;max-width:320px}
.lz-box h1{font-size:14px;margin:0 0 2px}
.lz-legend .sw{display:inline-block;width:14px;height:10px;margin-right:5px;
  border:1px solid #555;vertical-align:middle}
.lz-legend svg{vertical-align:middle;margin-right:4px}
.lz-search input{width:220px;font-size:12px}
.lz-search .hit{color:#9a3412;font-size:11px}
.lz-pin{background:none;border:none}
.leaflet-control-layers{font-size:12px}
"""

LZ_JS = r"""
var lz = (function () {
  var index = [];
  function feature(feature, layer) {
    var p = feature.properties || {};
    if (p._popup) { layer.bindPopup(p._popup, {maxWidth: 360}); }
    if (p._tip) { layer.bindTooltip(p._tip, {sticky: !layer.getLatLng}); }
    if (p._icon && layer.setIcon) {
      layer.setIcon(L.divIcon({html: p._icon, className: 'lz-pin', iconSize: [24, 24],
                               iconAnchor: [12, 12], popupAnchor: [0, -10]}));
    }
    if (p._names) {
      for (var i = 0; i < p._names.length; i++) { index.push({name: p._names[i], layer: layer}); }
    }
  }
  function box(map, position, cls, html) {
    var c = L.control({position: position});
    c.onAdd = function () {
      var d = L.DomUtil.create('div', 'lz-box ' + cls);
      d.innerHTML = html;  // built and escaped in Python
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      return d;
    };
    c.addTo(map);
    return c;
  }
  function show(map, layer) {
    var done = function () { if (layer.openPopup) { layer.openPopup(); } };
    var clustered = null;
    map.eachLayer(function (l) {
      if (L.MarkerClusterGroup && l instanceof L.MarkerClusterGroup && l.hasLayer(layer)) {
        clustered = l;
      }
    });
    if (clustered) { clustered.zoomToShowLayer(layer, done); return; }
    if (layer.getBounds) { map.fitBounds(layer.getBounds(), {maxZoom: 14}); }
    else if (layer.getLatLng) { map.setView(layer.getLatLng(), 14); }
    done();
  }
  function search(map, labels) {
    var c = L.control({position: 'topleft'});
    c.onAdd = function () {
      var d = L.DomUtil.create('div', 'lz-box lz-search');
      var input = L.DomUtil.create('input', '', d);
      input.setAttribute('list', 'lz-names');
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
      var go = function () {
        var q = input.value.trim().toLowerCase();
        msg.textContent = '';
        if (!q) { return; }
        var hit = null;
        index.forEach(function (e) { if (!hit && e.name.toLowerCase() === q) { hit = e; } });
        index.forEach(function (e) { if (!hit && e.name.toLowerCase().indexOf(q) >= 0) { hit = e; } });
        if (!hit) { msg.textContent = labels.none; return; }
        show(map, hit.layer);
      };
      L.DomEvent.on(input, 'change', go);
      L.DomEvent.on(input, 'keydown', function (ev) { if (ev.key === 'Enter') { go(); } });
      L.DomEvent.disableClickPropagation(d);
      return d;
    };
    c.addTo(map);
    return c;
  }
  function init(map, opts) {
    window.lzMap = map;
    if (opts.background) { map.getContainer().style.background = opts.background; }
    box(map, 'topright', 'lz-title', opts.title);
    if (opts.legend) { box(map, 'bottomright', 'lz-legend', opts.legend); }
    search(map, opts.search);
  }
  return {feature: feature, init: init, index: index, show: show};
})();
"""


def js_string(value: Any) -> str:
    """``value`` as a JSON literal safe inside an inline ``<script>``."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class Runtime(MacroElement):
    """Adds the lzgis runtime (CSS + JS) to the page and calls ``lz.init`` on the map.

    Add it to the map *last*, after every layer, so that the search box sees
    every feature. ``title_html`` and ``legend_html`` are escaped HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            lz.init({{ this._parent.get_name() }}, {{ this.options }});
        {% endmacro %}
        """
    )

    def __init__(self, *, title_html: str, legend_html: str, background: str | None) -> None:
        super().__init__()
        self._name = "LzRuntime"
        self.options = js_string(
            {
                "title": title_html,
                "legend": legend_html,
                "background": background,
                "search": {
                    "placeholder": "查找名称 / find by name",
                    "none": "未找到 / not found",
                },
            }
        )

    def render(self, **kwargs: Any) -> str:
        figure = self.get_root()
        assert isinstance(figure, Figure)
        figure.header.add_child(Element(f"<style>{LZ_CSS}</style>"), name="lz_css")
        figure.header.add_child(Element(f"<script>{LZ_JS}</script>"), name="lz_js")
        super().render(**kwargs)
        return ""
