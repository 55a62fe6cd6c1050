/** The tracker's only network I/O. */

/**
 * POSTs `body` to `api` and calls `done` when it is over, whatever the outcome: analytics must stay
 * silent when the server is down. `keepalive` lets the request outlive the page, so outbound clicks
 * need not delay navigation. A string body is sent as `text/plain;charset=UTF-8` without our
 * saying so, which keeps it a "simple" request: no CORS preflight.
 */
export function send(api: string, body: string, done?: () => void): void {
  const finish = () => done && done();
  if ("fetch" in window) {
    fetch(api, { method: "POST", keepalive: true, credentials: "omit", body }).then(finish, finish);
  } else {
    // Older browsers: a beacon also outlives the page, but says nothing about its outcome.
    navigator.sendBeacon?.(api, body);
    finish();
  }
}
