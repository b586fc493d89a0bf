// medbrief's page. Vanilla JavaScript, no dependencies, nothing loaded from
// elsewhere. Every text that comes from a source or from the question is
// inserted as a text node (el() below); this file never assigns innerHTML.
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

  function exportHref(format, question, filters) {
    const params = new URLSearchParams({ q: question });
    for (const [key, value] of Object.entries(filters || {})) {
      for (const item of [].concat(value)) params.append(key, String(item));
    }
    if (format === "html") params.set("download", "false");
    return `/api/export/${format}?${params}`;
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
        if (event.event === "brief") return event.data;
        if (event.event === "error") throw new Error(event.data.error.message);
        onStage(event.event, event.data);
      }
    }
    throw new Error("The server closed the connection before the brief was finished.");
  }

  function onStage(name, data) {
    if (name === "reading") {
      renderReading(data);
      $("brief-body").replaceChildren(el("p", { class: "pending" }, "Searching the guidelines and the studies…"));
      briefEl.hidden = false;
      setStatus("Question read; searching the guidelines…");
    } else if (name === "guidelines") {
      setStatus(`${data.length} guideline recommendation(s) found; reading the studies…`);
    } else if (name === "research") {
      setStatus(`${data.length} research sub-topic(s) graded; writing the brief…`);
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
  }

  function citeButton(n, bullet) {
    const ref = refs.get(n);
    const label = ref ? `Source ${n}: ${ref.title}` : `Source ${n}`;
    const citation = bullet && (bullet.citations || []).find((c) => c.n === n);
    const button = el("button", { type: "button", class: "cite", "aria-label": label, "aria-haspopup": "dialog", "data-n": n }, String(n));
    button.addEventListener("click", () => openCard(n, citation ? citation.sentence : null, button));
    return button;
  }

  // "[3, 4, 5]": each number keeps its bracket or comma on its line, and a long
  // group may still wrap between numbers (a phone is 375 px wide).
  function citeGroup(numbers, bullet) {
    const last = numbers.length - 1;
    const parts = numbers.map((n, i) => [
      i ? " " : "",
      el("span", { class: "cite-item" }, i ? "" : "[", citeButton(n, bullet), i === last ? "]" : ","),
    ]);
    return el("span", { class: "cites" }, parts);
  }

  // A "summary" bullet carries its own [3, 4] markers in its text; turn them
  // into buttons when every number is a known reference.
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

  const WORDING = {
    paraphrase: "Paraphrased from a secondary source, not the guideline's own words.",
    summary: "A summary of the guideline, not the publisher's text.",
    excerpt: "An excerpt of the guideline's abstract; grading not given there.",
  };

  function guidelineItem(g) {
    const wording = g.statement_type && g.statement_type !== "verbatim"
      ? WORDING[g.statement_type.split(" ")[0]] || g.statement_type : null;
    return el("li", { class: "guideline" },
      el("h4", {}, g.body, g.year ? ` (${g.year})` : "", g.superseded ? " (superseded)" : "", " ", citeGroup([g.ref], null)),
      el("blockquote", {}, g.statement),
      el("p", { class: "grade" },
        el("strong", {}, "As graded by the source: "),
        `Strength: ${g.strength || "not stated"}; certainty of evidence: ${g.certainty || "not stated"}`),
      g.direction ? el("p", { class: "meta" }, `Direction: ${g.direction}`) : null,
      wording ? el("p", { class: "meta" }, wording) : null,
      g.key_points.length ? [el("p", { class: "kp-title" }, "Key points"), el("ul", { class: "key-points" }, g.key_points.map((p) => el("li", {}, p)))] : null);
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

  function referenceItem(ref) {
    const bits = [];
    if (ref.kind === "guideline" && ref.body) bits.push(`${ref.body}. `);
    if (ref.journal) bits.push(el("cite", {}, ref.journal), ". ");
    const facts = studyFacts(ref);
    if (facts) bits.push(`${facts}. `);
    const links = [];
    if (ref.pmid) links.push(extLink(pubmedUrl(ref.pmid), `PMID ${ref.pmid}`));
    if (ref.doi) links.push(extLink(doiUrl(ref.doi), `doi:${ref.doi}`));
    if (ref.url && safeUrl(ref.url)) links.push(extLink(ref.url, "source"));
    const show = el("button", { type: "button", class: "link-button", "aria-haspopup": "dialog", "aria-label": `Evidence card for source ${ref.n}` }, "Evidence card");
    show.addEventListener("click", () => openCard(ref.n, null, show));
    return el("li", { id: `ref-${ref.n}`, value: ref.n, class: ref.retracted ? "retracted" : null },
      el("span", { class: "ref-title" }, (ref.title || "(untitled)").replace(/\.+$/, "")), ". ", bits,
      links.map((l, i) => [i ? " · " : "", l]), links.length ? " · " : "", show,
      ref.retracted ? el("strong", { class: "warning-inline" }, " Retracted.") : null);
  }

  function section(title, ...content) {
    const id = `sec-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
    return el("section", { "aria-labelledby": id }, el("h3", { id }, title), content);
  }

  // The bottom line, first: its cited sentences (each [n] opens the sentence
  // that source was counted on) and, for a yes/no question, the verdict.
  function bottomLine(b) {
    const lean = b.verdict === "mixed" && b.lean ? `, leaning ${b.lean}` : "";
    return section("Bottom line",
      el("p", { class: "bottom-line" }, withMarkers(b.text, b)),
      b.verdict ? el("p", { class: "meta verdict" }, `Verdict: ${b.verdict}${lean} (confidence ${b.confidence.toFixed(2)})`) : null);
  }

  function renderBrief(brief) {
    refs = new Map(brief.references.map((r) => [r.n, r]));
    renderReading(brief.reading);
    $("brief-title").textContent = brief.question;
    const out = [];
    if (brief.abstained) {
      out.push(section("No relevant evidence found",
        el("p", {}, "Neither the guidelines nor the studies in this library address the question."),
        brief.notes.map((n) => el("p", { class: "note" }, n))));
    } else {
      if (brief.bottom_line) out.push(bottomLine(brief.bottom_line));
      out.push(section("From the Guidelines", brief.guidelines.length
        ? el("ol", { class: "guidelines" }, brief.guidelines.map(guidelineItem))
        : el("p", {}, "No guideline recommendation among those stored addresses this question.")));
      if (brief.research.length) out.push(section("From the Research", brief.research.map(facetSection)));
      if (brief.key_findings.length) out.push(section("Key Findings", el("ul", {}, brief.key_findings.map(bulletItem))));
      if (brief.references.length) out.push(section("References", el("ol", { class: "refs" }, brief.references.map(referenceItem))));
      if (brief.dropped_claims) {
        out.push(el("p", { class: "note" }, `${brief.dropped_claims} statement(s) dropped: their sources did not support them.`));
      }
      for (const note of brief.notes) out.push(el("p", { class: "note" }, `Note: ${note}`));
    }
    $("brief-body").replaceChildren(...nodes(out));
    briefEl.hidden = false;
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
    if (doc.note) out.push(el("p", { class: "note" }, doc.note));
    return out;
  }

  function recommendationDetails(result, sentence) {
    const rec = result.item;
    const statement = highlighted(rec.statement, sentence) || rec.statement;
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

  async function openCard(n, sentence, opener) {
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
      const path = ref.id.split("/").map(encodeURIComponent).join("/");
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
    setStatus("Reading your question…");
    try {
      const brief = await streamBrief(question, filters, onStage);
      renderBrief(brief);
      for (const link of document.querySelectorAll(".exports a")) {
        link.href = exportHref(link.dataset.format, question, filters);
      }
      history.replaceState(null, "", `?${new URLSearchParams({ q: question })}`);
      const n = brief.references.length;
      setStatus(brief.abstained ? "No relevant evidence found." : `Brief ready, with ${n} numbered source${n === 1 ? "" : "s"}.`);
      $("brief-title").focus();
    } catch (error) {
      setStatus("");
      briefEl.hidden = true;
      showError(error.message);
    } finally {
      setBusy(false);
    }
  }

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
    const initial = new URLSearchParams(location.search).get("q");
    if (initial) {
      questionBox.value = initial;
      ask();
    }
  });
})();
