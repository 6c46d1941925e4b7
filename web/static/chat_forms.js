// Nightfloat chat: the guided forms — the safety plan a resident keeps, a thought record, a
// small activity plan — one step at a time in a card at the end of the conversation, with
// the project's own prompts (package selfhelp, embedded in the page). Every save goes to
// the server, which checks what was written like a message; it is kept on this device
// until the server acknowledges it, and what is being typed is kept as a draft. Plain
// JavaScript; text is only ever inserted with textContent.
"use strict";

(function () {
  const el = (id) => document.getElementById(id);
  const chat = () => window.NightfloatChat;
  let specs = [];
  try { specs = JSON.parse(document.body.dataset.forms || "[]"); } catch (_) { specs = []; }
  const specOf = (kind) => specs.find((s) => s.kind === kind);

  const BOX_KEY = "nightfloat.formbox";      // saves and deletions not yet acknowledged
  const DRAFT_KEY = "nightfloat.formdrafts"; // "kind:id" -> {answers, step}
  const FORMS_KEY = "nightfloat.forms";      // the forms as last kept, to read while offline
  let box = load(BOX_KEY, []);
  let drafts = load(DRAFT_KEY, {});
  // The conversation's forms as kept (the forms frame), kept on this device too so that
  // the safety plan opens even while the page is reconnecting.
  let forms = load(FORMS_KEY, []);
  const bubbles = new Map();      // "kind:id" -> the latest save's bubble
  let card = null;                // the open form
  let retry = null;

  function load(key, fallback) {
    try { const v = localStorage.getItem(key); return v ? JSON.parse(v) : fallback; } catch (_) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (_) { /* private mode: memory only */ }
  }
  const keyOf = (kind, id) => kind + ":" + (id || "new");
  const formOf = (kind, id) => forms.find((f) => f.kind === kind && (kind === "safety_plan" || f.id === id));

  function node(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function button(text, cls, onClick) {
    const b = node("button", cls, text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function empty(spec) {
    const a = {};
    for (const st of spec.steps) a[st.field] = st.kind === "list" ? [] : st.kind === "rating" ? null : "";
    return a;
  }
  function filled(a) {
    return Object.values(a).some((v) => (Array.isArray(v) ? v.some((x) => x.trim()) : v !== null && String(v).trim() !== ""));
  }
  // clean is what is sent: entries trimmed, empty entries dropped.
  function clean(spec, a) {
    const out = {};
    for (const st of spec.steps) {
      const v = a[st.field];
      if (st.kind === "list") out[st.field] = (v || []).map((x) => x.trim()).filter((x) => x);
      else if (st.kind === "text") out[st.field] = (v || "").trim();
      else out[st.field] = v === null || v === undefined || v === "" ? null : Number(v);
    }
    return out;
  }

  // ---- the box: saves kept on this device until the server acknowledges them ----

  function sendFrame(frame) {
    box = box.filter((b) => b.client_id !== frame.client_id).concat([frame]);
    save(BOX_KEY, box);
    return chat().send(frame);
  }
  function flush() {
    for (const f of box) chat().send(f);
  }
  function acknowledged(clientID) {
    box = box.filter((b) => b.client_id !== clientID);
    save(BOX_KEY, box);
  }
  function scheduleRetry() {
    if (retry) return;
    retry = setTimeout(() => { retry = null; flush(); }, 4000 + Math.random() * 4000);
  }

  // ---- the card ----

  function closeCard() {
    const c = el("form-card");
    c.hidden = true;
    c.textContent = "";
    card = null;
  }

  function frame(title) {
    const c = el("form-card");
    c.textContent = "";
    c.hidden = false;
    const head = node("div", "form-head");
    const h = node("h2", "", title);
    h.id = "form-title";
    head.append(h, button("Close", "form-close", () => { keepDraft(); closeCard(); }));
    c.append(head);
    return c;
  }

  function show() {
    chat().scrollDown();
    window.requestAnimationFrame(() => el("form-card").scrollIntoView({ block: "end" }));
  }

  // open starts or resumes a form: the saved one (the safety plan, or an exercise by id),
  // or a new exercise; a draft on this device wins over what is saved.
  function open(kind, id, opts) {
    const spec = specOf(kind);
    if (!spec) return;
    const saved = formOf(kind, id);
    if (kind === "safety_plan" && saved) id = saved.id;
    const d = drafts[keyOf(kind, id)];
    card = { kind, id: id || 0, spec, step: -1, answers: empty(spec), sent: "", inflight: "", pending: false };
    if (saved) { Object.assign(card.answers, JSON.parse(JSON.stringify(saved.answers))); card.sent = JSON.stringify(clean(spec, card.answers)); }
    if (d) { Object.assign(card.answers, d.answers); card.step = d.step; }
    if (opts && opts.steps && card.step < 0) card.step = 0;
    if (saved && !d && !(opts && opts.steps)) { view(); return; }
    render();
  }

  function render() {
    card.viewing = false;
    if (card.step < 0) return intro();
    const { spec } = card;
    const st = spec.steps[card.step];
    const c = frame(spec.title);
    c.append(node("p", "form-progress", "Step " + (card.step + 1) + " of " + spec.steps.length));
    const h = node("h3", "form-step", st.title);
    c.append(h, node("p", "form-prompt", st.prompt));
    if (st.help) c.append(node("p", "form-help", st.help));
    if (st.kind === "list") c.append(listInput(st));
    else if (st.kind === "text") c.append(textInput(st));
    else c.append(ratingInput(st));
    const err = node("p", "form-error");
    err.id = "form-error";
    err.setAttribute("role", "alert");
    err.hidden = true;
    c.append(err);
    const nav = node("div", "form-nav");
    if (card.step > 0) nav.append(button("Back", "form-back", () => go(card.step - 1)));
    const last = card.step === spec.steps.length - 1;
    const next = button(last ? "Save and finish" : "Save and continue", "primary form-next", () => go(last ? spec.steps.length : card.step + 1));
    nav.append(next);
    c.append(nav);
    show();
  }

  function intro() {
    const { spec } = card;
    const c = frame(spec.title);
    c.append(node("p", "form-intro", spec.intro));
    if (spec.guide) {
      const a = node("a", "form-guide", "How this works — read the guide");
      a.href = spec.guide;
      a.target = "_blank";
      a.rel = "noopener";
      c.append(a);
    }
    const nav = node("div", "form-nav");
    nav.append(button("Start", "primary form-next", () => go(0)));
    c.append(nav);
    show();
  }

  // listInput: one box per entry, with room for one more, and the examples as taps.
  function listInput(st) {
    const wrap = node("div", "form-list");
    const entries = card.answers[st.field] = card.answers[st.field] || [];
    if (!entries.length || entries[entries.length - 1].trim()) entries.push("");
    entries.forEach((v, i) => {
      const row = node("div", "entry");
      const input = node("input", "entry-text" + (i === entries.length - 1 && !v ? " new" : ""));
      input.type = "text";
      input.value = v;
      input.maxLength = st.max_chars;
      input.setAttribute("aria-label", st.title + ", entry " + (i + 1));
      input.addEventListener("input", () => { entries[i] = input.value; keepDraft(); });
      input.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter") { ev.preventDefault(); if (input.value.trim() && entries.length < st.max_entries) { entries.push(""); rerender(st); } }
      });
      row.append(input);
      if (v.trim()) row.append(button("✕", "entry-remove", () => { entries.splice(i, 1); rerender(st); }));
      wrap.append(row);
    });
    if (st.examples && st.examples.length) {
      const ex = node("div", "examples");
      ex.append(node("span", "examples-label", "For example (tap to use):"));
      for (const e of st.examples) {
        ex.append(button(e, "example", () => {
          const at = entries.findIndex((x) => !x.trim());
          if (at >= 0) entries[at] = e; else if (entries.length < st.max_entries) entries.push(e);
          rerender(st);
        }));
      }
      wrap.append(ex);
    }
    return wrap;
  }
  function rerender(st) {
    keepDraft();
    const focusLast = st.kind === "list";
    render();
    if (focusLast) { const inputs = el("form-card").querySelectorAll(".entry-text"); if (inputs.length) inputs[inputs.length - 1].focus(); }
  }

  function textInput(st) {
    const wrap = node("div", "form-text");
    const t = node("textarea", "form-textarea");
    t.rows = st.max_chars > 300 ? 4 : 2;
    t.maxLength = st.max_chars;
    t.value = card.answers[st.field] || "";
    t.setAttribute("aria-label", st.title);
    t.addEventListener("input", () => { card.answers[st.field] = t.value; keepDraft(); });
    wrap.append(t);
    if (st.examples && st.examples.length) {
      wrap.append(node("p", "form-help", "For example: " + st.examples.join(" · ")));
    }
    return wrap;
  }

  // ratingInput: a button per point for short scales, a slider for 0-100; unanswered
  // until touched.
  function ratingInput(st) {
    const wrap = node("div", "form-rating");
    const v = card.answers[st.field];
    if (st.max - st.min <= 10) {
      const row = node("div", "rating-buttons");
      for (let i = st.min; i <= st.max; i++) {
        const b = button(String(i), "rating" + (v === i ? " chosen" : ""), () => { card.answers[st.field] = i; keepDraft(); render(); });
        b.setAttribute("aria-pressed", String(v === i));
        row.append(b);
      }
      wrap.append(row);
    } else {
      const out = node("output", "rating-value", v === null || v === undefined ? "Not rated yet" : String(v));
      const r = node("input", "rating-range");
      r.type = "range"; r.min = st.min; r.max = st.max; r.step = 5;
      r.value = v === null || v === undefined ? Math.round((st.min + st.max) / 2) : v;
      r.setAttribute("aria-label", st.title);
      r.addEventListener("input", () => { card.answers[st.field] = Number(r.value); out.textContent = r.value; keepDraft(); });
      wrap.append(out, r);
    }
    const labels = node("div", "rating-labels");
    labels.append(node("span", "", st.min + ": " + st.min_label), node("span", "", st.max + ": " + st.max_label));
    wrap.append(labels);
    return wrap;
  }

  // keepDraft keeps what is being typed on this device, until it is saved; a form shown
  // whole, or unchanged since its last save, leaves no draft.
  function keepDraft() {
    if (!card) return;
    const key = keyOf(card.kind, card.id);
    if (card.viewing || JSON.stringify(clean(card.spec, card.answers)) === card.sent) delete drafts[key];
    else drafts[key] = { answers: card.answers, step: card.step };
    save(DRAFT_KEY, drafts);
  }
  function dropDraft(kind, id) {
    delete drafts[keyOf(kind, id)];
    save(DRAFT_KEY, drafts);
  }

  // go saves the step's answers when they changed, then shows step n (past the last:
  // done). A new exercise waits for its first save's acknowledgement before the next, so
  // that every save names the same exercise.
  function go(n) {
    submit();
    if (n >= card.spec.steps.length) {
      const { kind, id } = card;
      if (!card.inflight && !card.pending) dropDraft(kind, id);
      card.finishing = true;
      if (kind === "safety_plan" && formOf(kind, id) && !card.inflight) { view(); return; }
      if (!card.inflight) { chat().setStatus(id ? "Saved." : "Nothing was written, so nothing was saved."); closeCard(); }
      return;
    }
    card.step = n;
    keepDraft();
    render();
  }

  function submit() {
    const body = clean(card.spec, card.answers);
    const json = JSON.stringify(body);
    if (json === card.sent || (!filled(body) && !card.id)) return;
    if (card.inflight && !card.id) { card.pending = true; return; }
    if (new Blob([json]).size > 15000) { showError("This is too long to save in one go; shorten some entries."); return; }
    const f = { type: "form_save", client_id: chat().newClientID(), form_id: card.id, kind: card.kind, answers: body };
    card.inflight = f.client_id;
    card.sent = json;
    if (!sendFrame(f)) chat().setStatus("Not connected — your answers are kept on this device and will be saved when we're back.");
  }

  function showError(msg) {
    const e = el("form-error");
    if (e) { e.textContent = msg; e.hidden = false; } else chat().setStatus(msg);
  }

  // view shows a saved form whole, with Edit and Delete.
  function view() {
    const { spec } = card;
    card.viewing = true;
    const saved = formOf(card.kind, card.id);
    if (!saved) { closeCard(); return; }
    const c = frame(spec.title);
    if (card.kind === "safety_plan") c.append(node("p", "form-help", "Your plan stays here, one tap away in the red bar at the top. Change it or delete it whenever you like."));
    const dl = node("dl", "form-view");
    for (const st of spec.steps) {
      const v = saved.answers[st.field];
      const has = Array.isArray(v) ? v.length > 0 : v !== null && v !== "";
      if (!has) continue;
      dl.append(node("dt", "", st.title));
      if (Array.isArray(v)) { const dd = node("dd"); const ul = node("ul"); for (const x of v) ul.append(node("li", "", x)); dd.append(ul); dl.append(dd); }
      else dl.append(node("dd", "", String(v)));
    }
    if (!dl.children.length) dl.append(node("dd", "", "Nothing written yet."));
    c.append(dl);
    const nav = node("div", "form-nav");
    nav.append(button("Edit", "primary form-edit", () => { card.step = 0; render(); }));
    nav.append(button("Delete", "form-delete", () => {
      if (!confirm("Delete your " + spec.name + "? It will be removed from our database for good.")) return;
      const f = { type: "form_delete", client_id: chat().newClientID(), form_id: saved.id };
      dropDraft(card.kind, card.id);
      if (!sendFrame(f)) chat().setStatus("Not connected — it will be deleted when we're back.");
      closeCard();
    }));
    c.append(nav);
    show();
  }

  // ---- what the chat shows of forms ----

  function decorate(li, f, live) {
    // A red flag handed the conversation to a clinician: the notice with the people to
    // reach comes first, so the card makes way (what was typed stays as a draft).
    if (f.kind === "handoff" && f.reply_to && live && card) { keepDraft(); closeCard(); chat().scrollDown(); return; }
    if (f.kind !== "form" || !f.form) return;
    if (f.author === "resident") {
      if (f.client_id) ownAck(f);
      const key = keyOf(f.form.kind, f.form.id);
      const before = bubbles.get(key);
      if (before && before !== li) before.remove(); // one bubble per form: its latest save
      bubbles.set(key, li);
      if (f.form.action === "saved") li.append(openButton(f.form.kind, f.form.id, "Open my " + ((specOf(f.form.kind) || {}).name || "form")));
      return;
    }
    // A clinician opened the form for the resident.
    const spec = specOf(f.form.kind);
    if (!spec) return;
    li.append(openButton(f.form.kind, 0, "Open " + spec.name));
    if (live) open(f.form.kind, 0, { steps: true });
  }

  function openButton(kind, id, label) {
    const b = button(label, "link form-open", () => open(kind, id));
    b.dataset.form = keyOf(kind, id);
    return b;
  }

  function ownAck(f) {
    acknowledged(f.client_id);
    if (!card || card.inflight !== f.client_id) return;
    const wasNew = !card.id;
    card.inflight = "";
    if (f.form.action === "saved" && f.form.id) {
      if (wasNew) { dropDraft(card.kind, 0); card.id = f.form.id; }
    }
    if (card.pending) { card.pending = false; submit(); return; }
    if (card.finishing) { dropDraft(card.kind, card.id); if (card.kind !== "safety_plan") { chat().setStatus("Saved."); closeCard(); } }
  }

  function onForms(items) {
    forms = items || [];
    save(FORMS_KEY, forms);
    for (const [key, li] of bubbles) {
      const b = li.querySelector(".form-open");
      const [kind, id] = key.split(":");
      if (b) b.hidden = !formOf(kind, Number(id));
    }
    if (card && card.finishing && !card.inflight && card.kind === "safety_plan" && formOf("safety_plan")) {
      card.id = formOf("safety_plan").id;
      view();
    }
  }

  function error(f) {
    if (!f.client_id || !box.some((b) => b.client_id === f.client_id)) return false;
    const transient = f.code === "rate_limited" || f.code === "unavailable" || f.code === "internal";
    if (transient) { scheduleRetry(); return false; }
    acknowledged(f.client_id);
    if (card && card.inflight === f.client_id) {
      card.inflight = "";
      card.sent = "";
      card.finishing = false;
      showError("Not saved: " + f.message);
    } else {
      chat().setStatus("Not saved: " + f.message);
    }
    return true;
  }

  function openTools(open) {
    el("tools").hidden = !open;
    el("tools-btn").setAttribute("aria-expanded", String(open));
  }

  (window.NightfloatParts = window.NightfloatParts || []).push({
    decorate,
    error,
    frame(f) { if (f.type === "forms") onForms(f.items); },
    welcome() {
      el("tools-btn").disabled = false;
      el("plan-btn").hidden = false;
      flush();
    },
    reset() {
      forms = []; box = []; drafts = {}; bubbles.clear();
      try { [BOX_KEY, DRAFT_KEY, FORMS_KEY].forEach((k) => localStorage.removeItem(k)); } catch (_) { /* nothing kept */ }
      if (card) closeCard();
      el("tools-btn").disabled = true;
      el("plan-btn").hidden = true;
      openTools(false);
    },
  });

  document.addEventListener("DOMContentLoaded", () => {
    el("plan-btn").addEventListener("click", () => open("safety_plan", 0));
    // A kept plan is one tap away before the socket is back.
    if (formOf("safety_plan") && load("nightfloat.conversation", null)) el("plan-btn").hidden = false;
    el("tools-btn").addEventListener("click", () => openTools(el("tools").hidden));
    for (const b of el("tools").querySelectorAll("button[data-form]")) {
      b.addEventListener("click", () => { openTools(false); open(b.dataset.form, 0); });
    }
  });
})();
