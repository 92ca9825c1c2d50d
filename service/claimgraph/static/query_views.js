// Result views of the query page besides the table: bar chart, line chart, timeline, graph.
// Small code of our own (no library), drawing SVG with createElementNS; every text goes in through
// textContent, never innerHTML: results are data. query.js asks which views fit a result
// (available), which one to show first (auto), and draws it (render).
(function () {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMBERS = ["integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger",
    "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte"].map(function (t) { return XSD + t; });
  const DATES = ["date", "dateTime", "gYear", "gYearMonth", "dateTimeStamp"].map(function (t) { return XSD + t; });
  const DATE_TEXT = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/;
  const COLOURS = ["#17324d", "#c2570c", "#2e7d32", "#6a1b9a", "#00838f", "#f9a825", "#5d4037", "#546e7a"];
  const WIDTH = 760;
  const LABELS = { table: "Table", bar: "Bar chart", line: "Line chart", timeline: "Timeline", graph: "Graph" };

  function kindOf(term) {
    if (!term) return null;
    if (term.type === "uri") return "iri";
    if (term.type === "bnode") return "text";
    if (term.datatype && NUMBERS.indexOf(term.datatype) >= 0 && isFinite(Number(term.value))) return "number";
    if (term.datatype && DATES.indexOf(term.datatype) >= 0 && !isNaN(toTime(term.value))) return "date";
    if (!term.datatype && DATE_TEXT.test(term.value)) return "date";
    return "text";
  }

  // What each column holds: iri, number, date or text (a column of mixed kinds is text).
  function columns(data) {
    const vars = data.head.vars;
    return vars.map(function (name) {
      let kind = null;
      data.results.bindings.forEach(function (row) {
        const k = kindOf(row[name]);
        if (k) kind = kind === null || kind === k ? k : "text";
      });
      return { name: name, kind: kind || "empty" };
    });
  }

  function of(cols, kind) {
    return cols.filter(function (c) { return c.kind === kind; });
  }

  function toTime(value) {
    const m = /^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(value);
    if (!m) return NaN;
    return Date.UTC(Number(m[1]), m[2] ? Number(m[2]) - 1 : 0, m[3] ? Number(m[3]) : 1);
  }

  // The views that fit a SELECT result, table first.
  function available(data) {
    if (!data.head || !data.results) return ["table"];
    const rows = data.results.bindings.length;
    const cols = columns(data);
    const numbers = of(cols, "number");
    const categories = of(cols, "text").concat(of(cols, "iri"));
    const found = ["table"];
    if (!rows) return found;
    if (numbers.length && categories.length) found.push("bar");
    if (numbers.length && rows >= 2 && (of(cols, "date").length || numbers.length >= 2 || categories.length)) {
      found.push("line");
    }
    if (of(cols, "date").length) found.push("timeline");
    if (of(cols, "iri").length >= 2) found.push("graph");
    return found;
  }

  // The view a result's shape suggests: dates without numbers are a timeline, dates with numbers a
  // line, categories with numbers bars, IRIs only a graph; anything else a table.
  function auto(data) {
    const views = available(data);
    if (views.length === 1) return "table";
    const cols = columns(data);
    const dates = of(cols, "date").length;
    const numbers = of(cols, "number").length;
    const iris = of(cols, "iri").length;
    // Charts are chosen only for the shapes they fit: a label or two beside the numbers.
    const others = cols.filter(function (c) { return c.kind === "text" || c.kind === "iri"; }).length;
    if (dates && !numbers && views.indexOf("timeline") >= 0) return "timeline";
    if (dates && numbers && others <= 1 && views.indexOf("line") >= 0) return "line";
    if (numbers && !dates && others <= 2 && views.indexOf("bar") >= 0) return "bar";
    if (iris >= 2 && iris === cols.filter(function (c) { return c.kind !== "empty"; }).length) return "graph";
    return "table";
  }

  function el(name, attrs, text) {
    const node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, String(attrs[key])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svgRoot(width, height, title, desc, css) {
    const svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height,
      class: "chart " + css, role: "group" });
    const id = "view-" + css;
    svg.setAttribute("aria-labelledby", id + "-title " + id + "-desc");
    svg.appendChild(el("title", { id: id + "-title" }, title));
    svg.appendChild(el("desc", { id: id + "-desc" }, desc));
    return svg;
  }

  function short(text, n) {
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }

  function niceMax(value) {
    if (value <= 0) return 1;
    const mag = Math.pow(10, Math.floor(Math.log10(value)));
    const steps = [1, 2, 2.5, 5, 10];
    for (let i = 0; i < steps.length; i++) if (steps[i] * mag >= value) return steps[i] * mag;
    return 10 * mag;
  }

  function ticks(max) {
    const step = niceMax(max / 5);
    const found = [];
    for (let t = 0; t <= max + step / 2; t += step) found.push(t);
    return found;
  }

  function number(value) {
    return Number(value).toLocaleString("en");
  }

  function legend(svg, keys, y) {
    let x = 8;
    keys.forEach(function (key, i) {
      const wide = 26 + 6.5 * key.length;
      if (x + wide > WIDTH) { x = 8; y += 18; }
      svg.appendChild(el("rect", { x: x, y: y, width: 12, height: 12, fill: COLOURS[i % COLOURS.length] }));
      svg.appendChild(el("text", { x: x + 16, y: y + 10, class: "tick" }, key));
      x += wide;
    });
    return y + 22;
  }

  // -- bar chart: first category column by first number column, stacked by a second category ----
  function bar(data, helpers) {
    const cols = columns(data);
    const value = of(cols, "number")[0].name;
    const cats = of(cols, "text").concat(of(cols, "iri"));
    const label = cats[0].name;
    const stack = cats.length > 1 ? cats[1].name : null;
    const order = [], stacks = [], totals = {}, parts = {};
    data.results.bindings.forEach(function (row) {
      const key = row[label] ? helpers.text(row[label]) : "(none)";
      const part = stack ? (row[stack] ? helpers.text(row[stack]) : "(none)") : value;
      const amount = row[value] ? Number(row[value].value) : 0;
      if (!(key in totals)) { order.push(key); totals[key] = 0; parts[key] = {}; }
      if (stacks.indexOf(part) < 0) stacks.push(part);
      totals[key] += amount;
      parts[key][part] = (parts[key][part] || 0) + amount;
    });
    const rowH = 26, left = 230, right = 60;
    let top = 8;
    const title = value + " by " + label + (stack ? " and " + stack : "");
    const height0 = order.length * rowH + 80 + (stack ? 18 * Math.ceil(stacks.length / 5) : 0);
    const svg = svgRoot(WIDTH, height0, title, "A bar per " + label + "; the table view gives every number.", "bar-view");
    if (stack) top = legend(svg, stacks, top);
    const max = niceMax(Math.max.apply(null, order.map(function (k) { return totals[k]; }).concat([0])));
    const scale = (WIDTH - left - right) / max;
    ticks(max).forEach(function (t) {
      const x = left + t * scale;
      svg.appendChild(el("line", { x1: x, x2: x, y1: top, y2: top + order.length * rowH, class: "grid" }));
      svg.appendChild(el("text", { x: x, y: top + order.length * rowH + 16, "text-anchor": "middle", class: "tick" }, number(t)));
    });
    order.forEach(function (key, i) {
      const y = top + i * rowH + 4;
      const g = el("g", { class: "bar-row" });
      g.appendChild(el("text", { x: left - 8, y: y + 13, "text-anchor": "end", class: "bar-label" }, short(key, 34)));
      let x = left;
      stacks.forEach(function (part, j) {
        const amount = parts[key][part] || 0;
        if (!amount) return;
        const rect = el("rect", { x: x, y: y, width: amount * scale, height: 18, fill: COLOURS[j % COLOURS.length], class: "bar" });
        rect.appendChild(el("title", {}, key + (stack ? " · " + part : "") + ": " + number(amount)));
        g.appendChild(rect);
        x += amount * scale;
      });
      g.appendChild(el("text", { x: x + 5, y: y + 13, class: "bar-value" }, number(totals[key])));
      svg.appendChild(g);
    });
    svg.setAttribute("height", top + order.length * rowH + 26);
    svg.setAttribute("viewBox", "0 0 " + WIDTH + " " + (top + order.length * rowH + 26));
    return svg;
  }

  // -- line chart: numbers against dates, numbers or row order ----------------------------------
  function line(data, helpers) {
    const cols = columns(data);
    const dates = of(cols, "date"), numbers = of(cols, "number");
    const cats = of(cols, "text").concat(of(cols, "iri"));
    let xcol, xkind;
    if (dates.length) { xcol = dates[0].name; xkind = "date"; }
    else if (numbers.length >= 2) { xcol = numbers[0].name; xkind = "number"; }
    else { xcol = cats[0].name; xkind = "category"; }
    const ys = numbers.filter(function (c) { return c.name !== xcol; }).map(function (c) { return c.name; });
    const rows = data.results.bindings.filter(function (row) { return row[xcol]; });
    const xval = function (row, i) {
      if (xkind === "date") return toTime(row[xcol].value);
      if (xkind === "number") return Number(row[xcol].value);
      return i;
    };
    const points = rows.map(function (row, i) { return { row: row, x: xval(row, i) }; });
    if (xkind !== "category") points.sort(function (a, b) { return a.x - b.x; });
    const left = 70, right = 20, top = ys.length > 1 ? 30 : 12, bottom = 40, height = 320;
    const svg = svgRoot(WIDTH, height, ys.join(", ") + " by " + xcol, "A line per number column; the table view gives every value.", "line-view");
    if (ys.length > 1) legend(svg, ys, 6);
    const xs = points.map(function (p) { return p.x; });
    const xmin = Math.min.apply(null, xs), xmax = Math.max.apply(null, xs);
    const all = [];
    points.forEach(function (p) { ys.forEach(function (y) { if (p.row[y]) all.push(Number(p.row[y].value)); }); });
    const ymax = niceMax(Math.max.apply(null, all.concat([0])));
    const px = function (x) { return left + (xmax === xmin ? 0.5 : (x - xmin) / (xmax - xmin)) * (WIDTH - left - right); };
    const py = function (y) { return top + (1 - y / ymax) * (height - top - bottom); };
    ticks(ymax).forEach(function (t) {
      svg.appendChild(el("line", { x1: left, x2: WIDTH - right, y1: py(t), y2: py(t), class: "grid" }));
      svg.appendChild(el("text", { x: left - 6, y: py(t) + 4, "text-anchor": "end", class: "tick" }, number(t)));
    });
    if (xkind === "category") {
      const step = Math.max(1, Math.ceil(points.length / 8));
      points.forEach(function (p, i) {
        if (i % step) return;
        svg.appendChild(el("text", { x: px(p.x), y: height - bottom + 18, "text-anchor": "middle", class: "tick" },
          short(helpers.text(p.row[xcol]), 14)));
      });
    } else {
      const count = xmax === xmin ? 1 : 5;
      for (let i = 0; i < count; i++) {
        const x = count === 1 ? xmin : xmin + (xmax - xmin) * i / (count - 1);
        const text = xkind === "date" ? new Date(x).toISOString().slice(0, 10) : number(Math.round(x * 100) / 100);
        svg.appendChild(el("text", { x: px(x), y: height - bottom + 18, "text-anchor": i === 0 && count > 1 ? "start" : i === count - 1 && count > 1 ? "end" : "middle", class: "tick" }, text));
      }
    }
    ys.forEach(function (y, j) {
      const colour = COLOURS[j % COLOURS.length];
      const pts = points.filter(function (p) { return p.row[y]; });
      const d = pts.map(function (p, i) { return (i ? "L" : "M") + px(p.x) + "," + py(Number(p.row[y].value)); }).join(" ");
      svg.appendChild(el("path", { d: d, fill: "none", stroke: colour, "stroke-width": 2, class: "line" }));
      pts.forEach(function (p) {
        const dot = el("circle", { cx: px(p.x), cy: py(Number(p.row[y].value)), r: 4, fill: colour, class: "point" });
        dot.appendChild(el("title", {}, y + " = " + number(p.row[y].value) + " at " + helpers.text(p.row[xcol])));
        svg.appendChild(dot);
      });
    });
    return svg;
  }

  // -- timeline: rows on a time axis, labelled, linked to the row's first IRI -------------------------
  function timeline(data, helpers) {
    const cols = columns(data);
    const dates = of(cols, "date");
    const start = dates[0].name, end = dates.length > 1 ? dates[1].name : null;
    const labelCol = of(cols, "text")[0] || of(cols, "iri")[0] || dates[0];
    const linkCol = of(cols, "iri")[0];
    const rows = data.results.bindings.filter(function (row) { return row[start]; }).map(function (row) {
      const t0 = toTime(row[start].value);
      const t1 = end && row[end] ? toTime(row[end].value) : t0;
      return { row: row, t0: t0, t1: Math.max(t0, t1) };
    }).sort(function (a, b) { return a.t0 - b.t0; });
    const tmin = Math.min.apply(null, rows.map(function (r) { return r.t0; }));
    const tmax = Math.max.apply(null, rows.map(function (r) { return r.t1; }));
    const span = Math.max(tmax - tmin, 86400000 * 30);
    const left = 20, right = 20, laneH = 34, axis = 34;
    const px = function (t) { return left + (t - tmin) / span * (WIDTH - left - right - 250); };
    const lanes = [];
    rows.forEach(function (r) {
      const x = px(r.t0), labelEnd = Math.max(px(r.t1), x) + 12 + 6.5 * Math.min(helpers.text(r.row[labelCol.name] || r.row[start]).length, 36);
      let lane = lanes.findIndex(function (endX) { return endX < x - 4; });
      if (lane < 0) { lane = lanes.length; lanes.push(0); }
      lanes[lane] = labelEnd;
      r.lane = lane;
    });
    const height = axis + lanes.length * laneH + 16;
    const svg = svgRoot(WIDTH, height, "Timeline of " + labelCol.name + " by " + start,
      "Each row of the result at its date" + (end ? ", a bar to its end date" : "") + "; the table view lists them.", "timeline-view");
    const y0 = 20;
    svg.appendChild(el("line", { x1: left, x2: WIDTH - right, y1: y0, y2: y0, class: "axis" }));
    const firstYear = new Date(tmin).getUTCFullYear(), lastYear = new Date(tmin + span).getUTCFullYear();
    const every = Math.max(1, Math.ceil((lastYear - firstYear + 1) / 10));
    for (let year = firstYear; year <= lastYear + 1; year += every) {
      const t = Date.UTC(year, 0, 1);
      if (t < tmin - 86400000 * 31 || t > tmin + span) continue;
      svg.appendChild(el("line", { x1: px(t), x2: px(t), y1: y0 - 4, y2: height, class: "grid" }));
      svg.appendChild(el("text", { x: px(t) + 3, y: y0 - 6, class: "tick" }, String(year)));
    }
    rows.forEach(function (r) {
      const y = axis + r.lane * laneH + 10;
      const label = helpers.text(r.row[labelCol.name] || r.row[start]);
      const target = linkCol && r.row[linkCol.name] ? helpers.href(r.row[linkCol.name].value) : null;
      const g = target ? el("a", { href: target, class: "event" }) : el("g", { class: "event" });
      g.appendChild(el("title", {}, r.row[start].value + (end && r.row[end] ? " to " + r.row[end].value : "") + ": " + label));
      if (r.t1 > r.t0) {
        g.appendChild(el("rect", { x: px(r.t0), y: y - 5, width: Math.max(px(r.t1) - px(r.t0), 3), height: 10, rx: 4, fill: COLOURS[1], "fill-opacity": 0.5 }));
      }
      g.appendChild(el("circle", { cx: px(r.t0), cy: y, r: 5, fill: COLOURS[0] }));
      g.appendChild(el("text", { x: Math.max(px(r.t1), px(r.t0)) + 10, y: y + 4, class: "event-label" }, short(label, 36)));
      g.appendChild(el("text", { x: px(r.t0), y: y + 17, class: "tick" }, r.row[start].value));
      svg.appendChild(g);
    });
    return svg;
  }

  // -- graph: IRIs as nodes, each row linking its first IRI to the others -------------------------
  function graph(data, helpers) {
    const iris = of(columns(data), "iri").map(function (c) { return c.name; });
    const nodes = [], index = {}, edges = [];
    function node(iri) {
      if (!(iri in index)) { index[iri] = nodes.length; nodes.push({ iri: iri, x: 0, y: 0, dx: 0, dy: 0 }); }
      return index[iri];
    }
    data.results.bindings.forEach(function (row) {
      // Each IRI column links to the next one the row binds: claim -> source -> issuer.
      let from = null;
      iris.forEach(function (name) {
        const to = row[name];
        if (!to || to.type !== "uri") return;
        if (from && to.value !== from.value) edges.push([node(from.value), node(to.value), name]);
        else node(to.value);
        from = to;
      });
    });
    const limit = 250;
    const shown = nodes.slice(0, limit);
    const height = Math.max(360, Math.min(900, 120 + 14 * shown.length));
    const cx = WIDTH / 2, cy = height / 2;
    shown.forEach(function (n, i) {
      const a = 2 * Math.PI * i / shown.length;
      n.x = cx + Math.cos(a) * (WIDTH / 3); n.y = cy + Math.sin(a) * (height / 3);
    });
    const links = edges.filter(function (e) { return e[0] < limit && e[1] < limit; });
    const k = Math.min(70, Math.sqrt((WIDTH * height) / Math.max(shown.length, 1)) * 0.5);
    for (let step = 0; step < 200; step++) {
      shown.forEach(function (n) { n.dx = 0; n.dy = 0; });
      for (let i = 0; i < shown.length; i++) for (let j = i + 1; j < shown.length; j++) {
        const a = shown[i], b = shown[j];
        let dx = a.x - b.x, dy = a.y - b.y;
        const d = Math.max(Math.sqrt(dx * dx + dy * dy), 0.01), f = k * k / d;
        dx /= d; dy /= d; a.dx += dx * f; a.dy += dy * f; b.dx -= dx * f; b.dy -= dy * f;
      }
      links.forEach(function (e) {
        const a = shown[e[0]], b = shown[e[1]];
        let dx = a.x - b.x, dy = a.y - b.y;
        const d = Math.max(Math.sqrt(dx * dx + dy * dy), 0.01), f = d * d / k;
        dx /= d; dy /= d; a.dx -= dx * f; a.dy -= dy * f; b.dx += dx * f; b.dy += dy * f;
      });
      shown.forEach(function (n) { n.dx += (cx - n.x) * 2; n.dy += (cy - n.y) * 2; });
      const temp = 40 * (1 - step / 200) + 1;
      shown.forEach(function (n) {
        const d = Math.max(Math.sqrt(n.dx * n.dx + n.dy * n.dy), 0.01);
        n.x = Math.min(WIDTH - 90, Math.max(90, n.x + n.dx / d * Math.min(d, temp)));
        n.y = Math.min(height - 20, Math.max(20, n.y + n.dy / d * Math.min(d, temp)));
      });
    }
    const svg = svgRoot(WIDTH, height, "Graph of " + iris.join(", "),
      shown.length + " resources linked by " + links.length + " rows" + (nodes.length > limit ? " (the first " + limit + " shown)" : "") +
      "; each node links to its page, the table view lists every row.", "graph-view");
    links.forEach(function (e) {
      const a = shown[e[0]], b = shown[e[1]];
      const ln = el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: "graph-edge", stroke: "#8a96a3" });
      ln.appendChild(el("title", {}, helpers.short(a.iri) + " — " + e[2] + " → " + helpers.short(b.iri)));
      svg.appendChild(ln);
    });
    // Fit the picture to where the nodes settled.
    const ys = shown.map(function (n) { return n.y; });
    const ymin = Math.min.apply(null, ys) - 20, yspan = Math.max.apply(null, ys) - ymin + 20;
    svg.setAttribute("viewBox", "0 " + ymin + " " + WIDTH + " " + yspan);
    svg.setAttribute("height", String(Math.round(yspan)));
    shown.forEach(function (n) {
      const target = helpers.href(n.iri);
      const a = target ? el("a", { href: target, class: "graph-node" }) : el("g", { class: "graph-node" });
      a.appendChild(el("title", {}, n.iri));
      a.appendChild(el("circle", { cx: n.x, cy: n.y, r: 6, fill: COLOURS[0] }));
      a.appendChild(el("text", { x: n.x + 8, y: n.y + 4, class: "node-label" }, short(helpers.short(n.iri), 28)));
      svg.appendChild(a);
    });
    return svg;
  }

  const DRAW = { bar: bar, line: line, timeline: timeline, graph: graph };

  function render(view, data, container, helpers) {
    const figure = document.createElement("figure");
    figure.className = "result-view view-" + view;
    const scroll = document.createElement("div");
    scroll.className = "picture-scroll";
    scroll.appendChild(DRAW[view](data, helpers));
    figure.appendChild(scroll);
    container.appendChild(figure);
  }

  window.ClaimgraphViews = { available: available, auto: auto, render: render, labels: LABELS };
})();
