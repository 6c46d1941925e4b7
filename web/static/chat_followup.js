// Nightfloat chat: follow-up after a handoff. A check-in a clinician scheduled shows its
// time in the resident's own time zone, and when it is due, two big buttons: "I'm OK" and
// "I'd like to talk" (which brings a clinician in). Notifications are opt-in, per device:
// the push carries no text, and the service worker (/sw.js) shows only "Nightfloat: you
// have a message". Plain JavaScript; text is only ever inserted with textContent.
"use strict";

(function () {
  const el = (id) => document.getElementById(id);
  const chat = () => window.NightfloatChat;
  const vapidKey = document.body.dataset.vapidKey || "";
  const pushable = () => vapidKey !== "" && "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  const due = new Map();     // check-in id -> its due message's bubble
  const answered = new Map(); // check-in id -> the answer ("ok" or "talk")
  let pushOn = false;

  function node(tag, cls, text) {
    const n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function when(iso) {
    const d = new Date(iso);
    return d.toLocaleString(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  }

  function decorate(li, f) {
    if (f.kind !== "checkin" || !f.checkin) return;
    const k = f.checkin;
    if (k.action === "scheduled") {
      li.append(node("p", "checkin-when", "Check-in: " + when(k.due_at)));
      if (pushable()) li.append(pushButton());
      return;
    }
    if (k.action === "due") {
      due.set(k.id, li);
      const box = node("div", "checkin-actions");
      for (const [answer, label] of [["ok", "I'm OK"], ["talk", "I'd like to talk"]]) {
        const b = node("button", answer === "talk" ? "primary" : "", label);
        b.type = "button";
        b.dataset.answer = answer;
        b.addEventListener("click", () => reply(k.id, answer, box));
        box.append(b);
      }
      li.append(box);
      if (answered.has(k.id)) done(k.id);
      return;
    }
    if (k.action === "answer") {
      answered.set(k.id, k.answer);
      done(k.id);
    }
  }

  // reply sends the answer; the buttons wait for the server's acknowledgement.
  function reply(id, answer, box) {
    const f = { type: "checkin_answer", client_id: chat().newClientID(), checkin_id: id, answer };
    if (!chat().send(f)) { chat().setStatus("Not connected — try again in a moment."); return; }
    for (const b of box.querySelectorAll("button")) b.disabled = true;
  }

  function done(id) {
    const li = due.get(id);
    if (!li) return;
    const box = li.querySelector(".checkin-actions");
    if (box) box.remove();
    if (!li.querySelector(".checkin-done")) {
      li.append(node("p", "checkin-done", answered.get(id) === "talk"
        ? "You asked to talk. A clinician is being connected."
        : "Thank you for letting us know. You can write here any time, or call or text 988 to reach a person straight away."));
    }
  }

  function pushButton() {
    const b = node("button", "link push-toggle", pushOn ? "Notifications are on for this device" : "Notify me on this device");
    b.type = "button";
    b.addEventListener("click", togglePush);
    return b;
  }

  function showPush() {
    for (const b of document.querySelectorAll(".push-toggle")) b.textContent = pushOn ? "Notifications are on for this device" : "Notify me on this device";
    const t = el("push-btn");
    t.hidden = !pushable();
    t.textContent = pushOn ? "Turn off notifications on this device" : "Notify me on this device";
  }

  function keyBytes(b64) {
    const s = atob((b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  }

  async function registration() {
    await navigator.serviceWorker.register("/sw.js");
    return navigator.serviceWorker.ready;
  }

  async function togglePush() {
    try {
      if (pushOn) {
        const reg = await registration();
        const sub = await reg.pushManager.getSubscription();
        if (sub) { chat().send({ type: "push_unsubscribe", push: sub.toJSON() }); await sub.unsubscribe(); }
        pushOn = false; showPush();
        return;
      }
      if (await Notification.requestPermission() !== "granted") {
        chat().setStatus("Notifications are blocked for this site in your browser's settings.");
        return;
      }
      const reg = await registration();
      const sub = await reg.pushManager.getSubscription() ||
        await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(vapidKey) });
      if (!chat().send({ type: "push_subscribe", push: sub.toJSON() })) chat().setStatus("Not connected — try again in a moment.");
    } catch (_) {
      chat().setStatus("Notifications could not be turned on in this browser.");
    }
  }

  // A device that opted in follows the conversation the page holds.
  async function resubscribe() {
    if (!pushable() || Notification.permission !== "granted") return;
    try {
      const reg = await navigator.serviceWorker.getRegistration("/");
      const sub = reg && await reg.pushManager.getSubscription();
      if (sub) chat().send({ type: "push_subscribe", push: sub.toJSON() });
    } catch (_) { /* nothing to renew */ }
  }

  (window.NightfloatParts = window.NightfloatParts || []).push({
    decorate,
    frame(f) {
      if (f.type !== "push") return;
      pushOn = f.on;
      showPush();
      if (f.on) chat().setStatus("You'll get a notification on this device when a check-in is due. It won't contain any text.");
    },
    welcome() { showPush(); resubscribe(); },
    reset() { due.clear(); answered.clear(); pushOn = false; el("push-btn").hidden = true; },
  });

  document.addEventListener("DOMContentLoaded", () => {
    el("push-btn").addEventListener("click", () => { el("tools").hidden = true; togglePush(); });
  });
})();
