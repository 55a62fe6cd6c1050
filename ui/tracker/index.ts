/**
 * The Pulse tracker: `<script defer data-domain="shop.example" src="https://pulse.example/js/script.js">`.
 * Sends a pageview on load and on every single-page navigation, custom events from
 * `window.pulse(name, {props, callback})`, and the tab's presence signals; its variants add
 * outbound-link and download clicks, and more (the flags below). See docs/tracker.md.
 *
 * It runs inside other people's pages, so nothing here may throw into them: every entry point is guarded.
 * It is also downloaded by every visitor of every page it is on: written for its gzipped size
 * (text that repeats costs little; test/tracker/size.test.ts keeps the budget).
 */
import { readConfig, type ScriptTag } from "./config.ts";
import { isIgnored, isPrerendering, type Page } from "./ignore.ts";
import { PRESENCE_HEARTBEAT_MS } from "../../src/core/presence/presence-timing.ts";
import { isDownload, isLinkClick, linkEvent } from "./links.ts";
import { lastPage, routeOf, trackedPath, watchNavigation } from "./navigation.ts";
import { buildPayload } from "./payload.ts";
import { isPresentAfter, presenceTeller, tabId } from "./presence.ts";
import { installApi, type EventOptions } from "./queue.ts";
import { send } from "./send.ts";

/*
 * What a script variant adds, set by build.ts (esbuild `define`) from the variant's name
 * (src/server/tracker-variants.ts): the code behind a flag that is off is left out of the build.
 */
/** `script.outbound-links.js`: clicks on links to other hosts are events. */
declare const OUTBOUND_LINKS: boolean;
/** `script.file-downloads.js`: clicks on links to files are events. */
declare const FILE_DOWNLOADS: boolean;
/** `script.local.js`: as if the tag had data-allow-localhost. */
declare const TRACK_LOCALHOST: boolean;
/** `script.manual.js`: no pageview but those the page sends, `pulse("pageview", {u})`. */
declare const MANUAL_PAGEVIEWS: boolean;

/** `fn`, made to swallow what it throws. Every function the page or the browser calls is one. */
const guard =
  <F extends (...args: never[]) => unknown>(fn: F): F =>
  ((a: never, b: never) => {
    try {
      fn(a, b);
    } catch {}
  }) as F;

/** Listens to each of `types` (space-separated), on `window` unless told otherwise. */
const listen = (types: string, listener: (event: Event) => void, target: EventTarget = window) => {
  for (const type of types.split(" ")) target.addEventListener(type, guard(listener));
};

guard(() => {
  // Named once: each use is then a letter in the minified script.
  const doc = document;
  const loc = location;
  const config = readConfig(doc.currentScript as ScriptTag | null, loc.hostname);
  if (TRACK_LOCALHOST) config.allowLocal = true;
  const page = lastPage();
  const tab = tabId(window.crypto);
  const tell = presenceTeller();
  /**
   * Whether an element bears `name` (a hash without its `#`, as the URL encodes it) as its id, or an
   * `<a>` as its name (`document.anchors`): what the browser scrolls to.
   */
  const isAnchor = (name: string) => {
    try {
      name = decodeURIComponent(name);
    } catch {}
    return doc.getElementById(name) || doc.anchors.namedItem(name);
  };
  // Asked at each event, of the page as it is then: a view may have rendered an anchor since.
  const route = () => routeOf(loc.hash, config.hash, isAnchor);
  const ignored = (hash = route()) => isIgnored(window as unknown as Page, config, trackedPath(loc.pathname, hash));

  const track = guard((name: string, options?: EventOptions) => {
    const callback = options?.callback;
    const hash = route();
    // Like Plausible, an ignored event still calls back: sites often navigate in the callback.
    if (ignored(hash)) return callback?.();
    if (name == "pageview") tell(true);
    send(
      config.api,
      JSON.stringify(
        buildPayload(
          name,
          options?.props,
          config.domain,
          tab,
          // A page that counts its own pageviews may name the page it counts (Plausible's custom locations).
          MANUAL_PAGEVIEWS ? options?.u || loc.href : loc.href,
          hash,
          doc.referrer,
          Intl.DateTimeFormat().resolvedOptions().timeZone,
        ),
      ),
      callback,
    );
  });

  // The page is remembered even when its pageview is ignored, so leaving an excluded page counts.
  const pageview = () => page.changed(loc.pathname, route()) && track("pageview");
  const restart = () => {
    page.forget();
    pageview();
  };

  if (!MANUAL_PAGEVIEWS) {
    // A prerendered page may never be seen: its view counts when (and if) it is activated.
    if (isPrerendering(doc)) doc.addEventListener("prerenderingchange", guard(restart), { once: true });
    else pageview();
  }

  if (!MANUAL_PAGEVIEWS) watchNavigation(history, listen, guard(pageview));

  // The body of an event, without what only events carry (payload.ts); `h` as an event's, so the tab is on the page counted.
  const signal = (state: string, hash = route()) =>
    ignored(hash) || send(config.presenceApi, JSON.stringify({ s: state, u: loc.href, d: config.domain, t: tab, h: !!hash }), undefined, true);
  // The heartbeat runs only while the page is shown: a hidden tab has said "gone" and keeps quiet.
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const beat = () => (heartbeat = setInterval(guard(signal), PRESENCE_HEARTBEAT_MS, "here"));
  const onLifecycle = (event: Event) => {
    // Restored from the back-forward cache: a new view of the page, though no script runs again.
    if (!MANUAL_PAGEVIEWS && event.type == "pageshow" && (event as PageTransitionEvent).persisted) restart();
    const present = isPresentAfter(event.type, doc.visibilityState);
    const state = tell(present);
    if (state) signal(state);
    clearInterval(heartbeat);
    if (present) beat();
  };
  // visibilitychange bubbles from the document to the window.
  listen("visibilitychange pagehide pageshow", onLifecycle);
  // A page opened in a background tab is present from its pageview, as any page is; it only has no heartbeat.
  if (isPresentAfter("load", doc.visibilityState)) beat();

  if (OUTBOUND_LINKS || FILE_DOWNLOADS)
    listen(
      "click auxclick",
      (event) => {
        const link = isLinkClick(event as MouseEvent) && (event.target as Element).closest("a[href]");
        const name = link && linkEvent(link as HTMLAnchorElement, loc.host, FILE_DOWNLOADS && isDownload, OUTBOUND_LINKS);
        if (name) track(name, { props: { url: (link as HTMLAnchorElement).href } });
      },
      doc,
    );

  // Last: should a stub have queued something that is no list of arguments, only the queued calls are lost.
  installApi(window as { pulse?: unknown }, track, tab);
})();
