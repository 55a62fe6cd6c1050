import { addressKey } from "../ingest/address-key.ts";
import { ConnectionCounter } from "../ingest/rate-limiter.ts";

/**
 * Every dashboard holds an open file, and so does every HTTP connection: a process that runs out
 * answers nothing, ingest included. Dashboards therefore stop short of the open-file limit in two
 * steps. Those opened without the token (public sites) stop first, leaving room for the token
 * holder's; then every dashboard stops, leaving the rest for ingest, /healthz and the database.
 */
export interface AdmissionLimits {
  /** Dashboards without the token per client address (an IPv6 /64 is one address); 0: no cap. */
  perAddress: number;
  /** Open dashboards at which those without the token are refused. */
  publicCeiling: number;
  /** Open dashboards at which every dashboard is refused. */
  ceiling: number;
}

/**
 * Each step keeps this share of the open-file limit (of 20,000: 1,000 files, room for the
 * keep-alive connections of a busy site's trackers)…
 */
const RESERVE_SHARE = 0.05;
/** …and at least this many descriptors (a process starts with about a dozen open). */
const MIN_RESERVE = 100;

/** The ceilings under `openFiles` (the process's limit; null or Infinity when there is none). */
export function admissionLimits(openFiles: number | null, perAddress: number): AdmissionLimits {
  if (openFiles === null || !Number.isFinite(openFiles)) return { perAddress, publicCeiling: Infinity, ceiling: Infinity };
  const reserve = Math.max(MIN_RESERVE, Math.ceil(openFiles * RESERVE_SHARE));
  const ceiling = Math.max(0, openFiles - reserve);
  return { perAddress, publicCeiling: Math.max(0, ceiling - reserve), ceiling };
}

/** Why an upgrade is refused: the HTTP status and a message for the client. */
export interface Refusal {
  status: 429 | 503;
  message: string;
}

/** Sockets open under the ceilings: shared by the admissions of dashboards and live widgets, which hold files alike. */
export interface OpenSockets {
  open: number;
}

export interface AdmissionOptions {
  /** What a socket is called in refusals and warnings, one and many (default: dashboard, dashboards). */
  noun?: { one: string; many: string };
  /** Sockets counted against the ceilings, this admission's and others' (default: its own only). */
  total?: OpenSockets;
}

/**
 * Decides, before the upgrade, whether a dashboard may open, and counts the open ones. `admit`
 * and `release` are O(1); the per-address counts hold only addresses with a dashboard open.
 */
export class SocketAdmission {
  /** Sockets admitted and not yet released (upgrading or open). */
  open = 0;
  private readonly perAddress: ConnectionCounter | null;
  private readonly noun: { one: string; many: string };
  private readonly total: OpenSockets;
  /** The ceilings reached since the count was last below both: the operator is told once, not per refusal. */
  private readonly reached = new Set<"public" | "all">();

  constructor(
    readonly limits: AdmissionLimits,
    private readonly onCeiling: (message: string) => void = () => {},
    options: AdmissionOptions = {},
  ) {
    this.perAddress = limits.perAddress > 0 ? new ConnectionCounter(limits.perAddress) : null;
    this.noun = options.noun ?? { one: "dashboard", many: "dashboards" };
    this.total = options.total ?? this;
  }

  /** Whether sockets without the token are counted per address (then they keep their address to be released by). */
  get countsAddresses(): boolean {
    return this.perAddress !== null;
  }

  /** Null: admitted and counted (release it when it closes or the upgrade fails); else why not. */
  admit(address: string, authorized: boolean): Refusal | null {
    if (this.total.open >= this.limits.ceiling) return this.full("all");
    if (!authorized) {
      if (this.total.open >= this.limits.publicCeiling) return this.full("public");
      if (this.perAddress && !this.perAddress.tryOpen(addressKey(address))) {
        return { status: 429, message: `more than ${this.limits.perAddress} ${this.noun.many} from one address` };
      }
    }
    this.open++;
    if (this.total !== this) this.total.open++;
    return null;
  }

  release(address: string, authorized: boolean): void {
    this.open--;
    if (this.total !== this) this.total.open--;
    if (!authorized) this.perAddress?.close(addressKey(address));
    if (this.reached.size > 0 && this.total.open < this.limits.publicCeiling) this.reached.clear();
  }

  private full(which: "public" | "all"): Refusal {
    if (!this.reached.has(which)) {
      this.reached.add(which);
      const whose = which === "public" ? `${this.noun.many} without the token` : `every ${this.noun.one}`;
      this.onCeiling(`${this.open} ${this.noun.many} open, near the open-file limit: refusing ${whose} to keep files for ingest (see docs/deploy.md)`);
    }
    return { status: 503, message: `the server holds as many ${this.noun.many} as it can; try again later` };
  }
}
