/**
 * The Pulse live widget: `<script async src="https://pulse.example/js/live.js" data-domain="shop.example">`
 * and `<span data-pulse-live></span>` (this page) or `<span data-pulse-live="site"></span>` where the
 * count goes. One socket per tab, none without a placeholder; no styles, no cookies, no storage.
 * It runs inside other people's pages, so nothing here may throw into them.
 */
import { countText, parseFrame, scopeNeeded, scopeOf, type Placeholder } from "./placeholders.ts";
import { retryDelay, shouldRetry, type Attempts } from "./reconnect.ts";

const script = document.currentScript as HTMLScriptElement | null;

function start(): void {
  const placeholders = Array.from(document.querySelectorAll("[data-pulse-live]")) as unknown as Placeholder[];
  if (placeholders.length === 0 || !script || !("WebSocket" in window)) return;
  const site = (script.getAttribute("data-domain") || location.hostname).split(",")[0]!.trim();
  const endpoint = new URL("/live", script.src);
  endpoint.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";
  const query = endpoint.searchParams;
  query.set("site", site);
  query.set("page", location.pathname);
  query.set("scope", scopeNeeded(placeholders));
  // The tracker's tab when it runs here too, so the tab counts once; else one of our own, for this document only.
  const ownTab = Math.random().toString(36).slice(2, 14).padEnd(8, "0");
  const attempts: Attempts = { failedOpens: 0, refusals: 0 };

  const connect = () => {
    const tab = (window as { pulse?: { tab?: unknown } }).pulse?.tab;
    query.set("tab", typeof tab === "string" ? tab : ownTab);
    const socket = new WebSocket(endpoint.href);
    socket.onopen = () => (attempts.failedOpens = 0);
    socket.onmessage = (event) => {
      const frame = parseFrame(event.data);
      if (frame) for (const placeholder of placeholders) if (scopeOf(placeholder) === frame.scope) placeholder.textContent = countText(placeholder, frame.count);
    };
    socket.onclose = (event) => {
      if (shouldRetry(attempts, event.code)) setTimeout(guarded(connect), retryDelay(attempts.failedOpens++, Math.random()));
    };
  };
  connect();
}

function guarded(fn: () => void): () => void {
  return () => {
    try {
      fn();
    } catch {}
  };
}

// An async script may run before the placeholders below it are parsed.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", guarded(start));
else guarded(start)();
