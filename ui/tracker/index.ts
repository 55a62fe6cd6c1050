/**
 * The Pulse tracker: `<script defer data-domain="shop.example" src="https://pulse.example/js/script.js">`.
 * Sends a pageview on load and on every single-page navigation, outbound-link and download clicks,
 * and custom events from `window.pulse(name, {props, callback})`. See docs/tracker.md.
 *
 * It runs inside other people's pages, so nothing here may throw into them: every entry point is guarded.
 */
import { readConfig, type ScriptTag } from "./config.ts";
import { isIgnored, isPrerendering, type Page } from "./ignore.ts";
import { isLinkClick, linkEvent } from "./links.ts";
import { lastPage, trackedPath, watchNavigation } from "./navigation.ts";
import { buildPayload } from "./payload.ts";
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

guard(() => {
  const config = readConfig(document.currentScript as ScriptTag | null, location.hostname);
  const page = lastPage();

  const track = guard((name: string, options?: EventOptions) => {
    const callback = options?.callback;
    // Like Plausible, an ignored event still calls back: sites often navigate in the callback.
    if (isIgnored(window as unknown as Page, config)) return callback && callback();
    const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    send(config.api, JSON.stringify(buildPayload(name, options?.props, config.domain, location, document.referrer, timeZone)), callback);
  });

  // The page is remembered even when its pageview is ignored, so leaving an excluded page counts.
  const pageview = () => page.changed(trackedPath(location)) && track("pageview");
  const restart = () => {
    page.forget();
    pageview();
  };

  // A prerendered page may never be seen: its view counts when (and if) it is activated.
  if (isPrerendering(document)) document.addEventListener("prerenderingchange", guard(restart), { once: true });
  else pageview();

  installApi(window as { pulse?: unknown }, track);
  watchNavigation(history, (type, listener) => listen(window, type, listener), guard(pageview));
  // Restored from the back-forward cache: a new view of the page, though no script runs again.
  listen(window, "pageshow", (event) => (event as PageTransitionEvent).persisted && restart());

  const onClick = (event: Event) => {
    const link = isLinkClick(event as MouseEvent) && (event.target as Element).closest("a[href]");
    const name = link && linkEvent(link as HTMLAnchorElement, location.host);
    if (name) track(name, { props: { url: (link as HTMLAnchorElement).href } });
  };
  listen(document, "click", onClick);
  listen(document, "auxclick", onClick);
})();
