/** The live widget's placeholders: which counts a page needs, and the text each shows. Pure, tested without a DOM. */

export type Scope = "page" | "site";

export interface Placeholder {
  getAttribute(name: string): string | null;
  textContent: string | null;
}

/** `data-pulse-live="site"` shows the whole site's count; anything else (`""`, `"page"`), this page's. */
export const scopeOf = (placeholder: Placeholder): Scope => (placeholder.getAttribute("data-pulse-live") == "site" ? "site" : "page");

/** The socket's scope for a page's placeholders (one at least): one socket receives both counts when both are shown. */
export const scopeNeeded = (placeholders: readonly Placeholder[]): Scope | "both" =>
  new Set(placeholders.map(scopeOf)).size > 1 ? "both" : scopeOf(placeholders[0]!);

/** `{n}` in the template (the singular one when n is 1, if given), or the number alone. */
export const countText = (placeholder: Placeholder, n: number): string =>
  ((n == 1 && placeholder.getAttribute("data-pulse-template-one")) || placeholder.getAttribute("data-pulse-template") || "{n}").replaceAll("{n}", n as unknown as string);

/**
 * Shows a frame's count in a placeholder of its scope: `p12` is this page's count, `s37` the
 * site's. Anything but a frame is left unshown (a Blob or an ArrayBuffer is tested as "[object …]").
 */
export const showFrame = (placeholder: Placeholder, frame: unknown): void => {
  if (/^[ps]\d{1,9}$/.test(frame as string) && scopeOf(placeholder)[0] == (frame as string)[0]) placeholder.textContent = countText(placeholder, +(frame as string).slice(1));
};
