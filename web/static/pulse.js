// the weekly pulse and reports to programme leadership, beside the chat. It reads
// the conversation chat.js keeps in localStorage and talks to POST /pulse/due, /pulse,
// /report/preview and /report (resident_pulse.go). Text goes in with textContent only.
"use strict";

(function () {
  const CONV_KEY = "nightfloat.conversation";
  const el = (id) => document.getElementById(id);

  function conv() {
    try { return JSON.parse(localStorage.getItem(CONV_KEY) || "null"); } catch (_) { return null; }
  }

  async function post(path, body) {
    const c = conv();
    if (!c || !c.id) return { ok: false, status: 0, data: { message: "Start a conversation first." } };
    try {
      const r = await fetch(path, {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.assign({ conversation_id: c.id, token: c.token }, body)),
      });
      let data = {};
      try { data = await r.json(); } catch (_) { /* not JSON */ }
      return { ok: r.ok, status: r.status, data: data };
    } catch (_) {
      return { ok: false, status: 0, data: { message: "No connection. Nothing was sent; try again." } };
    }
  }

  // The strip shows once a conversation exists; the pulse once per ISO week.
  let asked = "";
  async function refresh() {
    const c = conv();
    el("programme").hidden = !(c && c.id);
    if (!c || !c.id || asked === c.id) return;
    asked = c.id;
    const r = await post("/pulse/due", {});
    el("pulse").hidden = !(r.ok && r.data.due);
  }
  refresh();
  setInterval(refresh, 2000);

  el("pulse-choices").addEventListener("click", async (e) => {
    const b = e.target.closest("button[data-score]");
    if (!b) return;
    const r = await post("/pulse", { score: Number(b.dataset.score), topic: el("pulse-topic").value });
    el("pulse-status").textContent = r.ok ? "Thanks. Counted anonymously for this week." : (r.data.message || "Not saved; try again later.");
    if (r.ok || r.status === 409) el("pulse-choices").hidden = true;
  });

  const dlg = el("tell");
  let previewed = null;
  function unconfirmed() {
    previewed = null;
    el("tell-preview-box").hidden = true;
    el("tell-send").disabled = true;
  }
  el("tell-open").addEventListener("click", () => { unconfirmed(); el("tell-result").textContent = ""; dlg.showModal(); });
  el("tell-close").addEventListener("click", () => dlg.close());
  el("tell-text").addEventListener("input", unconfirmed);
  el("tell-kind").addEventListener("change", unconfirmed);

  el("tell-preview").addEventListener("click", async () => {
    const text = el("tell-text").value.trim();
    const res = el("tell-result");
    res.textContent = "";
    if (!text) { res.textContent = "Write what happened first."; return; }
    const r = await post("/report/preview", { kind: el("tell-kind").value, text: text });
    if (!r.ok) { res.textContent = r.data.message || "The preview is unavailable; nothing was sent."; return; }
    previewed = { text: text, preview: r.data.preview };
    el("tell-shared").textContent = r.data.preview;
    el("tell-preview-box").hidden = false;
    el("tell-send").disabled = false;
  });

  el("tell-send").addEventListener("click", async () => {
    if (!previewed) return;
    el("tell-send").disabled = true;
    const r = await post("/report", { kind: el("tell-kind").value, text: previewed.text, preview: previewed.preview });
    const res = el("tell-result");
    res.textContent = r.data.message || (r.ok && r.data.sent ? "Sent. Leadership will see it, redacted, in the next batch." : "Not sent; try again.");
    if (Array.isArray(r.data.crisis)) {
      const ul = document.createElement("ul");
      for (const line of r.data.crisis) { const li = document.createElement("li"); li.textContent = line; ul.append(li); }
      res.append(ul);
    }
    if (r.ok && r.data.sent) { el("tell-text").value = ""; previewed = null; el("tell-preview-box").hidden = true; }
    else el("tell-send").disabled = false;
  });
})();
