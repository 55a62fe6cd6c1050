/**
 * The Pulse tracker: `<script defer data-domain="shop.example" src="https://pulse.example/js/script.js">`.
 * Sends a pageview on load and on every single-page navigation, outbound-link and download clicks,
 * custom events from `window.pulse(name, {props, callback})`, and the tab's presence signals. See docs/tracker.md.
 *
 * It runs inside other people's pages, so nothing here may throw into them: every entry point is guarded.
 */
import { readConfig, type ScriptTag } from "./config.ts";
import { isIgnored, isPrerendering, type Page } from "./ignore.ts";
import { isLinkClick, linkEvent } from "./links.ts";
import { lastPage, routeOf, trackedPath, watchNavigation } from "./navigation.ts";
import { buildPayload } from "./payload.ts";
import { isPresentAfter, PRESENCE_HEARTBEAT_MS, presenceTeller, tabId } from "./presence.ts";
import { installApi, type EventOptions } from "./queue.ts";
import { send } from "./send.ts";

const guard =
  <A extends unknown[]>(fn: (...args: A) => void) =>
  (...args: A): void => {
    try {
      fn(...args);
    } catch {}
  };

const listen = (target: EventTarget, type: string, listener: (event: Event) => void) => target.addEventListener(type, guard(listener));

/**
 * Whether an element bears `name` (a hash without its `#`, as the URL encodes it) as its id, or an
 * `<a>` as its name (`document.anchors`): what the browser scrolls to.
 */
const isAnchor = (name: string) => {
  try {
    name = decodeURIComponent(name);
  } catch {}
  return !!(document.getElementById(name) || document.anchors.namedItem(name));
};

guard(() => {
  const config = readConfig(document.currentScript as ScriptTag | null, location.hostname);
  const page = lastPage();
  const tab = tabId(window.crypto);
  const tell = presenceTeller();
  // Asked at each event, of the page as it is then: a view may have rendered an anchor since.
  const route = () => routeOf(location.hash, config.hash, isAnchor);
  const ignored = (hash = route()) => isIgnored(window as unknown as Page, config, trackedPath(location.pathname, hash));

  const track = guard((name: string, options?: EventOptions) => {
    const callback = options?.callback;
    const hash = route();
    // Like Plausible, an ignored event still calls back: sites often navigate in the callback.
    if (ignored(hash)) return callback && callback();
    if (name == "pageview") tell(true);
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const payload = buildPayload(name, options?.props, config.domain, tab, location.href, hash, document.referrer, timeZone);
    send(config.api, JSON.stringify(payload), callback);
  });

  // The page is remembered even when its pageview is ignored, so leaving an excluded page counts.
  const pageview = () => page.changed(location.pathname, route()) && track("pageview");
  const restart = () => {
    page.forget();
    pageview();
  };

  // A prerendered page may never be seen: its view counts when (and if) it is activated.
  if (isPrerendering(document)) document.addEventListener("prerenderingchange", guard(restart), { once: true });
  else pageview();

  installApi(window as { pulse?: unknown }, track, tab);
  watchNavigation(history, (type, listener) => listen(window, type, listener), guard(pageview));

  const signal = (state: string) =>
    ignored() || send(config.presenceApi, JSON.stringify({ d: config.domain, u: location.href, t: tab, s: state }), undefined, true);
  // The heartbeat runs only while the page is shown: a hidden tab has said "gone" and keeps quiet.
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const beat = (present: boolean) => {
    clearInterval(heartbeat);
    if (present) heartbeat = setInterval(guard(() => signal("here")), PRESENCE_HEARTBEAT_MS);
  };
  const onLifecycle = (event: Event) => {
    // Restored from the back-forward cache: a new view of the page, though no script runs again.
    if (event.type == "pageshow" && (event as PageTransitionEvent).persisted) restart();
    const present = isPresentAfter(event.type, document.visibilityState);
    const state = tell(present);
    if (state) signal(state);
    beat(present);
  };
  listen(document, "visibilitychange", onLifecycle);
  listen(window, "pagehide", onLifecycle);
  listen(window, "pageshow", onLifecycle);
  // A page opened in a background tab is present from its pageview, as any page is; it only has no heartbeat.
  beat(isPresentAfter("load", document.visibilityState));

  const onClick = (event: Event) => {
    const link = isLinkClick(event as MouseEvent) && (event.target as Element).closest("a[href]");
    const name = link && linkEvent(link as HTMLAnchorElement, location.host);
    if (name) track(name, { props: { url: (link as HTMLAnchorElement).href } });
  };
  listen(document, "click", onClick);
  listen(document, "auxclick", onClick);
})();
