/** Entry point: reads the route, opens the socket, folds frames into the view state and renders. */
import { html } from "htm/preact";
import { render } from "preact";
import { clockRedrawDue, CLOCK_REDRAW_MS } from "./clock-redraw.ts";
import { App } from "./components/app.ts";
import type { ConnectionState } from "./connection.ts";
import { isTvMode } from "./display-mode.ts";
import { filtersFromSearch, searchFor, withFilter, withoutFilter, type Dimension, type Filters } from "./filters.ts";
import { paceLists, type ListPace } from "./list-pace.ts";
import { followLiveView, type LiveView } from "./live-view.ts";
import { rewindControl } from "./rewind-control.ts";
import { momentOf, scrubberModel, shownMoment, shownView } from "./rewind-model.ts";
import { routeFromSearch, socketUrl } from "./route.ts";
import { pageTitle } from "./site-model.ts";
import { initialState } from "./view-model.ts";
import { windowFromSearch, type ViewWindow } from "./view-window.ts";
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
  let viewWindow: ViewWindow = windowFromSearch(location.search);
  let view = initialState(site, { filters, window: viewWindow });
  let connection: ConnectionState = { status: "connecting" };
  let pending = false;

  // Paused, the page shows an earlier moment of the view; live frames keep `view` going underneath.
  const rewind = rewindControl({ send: (text) => live.connection.send(text), onChange: () => schedule() });
  const controls = () => ({
    window: viewWindow,
    onWindow: (next: ViewWindow) => navigate(filters, next),
    scrubber: scrubberModel(rewind.state),
    onPauseToggle: () => (rewind.state.paused ? rewind.goLive() : rewind.pause(view)),
    onScrub: (secondsBefore: number) => rewind.state.paused && rewind.scrub(momentOf(rewind.state.paused, secondsBefore)),
  });

  let drawnAt = -Infinity;
  let listPace: ListPace | null = null;
  let listsDue: ReturnType<typeof setTimeout> | undefined;
  const draw = () => {
    pending = false;
    drawnAt = performance.now();
    const shown = shownView(rewind.state, view);
    const paced = paceLists(listPace, shown, drawnAt);
    listPace = paced.pace;
    // Lists held back are drawn when due, whether or not another frame comes by then.
    clearTimeout(listsDue);
    if (paced.dueIn !== null) listsDue = setTimeout(schedule, paced.dueIn);
    render(
      html`<${App} view=${shown} lists=${paced.lists} connection=${connection} now=${Date.now()} origin=${location.origin} tv=${tv} filters=${filters} onFilter=${filterBy} onRemoveFilter=${removeFilter} controls=${tv ? undefined : controls()} pausedAt=${shownMoment(rewind.state)} />`,
      root,
    );
    // Setting the title, even to the same text, makes the browser do work of its own each time.
    const title = pageTitle(view);
    if (document.title !== title) document.title = title;
  };
  // Frames may come faster than the screen refreshes: fold each in, draw at most once per animation frame.
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(draw);
  };

  /** Each view (filters and window) is a topic of its own on the server, with its own socket: the old one is closed. */
  let following = 0;
  const follow = (followed: Filters, followedWindow: ViewWindow): LiveView => {
    const mine = ++following;
    return followLiveView({
      site,
      url: socketUrl(location, site, followed, followedWindow),
      view: { filters: followed, window: followedWindow },
      diagnose: whyRefused,
      onChange(nextView, state) {
        if (mine !== following) return; // a socket being closed after the view changed
        const opened = state.status === "open" && connection.status !== "open";
        view = nextView;
        connection = state;
        // A paused page asks the new socket for its moment: what was in flight on the old one is lost.
        if (opened) rewind.reopened();
        schedule();
      },
      onRewind(frame) {
        if (mine === following) rewind.answer(frame);
      },
    });
  };
  let live = follow(filters, viewWindow);
  /** Another view keeps a paused page paused at its moment, now of the new view. */
  const show = (nextFilters: Filters, nextWindow: ViewWindow) => {
    filters = nextFilters;
    viewWindow = nextWindow;
    view = initialState(site, { filters, window: viewWindow });
    connection = { status: "connecting" };
    const previous = live;
    live = follow(filters, viewWindow);
    previous.connection.close();
    rewind.reopened(view);
    schedule();
  };
  // The view lives in the URL: it can be bookmarked and shared, and Back undoes a filter or a window.
  const navigate = (nextFilters: Filters, nextWindow: ViewWindow) => {
    if (site === null) return;
    history.pushState(null, "", searchFor(site, nextFilters, { tv, window: nextWindow }));
    show(nextFilters, nextWindow);
  };
  const filterBy = (dimension: Dimension, value: string) => navigate(withFilter(filters, dimension, value), viewWindow);
  const removeFilter = (dimension: Dimension) => navigate(withoutFilter(filters, dimension), viewWindow);
  addEventListener("popstate", () => show(filtersFromSearch(location.search), windowFromSearch(location.search)));
  addEventListener("online", () => live.connection.retryNow());
  // Relative times, the last event's age, the reconnect countdown and the charts' sliding window move with the clock.
  setInterval(() => clockRedrawDue(drawnAt, performance.now()) && schedule(), CLOCK_REDRAW_MS);
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
