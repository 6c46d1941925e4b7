// Nightfloat's service worker. It only shows check-in notifications: a push carries no
// data at all, so the notification is the same fixed text for everyone and says nothing
// about the person or the conversation. Tapping it opens (or focuses) the chat.
"use strict";

self.addEventListener("push", (event) => {
  event.waitUntil(self.registration.showNotification("Nightfloat", {
    body: "You have a message",
    tag: "nightfloat",
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const w of windows) {
      if (new URL(w.url).pathname === "/" && "focus" in w) return w.focus();
    }
    return self.clients.openWindow("/");
  })());
});
