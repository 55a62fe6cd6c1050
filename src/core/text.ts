// Control characters would be escaped to six bytes each in JSON frames; they carry no meaning in labels.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/**
 * A label safe to show and cheap to send: control characters removed, cut to at most `maxChars`
 * code points (never splitting a surrogate pair), with an ellipsis when cut.
 */
export function clipLabel(value: string, maxChars: number): string {
  const clean = value.replace(CONTROL_CHARACTERS, "").trim();
  if (clean.length <= maxChars) return clean;
  const codePoints = Array.from(clean);
  if (codePoints.length <= maxChars) return clean;
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
