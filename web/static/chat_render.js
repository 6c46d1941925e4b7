// Nightfloat chat: how a message's text is drawn. Phone numbers in what the service or a
// clinician wrote become tel:/sms: links; the list of people to reach that ends a reply is
// folded to one line with a toggle that opens the whole list. Text is only ever inserted
// with textContent or as text nodes, never as HTML.
"use strict";

(function () {
  const BULLET = "• ";

  // One pattern, tried left to right: "call or text N", "text WORD to N", then numbers
  // written as 1-888-409-0141, 888-409-0141, 555-0100, or the three-digit services.
  const NUMBER = /\b(call) or (text (\d{3,6}))\b|\btext ([A-Z]+) to (\d{5,6})\b|\b(1-\d{3}-\d{3}-\d{4}|\d{3}-\d{3}-\d{4}|\d{3}-\d{4}|988|911)\b/gi;

  function link(href, label) {
    const a = document.createElement("a");
    a.className = "tel";
    a.href = href;
    a.textContent = label;
    return a;
  }

  // linked appends text to parent with every phone number made tappable.
  function linked(parent, text) {
    let at = 0;
    for (const m of text.matchAll(NUMBER)) {
      if (m.index > at) parent.append(document.createTextNode(text.slice(at, m.index)));
      if (m[1]) { // call or text N
        parent.append(link("tel:" + m[3], m[1]), " or ", link("sms:" + m[3], m[2]));
      } else if (m[4]) { // text HOME to 741741
        parent.append(link("sms:" + m[5] + "?body=" + encodeURIComponent(m[4]), m[0]));
      } else {
        const digits = m[6].replace(/\D/g, "");
        parent.append(link("tel:" + (digits.length === 11 ? "+" + digits : digits), m[6]));
      }
      at = m.index + m[0].length;
    }
    if (at < text.length) parent.append(document.createTextNode(text.slice(at)));
  }

  function list(items, className) {
    const ul = document.createElement("ul");
    if (className) ul.className = className;
    for (const item of items) {
      const li = document.createElement("li");
      linked(li, item);
      ul.append(li);
    }
    return ul;
  }

  // split returns the text before a closing run of bullet lines, the line that leads into
  // it (when it ends with a colon), and the bullet lines without their bullets.
  function split(text) {
    const lines = text.split("\n");
    let i = lines.length;
    while (i > 0 && lines[i - 1].startsWith(BULLET)) i--;
    const items = lines.slice(i).map((l) => l.slice(BULLET.length));
    let head = lines.slice(0, i);
    let lead = "";
    if (items.length && head.length) {
      const last = head[head.length - 1];
      const cut = last.lastIndexOf(". ");
      if (last.trim().endsWith(":")) {
        lead = cut >= 0 ? last.slice(cut + 2) : last;
        head = head.slice(0, -1).concat(cut >= 0 ? [last.slice(0, cut + 1)] : []);
      }
    }
    const before = lines.slice(0, i).join("\n").replace(/\s+$/, "");
    return { head: head.join("\n").replace(/\s+$/, ""), lead: lead.trim(), items, before };
  }

  // reach is the folded list under a reply: the lead-in and the first resource on one
  // line, and a toggle for the rest.
  function reach(lead, items) {
    const box = document.createElement("div");
    box.className = "reach";
    if (lead) {
      const l = document.createElement("span");
      l.className = "lead";
      l.textContent = lead;
      box.append(l, " ");
    }
    const first = document.createElement("span");
    first.className = "first";
    linked(first, items[0]);
    box.append(first);
    if (items.length > 1) {
      const more = document.createElement("button");
      more.type = "button";
      more.className = "link reach-more";
      more.textContent = "More numbers";
      more.setAttribute("aria-expanded", "false");
      const rest = list(items.slice(1));
      rest.hidden = true;
      more.addEventListener("click", () => {
        rest.hidden = !rest.hidden;
        more.setAttribute("aria-expanded", String(!rest.hidden));
        more.textContent = rest.hidden ? "More numbers" : "Fewer";
      });
      box.append(" ", more, rest);
    }
    return box;
  }

  // body fills a message's body element. A resident's own words are shown exactly as typed.
  function body(el, author, text) {
    el.textContent = "";
    if (author === "resident") { el.textContent = text; return; }
    const parts = split(text);
    if (!parts.items.length) { linked(el, text); return; }
    if (author === "assistant") {
      linked(el, parts.head);
      el.append(reach(parts.lead, parts.items));
      return;
    }
    linked(el, parts.before);
    el.append(list(parts.items, "reach-list"));
  }

  window.NightfloatRender = { body, linked };

  document.addEventListener("DOMContentLoaded", () => {
    for (const li of document.querySelectorAll("#crisis-list li")) {
      const t = li.textContent;
      li.textContent = "";
      linked(li, t);
    }
  });
})();
