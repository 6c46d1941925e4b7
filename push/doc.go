// Package push sends web-push notifications that carry no text: when a check-in after a
// handoff is due, a resident's opted-in devices are told only that something is waiting
// ("Nightfloat: you have a message", shown by the page's service worker), never what or
// for whom. It is the only package that imports webpush-go.
//
// It owns the table push_subscriptions (Store): a subscription is kept under the
// conversation's id only and deleted with it. An endpoint is a capability URL of the
// browser's push service, so it is treated as a secret: never logged, never shown, and
// one endpoint belongs to one conversation at a time, so no two pseudonyms are linked by
// a shared device. Endpoints must be on a known push service's host (Options), so the
// server never posts to an address a client chose.
//
// Keys are the VAPID key pair (RFC 8292) from configuration; without them nothing is sent
// and the chat offers no notifications.
package push
