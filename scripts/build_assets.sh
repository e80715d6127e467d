#!/usr/bin/env bash
# Copy GOV.UK Frontend, MOJ Frontend, Cytoscape.js and Leaflet (with its marker clusters)
# from node_modules into
# build/assets/, which Django serves at /assets/ (STATICFILES_DIRS). The precompiled
# GOV.UK and MOJ stylesheets ask for /assets/fonts/... and /assets/images/..., so those
# folders sit at the top of build/assets/. Our own CSS and JS (macehub/static/macehub)
# are served from where they are (also in STATICFILES_DIRS).
#
# Safe to run again: each run replaces build/assets/ whole. axe-core is not copied: the
# browser tests read node_modules/axe-core/axe.min.js themselves.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_MODULES="$ROOT/node_modules"
GOVUK="$NODE_MODULES/govuk-frontend/dist/govuk"
MOJ="$NODE_MODULES/@ministryofjustice/frontend/moj"
CYTOSCAPE="$NODE_MODULES/cytoscape/dist"
LEAFLET="$NODE_MODULES/leaflet/dist"
MARKERCLUSTER="$NODE_MODULES/leaflet.markercluster/dist"
OUT="$ROOT/build/assets"

fail() {
  echo "build_assets: $*" >&2
  exit 1
}

[[ -d "$NODE_MODULES" ]] || fail "no node_modules in $ROOT: run 'npm ci' first"
for required in \
  "$GOVUK/govuk-frontend.min.css" "$GOVUK/govuk-frontend.min.js" "$GOVUK/assets/fonts" \
  "$GOVUK/assets/images" "$MOJ/moj-frontend.min.css" "$MOJ/moj-frontend.min.js" \
  "$MOJ/assets/images" "$CYTOSCAPE/cytoscape.esm.min.mjs" "$LEAFLET/leaflet.js" \
  "$MARKERCLUSTER/leaflet.markercluster.js" "$ROOT/macehub/static/macehub"; do
  [[ -e "$required" ]] || fail "missing $required: run 'npm ci' (package-lock.json) first"
done

# node_modules left over from another lock file would build the wrong versions.
if command -v node >/dev/null 2>&1; then
  node - "$ROOT" <<'JS' || fail "node_modules does not match package.json: run 'npm ci'"
const path = require("path");
const root = process.argv[2];
const wanted = require(path.join(root, "package.json"));
const pins = { ...wanted.dependencies, ...wanted.devDependencies };
let ok = true;
for (const [name, version] of Object.entries(pins)) {
  const installed = require(path.join(root, "node_modules", name, "package.json")).version;
  if (installed !== version) {
    console.error(`build_assets: ${name} is ${installed} in node_modules, package.json pins ${version}`);
    ok = false;
  }
}
process.exit(ok ? 0 : 1);
JS
fi

rm -rf "$OUT"
mkdir -p "$OUT/govuk" "$OUT/moj" "$OUT/images" "$OUT/cytoscape" "$OUT/leaflet"

# GOV.UK Frontend: stylesheet, ES module, source maps (ManifestStaticFilesStorage follows
# sourceMappingURL comments, so the maps must be there), and everything under assets/
# (fonts, images, manifest.json) at the top level where the CSS expects them.
cp "$GOVUK"/govuk-frontend.min.css "$GOVUK"/govuk-frontend.min.css.map \
   "$GOVUK"/govuk-frontend.min.js "$GOVUK"/govuk-frontend.min.js.map "$OUT/govuk/"
cp -R "$GOVUK/assets/." "$OUT/"

# MOJ Frontend: stylesheet and ES module; its CSS also asks for /assets/images/...
cp "$MOJ"/moj-frontend.min.css "$MOJ"/moj-frontend.min.css.map \
   "$MOJ"/moj-frontend.min.js "$MOJ"/moj-frontend.min.js.map "$OUT/moj/"
for image in "$MOJ"/assets/images/*; do
  name="$(basename "$image")"
  [[ ! -e "$OUT/images/$name" ]] || fail "GOV.UK and MOJ Frontend both ship images/$name"
  cp "$image" "$OUT/images/$name"
done

# Cytoscape.js: the ES module the network page's graph imports (macehub/network.js), and
# its licence beside it.
cp "$CYTOSCAPE/cytoscape.esm.min.mjs" "$CYTOSCAPE/../LICENSE" "$OUT/cytoscape/"

# Leaflet and Leaflet.markercluster: the hotspot map (macehub/hotspots-map.js). Classic
# scripts (markercluster extends the global L); their stylesheets, Leaflet's images (its
# CSS asks for images/... beside it) and licences beside them. No tiles: see
# MACEHUB_MAP_TILE_URL.
cp "$LEAFLET/leaflet.js" "$LEAFLET/leaflet.js.map" "$LEAFLET/leaflet.css" \
   "$LEAFLET/../LICENSE" "$OUT/leaflet/"
cp -R "$LEAFLET/images" "$OUT/leaflet/images"
cp "$MARKERCLUSTER/leaflet.markercluster.js" "$MARKERCLUSTER/leaflet.markercluster.js.map" \
   "$MARKERCLUSTER/MarkerCluster.css" "$MARKERCLUSTER/MarkerCluster.Default.css" "$OUT/leaflet/"
cp "$MARKERCLUSTER/../MIT-LICENCE.txt" "$OUT/leaflet/markercluster-LICENCE.txt"

echo "build_assets: GOV.UK Frontend, MOJ Frontend, Cytoscape.js and Leaflet copied to ${OUT#"$ROOT"/}"
