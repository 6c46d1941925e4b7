// The counsellors' page reloads itself every minute, so that new and overdue screens show,
// but never while a reply is being written.
"use strict";

(function () {
  setInterval(() => {
    const writing = [...document.querySelectorAll(".screen-reply textarea")].some((t) => t.value.trim() !== "" || t === document.activeElement);
    if (!writing && !document.querySelector("details.answers[open]")) location.reload();
  }, 60000);
})();
