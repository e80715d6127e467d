// The hotspots page's map (profile/hotspots.html), drawn with Leaflet from the figures the
// page embeds (json_script "hotspot-map-data"): each area's boundary coloured by its Gi*
// reading, the densest kernel density squares outlined, and the points open to the user
// grouped with Leaflet.markercluster. No tiles unless the deployment configures a tile
// server (MACEHUB_MAP_TILE_URL). The page works without it: the tables hold every figure.
const L = window.L;
const COLOURS = { hot: "#d4351c", cold: "#1d70b8", none: "#b1b4b6" };

function drawMap(element, data) {
  element.hidden = false;
  const map = L.map(element, { attributionControl: Boolean(data.tiles.url) });
  if (data.tiles.url) {
    L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 18 }).addTo(map);
  }
  const areas = L.geoJSON(data.areas, {
    style: (feature) => ({
      color: "#0b0c0c",
      weight: 1,
      fillColor: COLOURS[feature.properties.reading] || COLOURS.none,
      fillOpacity: 0.45,
    }),
    onEachFeature: (feature, layer) => {
      const p = feature.properties;
      layer.bindTooltip(`${p.name}: ${p.count} (${p.reading_label})`);
    },
  }).addTo(map);
  for (const square of data.density) {
    L.rectangle(square.bounds, { color: "#0b0c0c", weight: 2, dashArray: "4 4", fill: false })
      .bindTooltip(`About ${square.expected} events expected in this square`)
      .addTo(map);
  }
  const clusters = L.markerClusterGroup({ showCoverageOnHover: false });
  for (const [latitude, longitude] of data.points) {
    clusters.addLayer(L.circleMarker([latitude, longitude], { radius: 4, color: "#0b0c0c", weight: 1, fillOpacity: 0.8 }));
  }
  map.addLayer(clusters);
  const bounds = areas.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds);
  } else if (data.points.length) {
    map.fitBounds(clusters.getBounds());
  } else {
    map.setView([52.5, -1.5], 8);
  }
}

const element = document.getElementById("hotspot-map");
const source = document.getElementById("hotspot-map-data");
if (element && source && L) {
  drawMap(element, JSON.parse(source.textContent));
}
