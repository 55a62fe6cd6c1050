/** Entry point: reads the route, opens the socket, folds frames into the view state and renders. */
import { html } from "htm/preact";
import { render } from "preact";
import { App } from "./components/app.ts";
import { connect, type ConnectionState } from "./connection.ts";
import { siteFromSearch, socketUrl } from "./route.ts";
import { pageTitle } from "./site-model.ts";
import { applyFrame, initialState } from "./view-model.ts";

const root = document.getElementById("app");
if (root) start(root);

function start(root: HTMLElement): void {
  const site = siteFromSearch(location.search);
  let view = initialState(site);
  let connection: ConnectionState = { status: "connecting" };
  let pending = false;

  const draw = () => {
    pending = false;
    render(html`<${App} view=${view} connection=${connection} now=${Date.now()} origin=${location.origin} />`, root);
    document.title = pageTitle(view);
  };
  // Frames may come faster than the screen refreshes: fold each in, draw at most once per animation frame.
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(draw);
  };

  const socket = connect({
    url: socketUrl(location, site),
    onFrame(frame) {
      const next = applyFrame(view, frame, Date.now());
      if (next === view) return;
      view = next;
      schedule();
    },
    onState(state) {
      connection = state;
      schedule();
    },
  });
  addEventListener("online", () => socket.retryNow());
  // Relative times, the reconnect countdown and the charts' sliding window move with the clock.
  setInterval(schedule, 1000);
  root.textContent = ""; // the "Loading…" placeholder: render() adds to what is there
  draw();
}
