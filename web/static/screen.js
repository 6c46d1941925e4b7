// Nightfloat screening page. Plain JavaScript, no build step. One question at a time; each
// questionnaire is sent over the resident websocket as soon as it is finished, under the
// conversation the chat keeps on this device (or a new one). Answers stay on the device
// until the server acknowledges them. Text is only ever inserted with textContent.
"use strict";

(function () {
  const CONV_KEY = "nightfloat.conversation"; // shared with chat.js: {id, token, role}
  const STATE_KEY = "nightfloat.screen";
  const el = (id) => document.getElementById(id);
  const statusEl = el("status");

  function load(key, fallback) {
    try { const v = localStorage.getItem(key); return v ? JSON.parse(v) : fallback; } catch (_) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (_) { /* private mode: keep in memory */ }
  }
  function setStatus(s) { statusEl.textContent = s; }
  function newClientID() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  let conv = load(CONV_KEY, null);
  // phase: intro, asking or results; steps index into the chosen questions.
  let state = load(STATE_KEY, null) || fresh();
  function fresh() { return { phase: "intro", chosen: [], at: 0, answers: {}, outbox: [], results: [], errors: {} }; }
  function persist() { save(STATE_KEY, state); }

  const sections = [...document.querySelectorAll("section.instrument")];
  function steps() {
    const out = [];
    for (const id of state.chosen) {
      const sec = sections.find((s) => s.dataset.instrument === id);
      if (!sec) continue;
      for (const q of sec.querySelectorAll("fieldset.question")) out.push({ sec, q, id });
    }
    return out;
  }

  function show(which) {
    el("intro").hidden = which !== "intro";
    el("results").hidden = which !== "results";
    el("progress").hidden = which !== "step";
    el("prev").hidden = which !== "step";
    for (const s of sections) {
      s.hidden = true;
      for (const q of s.querySelectorAll("fieldset.question")) q.hidden = true;
    }
  }

  // ask shows the question at state.at.
  function ask() {
    const all = steps();
    if (state.at >= all.length) { finish(); return; }
    show("step");
    const { sec, q, id } = all[state.at];
    sec.hidden = false; q.hidden = false;
    const inSec = all.filter((s) => s.id === id);
    const n = inSec.indexOf(all[state.at]) + 1;
    el("progress-text").textContent = sec.dataset.topic.replace(/^./, (c) => c.toUpperCase()) + " · " + sec.dataset.name +
      " · question " + n + " of " + inSec.length;
    el("progress-bar").style.width = Math.round(100 * state.at / all.length) + "%";
    const given = (state.answers[id] || {})[q.dataset.question];
    for (const r of q.querySelectorAll("input[type=radio]")) r.checked = given !== undefined && Number(r.value) === given;
    el("prev").hidden = n === 1;
    sec.before(el("progress"));
    sec.after(el("prev"));
    q.querySelector("legend").focus({ preventScroll: true });
    el("main").scrollTop = 0;
  }

  // next moves on; the last question of a questionnaire sends it.
  function next() {
    const all = steps();
    const cur = all[state.at];
    state.at++;
    if (!all[state.at] || all[state.at].id !== cur.id) queue(cur.id);
    persist();
    if (state.phase === "asking") ask();
  }

  function queue(id) {
    const m = { client_id: newClientID(), instrument: id, answers: state.answers[id] || {} };
    state.outbox.push(m);
    persist();
    sendOutbox();
  }

  function finish() {
    state.phase = "results";
    persist();
    render();
  }

  // render draws the results view: every acknowledged screen, those still on their way,
  // and, first, any that handed the conversation to a clinician.
  function render() {
    show("results");
    const list = el("result-list");
    list.textContent = "";
    const byFirst = [...state.results].sort((a, b) => (b.handoff ? 1 : 0) - (a.handoff ? 1 : 0));
    for (const r of byFirst) list.append(resultItem(r));
    for (const m of state.outbox) {
      const li = document.createElement("li");
      li.className = "result pending";
      const err = state.errors[m.client_id];
      li.textContent = (err ? "Not sent yet: " + err : "Sending your " + nameOf(m.instrument) + " answers…");
      list.append(li);
    }
    const left = steps().length - state.at;
    el("more").hidden = left <= 0;
    el("counsellor-note").hidden = state.results.length === 0;
  }

  function nameOf(id) {
    const sec = sections.find((s) => s.dataset.instrument === id);
    return sec ? sec.dataset.name : id;
  }

  function resultItem(r) {
    const li = document.createElement("li");
    li.className = "result level-" + r.level + (r.handoff ? " handoff" : "");
    const h = document.createElement("h3");
    h.textContent = r.topic.replace(/^./, (c) => c.toUpperCase()) + " · " + r.name;
    li.append(h);
    if (r.handoff) {
      const p = document.createElement("p");
      p.className = "handoff-note";
      p.textContent = "You answered that you've had thoughts that you would be better off dead or of hurting yourself. " +
        "Thank you for telling us. We're connecting you with a clinician — a person, not the AI — now; they will write to you in your conversation.";
      li.append(p);
      const reach = document.createElement("ul");
      reach.className = "reach-list";
      for (const line of document.querySelectorAll("#crisis-list li")) {
        const item = document.createElement("li");
        window.NightfloatRender.linked(item, line.textContent);
        reach.append(item);
      }
      li.append(reach);
    }
    const score = document.createElement("p");
    score.className = "score";
    if (r.complete) {
      const b = document.createElement("strong");
      b.textContent = String(r.total);
      score.append(b, r.min === 0 ? " out of " + r.max : " on a scale of " + r.min + " to " + r.max, " · " + r.band);
    } else {
      score.textContent = "Not scored: " + r.note;
    }
    li.append(score);
    const meaning = r.handoff ? "Your answer to the question about thoughts of death or of hurting yourself matters more than the total." : r.meaning;
    if (meaning) {
      const m = document.createElement("p");
      m.className = "meaning";
      m.textContent = meaning;
      li.append(m);
    }
    return li;
  }

  // The socket: opened when there is something to send or a conversation to start.
  let ws = null, welcomed = false, backoff = 500, retry = null;
  function connect() {
    if (ws && ws.readyState <= WebSocket.OPEN) return;
    clearTimeout(retry);
    welcomed = false;
    ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
    ws.onopen = () => {
      const hello = { type: "hello", role: conv.role };
      if (conv.id) { hello.conversation_id = conv.id; hello.token = conv.token; }
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (ev) => { try { handle(JSON.parse(ev.data)); } catch (e) { console.error(e); } };
    ws.onclose = () => {
      welcomed = false;
      if (!conv || !state.outbox.length) return;
      setStatus("Reconnecting — your answers are kept on this device and will be sent when we're back.");
      retry = setTimeout(connect, backoff / 2 + Math.random() * backoff / 2);
      backoff = Math.min(backoff * 2, 15000);
    };
  }

  function sendOutbox() {
    if (!conv) return;
    if (!ws || ws.readyState !== WebSocket.OPEN || !welcomed) { connect(); return; }
    for (const m of state.outbox) ws.send(JSON.stringify({ type: "screen", client_id: m.client_id, instrument: m.instrument, answers: m.answers }));
  }

  function handle(f) {
    switch (f.type) {
      case "welcome":
        welcomed = true; backoff = 500;
        conv = { id: f.conversation_id, token: f.token, role: f.role };
        save(CONV_KEY, conv);
        setStatus("");
        sendOutbox();
        break;
      case "screened": {
        const i = state.outbox.findIndex((m) => m.client_id === f.client_id);
        if (i < 0) break;
        state.outbox.splice(i, 1);
        delete state.errors[f.client_id];
        state.results.push(f.screen);
        if (f.screen.handoff) state.phase = "results";
        persist();
        if (state.phase === "results") render();
        break;
      }
      case "error": onError(f); break;
    }
  }

  function onError(f) {
    const transient = f.code === "rate_limited" || f.code === "unavailable" || f.code === "internal";
    if (!welcomed && f.code === "unauthorized") {
      // The saved conversation can no longer be opened: start a new one for the answers.
      try { localStorage.removeItem(CONV_KEY); } catch (_) { /* ignore */ }
      conv = { id: "", token: "", role: (conv && conv.role) || el("role").value };
      setStatus("Your previous conversation could not be reopened, so your answers will start a new one.");
      if (ws) ws.close();
      setTimeout(connect, 500);
      return;
    }
    if (f.crisis && f.crisis.length) setStatus(f.message + " If you need someone now: " + f.crisis.join(" "));
    else setStatus(f.message);
    const m = state.outbox.find((x) => x.client_id === f.client_id);
    if (!m) { if (!welcomed && ws) ws.close(); return; }
    state.errors[m.client_id] = f.message;
    if (!transient) state.outbox = state.outbox.filter((x) => x !== m); // refused for good: it cannot be sent as it is
    persist();
    if (state.phase === "results") render();
    if (transient) setTimeout(sendOutbox, 2000 + Math.random() * 3000);
  }

  // Wiring.
  for (const q of document.querySelectorAll("fieldset.question")) {
    q.querySelector("legend").tabIndex = -1;
    const id = q.closest("section").dataset.instrument;
    q.addEventListener("change", (ev) => {
      if (ev.target.type !== "radio") return;
      state.answers[id] = state.answers[id] || {};
      state.answers[id][q.dataset.question] = Number(ev.target.value);
      persist();
      setTimeout(next, 180); // let the tap show before moving on
    });
    const skip = q.querySelector(".skip");
    if (skip) skip.addEventListener("click", () => {
      if (state.answers[id]) delete state.answers[id][q.dataset.question];
      next();
    });
  }
  el("prev").addEventListener("click", () => { if (state.at > 0) { state.at--; persist(); ask(); } });
  el("begin").addEventListener("click", () => {
    const chosen = [...document.querySelectorAll("#choose input:checked")].map((c) => c.value);
    if (!chosen.length) { setStatus("Choose at least one questionnaire."); return; }
    if (!conv || !conv.id) conv = { id: "", token: "", role: el("role").value };
    state = Object.assign(fresh(), { phase: "asking", chosen, outbox: state.outbox, results: [] });
    persist();
    setStatus("");
    ask();
  });
  el("more").addEventListener("click", () => { state.phase = "asking"; persist(); ask(); });
  el("crisis-more").addEventListener("click", () => { const l = el("crisis-list"); l.hidden = !l.hidden; });

  // Start where the resident left off: mid-questionnaire, or with answers still to send.
  // Results that were all acknowledged are in the conversation; a new visit starts afresh.
  if (state.phase === "results" && !state.outbox.length && steps().length <= state.at) state = fresh();
  el("role-box").hidden = !!(conv && conv.id);
  if (conv && conv.id && state.outbox.length) connect();
  if (state.phase === "asking") ask();
  else if (state.phase === "results") render();
  else show("intro");
})();
