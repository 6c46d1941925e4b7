// Nightfloat clinician console: live handoff alerts, claim, chat with the resident,
// resolve. Plain JavaScript; all text is inserted with textContent.
"use strict";

(function () {
  if ((document.body.dataset.oncall || "").trim() !== "yes") return;
  const el = (id) => document.getElementById(id);
  const handoffs = new Map();      // id -> handoff
  let ws = null, backoff = 500, current = null, me = null, audio = null, dutyWanted = null;
  const myID = Number(document.body.dataset.me || 0);
  const focusID = Number(document.body.dataset.handoff || 0);

  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const o = audio.createOscillator(), g = audio.createGain();
      o.type = "square"; o.frequency.value = 880;
      g.gain.setValueAtTime(0.15, audio.currentTime);
      g.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
      o.connect(g); g.connect(audio.destination);
      o.start(); o.stop(audio.currentTime + 0.6);
    } catch (_) { /* no audio device: the banner still shows */ }
  }

  function alertFor(h) {
    const banner = el("alert");
    banner.textContent = (h.level === "emergency" ? "EMERGENCY" : "Urgent") + " handoff waiting: " + h.pseudonym +
      " (" + h.role + ")" + (h.alerts > 1 ? " — alert " + h.alerts : "");
    banner.hidden = false;
    document.title = "● Handoff waiting — Nightfloat console";
    if (el("duty") && el("duty").checked) beep();
  }

  function waited(h) {
    const mins = Math.max(0, Math.round((Date.now() - Date.parse(h.created_at)) / 60000));
    return mins + " min";
  }

  // listMeta says where a handoff stands: how long it has waited while nobody has it, who
  // has it once claimed.
  function listMeta(h) {
    const cats = (h.categories || []).join(", ");
    if (h.status === "waiting") {
      return "waiting " + waited(h) + " · " + cats + (h.unattended_at ? " · resident told no one has joined yet" : "");
    }
    const who = isMine(h) ? "you" : (h.claimed_by_name || "a clinician");
    return "claimed by " + who + " · opened " + waited(h) + " ago · " + cats;
  }

  function isMine(h) { return h.status === "claimed" && myID > 0 && h.claimed_by === myID; }

  function renderList() {
    const ul = el("handoffs");
    ul.textContent = "";
    const open = [...handoffs.values()].filter((h) => h.status !== "resolved")
      .sort((a, b) => (a.level === b.level ? Date.parse(a.created_at) - Date.parse(b.created_at) : a.level === "emergency" ? -1 : 1));
    el("none").hidden = open.length > 0;
    if (!open.some((h) => h.status === "waiting")) { el("alert").hidden = true; document.title = "Nightfloat console"; }
    const bursts = groupBursts(open);
    for (const h of open) {
      if (h.flood && h.burst) {
        const g = bursts.get(h.burst);
        if (g.items[0] === h) ul.append(burstItem(g));
        continue;
      }
      const li = document.createElement("li");
      li.className = h.level;
      li.dataset.id = String(h.id);
      const b = document.createElement("button");
      b.type = "button";
      const lv = document.createElement("span"); lv.className = "level"; lv.textContent = h.level;
      const name = document.createElement("span"); name.textContent = " " + h.pseudonym + " · " + h.role;
      const meta = document.createElement("span"); meta.className = "meta";
      meta.textContent = listMeta(h);
      b.append(lv, name, meta);
      b.addEventListener("click", () => send({ type: "open", handoff_id: h.id }));
      li.append(b);
      ul.append(li);
    }
  }

  // A burst: handoffs marked as a flood from one source are shown as one entry; each one
  // can still be opened and claimed from inside it.
  const openBursts = new Set();
  function groupBursts(list) {
    const out = new Map();
    for (const h of list) {
      if (!h.flood || !h.burst) continue;
      if (!out.has(h.burst)) out.set(h.burst, { burst: h.burst, items: [] });
      out.get(h.burst).items.push(h);
    }
    return out;
  }

  function burstItem(g) {
    const li = document.createElement("li");
    li.className = "burst " + (g.items.some((h) => h.level === "emergency") ? "emergency" : "urgent");
    li.dataset.burst = g.burst;
    const d = document.createElement("details");
    d.open = openBursts.has(g.burst); // the list is redrawn on every change: keep it open
    d.addEventListener("toggle", () => { if (d.open) openBursts.add(g.burst); else openBursts.delete(g.burst); });
    const sum = document.createElement("summary");
    const waiting = g.items.filter((h) => h.status === "waiting").length;
    sum.textContent = "Burst from one source: " + g.items.length + " handoffs (" + waiting +
      " waiting) — possibly a flood; each resident was given crisis resources. Open to see and claim each.";
    d.append(sum);
    const inner = document.createElement("ul");
    for (const h of g.items) {
      const item = document.createElement("li");
      item.dataset.id = String(h.id);
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = h.level + " · " + h.pseudonym + " · " + h.role + " · " + h.status +
        (h.claimed_by_name ? " by " + h.claimed_by_name : "") + " · waiting " + waited(h);
      b.addEventListener("click", () => send({ type: "open", handoff_id: h.id }));
      item.append(b);
      inner.append(item);
    }
    d.append(inner);
    li.append(d);
    return li;
  }

  // A re-alert of a flood handoff is not sounded again per handoff: the burst was announced.
  function shouldAlert(f, before) {
    if (!f.alert) return false;
    if (f.item.flood && f.item.burst) {
      return !before && ![...handoffs.values()].some((h) => h.id !== f.item.id && h.burst === f.item.burst);
    }
    return !before || before.alerts !== f.item.alerts || before.status !== f.item.status;
  }

  // Connection and database state: one line, never a logout for a server error.
  let dbDown = false, reconnecting = false;
  function showConn() {
    el("conn").textContent = reconnecting ? "Connection lost — reconnecting…"
      : dbDown ? "Database unreachable — the list may be out of date and actions will fail until it is back. You are still signed in."
      : "Connected";
    el("conn").dataset.state = reconnecting ? "reconnecting" : dbDown ? "db-down" : "ok";
  }

  function line(m, assessments) {
    const li = document.createElement("li");
    li.className = m.author;
    const who = document.createElement("span"); who.className = "who";
    who.textContent = "#" + m.seq + " " + m.author + (m.kind !== "text" ? " · " + m.kind : "");
    const body = document.createElement("span"); body.textContent = m.text;
    li.append(who, body);
    for (const a of assessments.filter((x) => x.seq === m.seq)) {
      const s = document.createElement("span"); s.className = "assessment";
      let ev = [];
      try { ev = (typeof a.evidence === "string" ? JSON.parse(a.evidence) : a.evidence) || []; } catch (_) { ev = []; }
      s.textContent = "Safety: " + a.level + (a.categories.length ? " · " + a.categories.join(", ") : "") +
        (a.cssrs ? " · C-SSRS item " + a.cssrs : "") + (ev.length ? " · " + ev.map((e) => e.rule_id + " “" + e.span + "”").join("; ") : "") +
        " · " + a.version;
      li.append(s);
    }
    return li;
  }

  function showConversation(h, messages, assessments) {
    current = h;
    el("conversation").hidden = false;
    el("conv-title").textContent = h.pseudonym + " — " + h.level + " handoff";
    el("conv-meta").textContent = "Role: " + h.role + " · status: " + h.status + (h.claimed_by_name ? " (" + h.claimed_by_name + ")" : "") +
      " · categories: " + (h.categories || []).join(", ");
    const t = el("transcript");
    t.textContent = "";
    for (const m of messages) t.append(line(m, assessments));
    t.scrollTop = t.scrollHeight;
    updateActions();
  }

  // updateActions shows only what fits the handoff's state: Claim while it waits; Send and
  // Resolve to the clinician who claimed it; nothing after it is resolved.
  function updateActions() {
    if (!current) return;
    const mine = isMine(current);
    el("claim").hidden = current.status !== "waiting";
    el("say").hidden = !mine;
    el("resolve").hidden = !mine;
    el("state-note").textContent = stateNote(current, mine);
    followup().update(current, mine);
  }

  // followup is the follow-up part of the console (console_followup.js): check-ins,
  // the resident's forms, the safety plan started from here.
  function followup() {
    return window.NightfloatConsoleFollowup || { update() {}, frame() { return false; }, checkinAt() { return ""; } };
  }

  const dispositions = { safety_plan_made: "safety plan made", referred: "referred", emergency_services: "emergency services",
    no_risk_found: "no risk found", resident_left: "resident left" };

  function stateNote(h, mine) {
    switch (h.status) {
      case "waiting": return "Nobody has claimed this handoff. Claim it to write to the resident.";
      case "claimed": return mine ? "You have claimed this handoff: write to the resident, then resolve it."
        : "Claimed by " + (h.claimed_by_name || "another clinician") + ". Only they can write or resolve.";
      case "resolved": return "Resolved" + (h.disposition ? ": " + (dispositions[h.disposition] || h.disposition) : "") + ". Nothing more to do here.";
    }
    return "";
  }

  // Errors appear next to the action that caused them; pending names that action.
  let pending = "";
  function showError(action, message) {
    const box = el(action + "-error");
    if (!box) { el("conn").textContent = message; return; }
    box.textContent = message;
    box.hidden = false;
    // The form may sit at the bottom of the screen: bring its error into view.
    box.scrollIntoView({ block: "nearest" });
  }
  function clearError(action) { const box = el(action + "-error"); if (box) { box.hidden = true; box.textContent = ""; } }

  function act(action, f) {
    clearError(action);
    pending = action;
    if (!send(f)) showError(action, "Not connected — wait for the console to reconnect, then try again.");
  }

  function send(f) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(f));
    return true;
  }

  function handle(f) {
    switch (f.type) {
      case "duty": if (el("duty") && dutyWanted === null) el("duty").checked = f.on; break;
      case "handoffs":
        handoffs.clear();
        for (const h of f.items) handoffs.set(h.id, h);
        renderList();
        if (f.items.some((h) => h.status === "waiting")) alertFor(f.items.find((h) => h.status === "waiting"));
        if (focusID && handoffs.has(focusID) && !current) send({ type: "open", handoff_id: focusID });
        break;
      case "handoff": {
        const before = handoffs.get(f.item.id);
        const alert = shouldAlert(f, before);
        handoffs.set(f.item.id, f.item);
        renderList();
        if (alert) alertFor(f.item);
        if (current && current.id === f.item.id) { if (before && before.status !== f.item.status) { clearError(pending); pending = ""; } current = f.item; el("conv-meta").textContent = "Role: " + f.item.role + " · status: " + f.item.status + (f.item.claimed_by_name ? " (" + f.item.claimed_by_name + ")" : ""); updateActions(); }
        break;
      }
      case "handoff_gone":
        handoffs.delete(f.id);
        renderList();
        if (current && current.id === f.id) { current = null; el("conversation").hidden = true; el("conn").textContent = "The resident deleted that conversation."; }
        break;
      case "transcript": showConversation(f.handoff, f.messages, f.assessments || []); break;
      case "checkins": case "forms": followup().frame(f, current); break;
      case "message":
        if (current && current.id === f.handoff_id) { el("transcript").append(line(f.message, [])); el("transcript").scrollTop = 1e9; }
        if (sayPending && f.message.client_id === sayPending) { el("say-text").value = ""; sayPending = ""; clearError("say"); pending = ""; }
        break;
      case "status": dbDown = f.database !== "ok"; showConn(); break;
      case "error":
        if (f.code === "unavailable") { dbDown = true; showConn(); }
        if (pending) { showError(pending, f.message); pending = ""; } else { el("conn").textContent = f.message; }
        break;
    }
  }

  function connect() {
    const proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/console/ws");
    ws.onopen = () => {
      backoff = 500; reconnecting = false; dbDown = false; showConn();
      if (dutyWanted !== null) { send({ type: "duty", on: dutyWanted }); dutyWanted = null; }
      if (current) send({ type: "open", handoff_id: current.id });
    };
    ws.onmessage = (ev) => { try { handle(JSON.parse(ev.data)); } catch (e) { console.error(e); } };
    ws.onclose = (ev) => {
      // Only the server's "session ended" (4401) means signed out; anything else, a
      // failed upgrade while the database is down included, is retried.
      if (ev.code === 4401) { location.href = "/console/login"; return; }
      reconnecting = true; showConn();
      setTimeout(connect, backoff / 2 + Math.random() * backoff / 2); // jitter: consoles do not return in step
      backoff = Math.min(backoff * 2, 15000);
    };
  }

  me = (document.querySelector(".console-top .who").textContent.split(" · ")[0] || "").trim();
  // A tick before the socket is open is sent once it opens; until then the server's own
  // report (off) does not untick the box.
  if (el("duty")) el("duty").addEventListener("change", (ev) => {
    if (ev.target.checked) beep();
    dutyWanted = send({ type: "duty", on: ev.target.checked }) ? null : ev.target.checked;
  });
  el("claim").addEventListener("click", () => current && act("claim", { type: "claim", handoff_id: current.id }));
  // The text stays in the box until the server echoes the message back.
  let sayPending = "";
  el("say").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = el("say-text").value.trim();
    if (!text || !current) return;
    sayPending = String(Date.now()) + Math.random().toString(16).slice(2);
    act("say", { type: "say", handoff_id: current.id, client_id: sayPending, text });
  });
  el("resolve").addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!current) return;
    const checkinAt = followup().checkinAt();
    if (checkinAt === null) return; // the check-in time was refused, next to its field
    act("resolve", { type: "resolve", handoff_id: current.id, disposition: el("disposition").value, note: el("note").value, reenable_ai: el("reenable").checked,
      checkin_at: checkinAt || undefined });
  });
  window.NightfloatConsole = { send, act, open: (id) => send({ type: "open", handoff_id: id }) };
  window.NightfloatConsoleCurrent = () => current;
  connect();
})();
