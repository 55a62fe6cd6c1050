/** Entry point: reads the route, opens the socket, folds frames into the view state and renders. */
import { html } from "htm/preact";
import { render } from "preact";
import { App } from "./components/app.ts";
import type { ConnectionState } from "./connection.ts";
import { isTvMode } from "./display-mode.ts";
import { filtersFromSearch, searchFor, withFilter, withoutFilter, type Dimension, type Filters } from "./filters.ts";
import { followLiveView, type LiveView } from "./live-view.ts";
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
  let filters = filtersFromSearch(location.search);
  let view = initialState(site);
  let connection: ConnectionState = { status: "connecting" };
  let pending = false;

  const draw = () => {
    pending = false;
    render(
      html`<${App} view=${view} connection=${connection} now=${Date.now()} origin=${location.origin} tv=${tv} filters=${filters} onFilter=${filterBy} onRemoveFilter=${removeFilter} />`,
      root,
    );
    document.title = pageTitle(view);
  };
  // Frames may come faster than the screen refreshes: fold each in, draw at most once per animation frame.
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(draw);
  };

  /** Each filter set is a view of its own on the server, with its own socket: the old one is closed. */
  let following = 0;
  const follow = (followed: Filters): LiveView => {
    const mine = ++following;
    return followLiveView({
      site,
      url: socketUrl(location, site, followed),
      diagnose: whyRefused,
      onChange(nextView, state) {
        if (mine !== following) return; // a socket being closed after the filters changed
        view = nextView;
        connection = state;
        schedule();
      },
    });
  };
  let live = follow(filters);
  const show = (next: Filters) => {
    filters = next;
    view = initialState(site);
    connection = { status: "connecting" };
    const previous = live;
    live = follow(filters);
    previous.connection.close();
    schedule();
  };
  // The filters live in the URL: a view can be bookmarked and shared, and Back undoes a filter.
  const navigate = (next: Filters) => {
    if (site === null) return;
    history.pushState(null, "", searchFor(site, next, { tv }));
    show(next);
  };
  const filterBy = (dimension: Dimension, value: string) => navigate(withFilter(filters, dimension, value));
  const removeFilter = (dimension: Dimension) => navigate(withoutFilter(filters, dimension));
  addEventListener("popstate", () => show(filtersFromSearch(location.search)));
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
