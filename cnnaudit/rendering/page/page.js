// cnnaudit's report page: everything drawn here is read from the JSON embedded
// in #cnnaudit-data (the summary and lint exactly as `--format json` gives
// them); the layered layout is dagre's. No network, no server.
"use strict";

const errorsBox = document.getElementById("page-errors");
function pageError(message) {
  // Tests read this box: a page that fails must say so in the DOM.
  errorsBox.hidden = false;
  errorsBox.textContent += message + "\n";
}
window.addEventListener("error", (event) => pageError(String(event.message)));

const DATA = JSON.parse(document.getElementById("cnnaudit-data").textContent);
const SUMMARY = DATA.summary;
const LINT = DATA.lint;
const SVG = "http://www.w3.org/2000/svg";
const SEVERITIES = ["error", "warning", "suggestion", "info"];

// ---- formatting: the same rules as cnnaudit.units ---------------------------
function formatCount(n) {
  if (n === null || n === undefined) return "";
  if (Math.abs(n) < 10000) return Number.isInteger(n) ? n.toLocaleString("en-US") : n.toFixed(2);
  for (const [factor, prefix] of [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "K"]]) {
    if (Math.abs(n) >= factor) return (n / factor).toFixed(2) + " " + prefix;
  }
  return String(n);
}
function formatBytes(n) {
  if (n === null || n === undefined) return "";
  if (Math.abs(n) < 1024) return Math.trunc(n) + " B";
  for (const [factor, prefix] of [[1024 ** 4, "TiB"], [1024 ** 3, "GiB"], [1024 ** 2, "MiB"], [1024, "KiB"]]) {
    if (Math.abs(n) >= factor) return (n / factor).toFixed(2) + " " + prefix;
  }
  return n + " B";
}
const FORMAT = { params: formatCount, macs: formatCount, activation_bytes: formatBytes };
const METRIC_LABEL = { params: "params", macs: "MACs/sample", activation_bytes: "activations/sample" };

// A traced shape at the user's batch (as cnnaudit.report.table.at_batch).
function atBatch(shape, perBatch) {
  const s = shape.slice();
  const traced = SUMMARY.trace_batch_size;
  if (perBatch && s.length && s[0] % traced === 0) s[0] = (s[0] / traced) * SUMMARY.batch_size;
  return s;
}
function shapeText(shape) { return "[" + shape.join(", ") + "]"; }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}
function svgEl(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}
function where(file, line) { return file ? (line ? file + ":" + line : file) : ""; }

// ---- the model's rows and findings, by graph node -----------------------------
const NODES = new Map(DATA.graph.nodes.map((n) => [n.id, n]));
const CHILDREN = new Map();
for (const node of DATA.graph.nodes) {
  const key = node.parent === null ? 0 : node.parent;
  if (!CHILDREN.has(key)) CHILDREN.set(key, []);
  CHILDREN.get(key).push(node.id);
}
function row(id) { return SUMMARY.layers[id - 1]; }  // the summary at every depth: row = node id - 1
function isBlock(id) { return CHILDREN.has(id); }
function findingsOf(id) {
  const name = NODES.get(id).name;
  return LINT.findings.filter((f) => f.layer && (f.layer === name || f.layer.startsWith(name + ".")));
}
function ancestors(id) {
  const chain = [];
  let current = NODES.get(id);
  while (current && current.parent !== null) { chain.unshift(current.parent); current = NODES.get(current.parent); }
  return chain;
}

// ---- header ---------------------------------------------------------------------
function specArguments() {
  const args = Object.entries(SUMMARY.model_args || {}).map(([k, v]) => k + "=" + JSON.stringify(v));
  return args.length ? ", " + args.join(", ") : "";
}
function drawHeader() {
  document.getElementById("model-name").textContent = DATA.model;
  const input = SUMMARY.input_shapes.map(shapeText).join(" + ");
  document.getElementById("model-spec").textContent =
    (SUMMARY.spec && SUMMARY.spec !== SUMMARY.model ? SUMMARY.spec + specArguments() + " · " : "") +
    "input " + input + " per sample · shapes at batch " + SUMMARY.batch_size +
    " (traced at batch " + SUMMARY.trace_batch_size + " on " + SUMMARY.device + ")";
  const t = SUMMARY.totals;
  const memory = SUMMARY.training_memory;
  const counts = LINT.counts || {};
  const cards = [
    ["params", t.params.toLocaleString("en-US"), "parameters (" + formatBytes(t.param_bytes) + ")"],
    ["macs", formatCount(t.macs), "MACs per sample (FLOPs = 2 × MACs)"],
    ["activations", formatBytes(t.activation_bytes), "activations per sample"],
  ];
  if (memory) cards.push(["memory", formatBytes(memory.total_bytes),
    "training peak · batch " + memory.batch_size + ", " + memory.optimizer + ", " + memory.precision]);
  const found = SEVERITIES.filter((s) => counts[s]).map((s) => counts[s] + " " + s + (counts[s] > 1 ? "s" : ""));
  cards.push(["findings", String(LINT.findings.length), found.join(", ") || "lint found nothing"]);
  const failure = SUMMARY.failure;
  if (failure) {
    // a broken model is drawn up to where forward failed: say so first
    document.getElementById("cards").before(el("p", { id: "failure", class: "failure" },
      "Forward failed" + (failure.layer ? " at " + failure.layer : "") +
      (failure.file ? " (" + where(failure.file, failure.line) + ")" : "") + ": " + failure.message));
  }
  const box = document.getElementById("cards");
  for (const [key, value, label] of cards) {
    box.append(el("div", { class: "card", "data-card": key }, el("b", {}, value), el("span", {}, label)));
  }
}

// ---- the graph ----------------------------------------------------------------------
const state = { expanded: new Set(), metric: "none", selected: null };
const view = { x: 0, y: 0, scale: 1 };

function expandToDepth(depth) {
  state.expanded = new Set(DATA.graph.nodes.filter((n) => n.depth < depth && isBlock(n.id)).map((n) => n.id));
}

// What a node is drawn as: itself, or the outermost closed block around it.
function representative(id) {
  for (const a of ancestors(id)) if (!state.expanded.has(a)) return a;
  return id;
}

function visibleNodes() {
  const shown = new Set();
  for (const node of DATA.graph.nodes) if (node.op) shown.add(representative(node.id));
  return [...shown].sort((a, b) => a - b);
}

// top: the largest cost among the boxes drawn (the scale's end)
function colourFor(id, top) {
  if (state.metric === "none") return NODES.get(id).join ? "#f6f8fa" : "#ffffff";
  const value = row(id)[state.metric] || 0;
  if (!value) return "#ffffff";
  const share = Math.log1p(value) / Math.log1p(top);  // log: costs span orders of magnitude
  const light = 96 - 46 * share;
  return "hsl(24, 95%, " + light.toFixed(1) + "%)";
}

function nodeSize(id) {
  const node = NODES.get(id);
  if (node.join) return { width: 30, height: 30 };
  const label = Math.max(node.name.length, node.type.length + 2) * 6.4 + 22;
  return { width: Math.min(Math.max(label, 70), 260), height: 38 };
}

function layoutGraph() {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: "TB", nodesep: 18, ranksep: 28, edgesep: 8, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const shown = visibleNodes();
  const shownSet = new Set(shown);
  for (const id of shown) g.setNode(String(id), nodeSize(id));
  // expanded blocks that hold something shown become clusters around it
  const clusters = new Set();
  for (const id of shown) {
    for (const a of ancestors(id)) if (state.expanded.has(a)) clusters.add(a);
  }
  for (const c of clusters) g.setNode("c" + c, { label: NODES.get(c).name, paddingTop: 22 });
  for (const id of shown) {
    const parent = NODES.get(id).parent;
    if (parent !== null && clusters.has(parent)) g.setParent(String(id), "c" + parent);
  }
  for (const c of clusters) {
    const parent = NODES.get(c).parent;
    if (parent !== null && clusters.has(parent)) g.setParent("c" + c, "c" + parent);
  }
  g.setNode("input", { width: 70, height: 26 });
  g.setNode("output", { width: 70, height: 26 });
  const edges = new Map();
  for (const e of DATA.graph.edges) {
    const from = e.from === "input" ? "input" : String(representative(e.from));
    const to = e.to === "output" ? "output" : String(representative(e.to));
    if (from === to || (from !== "input" && !shownSet.has(Number(from)))) continue;
    const key = from + ">" + to;
    if (!edges.has(key)) edges.set(key, e);
  }
  for (const [key, e] of edges) {
    const [from, to] = key.split(">");
    g.setEdge(from, to, { shape: shapeText(atBatch(e.shape, e.per_batch)) });
  }
  dagre.layout(g);
  return { g, shown, clusters };
}

function drawGraph() {
  const svg = document.getElementById("graph");
  svg.textContent = "";
  const { g, shown, clusters } = layoutGraph();
  const top = Math.max(1, ...shown.map((id) => row(id)[state.metric] || 0));
  const root = svgEl("g", { id: "viewport" });
  svg.append(root);
  for (const c of clusters) {
    const box = g.node("c" + c);
    const group = svgEl("g", { class: "cluster", "data-id": c });
    group.append(svgEl("rect", { x: box.x - box.width / 2, y: box.y - box.height / 2, width: box.width, height: box.height }));
    const title = svgEl("text", { x: box.x - box.width / 2 + 6, y: box.y - box.height / 2 + 14 }, "▾ " + NODES.get(c).name);
    title.addEventListener("click", (event) => { event.stopPropagation(); collapse(c); });
    group.append(title);
    root.append(group);
  }
  for (const edgeId of g.edges()) {
    const edge = g.edge(edgeId);
    const points = edge.points;
    const d = points.map((p, i) => (i ? "L" : "M") + p.x.toFixed(1) + "," + p.y.toFixed(1)).join(" ");
    root.append(svgEl("path", { class: "edge", d, "marker-end": "url(#arrow)", "data-from": edgeId.v, "data-to": edgeId.w }));
    const mid = points[Math.floor(points.length / 2)];
    root.append(svgEl("text", { class: "edge-label", x: mid.x + 5, y: mid.y - 2 }, edge.shape));
  }
  for (const io of ["input", "output"]) {
    const box = g.node(io);
    if (!box) continue;
    const group = svgEl("g", { class: "io", "data-io": io });
    group.append(svgEl("rect", { x: box.x - 35, y: box.y - 13, width: 70, height: 26, rx: 13 }));
    group.append(svgEl("text", { x: box.x, y: box.y + 4, "text-anchor": "middle" }, io));
    root.append(group);
  }
  for (const id of shown) {
    const node = NODES.get(id);
    const box = g.node(String(id));
    const findings = findingsOf(id);
    const classes = ["node"];
    if (isBlock(id)) classes.push("block");
    if (node.join) classes.push("join");
    if (findings.length) classes.push("has-finding");
    if (findings.some((f) => f.severity === "error") || row(id).error) classes.push("has-error");
    if (state.selected === id) classes.push("selected");
    const group = svgEl("g", { class: classes.join(" "), "data-id": id, "data-name": node.name });
    group.append(svgEl("title", {}, hoverText(id)));
    if (node.join) {
      group.append(svgEl("circle", { cx: box.x, cy: box.y, r: 14, fill: colourFor(id, top) }));
      group.append(svgEl("text", { x: box.x, y: box.y + 4, "text-anchor": "middle" },
        node.join === "add" ? "+" : node.join === "mul" ? "×" : "cat"));
    } else {
      group.append(svgEl("rect", { x: box.x - box.width / 2, y: box.y - box.height / 2, width: box.width, height: box.height, fill: colourFor(id, top) }));
      group.append(svgEl("text", { x: box.x - box.width / 2 + 7, y: box.y - 3 }, (isBlock(id) ? "▸ " : "") + node.name));
      group.append(svgEl("text", { class: "type", x: box.x - box.width / 2 + 7, y: box.y + 11 }, node.type +
        (findings.length ? "  ⚠ " + findings.length : "")));
    }
    group.addEventListener("click", (event) => {
      event.stopPropagation();
      if (isBlock(id)) expand(id);
      select(id);
    });
    root.append(group);
  }
  const defs = svgEl("defs");
  const marker = svgEl("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
  marker.append(svgEl("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#8c959f" }));
  defs.append(marker);
  svg.prepend(defs);
  state.size = g.graph();
  state.positions = new Map(shown.map((id) => [id, g.node(String(id))]));
  applyView();
  drawCosts();
}

function applyView() {
  document.getElementById("viewport").setAttribute("transform",
    "translate(" + view.x + "," + view.y + ") scale(" + view.scale + ")");
}
function fit() {
  const svg = document.getElementById("graph");
  const width = svg.clientWidth || 900, height = svg.clientHeight || 600;
  const size = state.size || { width: 1, height: 1 };
  // the whole drawing when it is readable so; else readable, from the top (pan for the rest)
  view.scale = Math.max(Math.min(width / (size.width || 1), height / (size.height || 1), 1.5), 0.55);
  view.x = (width - size.width * view.scale) / 2;
  view.y = Math.max(0, (height - size.height * view.scale) / 2);
  applyView();
}
function expand(id) { if (!state.expanded.has(id)) { state.expanded.add(id); drawGraph(); fit(); } }
function collapse(id) {
  for (const node of DATA.graph.nodes) if (node.id === id || ancestors(node.id).includes(id)) state.expanded.delete(node.id);
  drawGraph(); fit();
}

function select(id) {
  state.selected = id;
  for (const g of document.querySelectorAll("g.node")) g.classList.toggle("selected", Number(g.dataset.id) === id);
  const node = NODES.get(id), r = row(id);
  const box = document.getElementById("details");
  box.textContent = "";
  box.append(el("h3", {}, node.name));
  const shapes = (r.output_shapes || []).map((s, i) => shapeText(atBatch(s, (r.per_batch || [])[i]))).join(" ");
  const rf = r.receptive_field;
  const entries = [
    ["type", r.type],
    ["output shape", shapes || "—"],
    ["params", r.kind === "module" ? r.params.toLocaleString("en-US") : "—"],
    ["MACs/sample", formatCount(r.macs)],
    ["activations/sample", formatBytes(r.activation_bytes)],
  ];
  if (r.saved_bytes !== null && r.saved_bytes !== undefined) entries.push(["saved/sample", formatBytes(r.saved_bytes)]);
  entries.push(["receptive field", rf ? describeField(rf) : "?"]);
  entries.push(["source", where(r.file, r.line) || "—"]);
  if (r.error) entries.push(["error", r.error]);
  const table = el("table", { id: "details-table" });
  for (const [key, value] of entries) table.append(el("tr", { "data-key": key }, el("td", {}, key), el("td", { class: "mono" }, value)));
  box.append(table);
  const findings = findingsOf(id);
  if (findings.length) {
    box.append(el("h4", {}, "Findings"));
    for (const f of findings) box.append(findingCard(f));
  }
}

function hoverText(id) {
  // what a hover shows: the row's figures in one line each (a click pins them)
  const node = NODES.get(id), r = row(id);
  const shapes = (r.output_shapes || []).map((s, i) => shapeText(atBatch(s, (r.per_batch || [])[i]))).join(" ");
  const lines = [node.name + " (" + node.type + ")", "output " + (shapes || "—")];
  if (r.kind === "module") lines.push("params " + r.params.toLocaleString("en-US"));
  lines.push("MACs/sample " + formatCount(r.macs), "activations/sample " + formatBytes(r.activation_bytes));
  if (r.file) lines.push(where(r.file, r.line));
  const findings = findingsOf(id);
  if (findings.length) lines.push(findings.length + " finding" + (findings.length > 1 ? "s" : "") + ": " +
    findings.map((f) => f.code).join(", "));
  return lines.join("\n");
}

function describeField(rf) {
  if (rf.kind === "whole") return "the whole input";
  if (rf.kind === "const") return "— (parameters only)";
  const cells = (v) => (new Set(v).size === 1 ? String(v[0]) : v.join("×"));
  let text = (rf.fractional ? "≈" : "") + cells(rf.size);
  if (rf.kind === "flat") text += " (flattened)";
  if (rf.context) text += " + global context";
  return text + " · stride " + cells(rf.stride) + " · padding " + cells(rf.padding);
}

function findingCard(f) {
  const card = el("div", { class: "finding-card" });
  card.append(el("p", {}, el("span", { class: "badge " + f.severity }, f.code + " " + f.name), " ",
    el("span", { class: "mono" }, where(f.file, f.line))));
  card.append(el("p", {}, f.message));
  if (f.fix) card.append(el("p", {}, "Fix: ", el("code", {}, f.fix)));
  if (f.probe) card.append(el("p", { class: "muted" }, "Verify: ", el("code", {}, f.probe)));
  return card;
}

function reveal(name, scroll = true) {
  // open the blocks around a layer, select it and bring it to the middle
  // (a finding's row, a cost bar or the page's link named it)
  const node = DATA.graph.nodes.find((n) => n.name === name);
  if (!node) return;
  for (const a of ancestors(node.id)) state.expanded.add(a);
  drawGraph(); fit(); select(node.id);
  centre(node.id);
  if (scroll) document.getElementById("graph-section").scrollIntoView();
}

function centre(id) {
  const box = state.positions && state.positions.get(id);
  if (!box) return;
  const svg = document.getElementById("graph");
  const width = svg.clientWidth || 900, height = svg.clientHeight || 600;
  view.scale = Math.max(view.scale, 1);
  view.x = width / 2 - box.x * view.scale;
  view.y = height / 2 - box.y * view.scale;
  applyView();
}

function setupGraph() {
  const depthSelect = document.getElementById("depth");
  const deepest = Math.max(1, ...DATA.graph.nodes.map((n) => n.depth));
  for (let d = 1; d <= deepest; d++) depthSelect.append(el("option", { value: d }, String(d)));
  depthSelect.value = String(DATA.depth);
  depthSelect.addEventListener("change", () => { expandToDepth(Number(depthSelect.value)); drawGraph(); fit(); });
  document.getElementById("expand-all").addEventListener("click", () => { expandToDepth(deepest + 1); drawGraph(); fit(); });
  document.getElementById("collapse-all").addEventListener("click", () => { expandToDepth(1); drawGraph(); fit(); });
  document.getElementById("fit").addEventListener("click", fit);
  toggle("colour-by", "metric", "none", (metric) => { state.metric = metric; drawGraph(); });
  const svg = document.getElementById("graph");
  let drag = null;
  svg.addEventListener("mousedown", (e) => { drag = { x: e.clientX - view.x, y: e.clientY - view.y }; });
  window.addEventListener("mouseup", () => { drag = null; });
  svg.addEventListener("mousemove", (e) => { if (drag) { view.x = e.clientX - drag.x; view.y = e.clientY - drag.y; applyView(); } });
  svg.addEventListener("wheel", (e) => {
    e.preventDefault();
    const factor = e.deltaY < 0 ? 1.15 : 1 / 1.15;
    const rect = svg.getBoundingClientRect();
    const px = e.clientX - rect.left, py = e.clientY - rect.top;
    view.x = px - (px - view.x) * factor; view.y = py - (py - view.y) * factor; view.scale *= factor;
    applyView();
  }, { passive: false });
  expandToDepth(DATA.depth);
  drawGraph();
  fit();
}

function toggle(id, key, initial, onChange) {
  const box = document.getElementById(id);
  const buttons = [...box.querySelectorAll("button")];
  const set = (value) => { for (const b of buttons) b.classList.toggle("on", b.dataset[key] === value); };
  for (const b of buttons) b.addEventListener("click", () => { set(b.dataset[key]); onChange(b.dataset[key]); });
  set(initial);
}

// ---- cost bars ------------------------------------------------------------------------
const costs = { metric: "params", order: "model" };
function drawCosts() {
  const box = document.getElementById("costs");
  box.textContent = "";
  let ids = visibleNodes().filter((id) => !NODES.get(id).join);
  const value = (id) => row(id)[costs.metric] || 0;
  if (costs.order === "sorted") ids = ids.slice().sort((a, b) => value(b) - value(a));
  const top = Math.max(1, ...ids.map(value));
  const total = costs.metric === "params" ? SUMMARY.totals.params : costs.metric === "macs" ? SUMMARY.totals.macs : SUMMARY.totals.activation_bytes;
  box.append(el("p", { class: "muted" }, METRIC_LABEL[costs.metric] + " of the " + ids.length +
    " layers shown; the model's total is " + FORMAT[costs.metric](total) + "."));
  for (const id of ids) {
    const v = value(id);
    const share = total ? " (" + (100 * v / total).toFixed(1) + " %)" : "";
    const label = el("span", { class: "label mono", title: NODES.get(id).name }, NODES.get(id).name);
    label.addEventListener("click", () => reveal(NODES.get(id).name));
    const bar = el("div", { class: "bar" });
    bar.style.width = (100 * v / top).toFixed(2) + "%";
    box.append(el("div", { class: "bar-row", "data-id": id }, label, el("div", {}, bar),
      el("span", { class: "value" }, FORMAT[costs.metric](v) + share)));
  }
}

// ---- charts ------------------------------------------------------------------------------
function chart(svgId, series, options) {
  // a line chart: series = [{name, points: [[x, y], ...], colour}]
  const svg = document.getElementById(svgId);
  svg.textContent = "";
  const width = svg.clientWidth || 900, height = svg.clientHeight || 300;
  const m = { left: 78, right: 16, top: 16, bottom: 40 };
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p[1]) && Number.isFinite(p[0]));
  if (!all.length) { svg.append(svgEl("text", { x: 20, y: 30 }, "nothing to draw")); return null; }
  const tx = options.logX ? (v) => Math.log10(v) : (v) => v;
  let [x0, x1] = [Math.min(...all.map((p) => tx(p[0]))), Math.max(...all.map((p) => tx(p[0])))];
  let [y0, y1] = [options.yMin !== undefined ? options.yMin : Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (options.extraY !== undefined) y1 = Math.max(y1, options.extraY);
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  const X = (v) => m.left + (tx(v) - x0) / (x1 - x0) * (width - m.left - m.right);
  const Y = (v) => height - m.bottom - (v - y0) / (y1 - y0) * (height - m.top - m.bottom);
  for (let i = 0; i <= 4; i++) {
    const v = y0 + (y1 - y0) * i / 4;
    svg.append(svgEl("line", { class: "grid", x1: m.left, x2: width - m.right, y1: Y(v), y2: Y(v) }));
    svg.append(svgEl("text", { x: m.left - 6, y: Y(v) + 4, "text-anchor": "end" }, (options.formatY || formatCount)(v)));
  }
  svg.append(svgEl("line", { class: "axis", x1: m.left, x2: width - m.right, y1: height - m.bottom, y2: height - m.bottom }));
  svg.append(svgEl("text", { x: (width + m.left) / 2, y: height - 8, "text-anchor": "middle" }, options.xLabel || ""));
  if (options.logX) {
    for (let e = Math.ceil(x0); e <= Math.floor(x1); e++) {
      svg.append(svgEl("text", { x: X(10 ** e), y: height - m.bottom + 14, "text-anchor": "middle" }, "1e" + e));
    }
  }
  if (options.bands) options.bands(svg, X, Y, m, width, height);
  for (const s of series) {
    const pts = s.points.filter((p) => Number.isFinite(p[1]) && Number.isFinite(p[0]));
    if (!pts.length) continue;
    const d = pts.map((p, i) => (i ? "L" : "M") + X(p[0]).toFixed(1) + "," + Y(p[1]).toFixed(1)).join(" ");
    svg.append(svgEl("path", { class: "series", d, stroke: s.colour, "data-series": s.name }));
  }
  if (series.length > 1 || options.legend) {
    series.forEach((s, i) => {
      svg.append(svgEl("rect", { x: m.left + 10 + i * 150, y: m.top, width: 10, height: 10, fill: s.colour }));
      svg.append(svgEl("text", { x: m.left + 24 + i * 150, y: m.top + 9 }, s.name));
    });
  }
  return { X, Y, m, width, height };
}

const PALETTE = ["#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#1b7c83", "#6e7781", "#bf3989"];

function drawMemory() {
  const memory = SUMMARY.training_memory;
  const caption = document.getElementById("memory-caption");
  if (!memory || !memory.timeline) {
    caption.textContent = SUMMARY.failure ? "No training-memory estimate: the forward pass fails."
      : "No training-memory estimate (the training-mode trace failed; see the notes).";
    document.getElementById("memory").remove();
    return;
  }
  const points = memory.timeline;
  const peakIndex = points.reduce((best, p, i) => (p.bytes > points[best].bytes ? i : best), 0);
  const peak = points[peakIndex];
  caption.textContent = "Bytes alive through forward, backward (last op first) and optimizer.step(), batch " +
    memory.batch_size + ", " + memory.optimizer + " (" + memory.optimizer_implementation + "), " + memory.precision +
    ": parameters, optimizer state, input, saved activations, gradients. Peak " + formatBytes(peak.bytes) +
    " at " + peak.layer + " (" + peak.phase + "). Not included: allocator rounding, cuDNN workspaces, the CUDA context.";
  const drawn = chart("memory", [{ name: "bytes alive", colour: "#0969da", points: points.map((p, i) => [i, p.bytes]) }], {
    yMin: 0, formatY: formatBytes, xLabel: "op (forward → backward → step)",
    bands: (svg, X, Y, m, width, height) => {
      let start = 0;
      const edge = (i) => Math.min(Math.max(X(i), m.left), width - m.right);
      for (let i = 1; i <= points.length; i++) {
        if (i === points.length || points[i].phase !== points[start].phase) {
          // a phase spans from half a step before its first op to half a step after its last
          const x = edge(start - 0.5), w = Math.max(2, edge(i - 0.5) - x);
          svg.append(svgEl("rect", { x, y: m.top, width: w, height: height - m.top - m.bottom,
            fill: { forward: "#ddf4ff", backward: "#fff8c5", step: "#ffebe9" }[points[start].phase], opacity: 0.6 }));
          svg.append(svgEl("text", { x: Math.min(x + 4, width - m.right - 30), y: height - m.bottom + 14 }, points[start].phase));
          start = i;
        }
      }
    },
  });
  if (!drawn) return;
  const svg = document.getElementById("memory");
  const group = svgEl("g", { id: "memory-peak", "data-layer": peak.layer, "data-phase": peak.phase, "data-bytes": peak.bytes });
  const x = drawn.X(peakIndex), y = drawn.Y(peak.bytes);
  group.append(svgEl("circle", { cx: x, cy: y, r: 5, fill: "#cf222e" }));
  group.append(svgEl("text", { x: Math.min(x + 8, drawn.width - 220), y: y + 14, fill: "#cf222e" },
    "peak " + formatBytes(peak.bytes) + " at " + peak.layer + " (" + peak.phase + ")"));
  svg.append(group);
  for (const [i, p] of points.entries()) {
    const dot = svgEl("circle", { cx: drawn.X(i), cy: drawn.Y(p.bytes), r: 2.2, fill: "#0969da", opacity: 0.5 });
    dot.append(svgEl("title", {}, p.phase + " · " + p.layer + " · " + formatBytes(p.bytes)));
    svg.append(dot);
  }
}

function drawReceptive() {
  const caption = document.getElementById("rf-caption");
  const input = SUMMARY.input_shapes[0].slice(1);
  const rows = [];
  DATA.graph.nodes.forEach((n) => {
    const rf = row(n.id).receptive_field;
    if (n.op && rf && (rf.kind === "map" || rf.kind === "flat") && rf.size.length) rows.push([n, rf]);
  });
  const final = SUMMARY.receptive_field;
  const side = input.length ? Math.max(...input) : 0;
  if (!rows.length) { caption.textContent = "No layer with a spatial receptive field."; return; }
  caption.textContent = "What one unit of each layer's output sees of the input (largest side, in input pixels), layer by layer; the line is the input's side (" +
    input.join("×") + ")." + (final ? " The final map (" + final.layer + ", " + final.map.join("×") + ") sees " +
    final.size.join("×") + (final.head ? "; from " + final.head + " on, the whole input." : ".") : "");
  const points = rows.map(([, rf], i) => [i, Math.max(...rf.size)]);
  const drawn = chart("rf", [{ name: "receptive field", colour: "#8250df", points }], {
    yMin: 0, extraY: side, formatY: (v) => Math.round(v).toString(), xLabel: "layer (call order)",
  });
  if (!drawn) return;
  const svg = document.getElementById("rf");
  svg.append(svgEl("line", { x1: drawn.m.left, x2: drawn.width - drawn.m.right, y1: drawn.Y(side), y2: drawn.Y(side), stroke: "#cf222e", "stroke-dasharray": "5 4" }));
  svg.append(svgEl("text", { x: drawn.width - drawn.m.right - 4, y: drawn.Y(side) - 4, "text-anchor": "end", fill: "#cf222e" }, "input " + input.join("×")));
  rows.forEach(([n, rf], i) => {
    const dot = svgEl("circle", { cx: drawn.X(i), cy: drawn.Y(Math.max(...rf.size)), r: 3, fill: "#8250df", class: "rf-point", "data-layer": n.name });
    dot.append(svgEl("title", {}, n.name + ": " + describeField(rf)));
    svg.append(dot);
  });
}

// ---- findings, probe, doctor ----------------------------------------------------------------
function findingsTable(findings, empty) {
  if (!findings.length) return el("p", { class: "muted" }, empty);
  const table = el("table", { class: "data" });
  table.append(el("tr", {}, el("th", {}, "severity"), el("th", {}, "code"), el("th", {}, "layer"),
    el("th", {}, "where"), el("th", {}, "message"), el("th", {}, "fix")));
  const order = (f) => SEVERITIES.indexOf(f.severity);
  for (const f of findings.slice().sort((a, b) => order(a) - order(b))) {
    const tr = el("tr", { class: "finding", "data-code": f.code, "data-layer": f.layer || "" },
      el("td", {}, el("span", { class: "badge " + f.severity }, f.severity)),
      el("td", { class: "mono" }, f.code + " " + f.name), el("td", { class: "mono" }, f.layer || ""),
      el("td", { class: "mono" }, where(f.file, f.line)), el("td", {}, f.message),
      el("td", {}, f.fix ? el("code", {}, f.fix) : ""));
    if (f.layer) tr.addEventListener("click", () => reveal(f.layer));
    table.append(tr);
  }
  return table;
}

function drawFindings() {
  const box = document.getElementById("findings");
  box.append(findingsTable(LINT.findings, "lint found nothing in this model."));
  if (LINT.suppressed) box.append(el("p", { class: "muted" }, LINT.suppressed + " suppressed in the source."));
}

function cell(text, numeric) { return el("td", numeric ? { class: "num" } : {}, text === null || text === undefined ? "—" : String(text)); }

function drawProbe() {
  const probe = DATA.probe;
  if (!probe) return;
  const box = document.getElementById("probe");
  box.append(el("p", { class: "muted" }, probe.model + " · " + probe.steps + " steps at batch " + probe.batch_size +
    " on " + (probe.device_name || probe.device) + " · " + (probe.data || "")));
  const table = el("table", { class: "data", id: "probe-table" });
  table.append(el("tr", {}, ...["variant", "params", "MACs", "step (ms)", "peak memory", "accuracy", "verdict"].map((h, i) => el("th", i && i < 6 ? { class: "num" } : {}, h))));
  for (const v of probe.variants) {
    const timing = v.step_time_ms ? v.step_time_ms.median.toFixed(2) : null;
    table.append(el("tr", { "data-variant": v.name }, cell(v.name), cell(v.params === null ? null : v.params.toLocaleString("en-US"), true),
      cell(formatCount(v.macs), true), cell(timing, true), cell(formatBytes(v.peak_memory_bytes), true),
      cell(v.accuracy === null || v.accuracy === undefined ? null : (100 * v.accuracy).toFixed(1) + " %", true),
      cell([v.status, v.verdict].filter(Boolean).join(" · "))));
  }
  box.append(table);
  chart("probe-curves", probe.variants.map((v, i) => ({ name: v.name, colour: PALETTE[i % PALETTE.length],
    points: (v.loss_curve || []).map((loss, step) => [step + 1, loss]) })), { xLabel: "step", formatY: (v) => v.toFixed(2), legend: true });
}

function drawDoctor() {
  const doctor = DATA.doctor;
  if (!doctor) return;
  const box = document.getElementById("doctor");
  box.append(el("p", { class: "muted" }, doctor.model + " · " + (doctor.data || "") + " · loss: " + (doctor.loss ? doctor.loss.reason : "")));
  const table = el("table", { class: "data", id: "doctor-table" });
  table.append(el("tr", {}, el("th", {}, "check"), el("th", {}, "status"), el("th", {}, "what it measured")));
  for (const c of doctor.checks) {
    table.append(el("tr", { "data-code": c.code }, el("td", { class: "mono" }, c.code + " " + c.name),
      el("td", {}, el("span", { class: "badge " + c.status }, c.status)), el("td", {}, c.summary || "")));
  }
  box.append(table);
  box.append(el("h3", {}, "Findings"));
  box.append(findingsTable(doctor.findings, "the doctor found nothing."));
  const range = doctor.lr_range_test;
  if (range) {
    const drawn = chart("doctor-range", [{ name: "smoothed loss", colour: "#0969da", points: range.lrs.map((lr, i) => [lr, range.losses[i]]) }],
      { logX: true, xLabel: "learning rate (LR range test)", formatY: (v) => v.toFixed(2), legend: true });
    if (drawn && range.suggestion) {
      const svg = document.getElementById("doctor-range");
      const x = drawn.X(range.suggestion);
      svg.append(svgEl("line", { x1: x, x2: x, y1: drawn.m.top, y2: drawn.height - drawn.m.bottom, stroke: "#1a7f37", "stroke-dasharray": "4 3" }));
      svg.append(svgEl("text", { x: x + 4, y: drawn.m.top + 24, fill: "#1a7f37" }, "steepest descent " + range.suggestion.toExponential(1)));
    }
  } else {
    document.getElementById("doctor-range").remove();
  }
  const run = doctor.checks.find((c) => c.figures && Array.isArray(c.figures.losses));
  if (run) {
    chart("doctor-losses", [{ name: "short run loss (" + run.code + ")", colour: "#cf222e", points: run.figures.losses.map((l, i) => [i + 1, l]) }],
      { xLabel: "step", formatY: (v) => v.toFixed(2), legend: true });
  } else {
    document.getElementById("doctor-losses").remove();
  }
}

function drawNotes() {
  const notes = [...(DATA.notes || []), ...(SUMMARY.notes || [])];
  const unique = [...new Set(notes)];
  if (!unique.length) return;
  const box = document.getElementById("notes");
  box.append(el("h2", {}, "Notes"));
  const list = el("ul", {});
  for (const note of unique) list.append(el("li", {}, note));
  box.append(list);
}

function showOptional() {
  for (const item of document.querySelectorAll(".optional")) item.hidden = !DATA[item.dataset.for];
}

// A link can open the page in a state: #depth=3&select=layer1.0.conv1&colour=macs
function applyHash() {
  const wanted = new URLSearchParams(location.hash.replace(/^#/, ""));
  if (wanted.has("depth")) {
    const depth = Number(wanted.get("depth"));
    if (Number.isInteger(depth) && depth >= 1) {
      document.getElementById("depth").value = String(depth);
      expandToDepth(depth); drawGraph(); fit();
    }
  }
  if (wanted.has("colour")) {
    const button = document.querySelector('#colour-by button[data-metric="' + wanted.get("colour") + '"]');
    if (button) button.click();
  }
  if (wanted.has("select")) reveal(wanted.get("select"), false);
}

function main() {
  showOptional();
  drawHeader();
  setupGraph();
  applyHash();
  toggle("cost-metric", "metric", "params", (metric) => { costs.metric = metric; drawCosts(); });
  toggle("cost-order", "order", "model", (order) => { costs.order = order; drawCosts(); });
  drawCosts();
  drawMemory();
  drawReceptive();
  drawFindings();
  drawProbe();
  drawDoctor();
  drawNotes();
  document.body.dataset.ready = "yes";  // tests wait for this
}

try { main(); } catch (error) { pageError(error && error.stack ? error.stack : String(error)); throw error; }
