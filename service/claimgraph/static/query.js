// The query page: runs the editor's query through /sparql itself and shows the answer as a table.
// Everything it writes into the page goes through textContent (never innerHTML): results are data.
(function () {
  "use strict";

  const form = document.getElementById("query-form");
  if (!form) return;
  const endpoint = form.getAttribute("action");
  const base = form.dataset.base; // the dataset's base IRI: IRIs under it link to this server
  const root = form.dataset.root || "";
  const textarea = document.getElementById("query");
  const cite = document.getElementById("cite");
  const format = document.getElementById("format");
  const status = document.getElementById("status");
  const errorBox = document.getElementById("error");
  const results = document.getElementById("results");
  const links = document.getElementById("links");
  const share = document.getElementById("share");
  const csv = document.getElementById("download-csv");
  const json = document.getElementById("download-json");
  const CITED = new Set(["citedClaims", "citedSources"]);
  const switcher = document.getElementById("view-switch");
  const VIEWS = window.ClaimgraphViews || null;
  // The view asked for in the page's URL (a shared link) or by a click; null: the result's shape decides.
  let chosenView = new URLSearchParams(window.location.search).get("view");
  let lastData = null;

  let editor = null;
  if (window.CodeMirror) {
    editor = window.CodeMirror.fromTextArea(textarea, {
      mode: "application/sparql-query",
      lineNumbers: true,
      screenReaderLabel: "SPARQL query",
      // Tab must leave the editor (no keyboard trap); Ctrl+Enter runs the query.
      extraKeys: { Tab: false, "Shift-Tab": false, "Ctrl-Enter": run, "Cmd-Enter": run },
    });
  } else {
    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run();
    });
  }

  function text() {
    return editor ? editor.getValue() : textarea.value;
  }

  function setText(value) {
    if (editor) editor.setValue(value);
    else textarea.value = value;
  }

  function params(extra) {
    const p = new URLSearchParams();
    p.set("query", text());
    if (cite.checked) p.set("cite", "1");
    for (const [key, value] of Object.entries(extra || {})) p.set(key, value);
    return p;
  }

  function updateLinks() {
    share.href = endpoint + "?" + params(chosenView ? { view: chosenView } : {});
    csv.href = endpoint + "?" + params({ format: "csv" });
    json.href = endpoint + "?" + params({ format: "json" });
    links.hidden = false;
    // The page's own URL becomes the shareable one: opening it reopens (and reruns) the query.
    window.history.replaceState(null, "", share.href);
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    status.textContent = "The query failed.";
  }

  function localHref(iri) {
    return base && iri.startsWith(base) ? root + "/" + iri.slice(base.length) : iri;
  }

  // Only http(s) IRIs become links: a result may hold any IRI (javascript:, data:, …), and a
  // shared URL reruns its query, so any other scheme is shown as text, never followed.
  function iriLink(iri) {
    const local = base && iri.startsWith(base);
    if (!local && !/^https?:\/\//i.test(iri)) {
      const span = document.createElement("span");
      span.className = "iri";
      span.textContent = iri;
      return span;
    }
    const a = document.createElement("a");
    a.href = localHref(iri);
    a.textContent = base && iri.startsWith(base) ? iri.slice(base.length) : iri;
    a.title = iri;
    return a;
  }

  function cell(name, term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      td.appendChild(iriLink(term.value));
    } else if (CITED.has(name)) {
      // Citation mode's columns are space-separated IRIs: one link each.
      term.value.split(/\s+/).filter(Boolean).forEach(function (iri, i) {
        if (i) td.appendChild(document.createTextNode(" "));
        td.appendChild(iriLink(iri));
      });
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.textContent = term.value;
      const note = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? term.datatype.split(/[#/]/).pop() : "";
      if (note) {
        const small = document.createElement("span");
        small.className = "note";
        small.textContent = note;
        td.appendChild(small);
      }
    }
    return td;
  }

  function shortIri(iri) {
    return base && iri.startsWith(base) ? iri.slice(base.length) : iri.replace(/^.*[/#](?=[^/#]+$)/, "");
  }

  // Where a view may link an IRI: this server's page for our IRIs, the IRI itself for http(s),
  // nowhere (null) for any other scheme (javascript:, data:, …), which views draw unlinked.
  function safeHref(iri) {
    if (base && iri.startsWith(base)) return localHref(iri);
    return /^https?:\/\//i.test(iri) ? iri : null;
  }

  const helpers = {
    href: safeHref,
    short: shortIri,
    text: function (term) {
      return term ? (term.type === "uri" ? shortIri(term.value) : term.value) : "";
    },
  };

  function showViews(data) {
    lastData = data;
    const views = VIEWS && data.head && data.results ? VIEWS.available(data) : ["table"];
    const view = chosenView && views.indexOf(chosenView) >= 0 ? chosenView : VIEWS ? VIEWS.auto(data) : "table";
    switcher.replaceChildren();
    switcher.hidden = views.length < 2;
    views.forEach(function (name) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = VIEWS.labels[name];
      button.dataset.view = name;
      button.setAttribute("aria-pressed", String(name === view));
      button.addEventListener("click", function () {
        chosenView = name;
        updateLinks();
        showViews(lastData);
        const pressed = switcher.querySelector('[data-view="' + name + '"]');
        if (pressed) pressed.focus();
      });
      switcher.appendChild(button);
    });
    results.replaceChildren();
    results.dataset.view = view;
    if (view === "table") renderTable(data);
    else {
      VIEWS.render(view, data, results, helpers);
      const rows = data.results.bindings.length;
      status.textContent = rows + (rows === 1 ? " row" : " rows") + ", shown as: " + VIEWS.labels[view].toLowerCase() + ".";
    }
  }

  function renderTable(data) {
    if (Object.prototype.hasOwnProperty.call(data, "boolean")) {
      status.textContent = "ASK: " + (data.boolean ? "yes (true)" : "no (false)");
      return;
    }
    const vars = data.head.vars;
    const rows = data.results.bindings;
    status.textContent = rows.length + (rows.length === 1 ? " row" : " rows");
    const table = document.createElement("table");
    table.className = "results";
    const caption = document.createElement("caption");
    caption.className = "visually-hidden";
    caption.textContent = "Query results";
    table.appendChild(caption);
    const head = table.createTHead().insertRow();
    vars.forEach(function (name) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      head.appendChild(th);
    });
    const body = table.createTBody();
    rows.forEach(function (row) {
      const tr = body.insertRow();
      vars.forEach(function (name) {
        tr.appendChild(cell(name, row[name]));
      });
    });
    results.appendChild(table);
  }

  function renderText(body) {
    const pre = document.createElement("pre");
    pre.textContent = body;
    results.appendChild(pre);
    status.textContent = "Graph result (Turtle).";
  }

  async function run() {
    errorBox.hidden = true;
    results.replaceChildren();
    status.textContent = "Running…";
    updateLinks();
    let response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: {
          Accept: "application/sparql-results+json, text/turtle;q=0.9",
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: params(),
      });
    } catch (err) {
      showError("The server could not be reached: " + err.message);
      return;
    }
    switcher.hidden = true;
    const body = await response.text();
    if (!response.ok) {
      showError(body.trim() || response.status + " " + response.statusText);
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    if (type.includes("sparql-results+json")) showViews(JSON.parse(body));
    else renderText(body);
  }

  form.addEventListener("submit", function (event) {
    if (format.value) return; // a download format: let the browser fetch it
    event.preventDefault();
    run();
  });

  document.querySelectorAll("a.example").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      setText(document.getElementById("example-" + link.dataset.name).value);
      chosenView = null;
      format.value = "";
      run();
      (editor ? editor.getWrapperElement() : textarea).scrollIntoView({ block: "nearest" });
    });
  });

  if (form.dataset.autorun) run();
})();
