"""Map pages: the overview vs plain ``GeoDataFrame.explore()``, then every page's size and time.

Run: ``pip install -e ".[bench]" && python benchmarks/bench_maps.py [--repeat N]``. Prints, for each
builder, the median build time (layers already loaded; rendering to an HTML
string included) and the page size, then the ratios lzgis / explore. Then,
for every published page (overview, greening, allocation, projects, index),
its size and median build time online (Leaflet and the lzgis runtime linked
from ``assets/``, OSM tiles) and offline (both inlined, no basemap), from the analyses'
results loaded once (:func:`lzgis.publish.load_inputs`), and the size of
the ``assets/`` folder the online pages share.

explore() is folium's own path: every column goes into the GeoJSON and the
tooltips, full-resolution coordinates, jQuery/Bootstrap/font-awesome from
CDNs. lzgis simplifies to 30 m, rounds to 5 decimals, ships only escaped
popup HTML and links only Leaflet (+ markercluster) and its own runtime
(``assets/lzgis/``, ~14 kB); "offline" additionally inlines them (~200 kB).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Mapping

import folium
import geopandas as gpd

from lzgis import layers as lz_layers
from lzgis.maps import MapOptions, MapPage
from lzgis.maps._assets import asset_files
from lzgis.maps.allocation import allocation_map
from lzgis.maps.greening import greening_map
from lzgis.maps.index import index_page
from lzgis.maps.overview import overview_map
from lzgis.maps.projects import projects_map
from lzgis.publish import MAPS, Inputs, load_inputs


def load_available() -> dict[str, gpd.GeoDataFrame]:
    """Every catalogue layer whose file exists."""
    out = {}
    for lid in lz_layers.LAYER_IDS:
        if lz_layers.layer_path(lid).exists():
            out[lid] = lz_layers.load(lid)
    return out


def explore_map(layers: Mapping[str, gpd.GeoDataFrame]) -> str:
    """The same layers with ``GeoDataFrame.explore()`` on one map, with a layer control."""
    m: folium.Map | None = None
    for lid, gdf in layers.items():
        m = gdf.explore(m=m, name=lid)
    assert m is not None
    folium.LayerControl().add_to(m)
    return m.get_root().render()


def measure(build: Callable[[], str], repeat: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        page = build()
        times.append(time.perf_counter() - t0)
        size = len(page.encode("utf-8"))
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    layers = load_available()
    vertices = sum(int(g.geometry.count_coordinates().sum()) for g in layers.values())
    print(f"layers: {', '.join(f'{k} ({len(v)})' for k, v in layers.items())}; {vertices} vertices")
    runs = {
        "explore()": measure(lambda: explore_map(layers), args.repeat),
        "lzgis online": measure(
            lambda: overview_map(layers, options=MapOptions(basemap="osm", offline=False)).html,
            args.repeat,
        ),
        "lzgis offline": measure(
            lambda: overview_map(layers, options=MapOptions(basemap="none", offline=True)).html,
            args.repeat,
        ),
    }
    base_t, base_s = runs["explore()"]
    print(f"{'builder':<15}{'time (s)':>10}{'size (kB)':>12}{'time ratio':>12}{'size ratio':>12}")
    for name, (t, s) in runs.items():
        print(f"{name:<15}{t:>10.3f}{s / 1000:>12.1f}{t / base_t:>12.2f}{s / base_s:>12.3f}")
    print()
    every_page(load_inputs(), args.repeat)


def _builders(inputs: Inputs, options: MapOptions) -> dict[str, Callable[[], MapPage]]:
    lay = inputs.layers
    return {
        "overview.html": lambda: overview_map(lay, options=options),
        "greening.html": lambda: greening_map(inputs.report, lay, options=options),
        "allocation.html": lambda: allocation_map(
            inputs.conflicts,
            lay,
            allocation=inputs.allocation,
            river_buffer_m=inputs.river_buffer_m,
            options=options,
        ),
        "projects.html": lambda: projects_map(inputs.projects, lay, options=options),
        "index.html": lambda: index_page(
            maps=MAPS,
            tables=["greening_report.csv", "allocation.csv", "conflicts.csv", "projects.csv"],
            report=inputs.report,
            allocation=inputs.allocation,
            conflicts=inputs.conflicts,
            projects=inputs.projects,
            parks=lay.get("parks"),
        ),
    }


def every_page(inputs: Inputs, repeat: int) -> None:
    """Size (kB = 1000 bytes) and median build time of every page, online and offline."""
    online = _builders(inputs, MapOptions(basemap="osm", offline=False))
    offline = _builders(inputs, MapOptions(basemap="none", offline=True))
    print(f"{'page':<17}{'online kB':>10}{'time (s)':>10}{'offline kB':>12}{'time (s)':>10}")
    for name in online:
        t_on, s_on = measure(lambda n=name: online[n]().html, repeat)
        t_off, s_off = measure(lambda n=name: offline[n]().html, repeat)
        print(f"{name:<17}{s_on / 1000:>10.1f}{t_on:>10.3f}{s_off / 1000:>12.1f}{t_off:>10.3f}")
    shared = sum(len(data) for data in asset_files().values())
    print(f"assets/ (shared by the online pages, written once): {shared / 1000:.1f} kB")


if __name__ == "__main__":
    main()
