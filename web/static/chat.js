// Nightfloat resident chat. Plain JavaScript, no build step. Every piece of text from the
// server or the user is inserted with textContent, never as HTML.
"use strict";

(function () {
  const CONV_KEY = "nightfloat.conversation";
  const OUTBOX_KEY = "nightfloat.outbox";
  const maxChars = Number(document.body.dataset.maxChars || 4000);

  const el = (id) => document.getElementById(id);
  const log = el("log"), text = el("text"), send = el("send"), statusEl = el("status");

  let conv = load(CONV_KEY, null);        // {id, token, role}
  let outbox = load(OUTBOX_KEY, []);      // [{client_id, text}] not yet acknowledged
  let ws = null, welcomed = false, lastSeq = 0, backoff = 500, retryTimer = null, welcomeSeq = 0;
  const bySeq = new Map();                // seq -> <li>
  const unsent = new Map();               // client_id -> <li>
  const streaming = new Map();            // reply_to -> <li>
  const answered = new Set();             // reply_to values whose final message arrived

  function load(key, fallback) {
    try { const v = localStorage.getItem(key); return v ? JSON.parse(v) : fallback; } catch (_) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (_) { /* private mode: keep in memory */ }
  }
  function setStatus(s) { statusEl.textContent = s; }

  // parts calls a hook of every part of the page that registered one in
  // window.NightfloatParts (the forms, the check-ins); true when any returned true.
  function parts(hook, ...args) {
    let handled = false;
    for (const p of window.NightfloatParts || []) {
      if (typeof p[hook] === "function") {
        try { handled = p[hook](...args) === true || handled; } catch (e) { console.error(e); }
      }
    }
    return handled;
  }

  function newClientID() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = new Uint8Array(16); crypto.getRandomValues(b);
    return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  }

  const authorLabel = { resident: "You", assistant: "Nightfloat (AI)", clinician: "Clinician (a person)", system: "Nightfloat" };

  function bubble(author, kind, body) {
    const li = document.createElement("li");
    li.className = "msg " + author + (kind && kind !== "text" ? " " + kind : "");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = authorLabel[author] || author;
    const p = document.createElement("span");
    p.className = "body";
    window.NightfloatRender.body(p, author, body);
    li.append(who, p);
    return li;
  }

  function citations(list) {
    const ul = document.createElement("ul");
    ul.className = "cites";
    for (const c of list) {
      const li = document.createElement("li");
      li.textContent = "Source: " + c.title + (c.heading ? " — " + c.heading.split(" > ").pop() : "");
      const r = document.createElement("span");
      r.className = "review";
      r.textContent = (c.reviewed_on && c.reviewed_on !== "pending")
        ? "Reviewed by " + c.reviewed_by + " on " + c.reviewed_on
        : "Sample content — not yet clinically reviewed";
      li.append(r);
      ul.append(li);
    }
    return ul;
  }

  // A thumbs-down on a reply queues the conversation for a clinician's review.
  function feedbackControl(seq) {
    const box = document.createElement("div");
    box.className = "feedback";
    const open = document.createElement("button");
    open.type = "button"; open.className = "link"; open.textContent = "👎 Not right?";
    const form = document.createElement("form");
    form.hidden = true;
    const comment = document.createElement("input");
    comment.type = "text"; comment.maxLength = 1000; comment.placeholder = "What was wrong? (optional)";
    comment.setAttribute("aria-label", "What was wrong with this reply");
    const unhelpful = document.createElement("button");
    unhelpful.type = "submit"; unhelpful.value = "unhelpful"; unhelpful.textContent = "Unhelpful";
    const harmful = document.createElement("button");
    harmful.type = "submit"; harmful.value = "harmful"; harmful.textContent = "Harmful";
    form.append(comment, unhelpful, harmful);
    const done = document.createElement("span");
    done.className = "thanks";
    open.setAttribute("aria-expanded", "false");
    open.addEventListener("click", () => { form.hidden = !form.hidden; open.setAttribute("aria-expanded", String(!form.hidden)); });
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const rating = ev.submitter ? ev.submitter.value : "unhelpful";
      try {
        const r = await fetch("/feedback", {
          method: "POST", headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ conversation_id: conv.id, token: conv.token, seq: seq, rating: rating, comment: comment.value }),
        });
        if (!r.ok) throw new Error(String(r.status));
        form.remove(); open.remove();
        done.textContent = "Thank you — a clinician will review this conversation.";
      } catch (_) {
        done.textContent = "Couldn't send that just now — please try again.";
      }
    });
    box.append(open, form, done);
    return box;
  }

  function scrollDown() { window.requestAnimationFrame(() => { const m = el("main"); m.scrollTop = m.scrollHeight; }); }

  // Insert keeping seq order; unsent local bubbles stay at the end.
  function place(li, seq) {
    li.dataset.seq = String(seq);
    let before = null;
    for (const node of log.children) {
      const s = Number(node.dataset.seq || Infinity);
      if (s > seq) { before = node; break; }
    }
    log.insertBefore(li, before);
  }

  function onMessage(f) {
    if (bySeq.has(f.seq)) return; // a replay of what is already shown
    lastSeq = Math.max(lastSeq, f.seq);
    const li = bubble(f.author, f.kind, f.text);
    // A counsellor's reply to the resident's wellbeing questionnaire (the screening page).
    if (f.counsellor) { li.classList.add("counsellor"); li.querySelector(".who").textContent = "Counsellor (a person)"; }
    if (f.citations && f.citations.length) li.append(citations(f.citations));
    if (f.author === "assistant") li.append(feedbackControl(f.seq));
    // Forms and check-ins draw their own buttons (chat_forms.js, chat_followup.js).
    parts("decorate", li, f, welcomed && f.seq > welcomeSeq);
    if (f.reply_to) {
      answered.add(f.reply_to);
      const s = streaming.get(f.reply_to);
      if (s) { s.remove(); streaming.delete(f.reply_to); }
    }
    if (f.author === "resident" && f.client_id) {
      endOutage(); // acknowledged: the server and its database answer again
      const local = unsent.get(f.client_id);
      if (local) { local.remove(); unsent.delete(f.client_id); }
      outbox = outbox.filter((m) => m.client_id !== f.client_id);
      save(OUTBOX_KEY, outbox);
    }
    bySeq.set(f.seq, li);
    place(li, f.seq);
    scrollDown();
  }

  function onDelta(f) {
    if (answered.has(f.reply_to)) return;
    let li = streaming.get(f.reply_to);
    if (!li) {
      li = bubble("assistant", "text", "");
      li.classList.add("streaming");
      streaming.set(f.reply_to, li);
      place(li, f.reply_to + 0.5);
    }
    li.querySelector(".body").textContent += f.text;
    scrollDown();
  }

  function onError(f) {
    if (parts("error", f)) return;
    const transient = f.code === "rate_limited" || f.code === "unavailable" || f.code === "internal";
    if (f.client_id) {
      const local = unsent.get(f.client_id);
      if (!transient) {
        // Refused for good (invalid, too large…): say so on the message and never resend it.
        outbox = outbox.filter((m) => m.client_id !== f.client_id);
        save(OUTBOX_KEY, outbox);
        if (local) { local.classList.add("error"); local.querySelector(".who").textContent = "Not sent: " + f.message; unsent.delete(f.client_id); }
      } else {
        if (local) local.querySelector(".who").textContent = "Waiting to send…";
        scheduleResend();
      }
    }
    if (!welcomed && f.code === "unauthorized") {
      // The saved conversation can no longer be opened: start afresh.
      localStorage.removeItem(CONV_KEY);
      conv = null;
      parts("reset");
      showStart("Your previous conversation could not be reopened. You can start a new one.");
      return;
    }
    if (!welcomed && f.code === "rate_limited" && conv && !conv.id) {
      // A new conversation was refused: one notice with the crisis resources, and the start button.
      showOutage(f);
      conv = null;
      if (ws) ws.close();
      showStart(f.message);
      return;
    }
    if (transient && !welcomed && conv && conv.id) {
      // The conversation could not be reopened (the database is away): one notice, then
      // reconnect with the socket's backoff rather than wait on a connection that never opened it.
      showOutage(f);
      if (ws) ws.close();
      return;
    }
    if (transient) { showOutage(f); return; }
    setStatus(f.message);
    if (f.crisis && f.crisis.length) {
      const li = bubble("system", "crisis", f.message + "\n• " + f.crisis.join("\n• "));
      log.append(li);
      scrollDown();
    }
  }

  // Outage: one "reconnecting" state and at most one crisis notice, however many tries fail;
  // both go once the server answers again.
  let outage = null, resendTimer = null, resendDelay = 1000;
  function showOutage(f) {
    if (f.code === "rate_limited" && welcomed) {
      setStatus(f.message);
    } else {
      setStatus("We're reconnecting — your messages are kept on this device and will be sent when we're back.");
    }
    if (outage || !(f.crisis && f.crisis.length)) return;
    outage = bubble("system", "crisis", "If you need someone now, you don't have to wait for us:\n• " + f.crisis.join("\n• "));
    outage.classList.add("outage");
    log.append(outage);
    scrollDown();
  }
  function endOutage() {
    resendDelay = 1000;
    if (!outage) return;
    outage.remove(); outage = null;
    setStatus("");
  }

  // scheduleResend resends the outbox once, after a capped exponential backoff with jitter;
  // a resend already scheduled is not scheduled again.
  function scheduleResend() {
    if (resendTimer) return;
    const wait = resendDelay / 2 + Math.random() * resendDelay / 2;
    resendDelay = Math.min(resendDelay * 2, 30000);
    resendTimer = setTimeout(() => { resendTimer = null; flushOutbox(); }, wait);
  }

  // The handoff banner says plainly who is on the other side.
  function onHandoff(f) {
    const note = el("ai-note");
    if (f.status === "waiting") {
      setStatus(f.unattended
        ? "No clinician has joined yet. Please call or text 988 now — your request stays open."
        : "Connecting you with a clinician (a person)… The AI will not answer in this conversation.");
      note.textContent = "Waiting for a clinician · the AI has stopped";
    } else if (f.status === "claimed") {
      setStatus("A clinician has joined — you are talking with a person now, not the AI.");
      note.textContent = "A clinician (a person) is writing";
    } else if (f.mode === "ai") {
      setStatus("The clinician handed the conversation back to the AI.");
      note.textContent = "AI assistant · not a person · supervised by clinicians";
    } else {
      setStatus("A clinician closed this conversation. Start a new one any time.");
      note.textContent = "Conversation closed by a clinician";
    }
  }

  function handle(f) {
    switch (f.type) {
      case "welcome":
        welcomed = true; backoff = 500; endOutage(); welcomeSeq = f.seq;
        conv = { id: f.conversation_id, token: f.token, role: f.role };
        save(CONV_KEY, conv);
        el("start").hidden = true;
        el("delete-btn").hidden = false;
        text.disabled = false; send.disabled = false;
        setStatus(f.mode === "human" ? "A clinician is handling this conversation." : "");
        flushOutbox();
        parts("welcome", f);
        break;
      case "message": onMessage(f); break;
      case "delta": onDelta(f); break;
      case "done": { const li = bySeq.get(f.seq); if (li) li.classList.remove("streaming"); break; }
      case "error": onError(f); break;
      case "deleted":
        localStorage.removeItem(CONV_KEY); localStorage.removeItem(OUTBOX_KEY);
        conv = null; outbox = []; log.textContent = ""; bySeq.clear(); unsent.clear(); streaming.clear(); lastSeq = 0;
        el("delete-btn").hidden = true;
        parts("reset");
        showStart("Your conversation was deleted from our database.");
        break;
      case "handoff": onHandoff(f); break;
      default: parts("frame", f);
    }
  }

  function connect() {
    if (!conv) return;
    clearTimeout(retryTimer);
    welcomed = false;
    const proto = location.protocol === "https:" ? "wss://" : "ws://";
    ws = new WebSocket(proto + location.host + "/ws");
    ws.onopen = () => {
      const hello = { type: "hello", role: conv.role, last_seq: lastSeq };
      if (conv.id) { hello.conversation_id = conv.id; hello.token = conv.token; }
      ws.send(JSON.stringify(hello));
    };
    ws.onmessage = (ev) => { try { handle(JSON.parse(ev.data)); } catch (e) { console.error(e); } };
    ws.onclose = () => {
      welcomed = false;
      if (!conv) return;
      setStatus("We're reconnecting — your messages are kept on this device and will be sent when we're back.");
      retryTimer = setTimeout(connect, backoff / 2 + Math.random() * backoff / 2); // capped, jittered
      backoff = Math.min(backoff * 2, 15000);
    };
  }

  function flushOutbox() {
    if (!ws || ws.readyState !== WebSocket.OPEN || !welcomed) return;
    for (const m of outbox) ws.send(JSON.stringify({ type: "message", client_id: m.client_id, text: m.text }));
  }

  function showUnsent(m) {
    const li = bubble("resident", "text", m.text);
    li.classList.add("unsent");
    li.querySelector(".who").textContent = "Sending…";
    unsent.set(m.client_id, li);
    log.append(li);
    scrollDown();
  }

  function submit(ev) {
    ev.preventDefault();
    const body = text.value.trim();
    if (!body) return;
    if ([...body].length > maxChars) { setStatus("Messages can be at most " + maxChars + " characters."); return; }
    const m = { client_id: newClientID(), text: body };
    outbox.push(m);
    save(OUTBOX_KEY, outbox); // kept on this device until the server acknowledges it
    showUnsent(m);
    text.value = ""; updateCount();
    if (ws && ws.readyState === WebSocket.OPEN && welcomed) ws.send(JSON.stringify({ type: "message", client_id: m.client_id, text: m.text }));
  }

  function updateCount() {
    const n = [...text.value].length;
    el("count").textContent = String(n);
    el("count").parentElement.classList.toggle("over", n > maxChars);
  }

  function showStart(note) {
    el("start").hidden = false;
    text.disabled = true; send.disabled = true;
    if (note) setStatus(note);
  }

  // What chat_forms.js may use: sending a frame on the open conversation, and the page's
  // small helpers.
  window.NightfloatChat = {
    send(frame) {
      if (!ws || ws.readyState !== WebSocket.OPEN || !welcomed) return false;
      ws.send(JSON.stringify(frame));
      return true;
    },
    newClientID, setStatus, scrollDown, bubble,
  };

  el("form").addEventListener("submit", submit);
  text.addEventListener("input", updateCount);
  text.addEventListener("keydown", (ev) => { if (ev.key === "Enter" && !ev.shiftKey) { submit(ev); } });
  el("start-btn").addEventListener("click", () => {
    conv = { id: "", token: "", role: el("role").value };
    connect();
  });
  el("about-btn").addEventListener("click", () => el("about").showModal());
  el("crisis-more").addEventListener("click", () => { const l = el("crisis-list"); l.hidden = !l.hidden; });
  el("delete-btn").addEventListener("click", () => {
    if (!confirm("Delete this conversation? It will be removed from our database for good, not just hidden.")) return;
    if (ws && ws.readyState === WebSocket.OPEN && welcomed) ws.send(JSON.stringify({ type: "delete" }));
    else setStatus("Not connected — try again in a moment.");
  });
  el("new-btn").addEventListener("click", () => {
    if (!confirm("Start a new conversation? This one will no longer be shown on this device.")) return;
    localStorage.removeItem(CONV_KEY); localStorage.removeItem(OUTBOX_KEY);
    parts("reset"); // what the forms keep on this device belongs to this conversation
    location.reload();
  });

  for (const m of outbox) showUnsent(m);
  if (conv && conv.id) connect(); else showStart();
})();
