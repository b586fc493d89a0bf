// medbrief's page. Vanilla JavaScript, no dependencies, nothing loaded from
// elsewhere. Every text that comes from a source or from the question is
// inserted as a text node (el() below); this file never assigns innerHTML.
//
// Layout: the answer first (the bottom line, else Key Findings), then the
// guidelines (one card per guideline document, grades as chips with a legend),
// the research, the references. Each part is a <section id="sec-..."
// data-part="..."> (sec-bottom-line, sec-key-findings, sec-guidelines,
// sec-research, sec-references): other scripts may fill or stream into them.
// Hooks for them: a "medbrief:stage" event on document for every streamed
// stage ({name, data}) and "medbrief:brief" once the brief is on the page.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $("ask-form");
  const questionBox = $("question");
  const askButton = $("ask-button");
  const statusLine = $("status");
  const errorBox = $("error");
  const briefEl = $("brief");
  const card = $("card");
  const designLabels = new Map();
  let refs = new Map();
  let cardOpener = null;
  let cardToken = 0;

  // ------------------------------------------------------------ helpers

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // Children for append()/replaceChildren(): nested lists flattened, gaps dropped.
  function nodes(...items) {
    return items.flat(Infinity).filter((x) => x !== null && x !== undefined && x !== false);
  }

  // Only absolute http(s) links are ever made clickable: a source URL such as
  // "javascript:..." stays text.
  function safeUrl(url) {
    if (typeof url !== "string" || !/^https?:\/\//i.test(url.trim())) return null;
    try {
      return new URL(url.trim()).href;
    } catch {
      return null;
    }
  }

  function extLink(url, text) {
    const href = safeUrl(url);
    if (!href) return document.createTextNode(text);
    return el("a", { href, target: "_blank", rel: "noopener noreferrer" }, text);
  }

  function pubmedUrl(pmid) {
    return pmid ? `https://pubmed.ncbi.nlm.nih.gov/${encodeURIComponent(pmid)}/` : null;
  }

  function doiUrl(doi) {
    return doi ? `https://doi.org/${doi.split("/").map(encodeURIComponent).join("/")}` : null;
  }

  function designLabel(design) {
    return designLabels.get(design) || design;
  }

  function studyFacts(ref) {
    const parts = [];
    if (ref.kind === "guideline") parts.push("guideline");
    else if (ref.design) parts.push(designLabel(ref.design));
    if (ref.sample_size) parts.push(`n = ${ref.sample_size.toLocaleString("en")}`);
    if (ref.year) parts.push(String(ref.year));
    if (ref.retracted) parts.push("RETRACTED");
    return parts.join(", ");
  }

  function setStatus(text) {
    statusLine.textContent = text;
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = false;
  }

  function clearError() {
    errorBox.textContent = "";
    errorBox.hidden = true;
  }

  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body && body.error && body.error.message) return body.error.message;
    } catch {
      // not JSON: fall through to the status line
    }
    return `The server answered ${response.status} ${response.statusText}.`;
  }

  // ------------------------------------------------------------ the form

  const FILTER_KEYS = ["year_min", "year_max", "kinds", "designs"];

  function readFilters() {
    const filters = {};
    for (const [id, key] of [["year-min", "year_min"], ["year-max", "year_max"]]) {
      const value = $(id).value.trim();
      if (!value) continue;
      const year = Number(value);
      if (!Number.isInteger(year) || year < 1700 || year > 2100) {
        throw new Error("Years must be whole numbers between 1700 and 2100.");
      }
      filters[key] = year;
    }
    if (filters.year_min && filters.year_max && filters.year_min > filters.year_max) {
      throw new Error("The first year is after the last year.");
    }
    const guidelines = $("kind-guidelines").checked;
    const research = $("kind-research").checked;
    if (!guidelines && !research) throw new Error("Tick Guidelines, Research, or both.");
    if (guidelines && !research) filters.kinds = ["guideline", "recommendation"];
    if (research && !guidelines) filters.kinds = ["research"];
    const designs = [...document.querySelectorAll("#design-list input:checked")].map((i) => i.value);
    if (designs.length) filters.designs = designs;
    return Object.keys(filters).length ? filters : null;
  }

  // The form from an address (?q=...&year_min=2015&kinds=research&designs=rct):
  // a shared link reproduces the brief, filters included.
  function writeFilters(params) {
    $("year-min").value = params.get("year_min") || "";
    $("year-max").value = params.get("year_max") || "";
    const kinds = params.getAll("kinds");
    $("kind-guidelines").checked = !kinds.length || kinds.some((k) => k !== "research");
    $("kind-research").checked = !kinds.length || kinds.includes("research");
    const designs = new Set(params.getAll("designs"));
    for (const box of document.querySelectorAll("#design-list input")) box.checked = designs.has(box.value);
    if (FILTER_KEYS.some((k) => params.has(k))) $("filters").open = true;
  }

  function queryString(question, filters) {
    const params = new URLSearchParams({ q: question });
    for (const [key, value] of Object.entries(filters || {})) {
      for (const item of [].concat(value)) params.append(key, String(item));
    }
    return params;
  }

  function exportHref(format, question, filters) {
    const params = queryString(question, filters);
    if (format === "html") params.set("download", "false");
    return `/api/export/${format}?${params}`;
  }

  function filtersSummary(filters) {
    if (!filters) return "";
    const parts = [];
    if (filters.year_min || filters.year_max) parts.push(`${filters.year_min || "any"}–${filters.year_max || "any"}`);
    if (filters.kinds) parts.push(filters.kinds.includes("research") ? "research only" : "guidelines only");
    if (filters.designs) parts.push(filters.designs.map(designLabel).join(", "));
    return parts.length ? `(${parts.join("; ")})` : "";
  }

  async function loadMeta() {
    try {
      const response = await fetch("/api/meta");
      if (!response.ok) return;
      const meta = await response.json();
      questionBox.maxLength = meta.max_question_chars;
      const list = $("design-list");
      for (const design of meta.designs) {
        designLabels.set(design.name, design.label);
        if (design.name === "guideline") continue; // the Sources filter covers guidelines
        const id = `design-${design.name}`;
        list.append(
          el("label", { for: id }, el("input", { type: "checkbox", id, value: design.name }), ` ${design.label}`),
        );
      }
    } catch {
      // The form works without the design list; the server enforces the limits.
    }
  }

  // ----------------------------------------------------------- streaming

  function parseEvent(raw) {
    let event = "message";
    const data = [];
    for (const line of raw.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    return data.length ? { event, data: JSON.parse(data.join("\n")) } : null;
  }

  async function streamBrief(question, filters, onStage) {
    const body = filters ? { question, filters } : { question };
    const response = await fetch("/api/ask/stream", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (!event) continue;
        document.dispatchEvent(new CustomEvent("medbrief:stage", { detail: { name: event.event, data: event.data } }));
        if (event.event === "brief") return event.data;
        if (event.event === "error") throw new Error(event.data.error.message);
        onStage(event.event, event.data);
      }
    }
    throw new Error("The server closed the connection before the brief was finished.");
  }

  // First-run progress: each step the server announces is listed with the
  // time it took, so a long first answer says what it is waiting for.
  let progressStarted = 0;
  let firstRun = false;

  function progressStep(message) {
    const list = $("progress");
    const now = performance.now();
    const last = list.lastElementChild;
    if (last && !last.dataset.done) {
      last.dataset.done = "1";
      last.append(el("span", { class: "took" }, ` done in ${((now - Number(last.dataset.start)) / 1000).toFixed(1)} s`));
    }
    if (message === null) return;
    if (!progressStarted) progressStarted = now;
    if (/^First run/.test(message)) firstRun = true;
    list.append(el("li", { "data-start": String(now) }, message));
    list.hidden = false;
  }

  function onStage(name, data) {
    if (name === "preparing") {
      progressStep(data.message);
      setStatus(data.message);
    } else if (name === "reading") {
      progressStep(null);
      renderReading(data);
      $("brief-body").replaceChildren(el("p", { class: "pending" }, "Searching the guidelines and the studies…"));
      briefEl.hidden = false;
      setStatus("Question read; searching the guidelines…");
    } else if (name === "guidelines") {
      setStatus(`${data.length} guideline recommendation(s) found; reading the studies…`);
    } else if (name === "research") {
      setStatus(`${data.length} research sub-topic(s) graded; writing the brief…`);
    } else if (name === "extractive") {
      renderBrief(data); // the brief before a language model's prose (writer.js adds it)
      setStatus("Brief ready; the language model is writing its summaries…");
    }
  }

  // ---------------------------------------------------------- rendering

  function renderReading(reading) {
    const out = [];
    out.push(el("p", {}, "You asked: ", el("q", {}, reading.question)));
    if (reading.corrections.length) {
      out.push(
        el("p", {}, "Spelling corrected: ",
          reading.corrections.map((c, i) => [i ? ", " : "", el("del", {}, c.from), " → ", el("ins", {}, c.to)])),
      );
    }
    if (reading.expansions.length) {
      out.push(el("p", {}, "Abbreviations: ", reading.expansions.map((x, i) => [i ? ", " : "", `${x.from} = ${x.to}`])));
    }
    if (reading.concepts.length) {
      out.push(el("p", {}, "Concepts: ", el("span", { class: "concepts" }, reading.concepts.map((c) => el("span", { class: "concept" }, c)))));
    }
    if (reading.searched) out.push(el("p", {}, "Searched for: ", el("code", {}, reading.searched)));
    for (const note of reading.notes) out.push(el("p", { class: "note" }, note));
    $("brief-title").textContent = reading.question;
    $("reading-body").replaceChildren(...nodes(out));
    // one line, always in view: what was corrected and which concepts were searched
    const summary = [];
    if (reading.corrections.length) summary.push(reading.corrections.map((c) => `${c.from} → ${c.to}`).join(", "));
    if (reading.concepts.length) summary.push(reading.concepts.join(" · "));
    $("reading-summary").textContent = summary.join("; ") || reading.corrected;
  }

  // The sentence that backs [n] where it is cited: the bullet's own citation,
  // else the sentence the study was counted on, else any sentence the brief
  // quotes from it, else (a guideline) its statement.
  function supportFor(n, bullet) {
    const own = bullet && (bullet.citations || []).find((c) => c.n === n && c.sentence);
    if (own) return own.sentence;
    const ref = refs.get(n);
    if (ref && ref.stance && ref.stance.sentence) return ref.stance.sentence;
    if (quoted.has(n)) return quoted.get(n);
    const g = guidelineFor(n, bullet);
    return g ? g.statement : null;
  }

  // Which recommendation of guideline document [n] a statement cites: the one
  // whose words it repeats (Key Findings quote a recommendation's first
  // sentence), else the document's first.
  function guidelineFor(n, bullet) {
    const items = currentBrief ? currentBrief.guidelines.filter((x) => x.ref === n) : [];
    const text = bullet && bullet.text ? bullet.text : "";
    return items.find((g) => text.includes(g.statement.slice(0, 60))) || items[0] || null;
  }

  function citeButton(n, bullet, itemId) {
    const ref = refs.get(n);
    const label = ref ? `Source ${n}: ${ref.title}` : `Source ${n}`;
    const button = el("button", { type: "button", class: "cite", "aria-label": label, "aria-haspopup": "dialog", "data-n": n }, String(n));
    button.addEventListener("click", () => {
      const g = itemId ? null : guidelineFor(n, bullet);
      openCard(n, supportFor(n, bullet), button, itemId || (g && g.item_id));
    });
    return button;
  }

  // "[3, 4, 5]": each number keeps its bracket or comma on its line, and a long
  // group may still wrap between numbers (a phone is 375 px wide).
  function citeGroup(numbers, bullet, itemId) {
    const last = numbers.length - 1;
    const parts = numbers.map((n, i) => [
      i ? " " : "",
      el("span", { class: "cite-item" }, i ? "" : "[", citeButton(n, bullet, itemId), i === last ? "]" : ","),
    ]);
    return el("span", { class: "cites" }, parts);
  }

  // A "summary" bullet (and the bottom line) carries its own [3, 4] markers in
  // its text; turn them into buttons when every number is a known reference.
  function withMarkers(text, bullet) {
    const out = [];
    const markers = /\[(\d+(?:,\s*\d+)*)\]/g;
    let last = 0;
    for (const match of text.matchAll(markers)) {
      const numbers = match[1].split(/,\s*/).map(Number);
      if (!numbers.every((n) => refs.has(n))) continue;
      out.push(text.slice(last, match.index), citeGroup(numbers, bullet));
      last = match.index + match[0].length;
    }
    out.push(text.slice(last));
    return out;
  }

  function bulletItem(bullet) {
    if (bullet.kind === "summary") return el("li", { class: "summary" }, withMarkers(bullet.text, bullet));
    const facts = bullet.refs.map((n) => refs.get(n)).filter(Boolean).map(studyFacts).filter(Boolean);
    return el("li", {},
      bullet.text,
      bullet.refs.length ? [" ", citeGroup(bullet.refs, bullet)] : null,
      facts.length ? [" ", el("span", { class: "facts" }, `(${facts.join("; ")})`)] : null);
  }

  function chip(grade) {
    const kind = grade.kind === "strength" ? "Strength" : "Certainty of evidence";
    const title = grade.code ? `${kind}: see “${grade.code}” in the legend below` : `${kind}, as the source words it`;
    return [
      el("span", { class: `chip tone-${grade.tone}`, title, "data-system": grade.system || "text" },
        el("span", { class: "chip-kind" }, grade.kind === "strength" ? "Strength: " : "Certainty: "), grade.label),
      grade.note ? el("span", { class: "note chip-note" }, `(curator's note: ${grade.note})`) : null,
    ];
  }

  function gradeLine(g) {
    const grades = g.grades || [];
    const strength = grades.find((x) => x.kind === "strength");
    const certainty = grades.find((x) => x.kind === "certainty");
    const ungraded = ["summary", "excerpt"].includes(g.statement_type) && !strength && !certainty;
    if (ungraded) return el("p", { class: "grade" }, el("strong", {}, "As graded by the source: "), "no grading recorded apart from any quoted in the text");
    return el("p", { class: "grade" },
      el("strong", {}, "As graded by the source: "),
      strength ? chip(strength) : el("span", { class: "chip tone-none" }, "Strength not stated"), " ",
      certainty ? chip(certainty) : el("span", { class: "chip tone-none" }, "Certainty not stated"),
      g.certainty_quote ? el("span", { class: "meta certainty-quote" }, " — the source's words: ", el("q", {}, g.certainty_quote)) : null);
  }

  function recommendationItem(g) {
    return el("li", { class: "recommendation", id: g.item_id ? `rec-${g.ref}-${g.item_id}` : null },
      gradeLine(g),
      el("blockquote", {}, g.statement, " ", citeGroup([g.ref], null, g.item_id)),
      g.truncated ? el("p", { class: "note" }, "The stored copy of this statement ends here; the source has the rest.") : null,
      g.direction ? el("p", { class: "meta" }, `Direction: ${g.direction}`) : null,
      g.statement_type && g.statement_type !== "verbatim" ? el("p", { class: "meta" }, `Wording: ${g.wording || g.statement_type}`) : null,
      g.key_points.length
        ? el("details", { class: "key-points" }, el("summary", {}, `Key points (${g.key_points.length})`),
          el("ul", {}, g.key_points.map((p) => el("li", {}, p))))
        : null);
  }

  // One card per guideline document, its recommendations under it.
  function guidelineCards(guidelines) {
    const groups = new Map();
    for (const g of guidelines) {
      if (!groups.has(g.ref)) groups.set(g.ref, []);
      groups.get(g.ref).push(g);
    }
    return [...groups.entries()].map(([n, items]) => {
      const ref = refs.get(n) || {};
      const first = items[0];
      const superseded = ref.superseded;
      return el("li", { class: `guideline${superseded ? " superseded" : ""}` },
        el("h4", {}, first.body, first.year ? ` (${first.year})` : "", " ", citeGroup([n], null, first.item_id),
          superseded ? el("span", { class: "badge badge-superseded" }, "Superseded") : null),
        ref.title ? el("p", { class: "meta guideline-title" }, ref.title) : null,
        el("ol", { class: "recommendations" }, items.map(recommendationItem)));
    });
  }

  function legend(systems) {
    if (!systems || !systems.length) return null;
    return el("details", { class: "legend", id: "grade-legend" },
      el("summary", {}, "What the grades mean"),
      systems.map((s) => el("div", { class: "legend-system" },
        el("h4", {}, s.name),
        el("dl", {}, s.entries.map((e) => [
          el("dt", { class: e.used ? "used" : null }, e.code, e.used ? el("span", { class: "visually-hidden" }, " (in this brief)") : null),
          el("dd", { class: e.used ? "used" : null }, e.meaning),
        ])))));
  }

  const STATUS = {
    evidence: "Evidence found",
    no_evidence: "No study among those retrieved addresses this",
    inconsistent: "Inconsistent evidence",
  };

  function facetSection(facet, i) {
    const id = `facet-${i}`;
    return el("section", { class: "facet", "aria-labelledby": id },
      el("h4", { id }, facet.facet, " ", el("span", { class: `badge status-${facet.status}` }, STATUS[facet.status] || facet.status)),
      el("ul", {}, facet.bullets.map(bulletItem)));
  }

  let citationStyle = "vancouver";

  async function copyText(text, what) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = el("textarea", { class: "visually-hidden", readonly: true });
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    setStatus(`${what} copied.`);
  }

  // Vancouver order, the title in bold: authors. Title. Journal. Year;Vol(Issue):Pages.
  function referenceText(ref) {
    const authors = ref.authors && ref.authors.length
      ? (ref.authors.length > 6 ? [...ref.authors.slice(0, 6), "et al"] : ref.authors).join(", ")
      : (ref.kind === "guideline" ? ref.body : "");
    let where = ref.year ? String(ref.year) : "";
    if (ref.volume) where += `;${ref.volume}${ref.issue ? `(${ref.issue})` : ""}`;
    if (ref.pages) where += `:${ref.pages}`;
    return [
      authors ? `${authors}. ` : "",
      el("span", { class: "ref-title" }, (ref.title || "(untitled)").replace(/\.+$/, "")), ". ",
      ref.journal ? [el("cite", {}, ref.journal), ". "] : "",
      where ? `${where}. ` : "",
    ];
  }

  function referenceItem(ref) {
    const links = [];
    if (ref.pmid) links.push(extLink(pubmedUrl(ref.pmid), `PMID ${ref.pmid}`));
    if (ref.doi) links.push(extLink(doiUrl(ref.doi), `doi:${ref.doi}`));
    if (!ref.pmid && !ref.doi && ref.url && safeUrl(ref.url)) links.push(extLink(ref.url, "source"));
    const show = el("button", { type: "button", class: "link-button evidence-button", "aria-haspopup": "dialog", "aria-label": `Evidence card for source ${ref.n}` }, "Evidence card");
    show.addEventListener("click", () => openCard(ref.n, supportFor(ref.n, null), show));
    const cite = el("button", { type: "button", class: "link-button copy-citation", "aria-label": `Copy the citation of source ${ref.n}` }, "Copy citation");
    cite.addEventListener("click", () => copyText(ref.citation ? ref.citation[citationStyle] : ref.title, `Citation ${ref.n} (${citationStyle === "ama" ? "AMA" : "Vancouver"})`));
    const facts = ref.kind === "study" ? studyFacts(ref) : "";
    const recs = currentBrief.guidelines.filter((g) => g.ref === ref.n);
    return el("li", { id: `ref-${ref.n}`, value: ref.n, class: [ref.retracted ? "retracted" : "", ref.superseded ? "superseded" : ""].join(" ").trim() || null },
      referenceText(ref), " ",
      facts ? el("span", { class: "facts" }, `(${facts}) `) : null,
      ref.superseded ? el("strong", { class: "badge badge-superseded" }, "Superseded") : null,
      el("span", { class: "ref-actions" }, links.map((l) => [l, " · "]), show, " · ", cite),
      ref.retracted ? el("strong", { class: "warning-inline" }, " Retracted.") : null,
      recs.length > 1 || (recs.length === 1 && ref.kind === "guideline")
        ? el("ul", { class: "ref-recs" }, recs.map((g) => el("li", {}, `${g.statement.split(/(?<=\.)\s/)[0]}`)))
        : null);
  }

  function section(id, title, part, ...content) {
    return el("section", { id, "data-part": part, "aria-labelledby": `${id}-title` }, el("h3", { id: `${id}-title` }, title), content);
  }

  function answerSection(brief) {
    if (brief.bottom_line) {
      const b = brief.bottom_line;
      const verdict = b.verdict ? el("span", { class: `badge verdict verdict-${b.verdict}` }, `Evidence says: ${b.verdict}`) : null;
      return section("sec-bottom-line", "Bottom line", "bottom-line",
        el("p", { class: "bottom-line" }, withMarkers(b.text, b)),
        verdict || b.confidence ? el("p", { class: "meta" }, verdict, b.confidence ? ` Confidence ${Math.round(b.confidence * 100)}%` : "") : null);
    }
    return keyFindings(brief, true);
  }

  function keyFindings(brief, first) {
    if (!brief.key_findings.length) return null;
    return section("sec-key-findings", "Key Findings", "key-findings", el("ul", { class: first ? "answer-list" : null }, brief.key_findings.map(bulletItem)));
  }

  function abstention(brief) {
    const r = brief.reading;
    const out = [
      el("p", {}, "Neither the guidelines nor the studies stored here address this question."),
      r.concepts.length ? el("p", {}, "Searched for the concepts: ", r.concepts.map((c, i) => [i ? ", " : "", el("span", { class: "concept" }, c)])) : null,
    ];
    const ways = [];
    if (r.pubmed_search) ways.push(el("li", {}, extLink(r.pubmed_search, "Search PubMed for the same concepts"), " (opens pubmed.ncbi.nlm.nih.gov)"));
    ways.push(el("li", {}, "Fetch fresh PubMed records first: ", el("code", {}, `medbrief ask "${brief.question}" --live`), " (needs network)."));
    ways.push(el("li", {}, "Or add records you have: ", el("code", {}, "medbrief ingest pubmed FILE"), " or ", el("code", {}, "medbrief ingest guidelines FILE"), "."));
    out.push(el("h4", {}, "Ways on"), el("ul", { class: "ways" }, ways));
    out.push(el("div", { id: "related" }));
    for (const note of brief.notes.filter((n) => !n.startsWith("No relevant evidence found"))) out.push(el("p", { class: "note" }, note));
    return section("sec-bottom-line", "No relevant evidence found", "abstention", out);
  }

  async function loadRelated(question) {
    try {
      const response = await fetch(`/api/related?${new URLSearchParams({ q: question })}`);
      if (!response.ok) return;
      const { related } = await response.json();
      if (!related.length) return;
      $("related").replaceChildren(
        el("h4", {}, "What this library does hold nearby"),
        el("ul", {}, related.map((label) => el("li", {}, el("a", { href: `/?${new URLSearchParams({ q: label })}` }, label)))));
    } catch {
      // a missing suggestion list is no error
    }
  }

  function toc(parts) {
    $("toc").replaceChildren(...parts.filter(Boolean).map(([id, label]) => el("a", { href: `#${id}` }, label)));
  }

  let quoted = new Map();
  let currentBrief = null;

  function renderBrief(brief) {
    currentBrief = brief;
    refs = new Map(brief.references.map((r) => [r.n, r]));
    quoted = new Map();
    for (const b of [...brief.key_findings, ...brief.research.flatMap((f) => f.bullets)]) {
      for (const c of b.citations) if (c.sentence && !quoted.has(c.n)) quoted.set(c.n, c.sentence);
    }
    renderReading(brief.reading);
    $("brief-title").textContent = brief.question;
    const out = [];
    if (brief.abstained) {
      out.push(abstention(brief));
      toc([]);
      loadRelated(brief.question);
    } else {
      out.push(answerSection(brief));
      const nG = new Set(brief.guidelines.map((g) => g.ref)).size;
      out.push(section("sec-guidelines", "From the Guidelines", "guidelines", brief.guidelines.length
        ? [el("ol", { class: "guidelines" }, guidelineCards(brief.guidelines)), legend(brief.grading_systems)]
        : el("p", {}, "No guideline recommendation among those stored addresses this question.")));
      if (brief.research.length) out.push(section("sec-research", "From the Research", "research", brief.research.map(facetSection)));
      if (brief.bottom_line) out.push(keyFindings(brief, false));
      if (brief.references.length) {
        const style = el("select", { id: "citation-style", "aria-label": "Citation style for Copy citation" },
          el("option", { value: "vancouver" }, "Vancouver"), el("option", { value: "ama" }, "AMA"));
        style.value = citationStyle;
        style.addEventListener("change", () => { citationStyle = style.value; });
        out.push(section("sec-references", "References", "references",
          el("p", { class: "ref-tools" }, el("label", { for: "citation-style" }, "Copy citations as "), style),
          el("ol", { class: "refs" }, brief.references.map(referenceItem))));
      }
      if (brief.dropped_claims) {
        out.push(el("p", { class: "note" }, `${brief.dropped_claims} statement(s) dropped: their sources did not support them.`));
      }
      for (const note of brief.notes) out.push(el("p", { class: "note" }, `Note: ${note}`));
      toc([
        [brief.bottom_line ? "sec-bottom-line" : "sec-key-findings", brief.bottom_line ? "Bottom line" : "Key findings"],
        ["sec-guidelines", `Guidelines${nG ? ` (${nG})` : ""}`],
        brief.research.length ? ["sec-research", `Research (${brief.research.length})`] : null,
        brief.references.length ? ["sec-references", `References (${brief.references.length})`] : null,
        brief.references.length ? ["sec-export", "Export"] : null,
      ]);
    }
    $("brief-body").replaceChildren(...nodes(out));
    $("sec-export").hidden = !brief.references.length;
    renderProvenance(brief.provenance);
    briefEl.hidden = false;
    document.body.classList.add("has-brief");
    $("skip").href = "#brief-body";
    $("skip").textContent = "Skip to the answer";
    document.dispatchEvent(new CustomEvent("medbrief:brief", { detail: brief }));
  }

  function renderProvenance(p) {
    const box = $("provenance");
    if (!p) {
      box.hidden = true;
      return;
    }
    const rows = [
      ["Generated", p.generated],
      ["medbrief", p.version],
      ["Corpus", p.corpus],
      ["Filters", p.filters_text],
    ];
    box.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
    box.hidden = false;
  }

  // --------------------------------------------------------- evidence card

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // The text with the first occurrence of `sentence` wrapped in <mark>
  // (whitespace-insensitive), or null when it does not occur. A sentence
  // quoted with its abstract section's heading ("CONCLUSIONS: ...") is found
  // without it, since the card shows headings apart from the text.
  function highlighted(text, sentence) {
    if (!sentence || !text) return null;
    const unlabelled = sentence.replace(/^[A-Z][A-Za-z /&-]{1,40}:\s+/, "");
    return find(text, sentence) || (unlabelled !== sentence ? find(text, unlabelled) : null);
  }

  function find(text, sentence) {
    let start = text.indexOf(sentence);
    let length = sentence.length;
    if (start < 0) {
      const pattern = escapeRegExp(sentence.trim()).replace(/\s+/g, "\\s+");
      const match = new RegExp(pattern).exec(text);
      if (!match) return null;
      start = match.index;
      length = match[0].length;
    }
    return [text.slice(0, start), el("mark", {}, text.slice(start, start + length)), text.slice(start + length)];
  }

  function abstractBlock(sections, sentence) {
    let found = false;
    const paragraphs = sections.map((s) => {
      const marked = found ? null : highlighted(s.text, sentence);
      if (marked) found = true;
      return el("p", {}, s.label ? el("strong", {}, `${s.label}: `) : null, marked || s.text);
    });
    return { node: el("div", { class: "abstract" }, paragraphs), found };
  }

  function documentDetails(result, sentence) {
    const doc = result.item;
    const out = [];
    if (doc.abstract && doc.abstract.length) {
      const { node, found } = abstractBlock(doc.abstract, sentence);
      out.push(el("h3", {}, "Abstract"), node);
      if (sentence && !found) out.push(el("p", { class: "note" }, "The supporting sentence is quoted above; it is not in the stored abstract text."));
    } else {
      out.push(el("p", { class: "note" }, "No abstract is stored for this record."));
    }
    if (doc.authors && doc.authors.length) out.push(el("p", { class: "meta" }, `Authors: ${doc.authors.join(", ")}`));
    // how the stored copy was obtained: the curator's note, not the source's content
    if (doc.note) out.push(el("details", { class: "curation" }, el("summary", {}, "About this stored copy"), el("p", { class: "note" }, doc.note)));
    return out;
  }

  function recommendationDetails(result, sentence) {
    const rec = result.item;
    const text = rec.statement.replace(/\s*\[stored copy truncated here\]\s*$/i, " …");
    const statement = highlighted(text, sentence) || text;
    return [
      el("h3", {}, "Recommendation"),
      el("blockquote", {}, statement),
      el("dl", { class: "facts-list" },
        el("dt", {}, "Guideline"), el("dd", {}, rec.guideline_title),
        el("dt", {}, "Strength"), el("dd", {}, rec.strength || "not stated"),
        el("dt", {}, "Certainty of evidence"), el("dd", {}, rec.certainty || "not stated"),
        rec.population ? [el("dt", {}, "Population"), el("dd", {}, rec.population)] : null),
      rec.key_points && rec.key_points.length
        ? [el("h3", {}, "Key points"), el("ul", {}, rec.key_points.map((p) => el("li", {}, p)))] : null,
      result.link ? el("p", {}, extLink(result.link, "Open the guideline")) : null,
    ];
  }

  function cardLinks(ref) {
    const links = [];
    if (ref.pmid) links.push(extLink(pubmedUrl(ref.pmid), `PubMed ${ref.pmid}`));
    if (ref.doi) links.push(extLink(doiUrl(ref.doi), `DOI ${ref.doi}`));
    if (ref.url && safeUrl(ref.url)) links.push(extLink(ref.url, "Source page"));
    return links.length ? el("p", { class: "card-links" }, links.map((l, i) => [i ? " · " : "", l])) : null;
  }

  async function openCard(n, sentence, opener, itemId) {
    const ref = refs.get(n);
    if (!ref) return;
    const token = ++cardToken;
    cardOpener = opener;
    $("card-title").textContent = `[${n}] ${ref.title || "(untitled)"}`;
    const meta = [studyFacts(ref), ref.journal, ref.kind === "guideline" ? ref.body : null].filter(Boolean);
    $("card-meta").textContent = meta.join(" · ");
    const body = $("card-body");
    body.replaceChildren(...nodes(
      ref.retracted ? el("p", { class: "warning", role: "note" }, "Retracted: this article has been retracted. Do not rely on its findings.") : null,
      cardLinks(ref),
      sentence ? [el("h3", {}, "Supporting sentence"), el("blockquote", { class: "support" }, sentence)] : null,
      el("p", { class: "pending" }, "Loading the source…"),
    ));
    if (!card.open) card.showModal();
    try {
      const path = (itemId || ref.id).split("/").map(encodeURIComponent).join("/");
      const response = await fetch(`/api/documents/${path}`);
      if (token !== cardToken) return;
      body.querySelector(".pending").remove();
      if (!response.ok) {
        body.append(el("p", { class: "note" }, await errorMessage(response)));
        return;
      }
      const result = await response.json();
      if (token !== cardToken) return;
      if (result.retracted && !ref.retracted) {
        body.prepend(el("p", { class: "warning", role: "note" }, "Retracted: this article has been retracted. Do not rely on its findings."));
      }
      body.append(...nodes(result.kind === "recommendation"
        ? recommendationDetails(result, sentence) : documentDetails(result, sentence)));
      const mark = body.querySelector(".abstract mark, blockquote mark");
      if (mark) mark.scrollIntoView({ block: "nearest" });
    } catch (error) {
      if (token === cardToken) body.append(el("p", { class: "note" }, `Could not load the source: ${error.message}`));
    }
  }

  card.addEventListener("close", () => {
    cardToken++;
    if (cardOpener && document.contains(cardOpener)) cardOpener.focus();
    cardOpener = null;
  });
  card.addEventListener("click", (event) => {
    if (event.target === card) card.close(); // a click on the backdrop
  });
  $("card-close").addEventListener("click", () => card.close());

  // ---------------------------------------------------------------- asking

  function setBusy(busy) {
    askButton.disabled = busy;
    askButton.textContent = busy ? "Asking…" : "Ask";
    briefEl.setAttribute("aria-busy", busy ? "true" : "false");
  }

  let lastAsked = null;

  async function ask() {
    clearError();
    const question = questionBox.value.trim();
    if (!question) {
      showError("Type a question first.");
      questionBox.focus();
      return;
    }
    let filters;
    try {
      filters = readFilters();
    } catch (error) {
      showError(error.message);
      return;
    }
    setBusy(true);
    $("progress").replaceChildren();
    $("progress").hidden = true;
    progressStarted = 0;
    firstRun = false;
    setStatus("Reading your question…");
    try {
      const brief = await streamBrief(question, filters, onStage);
      progressStep(null);
      renderBrief(brief);
      for (const link of document.querySelectorAll("#sec-export a")) {
        link.href = exportHref(link.dataset.format, question, filters);
      }
      lastAsked = { question, filters };
      $("filters-summary").textContent = filtersSummary(filters);
      history.replaceState(null, "", `?${queryString(question, filters)}`);
      const n = brief.references.length;
      setStatus(brief.abstained ? "Nothing in this library addresses the question; ways on are listed below." : `Brief ready, with ${n} numbered source${n === 1 ? "" : "s"}.`);
      if (firstRun) setStatus(`${statusLine.textContent} The first answer took ${((performance.now() - progressStarted) / 1000).toFixed(0)} s; the next ones are quicker.`);
      else $("progress").hidden = true;
      $("brief-title").focus();
    } catch (error) {
      setStatus("");
      briefEl.hidden = true;
      showError(error.message);
    } finally {
      setBusy(false);
    }
  }

  $("copy-markdown").addEventListener("click", async () => {
    if (!lastAsked) return;
    try {
      const response = await fetch(`/api/export/markdown?${queryString(lastAsked.question, lastAsked.filters)}`);
      if (!response.ok) throw new Error(await errorMessage(response));
      await copyText(await response.text(), "The brief (Markdown)");
    } catch (error) {
      showError(`Could not copy the brief: ${error.message}`);
    }
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    ask();
  });
  questionBox.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (!askButton.disabled) form.requestSubmit();
    }
  });

  loadMeta().then(() => {
    const params = new URLSearchParams(location.search);
    const initial = params.get("q");
    if (initial) {
      questionBox.value = initial;
      writeFilters(params);
      ask();
    }
  });
})();
