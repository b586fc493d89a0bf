// The language-model writer on medbrief's page (docs/llm-writer.md). The page
// shows the extractive brief as soon as the server sends it ("extractive");
// this file adds the model's prose: its raw text as it streams ("writer"
// events, marked as not yet checked), then, section by section, only the
// sentences that passed verification, or the note saying why medbrief's own
// text stays. app.js dispatches "medbrief:stage" ({name, data}) for every
// server-sent event and "medbrief:brief" whenever it draws a brief. Text is only ever
// inserted as text nodes.
"use strict";

(() => {
  const drafts = new Map(); // section key -> raw text streamed so far
  const checked = new Map(); // section key -> the "done" writer event
  let model = null;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // "[3, 4]" markers become links to the numbered references.
  function withMarkers(text) {
    const out = [];
    let last = 0;
    for (const match of text.matchAll(/\[(\d+(?:,\s*\d+)*)\]/g)) {
      out.push(text.slice(last, match.index), "[");
      match[1].split(/,\s*/).forEach((n, i) => {
        out.push(i ? ", " : "", el("a", { href: `#ref-${n}`, class: "llm-cite" }, n));
      });
      out.push("]");
      last = match.index + match[0].length;
    }
    out.push(text.slice(last));
    return out;
  }

  // Where a section's prose goes: after its heading in the brief app.js drew.
  function anchor(key) {
    if (key === "guidelines") return document.getElementById("sec-guidelines-title");
    if (key === "bottom_line") return document.getElementById("sec-bottom-line-title");
    if (key.startsWith("research:")) return document.getElementById(`facet-${key.slice(9)}`);
    return null;
  }

  function box(key) {
    const body = document.getElementById("brief-body");
    if (!body) return null;
    let node = body.querySelector(`[data-llm-section="${CSS.escape(key)}"]`);
    if (node) return node;
    node = el("div", { class: "llm-prose", "data-llm-section": key, "aria-live": "polite" });
    const heading = anchor(key);
    if (heading) heading.after(node);
    else if (key === "bottom_line") body.prepend(node);
    else return null;
    return node;
  }

  function show(key) {
    const node = box(key);
    if (!node) return;
    const done = checked.get(key);
    const by = model ? ` (written by ${model}; each sentence checked against its sources)` : "";
    if (done && done.fell_back) {
      node.replaceChildren(el("p", { class: "llm-note" }, done.note || ""));
    } else if (done) {
      const text = done.sentences.map((s) => s.text).join(" ");
      node.replaceChildren(
        el("p", { class: "llm-summary" }, el("strong", {}, "Summary"), el("span", { class: "llm-by" }, by), ": ", withMarkers(text)),
      );
    } else if (drafts.has(key)) {
      node.replaceChildren(
        el("p", { class: "llm-draft" }, el("span", { class: "llm-by" }, "The language model is writing (not yet checked): "), drafts.get(key)),
      );
    }
  }

  document.addEventListener("medbrief:stage", (event) => {
    const { name, data } = event.detail;
    if (name === "reading") {
      drafts.clear();
      checked.clear();
      model = null;
    } else if (name === "writer") {
      if (data.done) checked.set(data.section, data);
      else drafts.set(data.section, (drafts.get(data.section) || "") + (data.delta || ""));
      show(data.section);
    }
  });

  // A brief was drawn: the extractive one (put back what has streamed so
  // far) or the final one (its checked paragraphs replace the stream's).
  document.addEventListener("medbrief:brief", (event) => {
    const brief = event.detail;
    if (brief.writer) {
      model = brief.writer.model;
      checked.clear();
      drafts.clear();
      const paragraphs = [["guidelines", brief.guidelines_synthesis || []]];
      brief.research.forEach((f, i) => paragraphs.push([`research:${i}`, f.synthesis || []]));
      for (const [key, sentences] of paragraphs) {
        if (sentences.length) checked.set(key, { sentences, fell_back: false });
      }
    }
    for (const key of new Set([...drafts.keys(), ...checked.keys()])) show(key);
  });
})();
