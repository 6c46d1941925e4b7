// Nightfloat console: follow-up after a handoff. The resolve form's check-in (in N days,
// or at a date and time), the "Start a safety plan" action during a claimed handoff, the
// resident's plan and exercises beside the transcript, and the list of check-ins nobody
// answered. Plain JavaScript; all text is inserted with textContent.
"use strict";

(function () {
  const el = (id) => document.getElementById(id);
  const con = () => window.NightfloatConsole;
  const titles = { safety_plan: "Safety plan", thought_record: "Thought record", behavioural_activation: "Activity plan" };
  const me = Number(document.body.dataset.me || 0);

  function node(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  const when = (iso) => new Date(iso).toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

  // checkinAt is the chosen check-in time as RFC 3339, "" for none, or null (with the
  // reason shown) when the choice cannot be used.
  function checkinAt() {
    const choice = (document.querySelector('input[name="checkin"]:checked') || {}).value || "none";
    const box = el("resolve-error");
    let at = null;
    if (choice === "none") return "";
    if (choice === "days") {
      const n = Number(el("checkin-days").value);
      if (!Number.isInteger(n) || n < 1 || n > 60) { box.textContent = "Choose 1 to 60 days for the check-in."; box.hidden = false; return null; }
      at = new Date(Date.now() + n * 86400000);
    } else {
      at = el("checkin-at").value ? new Date(el("checkin-at").value) : null;
      if (!at || isNaN(at) || at <= new Date()) { box.textContent = "Choose a check-in date and time in the future."; box.hidden = false; return null; }
    }
    return at.toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  function update(h, mine) {
    el("offer-plan").hidden = !mine;
  }

  function showForms(f, current) {
    const box = el("resident-forms");
    if (!current || f.handoff_id !== current.id) return;
    const view = el("forms-view");
    view.textContent = "";
    box.hidden = !f.items.length;
    el("resident-forms-title").textContent = "The resident's safety plan and exercises (" + f.items.length + ")";
    for (const form of f.items) {
      const sec = node("section", "resident-form");
      sec.append(node("h4", "", (titles[form.kind] || form.kind) + " · saved " + when(form.updated_at)));
      const dl = node("dl");
      for (const [field, v] of Object.entries(form.answers || {})) {
        const has = Array.isArray(v) ? v.length > 0 : v !== null && v !== "";
        if (!has) continue;
        dl.append(node("dt", "", field.replace(/_/g, " ")));
        dl.append(node("dd", "", Array.isArray(v) ? "• " + v.join("\n• ") : String(v)));
      }
      sec.append(dl);
      view.append(sec);
    }
  }

  function showCheckins(items) {
    const ul = el("checkins");
    ul.textContent = "";
    el("no-checkins").hidden = items.length > 0;
    for (const k of items) {
      const li = node("li", "checkin");
      li.dataset.id = String(k.id);
      const line = node("div", "checkin-line");
      line.append(node("strong", "", k.pseudonym + " · " + k.role));
      line.append(node("span", "meta", "check-in due " + when(k.due_at) + " · no answer · scheduled by " + (k.scheduled_by === me ? "you" : k.scheduled_by_name)));
      li.append(line);
      const actions = node("div", "checkin-buttons");
      if (k.scheduled_by === me) {
        const open = node("button", "", "Open the conversation");
        open.type = "button";
        open.addEventListener("click", () => con().open(k.handoff_id));
        actions.append(open);
      }
      const close = node("button", "", "Close — followed up");
      close.type = "button";
      close.addEventListener("click", () => con().send({ type: "close_checkin", checkin_id: k.id }));
      actions.append(close);
      li.append(actions);
      ul.append(li);
    }
  }

  window.NightfloatConsoleFollowup = {
    checkinAt,
    update,
    frame(f, current) {
      if (f.type === "checkins") showCheckins(f.items || []);
      if (f.type === "forms") showForms(f, current);
    },
  };

  document.addEventListener("DOMContentLoaded", () => {
    if (!el("offer-plan")) return; // no on-call role: no handoffs on this page
    el("offer-plan").addEventListener("click", () => {
      const h = window.NightfloatConsoleCurrent && window.NightfloatConsoleCurrent();
      if (h) con().act("offer", { type: "offer_form", handoff_id: h.id, kind: "safety_plan" });
    });
    el("checkin-at").min = new Date(Date.now() - new Date().getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  });
})();
