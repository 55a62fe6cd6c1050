/**
 * CSV as RFC 4180 writes it, made safe to open in a spreadsheet: a cell that starts with = + - @
 * (or a tab or carriage return) would run as a formula, so it gets a leading apostrophe (OWASP's
 * advice on CSV injection). Event data comes from the open internet.
 */
export function csvRow(cells: ReadonlyArray<string | number>): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

function csvCell(value: string | number): string {
  if (typeof value === "number") return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
