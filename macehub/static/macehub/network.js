// The network page's graph (networks/network.html), drawn with Cytoscape.js from the
// nodes and links the page embeds (json_script "network-data"), each with the colour,
// shape and line of its kind (networks.network_page NODE_STYLES and EDGE_STYLES, which
// the page's key shows too). The page works without it: its tables list the same network.
import cytoscape from "../cytoscape/cytoscape.esm.min.mjs";

const BLACK = "#0b0c0c";
const FOCUS = "#ffdd00";

function graphStyle() {
  return [
    {
      selector: "node",
      style: {
        "background-color": "data(colour)",
        shape: "data(shape)",
        width: 22,
        height: 22,
        label: "data(label)",
        color: BLACK,
        "font-family": "GDS Transport, arial, sans-serif",
        "font-size": 11,
        "text-valign": "bottom",
        "text-margin-y": 3,
        "text-wrap": "ellipsis",
        "text-max-width": "140px",
        "text-background-color": "#ffffff",
        "text-background-opacity": 0.85,
        "text-background-padding": "1px",
      },
    },
    // Where the network starts: larger, ringed in black.
    { selector: "node[?start]", style: { width: 34, height: 34, "border-width": 3, "border-color": BLACK } },
    {
      selector: "edge",
      style: {
        width: "data(width)",
        "line-color": "data(colour)",
        "line-style": "data(line)",
        "curve-style": "bezier",
      },
    },
    // A node selected, in the GOV.UK focus colour; what is not linked to it, faded.
    { selector: "node:selected", style: { "border-width": 4, "border-color": FOCUS, "overlay-opacity": 0 } },
    { selector: ".macehub-faded", style: { opacity: 0.2 } },
  ];
}

// Says which node is selected (a live region: read out when it changes), with a link to
// its own page; built from text nodes, never as HTML.
function describe(panel, node) {
  panel.replaceChildren();
  if (!node) {
    panel.textContent = "No node selected.";
    return;
  }
  const links = node.degree(false);
  panel.append(`Selected: ${node.data("label")} (${node.data("kindLabel").toLowerCase()}), ` +
               `${links} link${links === 1 ? "" : "s"}. `);
  if (node.data("url")) {
    const open = document.createElement("a");
    open.className = "govuk-link";
    open.href = node.data("url");
    open.textContent = `Open ${node.data("label")}`;
    panel.append(open);
  }
}

function drawNetwork(container, data, panel) {
  const cy = cytoscape({
    container,
    elements: { nodes: data.nodes, edges: data.edges },
    style: graphStyle(),
    layout: { name: "cose", animate: false, nodeDimensionsIncludeLabels: true, padding: 20 },
    minZoom: 0.2,
    maxZoom: 3,
    selectionType: "single",
    boxSelectionEnabled: false,
  });
  cy.on("select", "node", (event) => {
    const node = event.target;
    cy.elements().addClass("macehub-faded");
    node.closedNeighborhood().removeClass("macehub-faded");
    describe(panel, node);
  });
  cy.on("unselect", "node", () => {
    cy.elements().removeClass("macehub-faded");
    describe(panel, null);
  });
  // How many nodes were drawn: the browser tests compare it with the table's rows.
  container.dataset.drawn = String(cy.nodes().length);
  return cy;
}

const dataElement = document.getElementById("network-data");
const container = document.getElementById("network-graph");
const panel = document.getElementById("network-selected");
if (dataElement && container && panel) {
  drawNetwork(container, JSON.parse(dataElement.textContent), panel);
}
