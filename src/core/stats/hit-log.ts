import { VIEW_DIMENSIONS, type ViewFilters } from "../wire/view-filters.ts";
import type { Hit } from "./site-stats.ts";
import { VisitorBudget } from "./visitor-budget.ts";

const DIMENSIONS = VIEW_DIMENSIONS.length;
const FIELDS = VIEW_DIMENSIONS.map((dimension) => dimension.field);
/** Each hit field's place among a logged hit's codes. */
const AT = Object.fromEntries(FIELDS.map((field, d) => [field, d])) as Record<(typeof FIELDS)[number], number>;
/** How long the log keeps hits: a rewind 30 minutes back still has its 30-minute window. */
export const LOG_MS = 60 * 60_000;
/** Hits per chunk: a log grows and shrinks a chunk at a time. */
export const CHUNK_HITS = 4096;
/** A chunk's arrays: time and visitor (8 bytes each) and a 2-byte label code per dimension. */
export const CHUNK_BYTES = CHUNK_HITS * (16 + 2 * DIMENSIONS);
/** Code 0: a label the log had no room for, which no filter matches. */
const UNLOGGED = 0;
const MAX_CODES = 65_535;
/** A label in a dictionary: its string (2 bytes a character at worst), map entry and array slots; an upper bound. */
export function labelBytes(label: string): number {
  return 96 + 2 * label.length;
}

interface Chunk {
  time: Float64Array;
  visitor: Float64Array;
  /** DIMENSIONS codes per hit, in VIEW_DIMENSIONS order. */
  codes: Uint16Array;
  length: number;
}

/** One dimension's labels as small codes, each counted by the hits that use it and forgotten with the last. */
class LabelCodes {
  private readonly codes = new Map<string, number>();
  private readonly labels: string[] = [""];
  private readonly uses: number[] = [0];
  private readonly free: number[] = [];

  constructor(private readonly pool: HitLogPool) {}

  take(label: string, log: HitLog): number {
    const code = this.codes.get(label);
    if (code !== undefined) {
      this.uses[code]!++;
      return code;
    }
    if (this.codes.size >= MAX_CODES || !this.pool.reserve(labelBytes(label), log)) return UNLOGGED;
    const fresh = this.free.pop() ?? this.labels.length;
    this.labels[fresh] = label;
    this.uses[fresh] = 1;
    this.codes.set(label, fresh);
    return fresh;
  }

  release(code: number): void {
    if (code === UNLOGGED || --this.uses[code]! > 0) return;
    const label = this.labels[code]!;
    this.codes.delete(label);
    this.labels[code] = "";
    this.free.push(code);
    this.pool.release(labelBytes(label));
  }

  /** The code of a label in the log, or UNLOGGED when no hit in the log has it. */
  find(label: string): number {
    return this.codes.get(label) ?? UNLOGGED;
  }

  label(code: number): string {
    return this.labels[code]!;
  }
}

/**
 * The memory all sites' hit logs share. A log that needs room and finds none takes it from the log
 * that holds the most chunks (its oldest chunk goes), so busy sites give way and every live site
 * keeps some recent history.
 */
export class HitLogPool {
  readonly budget: VisitorBudget;
  private readonly logs = new Set<HitLog>();

  constructor(maxBytes: number) {
    this.budget = new VisitorBudget(maxBytes);
  }

  add(log: HitLog): void {
    this.logs.add(log);
  }

  remove(log: HitLog): void {
    this.logs.delete(log);
  }

  /** Reserves bytes, dropping the oldest chunks of the biggest logs as needed; false when nothing is left to drop. */
  reserve(bytes: number, requester: HitLog): boolean {
    while (!this.budget.take(bytes)) {
      let biggest: HitLog | undefined;
      for (const log of this.logs) if (log.chunkCount > (biggest?.chunkCount ?? 0)) biggest = log;
      // A log never drops the chunk it is writing to make room for itself.
      if (!biggest || (biggest === requester && biggest.chunkCount <= 1)) return false;
      biggest.dropOldest();
    }
    return true;
  }

  release(bytes: number): void {
    this.budget.release(bytes);
  }
}

/**
 * A site's recent hits, compact and in time order, so that a filtered view opened now starts with
 * the last 30 minutes: a chunk is 4,096 hits in typed arrays, labels are 2-byte codes into one
 * dictionary per dimension. Appending costs a map lookup per dimension and no allocation but a
 * chunk per 4,096 hits. Props are not kept: a view built from the log shows custom events without them.
 */
export class HitLog {
  private readonly chunks: Chunk[] = [];
  private readonly labels: LabelCodes[];
  private readonly scratch = new Uint16Array(DIMENSIONS);

  constructor(private readonly pool: HitLogPool) {
    this.labels = VIEW_DIMENSIONS.map(() => new LabelCodes(pool));
    pool.add(this);
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  get size(): number {
    let hits = 0;
    for (const chunk of this.chunks) hits += chunk.length;
    return hits;
  }

  append(hit: Hit): void {
    // Codes first: making room for a new label may drop chunks, this log's current one included.
    for (let d = 0; d < DIMENSIONS; d++) this.scratch[d] = this.labels[d]!.take(hit[FIELDS[d]!] as string, this);
    let chunk = this.chunks[this.chunks.length - 1];
    if (!chunk || chunk.length === CHUNK_HITS) {
      chunk = this.pool.reserve(CHUNK_BYTES, this) ? newChunk() : undefined;
      if (!chunk) {
        for (let d = 0; d < DIMENSIONS; d++) this.labels[d]!.release(this.scratch[d]!);
        return;
      }
      this.chunks.push(chunk);
    }
    const i = chunk.length++;
    chunk.time[i] = hit.time;
    chunk.visitor[i] = hit.visitor;
    chunk.codes.set(this.scratch, i * DIMENSIONS);
  }

  /** Drops the chunks whose hits are all older than LOG_MS. */
  trim(time: number): void {
    while (this.chunks.length > 0) {
      const oldest = this.chunks[0]!;
      if (oldest.length > 0 && oldest.time[oldest.length - 1]! > time - LOG_MS) return;
      this.dropOldest();
    }
  }

  dropOldest(): void {
    const chunk = this.chunks.shift();
    if (!chunk) return;
    for (let i = 0; i < chunk.length * DIMENSIONS; i++) this.labels[i % DIMENSIONS]!.release(chunk.codes[i]!);
    this.pool.release(CHUNK_BYTES);
  }

  /** Gives all its memory back: the site left the live figures. */
  clear(): void {
    while (this.chunks.length > 0) this.dropOldest();
  }

  close(): void {
    this.clear();
    this.pool.remove(this);
  }

  /** The time of the oldest hit held; undefined while none is. */
  get oldest(): number | undefined {
    const chunk = this.chunks[0];
    return chunk && chunk.length > 0 ? chunk.time[0] : undefined;
  }

  /**
   * Calls `visit` with each logged hit stamped in (from, to] that matches every filter, oldest
   * first (`to` may be +Infinity: hits stamped later by another process's clock count too). The hit is one object reused
   * for every call: copy what is kept. Labels are compared as codes; a filter value no logged hit
   * has ends the search at once.
   */
  replay(filters: ViewFilters, from: number, to: number, visit: (hit: Hit) => void): void {
    // Where each wanted code sits in a hit's codes, and the code: plain arrays of numbers, read by index in the scan.
    const places: number[] = [];
    const wanted: number[] = [];
    for (let d = 0; d < DIMENSIONS; d++) {
      const value = filters[VIEW_DIMENSIONS[d]!.name];
      if (value === undefined) continue;
      const code = this.labels[d]!.find(value);
      if (code === UNLOGGED) return;
      places.push(d);
      wanted.push(code);
    }
    const hit: Hit = { time: 0, visitor: 0, name: "", page: "", source: "", browser: "", os: "", device: "", country: "", props: {} };
    for (const chunk of this.chunks) {
      if (chunk.length === 0 || chunk.time[chunk.length - 1]! <= from) continue;
      const codes = chunk.codes;
      next: for (let i = 0; i < chunk.length; i++) {
        const base = i * DIMENSIONS;
        for (let w = 0; w < wanted.length; w++) if (codes[base + places[w]!] !== wanted[w]) continue next;
        const at = chunk.time[i]!;
        if (at <= from || at > to) continue;
        hit.time = at;
        hit.visitor = chunk.visitor[i]!;
        // Named stores keep the hit's shape fixed: stores by a computed key made every later read slow.
        const label = (field: keyof typeof AT) => this.labels[AT[field]]!.label(chunk.codes[base + AT[field]]!);
        hit.page = label("page");
        hit.source = label("source");
        hit.country = label("country");
        hit.browser = label("browser");
        hit.os = label("os");
        hit.device = label("device");
        hit.name = label("name");
        visit(hit);
      }
    }
  }
}

function newChunk(): Chunk {
  return {
    time: new Float64Array(CHUNK_HITS),
    visitor: new Float64Array(CHUNK_HITS),
    codes: new Uint16Array(CHUNK_HITS * DIMENSIONS),
    length: 0,
  };
}
