import type { Campaign } from "../ingest/accepted-event.ts";
import { VIEW_DIMENSIONS, type ViewFilters } from "../wire/view-filters.ts";
import { extraAt, extraBytes, extraOf, type HitExtra } from "./hit-extras.ts";
import { PAGEVIEW, type Hit } from "./site-stats.ts";
import { VisitorBudget } from "./visitor-budget.ts";

export const DIMENSIONS = VIEW_DIMENSIONS.length;
const FIELDS = VIEW_DIMENSIONS.map((dimension) => dimension.field);
/** Each hit field's place among a logged hit's codes. */
export const AT = Object.fromEntries(FIELDS.map((field, d) => [field, d])) as Record<(typeof FIELDS)[number], number>;
/** Hits per chunk: a log grows and shrinks a chunk at a time. A power of two, so that a scan splits places with shifts. */
export const CHUNK_SHIFT = 12;
export const CHUNK_HITS = 1 << CHUNK_SHIFT;
/** How far back a log keeps hits: a rewind 30 minutes back still has a 30-minute window. */
export const HISTORY_MS = 60 * 60_000;
/** A chunk's arrays: time and visitor (8 bytes each), the visitor's slot (4) and a 2-byte label code per dimension. */
export const CHUNK_BYTES = CHUNK_HITS * (20 + 2 * DIMENSIONS);
/** A visitor's slot in a log: its map entry and use count; an upper bound. */
export const SLOT_BYTES = 80;
/** Code 0: a label the log had no room for, which no filter matches. */
const UNLOGGED = 0;
const MAX_CODES = 65_535;
/** A label in a dictionary: its string (2 bytes a character at worst), map entry and array slots; an upper bound. */
export function labelBytes(label: string): number {
  return 96 + 2 * label.length;
}

export interface Chunk {
  readonly time: Float64Array;
  readonly visitor: Float64Array;
  /** The visitor's slot in the log (see VisitorSlots). */
  readonly slot: Int32Array;
  /** DIMENSIONS codes per hit, in VIEW_DIMENSIONS order. */
  readonly codes: Uint16Array;
  length: number;
  /** The places (ascending) of the hits that carry a campaign or properties, and what they carry: few hits have any. */
  readonly extraAt: number[];
  readonly extras: HitExtra[];
  /** What the extras were charged. */
  extraBytes: number;
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

  /** Every label by code (empty where a code is free): read-only, and valid until the next append. */
  all(): readonly string[] {
    return this.labels;
  }

  /** One more than the highest code given so far. */
  get codeCount(): number {
    return this.labels.length;
  }
}

/**
 * A small number for each visitor with hits in a log, the same for all their hits and given back
 * with their last: a scan finds each visitor's first and last hit by indexing arrays with it, where
 * hashing their ids was most of the cost of a view or a rewind.
 */
class VisitorSlots {
  private readonly slots = new Map<number, number>();
  private uses = new Int32Array(1024);
  private readonly free: number[] = [];
  /** One more than the highest slot given so far. */
  count = 0;

  constructor(private readonly pool: HitLogPool) {}

  /** The visitor's slot, counted once more; -1 when a new visitor finds no room. */
  take(visitor: number, log: HitLog): number {
    let slot = this.slots.get(visitor);
    if (slot === undefined) {
      if (!this.pool.reserve(SLOT_BYTES, log)) return -1;
      slot = this.free.pop() ?? this.count++;
      if (slot === this.uses.length) {
        const grown = new Int32Array(2 * slot);
        grown.set(this.uses);
        this.uses = grown;
      }
      this.slots.set(visitor, slot);
    }
    this.uses[slot]!++;
    return slot;
  }

  release(slot: number, visitor: number): void {
    if (--this.uses[slot]! > 0) return;
    this.slots.delete(visitor);
    this.free.push(slot);
    this.pool.release(SLOT_BYTES);
  }
}

/**
 * The memory all sites' hit logs share. A log that needs room and finds none takes it from the log
 * that holds the most bytes (its oldest chunk goes), so busy sites give way and every live site
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
      for (const log of this.logs) if (log.chunkCount > 0 && log.heldBytes > (biggest?.heldBytes ?? 0)) biggest = log;
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
 * A site's hits of the last hour, compact and in arrival order, so that a view opened now, or the
 * site as it was up to 30 minutes ago, can be counted again: a chunk is 4,096 hits in typed arrays,
 * labels are 2-byte codes into one dictionary per dimension, and the few hits with a campaign or
 * properties keep a reference to them. Appending costs a map lookup per dimension and no
 * allocation but a chunk per 4,096 hits.
 */
export class HitLog {
  private readonly chunkList: Chunk[] = [];
  private readonly labelCodes: LabelCodes[];
  private readonly visitorSlots: VisitorSlots;
  private readonly scratch = new Uint16Array(DIMENSIONS);
  /** Bytes of chunks and extras held (labels aside): which log gives way first. */
  heldBytes = 0;
  /** Chunks dropped so far: a scan that outlives one may hold codes given to other labels since. */
  drops = 0;

  constructor(private readonly pool: HitLogPool) {
    this.labelCodes = VIEW_DIMENSIONS.map(() => new LabelCodes(pool));
    this.visitorSlots = new VisitorSlots(pool);
    pool.add(this);
  }

  get chunkCount(): number {
    return this.chunkList.length;
  }

  /** One more than the highest visitor slot in use: an array that long has a place for each visitor. */
  get slotCount(): number {
    return this.visitorSlots.count;
  }

  /** The chunks, oldest first, for a scan that reads their columns; valid until the next append or trim. */
  get chunks(): readonly Chunk[] {
    return this.chunkList;
  }

  get size(): number {
    let hits = 0;
    for (const chunk of this.chunkList) hits += chunk.length;
    return hits;
  }

  /** The time of the first hit held (where a window reaching further back is partial), or undefined when empty. */
  /** The hits of the chunks that hold some of (from, to], give or take `slack` ms: what a scan of that range reads. */
  hitsBetween(from: number, to: number, slack: number): number {
    let hits = 0;
    for (const chunk of this.chunkList) {
      if (chunk.length > 0 && chunk.time[chunk.length - 1]! > from && chunk.time[0]! <= to + slack) hits += chunk.length;
    }
    return hits;
  }

  oldestTime(): number | undefined {
    for (const chunk of this.chunkList) if (chunk.length > 0) return chunk.time[0];
    return undefined;
  }

  append(hit: Hit): void {
    // Codes and extras first: making room for them may drop chunks, this log's current one included.
    for (let d = 0; d < DIMENSIONS; d++) this.scratch[d] = this.labelCodes[d]!.take(hit[FIELDS[d]!] as string, this);
    let extra = extraOf(hit);
    const bytes = extra ? extraBytes(extra) : 0;
    if (extra && !this.pool.reserve(bytes, this)) extra = undefined;
    let chunk = this.chunkList[this.chunkList.length - 1];
    if (!chunk || chunk.length === CHUNK_HITS) {
      chunk = this.pool.reserve(CHUNK_BYTES, this) ? newChunk() : undefined;
      if (chunk) {
        this.chunkList.push(chunk);
        this.heldBytes += CHUNK_BYTES;
      }
    }
    // The slot last: making room for a new visitor's drops only older chunks than the one written,
    // and a slot taken before a drop could be given back by it.
    const slot = chunk ? this.visitorSlots.take(hit.visitor, this) : -1;
    if (!chunk || slot === -1) {
      for (let d = 0; d < DIMENSIONS; d++) this.labelCodes[d]!.release(this.scratch[d]!);
      if (extra) this.pool.release(bytes);
      return;
    }
    const i = chunk.length++;
    chunk.slot[i] = slot;
    chunk.time[i] = hit.time;
    chunk.visitor[i] = hit.visitor;
    chunk.codes.set(this.scratch, i * DIMENSIONS);
    if (extra) {
      chunk.extraAt.push(i);
      chunk.extras.push(extra);
      chunk.extraBytes += bytes;
      this.heldBytes += bytes;
    }
  }

  /** Drops the chunks whose hits are all older than the hour kept. */
  trim(time: number): void {
    while (this.chunkList.length > 0) {
      const oldest = this.chunkList[0]!;
      if (oldest.length > 0 && oldest.time[oldest.length - 1]! > time - HISTORY_MS) return;
      this.dropOldest();
    }
  }

  dropOldest(): void {
    const chunk = this.chunkList.shift();
    if (!chunk) return;
    this.drops++;
    for (let i = 0; i < chunk.length * DIMENSIONS; i++) this.labelCodes[i % DIMENSIONS]!.release(chunk.codes[i]!);
    for (let i = 0; i < chunk.length; i++) this.visitorSlots.release(chunk.slot[i]!, chunk.visitor[i]!);
    this.pool.release(CHUNK_BYTES + chunk.extraBytes);
    this.heldBytes -= CHUNK_BYTES + chunk.extraBytes;
  }

  /** Gives all its memory back: the site left the live figures. */
  clear(): void {
    while (this.chunkList.length > 0) this.dropOldest();
  }

  close(): void {
    this.clear();
    this.pool.remove(this);
  }

  /**
   * Per dimension (VIEW_DIMENSIONS order), the code a hit must have to match the filters, or -1 for
   * any; undefined when a filter value is on no logged hit, so nothing matches.
   */
  wantedCodes(filters: ViewFilters): Int32Array | undefined {
    const wanted = new Int32Array(DIMENSIONS).fill(-1);
    for (let d = 0; d < DIMENSIONS; d++) {
      const value = filters[VIEW_DIMENSIONS[d]!.name];
      if (value === undefined) continue;
      const code = this.labelCodes[d]!.find(value);
      if (code === UNLOGGED) return undefined;
      wanted[d] = code;
    }
    return wanted;
  }

  /** The code of a label in a dimension (AT), or UNLOGGED (0) when no logged hit has it. */
  codeOf(dimension: number, label: string): number {
    return this.labelCodes[dimension]!.find(label);
  }

  labelOf(dimension: number, code: number): string {
    return this.labelCodes[dimension]!.label(code);
  }

  /** A dimension's labels by code, for a scan that looks up many: read-only, valid until the next append or trim. */
  labels(dimension: number): readonly string[] {
    return this.labelCodes[dimension]!.all();
  }

  /** One more than the highest code of a dimension: an array that long has a slot for each of its labels. */
  codeCount(dimension: number): number {
    return this.labelCodes[dimension]!.codeCount;
  }

  /** The logged hit at a place of a chunk, as a Hit: for the few a scan hands on whole. */
  hitAt(chunk: Chunk, i: number): Hit {
    const base = i * DIMENSIONS;
    const label = (field: keyof typeof AT) => this.labelCodes[AT[field]]!.label(chunk.codes[base + AT[field]]!);
    const name = label("name");
    const extra = extraAt(chunk, i);
    return {
      time: chunk.time[i]!,
      visitor: chunk.visitor[i]!,
      name,
      page: label("page"),
      source: label("source"),
      browser: label("browser"),
      os: label("os"),
      device: label("device"),
      country: label("country"),
      props: extra && name !== PAGEVIEW ? (extra as Record<string, string>) : {},
      campaign: extra && name === PAGEVIEW ? (extra as Campaign) : undefined,
    };
  }

  /** Calls `visit` with each logged hit with `from < time <= to` that matches every filter, in log order. */
  replay(filters: ViewFilters, from: number, to: number, visit: (hit: Hit) => void): void {
    const wanted = this.wantedCodes(filters);
    if (!wanted) return;
    for (const chunk of this.chunkList) {
      if (chunk.length === 0 || chunk.time[chunk.length - 1]! <= from) continue;
      for (let i = 0; i < chunk.length; i++) {
        const at = chunk.time[i]!;
        if (at > from && at <= to && matches(chunk.codes, i * DIMENSIONS, wanted)) visit(this.hitAt(chunk, i));
      }
    }
  }
}

/** Whether the codes of the hit at `base` have every wanted code. */
function matches(codes: Uint16Array, base: number, wanted: Int32Array): boolean {
  for (let d = 0; d < DIMENSIONS; d++) if (wanted[d] !== -1 && codes[base + d] !== wanted[d]) return false;
  return true;
}

function newChunk(): Chunk {
  return {
    time: new Float64Array(CHUNK_HITS),
    visitor: new Float64Array(CHUNK_HITS),
    slot: new Int32Array(CHUNK_HITS),
    codes: new Uint16Array(CHUNK_HITS * DIMENSIONS),
    length: 0,
    extraAt: [],
    extras: [],
    extraBytes: 0,
  };
}
