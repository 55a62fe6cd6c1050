/** The live widget's placeholders: which counts a page needs, and the text each shows. Pure, tested without a DOM. */

export type Scope = "page" | "site";

export interface Placeholder {
  getAttribute(name: string): string | null;
  textContent: string | null;
}

/** `data-pulse-live="site"` shows the whole site's count; anything else (`""`, `"page"`), this page's. */
export function scopeOf(placeholder: Placeholder): Scope {
  return placeholder.getAttribute("data-pulse-live") === "site" ? "site" : "page";
}

/** The socket's scope for a page's placeholders: one socket receives both counts when both are shown. */
export function scopeNeeded(placeholders: readonly Placeholder[]): "page" | "site" | "both" {
  const scopes = new Set(placeholders.map(scopeOf));
  return scopes.size > 1 ? "both" : scopes.has("site") ? "site" : "page";
}

/** `{n}` in the template (the singular one when n is 1, if given), or the number alone. */
export function countText(placeholder: Placeholder, n: number): string {
  const template = (n === 1 && placeholder.getAttribute("data-pulse-template-one")) || placeholder.getAttribute("data-pulse-template") || "{n}";
  return template.split("{n}").join(String(n));
}

/** A frame: `p12` is this page's count, `s37` the site's; null for anything else. */
export function parseFrame(frame: unknown): { scope: Scope; count: number } | null {
  if (typeof frame !== "string" || !/^[ps]\d{1,9}$/.test(frame)) return null;
  return { scope: frame[0] === "s" ? "site" : "page", count: Number(frame.slice(1)) };
}
