/** Entry point: reads the route, opens the socket, folds frames into the view state and renders. */
import { html } from "htm/preact";
import { render } from "preact";
import { App } from "./components/app.ts";
import type { ConnectionState } from "./connection.ts";
import { isTvMode } from "./display-mode.ts";
import { followLiveView } from "./live-view.ts";
import { routeFromSearch, socketUrl } from "./route.ts";
import { pageTitle } from "./site-model.ts";
import { initialState } from "./view-model.ts";
import { hideIdleCursor, keepScreenAwake } from "./tv-display.ts";

const root = document.getElementById("app");
if (root) start(root);

function start(root: HTMLElement): void {
  const route = routeFromSearch(location.search);
  root.textContent = ""; // the "Loading…" placeholder: render() adds to what is there
  if ("invalidSite" in route) {
    // The server would refuse the socket (400), and a browser cannot tell that from a network error.
    const closed: ConnectionState = { status: "closed", code: 0, reason: "not a site name" };
    render(html`<${App} view=${initialState(null)} connection=${closed} now=${Date.now()} origin=${location.origin} invalidSite=${route.invalidSite} />`, root);
    return;
  }
  const { site } = route;
  const tv = isTvMode(location.search);
  if (tv) {
    document.documentElement.classList.add("tv");
    hideIdleCursor(document.documentElement);
    keepScreenAwake(document.documentElement);
  }
  let view = initialState(site);
  let connection: ConnectionState = { status: "connecting" };
  let pending = false;

  const draw = () => {
    pending = false;
    render(html`<${App} view=${view} connection=${connection} now=${Date.now()} origin=${location.origin} tv=${tv} />`, root);
    document.title = pageTitle(view);
  };
  // Frames may come faster than the screen refreshes: fold each in, draw at most once per animation frame.
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(draw);
  };

  const live = followLiveView({
    site,
    url: socketUrl(location, site),
    diagnose: whyRefused,
    onChange(nextView, state) {
      view = nextView;
      connection = state;
      schedule();
    },
  });
  addEventListener("online", () => live.connection.retryNow());
  // Relative times, the last event's age, the reconnect countdown and the charts' sliding window move with the clock.
  setInterval(schedule, 1000);
  draw();
}

/**
 * Sockets keep failing to open: the page asks for itself, which the server refuses (401) as it
 * refuses the socket when the token (the cookie) is no longer accepted, e.g. after it changed.
 */
async function whyRefused(): Promise<string | null> {
  try {
    const response = await fetch(location.pathname + location.search, { cache: "no-store" });
    return response.status === 401 ? "the access token is no longer accepted: reload the page to sign in" : null;
  } catch {
    return null; // the server is unreachable: keep trying
  }
}
