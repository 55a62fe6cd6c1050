/** The tracker's only network I/O. */

/**
 * POSTs `body` to `api` and calls `done` when it is over, whatever the outcome: analytics must stay
 * silent when the server is down. `keepalive` lets the request outlive the page, so outbound clicks
 * need not delay navigation. A string body is sent as `text/plain;charset=UTF-8` without our
 * saying so, which keeps it a "simple" request: no CORS preflight.
 *
 * `beacon` (for presence signals, often sent as the page goes away, and with no `done`) tries
 * `navigator.sendBeacon` first, which is made for that; it refuses what it cannot queue, and an
 * extension may remove it: then fetch sends it.
 */
export const send = (api: string, body: string, done?: () => void, beacon?: unknown): void => {
  const finish = () => done?.();
  (beacon && navigator.sendBeacon?.(api, body)) ||
    fetch(api, { method: "POST", keepalive: true, credentials: "omit", body }).then(finish, finish);
};
