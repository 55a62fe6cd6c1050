/**
 * The Pulse live widget: `<script async src="https://pulse.example/js/live.js" data-domain="shop.example">`
 * and `<span data-pulse-live></span>` (this page) or `<span data-pulse-live="site"></span>` where the
 * count goes. One socket per tab, none without a placeholder; no styles, no cookies, no storage.
 * It runs inside other people's pages, so nothing here may throw into them: what a browser lacks
 * (`currentScript`, WebSocket) ends the widget in `guarded`, and the page never knows.
 * It is downloaded with every page that shows a count: written for its gzipped size (test/live/size.test.ts).
 */
import { watchNavigation } from "../tracker/navigation.ts";
import { anchorIn, pageFollower } from "./page.ts";
import { scopeNeeded, showFrame, type Placeholder } from "./placeholders.ts";
import { retryDelay, shouldRetry } from "./reconnect.ts";

const doc = document;
const script = doc.currentScript as HTMLScriptElement;

/** `fn`, made to swallow what it throws. Every function the page or the browser calls is one. */
const guarded =
  <A>(fn: (arg?: A) => void) =>
  (arg?: A) => {
    try {
      fn(arg);
    } catch {}
  };

const start = () => {
  const loc = location;
  const shown = [...doc.querySelectorAll("[data-pulse-live]")] as unknown as Placeholder[];
  if (!shown[0]) return;
  // The script's own server, http becoming ws and https wss.
  const endpoint = new URL("/live", script.src.replace("http", "ws")) + "?";
  const site = (script.getAttribute("data-domain") || loc.hostname).split(",")[0]!;
  const scope = scopeNeeded(shown);
  const follow = pageFollower(doc.querySelector("script[data-hash]")?.getAttribute("data-hash"), anchorIn(doc));
  // The tracker's tab when it runs here too, so the tab counts once; else one of our own, for this document only.
  const ownTab = Math.random().toString(36).slice(2, 14).padEnd(8, "0");
  /** Closes in a row without a count. */
  let failures = 0;
  let page: string;
  /** The socket open or opening; none while waiting to try again, or once given up. */
  let socket: WebSocket | undefined;

  const connect = () => {
    const tab = (window as { pulse?: { tab?: string } }).pulse?.tab || ownTab;
    socket = new WebSocket(endpoint + new URLSearchParams({ site, page, scope, tab }));
    socket.onmessage = (event) => {
      failures = 0;
      for (const placeholder of shown) showFrame(placeholder, event.data);
    };
    socket.onclose = () => {
      socket = undefined;
      if (shouldRetry(failures)) setTimeout(guarded(connect), retryDelay(failures++, Math.random()));
    };
  };

  /**
   * After a navigation, the page as the tracker counts it. A new page gets a new socket at once (a
   * navigation is no failure); while waiting to try again, or once given up, the next try (if any) takes it.
   */
  const navigated = () => {
    const next = follow(loc.pathname, loc.hash);
    if (!next) return;
    page = next;
    if (socket) {
      socket.onclose = null;
      socket.close();
      connect();
    }
  };
  navigated();
  connect();
  // A window's own addEventListener, called unbound: the window is its `this`.
  watchNavigation(history, addEventListener, guarded(navigated));
};

// An async script may run before the placeholders below it are parsed, and before a deferred
// tracker that is still downloading: its tab must be the one the widget holds. `load` comes after
// every script of the page's markup (deferred or async) has run.
const begin = guarded(start);
if (doc.readyState == "complete") begin();
else addEventListener("load", begin);
