/**
 * What TV mode asks of the browser: no cursor over the figures once the mouse rests, and the
 * screen kept on where the browser allows it (the Screen Wake Lock API).
 */

/** The cursor hides after this long without moving. */
export const CURSOR_IDLE_MS = 3000;

/** Adds `cursor-hidden` to `root` while the mouse rests; any move shows the cursor again. */
export function hideIdleCursor(root: HTMLElement, idleMs = CURSOR_IDLE_MS): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const wake = () => {
    root.classList.remove("cursor-hidden");
    clearTimeout(timer);
    timer = setTimeout(() => root.classList.add("cursor-hidden"), idleMs);
  };
  addEventListener("pointermove", wake, { passive: true });
  addEventListener("pointerdown", wake, { passive: true });
  wake();
}

/**
 * Keeps the screen on. The browser releases the lock whenever the page is hidden, so it is asked
 * again each time the page shows; a browser without the API, or one that refuses (battery saver,
 * no secure context), is left alone. `root.dataset.wakeLock` says how it went.
 */
export function keepScreenAwake(root: HTMLElement): void {
  const wakeLock = (navigator as Navigator & { wakeLock?: WakeLock }).wakeLock;
  if (wakeLock === undefined) {
    root.dataset.wakeLock = "unsupported";
    return;
  }
  const request = () => {
    if (document.visibilityState !== "visible") return;
    wakeLock.request("screen").then(
      () => (root.dataset.wakeLock = "held"),
      () => (root.dataset.wakeLock = "refused"),
    );
  };
  document.addEventListener("visibilitychange", request);
  request();
}
