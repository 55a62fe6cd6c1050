/**
 * The demo's one custom event. `window.pulse` is the stub from index.html until the tracker
 * loads, so calls made before then are queued, not lost. Typed locally instead of augmenting
 * `Window`, so it cannot clash with the tracker's own declarations.
 */
type PulseFunction = (name: string, options?: { props?: Record<string, string> }) => void;

export function trackAddToCart(wineSlug: string): void {
  const pulse = (window as unknown as { pulse?: PulseFunction }).pulse;
  pulse?.("Add to cart", { props: { wine: wineSlug } });
}
