/** Labels longer than this are cut: they are for reading on a dashboard, and keep frames small. */
export const MAX_LABEL_CHARS = 100;

/**
 * Characters a label is better without. Control characters would be escaped to six bytes each in
 * JSON frames and carry no meaning in labels. Bidi overrides, embeddings, isolates and marks
 * reorder what follows them (`\u202Emoc.elgoog` shows as "google.com" and reverses the rest of a
 * feed line); zero-width and other invisible format characters make labels that look alike but
 * are not. Zero-width joiners go too: an emoji sequence falls apart into its emoji, still readable.
 */
const UNWANTED =
  "\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u206f\\u3164\\ufeff\\uffa0\\ufff0-\\ufffb";
/**
 * Invisible characters beyond U+FFFF, as surrogate pairs: shorthand format controls (U+1BCA0 to
 * U+1BCA3), musical formatting (U+1D173 to U+1D17A) and tag characters (U+E0000 to U+E007F).
 */
const ASTRAL_UNWANTED = "\\ud82f[\\udca0-\\udca3]|\\ud834[\\udd73-\\udd7a]|\\udb40[\\udc00-\\udc7f]";
/**
 * Variation selectors (U+FE00 to U+FE0F, U+E0100 to U+E01EF) choose how the character before them
 * looks, as in emoji, and stay; alone they show nothing.
 */
const VARIATION_SELECTORS = "[\\ufe00-\\ufe0f]|\\udb40[\\udd00-\\uddef]";
/** Half a surrogate pair: not text, and no UTF-8 encoder keeps it as sent. */
const LONE_SURROGATE = "[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]";
const NEEDS_CLEANING = new RegExp(`[${UNWANTED}]|${ASTRAL_UNWANTED}|${VARIATION_SELECTORS}|${LONE_SURROGATE}`);
const ALL_UNWANTED = new RegExp(`[${UNWANTED}]|${ASTRAL_UNWANTED}`, "g");
const ALL_LONE_SURROGATES = new RegExp(LONE_SURROGATE, "g");
const ONLY_INVISIBLE = new RegExp(`^(?:\\s|${VARIATION_SELECTORS})*$`);

/**
 * Text safe to show and to store: control, bidi and invisible format characters removed, lone
 * surrogates replaced by U+FFFD, and surrounding spaces trimmed. Text left with nothing visible is "".
 */
export function cleanText(value: string): string {
  // Nearly every value is clean: a test costs less than a replace that finds nothing.
  if (!NEEDS_CLEANING.test(value)) return value.trim();
  // Halves are replaced first, so that taking out what lies between them cannot join them.
  const clean = value.replace(ALL_LONE_SURROGATES, "\ufffd").replace(ALL_UNWANTED, "").trim();
  return ONLY_INVISIBLE.test(clean) ? "" : clean;
}

/**
 * A label safe to show and cheap to send: clean text (see cleanText), cut to at most `maxChars`
 * code points (never splitting a surrogate pair), with an ellipsis when cut.
 */
export function clipLabel(value: string, maxChars: number): string {
  const clean = cleanText(value);
  if (clean.length <= maxChars) return clean;
  // A code point is at most two code units: twice the limit holds enough of them, whatever the
  // length of the value (a surrogate cut in half there lies past the limit).
  const head = clean.length > 2 * maxChars ? clean.slice(0, 2 * maxChars) : clean;
  const codePoints = Array.from(head);
  if (head === clean && codePoints.length <= maxChars) return clean;
  return codePoints.slice(0, maxChars - 1).join("") + "…";
}

const encoder = new TextEncoder();

export function utf8Length(value: string): number {
  // Fast path: for pure ASCII the byte length is the string length.
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 0x7f) return encoder.encode(value).length;
  }
  return value.length;
}
