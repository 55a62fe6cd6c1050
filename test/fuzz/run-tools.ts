/** Bounded concurrency and the little arithmetic the fuzz test's report needs. */

/** Runs `work(i)` for i below `total`, `inFlight` at a time, until done or `deadline`; returns how many ran. */
export async function pool(total: number, inFlight: number, deadline: number, work: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const lane = async () => {
    while (next < total && performance.now() < deadline) await work(next++);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return next;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** RFC 4180 rows, as the export route writes them (quoted cells may hold commas, quotes, newlines). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const cell = /("(?:[^"]|"")*"|[^",\r\n]*)(,|\r\n|$)/y;
  let row: string[] = [];
  while (cell.lastIndex < text.length) {
    const match = cell.exec(text);
    if (!match) throw new Error(`bad CSV at ${cell.lastIndex}: ${text.slice(cell.lastIndex, cell.lastIndex + 80)}`);
    const raw = match[1]!;
    row.push(raw.startsWith('"') ? raw.slice(1, -1).replaceAll('""', '"') : raw);
    if (match[2] !== ",") {
      rows.push(row);
      row = [];
    }
  }
  return rows;
}
