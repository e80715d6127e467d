// The hotspots page's map (profile/hotspots.html), drawn with Leaflet from the figures the
// page embeds (json_script "hotspot-map-data"): each area's boundary coloured by its Gi*
// reading, the densest kernel density squares outlined, and the points open to the user
// grouped with Leaflet.markercluster. No tiles unless the deployment configures a tile
// server (MACEHUB_MAP_TILE_URL). The page works without it: the tables hold every figure.
const L = window.L;
const COLOURS = { hot: "#d4351c", cold: "#1d70b8", none: "#b1b4b6" };

function drawMap(element, data) {
  element.hidden = false;
  // Without tiles the map has no zoom range of its own; the clusters need one.
  const map = L.map(element, { attributionControl: Boolean(data.tiles.url), maxZoom: 18, zoomSnap: 0.25 });
  // Vector layers need the map to have a view before they are added.
  const areas = L.geoJSON(data.areas, {
    style: (feature) => ({
      className: `hotspot-area hotspot-area--${feature.properties.reading}`,
      color: "#0b0c0c",
      weight: 1,
      fillColor: COLOURS[feature.properties.reading] || COLOURS.none,
      fillOpacity: 0.45,
    }),
    onEachFeature: (feature, layer) => {
      const p = feature.properties;
      layer.bindTooltip(`${p.name}: ${p.count} (${p.reading_label})`);
    },
  });
  const clusters = L.markerClusterGroup({ showCoverageOnHover: false });
  for (const [latitude, longitude] of data.points) {
    clusters.addLayer(L.circleMarker([latitude, longitude], { radius: 4, color: "#0b0c0c", weight: 1, fillOpacity: 0.8 }));
  }
  const bounds = areas.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds);
  } else if (data.points.length) {
    map.fitBounds(L.latLngBounds(data.points));
  } else {
    map.setView([52.5, -1.5], 8);
  }
  if (data.tiles.url) {
    L.tileLayer(data.tiles.url, { attribution: data.tiles.attribution, maxZoom: 18 }).addTo(map);
  }
  areas.addTo(map);
  for (const square of data.density) {
    L.rectangle(square.bounds, { color: "#0b0c0c", weight: 2, dashArray: "4 4", fill: false })
      .bindTooltip(`About ${square.expected} events expected in this square`)
      .addTo(map);
  }
  map.addLayer(clusters);
}

const element = document.getElementById("hotspot-map");
const source = document.getElementById("hotspot-map-data");
if (element && source && L) {
  drawMap(element, JSON.parse(source.textContent));
}
