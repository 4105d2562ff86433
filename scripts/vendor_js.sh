#!/usr/bin/env bash
# Vendor the JavaScript lzgis maps need into src/lzgis/maps/_vendor/ (committed),
# so that `lzgis publish --offline`, its tests and its users never touch the network.
# Run by hand when upgrading: scripts/vendor_js.sh   (needs npm and the npm registry).
# The versions here are the ones the online (CDN) pages link, see lzgis/maps/_assets.py.
set -euo pipefail
LEAFLET=1.9.3          # the version folium 0.20 links
MARKERCLUSTER=1.5.3
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/src/lzgis/maps/_vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm pack --silent "leaflet@$LEAFLET" "leaflet.markercluster@$MARKERCLUSTER" >/dev/null
rm -rf "$dest" && mkdir -p "$dest/leaflet/images" "$dest/leaflet.markercluster"
tar -xzf "leaflet-$LEAFLET.tgz" && mv package leaflet
tar -xzf "leaflet.markercluster-$MARKERCLUSTER.tgz" && mv package markercluster
cp leaflet/dist/leaflet.js leaflet/dist/leaflet.css leaflet/LICENSE "$dest/leaflet/"
cp leaflet/dist/images/*.png "$dest/leaflet/images/"
cp markercluster/dist/leaflet.markercluster.js markercluster/dist/MarkerCluster.css \
   markercluster/dist/MarkerCluster.Default.css markercluster/MIT-LICENCE.txt \
   "$dest/leaflet.markercluster/"
cat > "$dest/VERSIONS" <<V
leaflet $LEAFLET (BSD-2-Clause, leaflet/LICENSE) from npm: leaflet@$LEAFLET
leaflet.markercluster $MARKERCLUSTER (MIT, leaflet.markercluster/MIT-LICENCE.txt) from npm: leaflet.markercluster@$MARKERCLUSTER
V
echo "vendored into $dest:" && find "$dest" -type f | sort
