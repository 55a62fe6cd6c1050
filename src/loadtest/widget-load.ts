/**
 * One load-generator process's live widgets: opens its share (each a tab on a page), closes and
 * reopens some every moment on a random page while churning (so counts move and frames flow), and
 * tells, at the end, the last count each open socket received.
 */
import type { Frame } from "./frame-reader.ts";
import type { Histogram } from "./histogram.ts";
import { openRawSocket, type RawDashboard } from "./raw-dashboard.ts";
import type { Destination } from "./targets.ts";
import { churnDue, pageCount, tallyWidgets, widgetPage, widgetRequest, widgetTab, type WidgetTally } from "./widgets.ts";
import type { WorkerStats } from "./worker-stats.ts";

export interface WidgetPlan {
  widgets: number;
  /** This worker's first widget's index over all workers, so pages spread evenly over them all. */
  firstWidget: number;
  widgetSite: string;
  pages: number;
  /** Sockets this worker closes and reopens per second while the load runs. */
  churn: number;
}

interface Slot {
  socket: RawDashboard | null;
  page: string;
  lastCount: number;
}

const CHURN_SLICE_MS = 100;

export class WidgetLoad {
  private readonly slots: Array<Slot | null> = [];
  private opened = 0;
  private stopping = false;
  private churnTimer: ReturnType<typeof setInterval> | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly plan: WidgetPlan,
    private readonly worker: number,
    private readonly destinations: Destination[],
    private readonly stats: WorkerStats,
    private readonly connectMs: Histogram,
  ) {}

  /** Opens every widget of the plan, `concurrency` attempts at a time. */
  async openAll(concurrency: number): Promise<void> {
    let next = 0;
    const openNext = async () => {
      while (next < this.plan.widgets) {
        const slot = next++;
        await this.open(slot, widgetPage(this.plan.firstWidget + slot, this.plan.pages));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, this.plan.widgets)) }, openNext));
  }

  startChurn(): void {
    if (this.plan.churn <= 0 || this.plan.widgets === 0) return;
    let carried = 0;
    this.churnTimer = setInterval(() => {
      const due = churnDue(this.plan.churn, CHURN_SLICE_MS, carried);
      carried = due.carried;
      for (let i = 0; i < due.now; i++) this.reopenOne();
    }, CHURN_SLICE_MS);
  }

  /** Stops churning and waits for the sockets being reopened, so the end counts what is really open. */
  async stopChurn(): Promise<void> {
    clearInterval(this.churnTimer);
    await Promise.all(this.pending);
  }

  tally(): WidgetTally {
    return tallyWidgets(this.slots.filter((slot): slot is Slot => slot !== null && slot.socket !== null));
  }

  closeAll(): void {
    this.stopping = true;
    for (const slot of this.slots) slot?.socket?.close();
  }

  /** Closes a random open widget and opens one in its place on a random page. */
  private reopenOne(): void {
    const index = Math.floor(Math.random() * this.slots.length);
    const slot = this.slots[index];
    if (!slot?.socket) return;
    const socket = slot.socket;
    this.slots[index] = null;
    socket.close();
    this.stats.widgetsOpen--;
    this.stats.widgetsChurned++;
    const reopening = this.open(index, widgetPage(Math.floor(Math.random() * this.plan.pages), this.plan.pages));
    this.pending.add(reopening);
    void reopening.finally(() => this.pending.delete(reopening));
  }

  private async open(index: number, page: string): Promise<void> {
    const n = this.opened++;
    const destination = this.destinations[(n + this.worker) % this.destinations.length]!;
    const slot: Slot = { socket: null, page, lastCount: -1 };
    const started = performance.now();
    const onFrame = (frame: Frame) => {
      this.stats.widgetFrames++;
      this.stats.widgetBytes += frame.length;
      const count = pageCount(frame.prefix);
      if (count !== null) slot.lastCount = count;
    };
    const onClose = () => {
      // Closed by the server (or the network): not by churn, which took the slot first.
      if (this.stopping || this.slots[index] !== slot) return;
      this.slots[index] = null;
      this.stats.widgetsDropped++;
      this.stats.widgetsOpen--;
    };
    try {
      const socket = await openRawSocket(widgetRequest(destination, this.plan.widgetSite, page, widgetTab(this.worker, n)), false, onFrame, onClose);
      this.connectMs.record(performance.now() - started);
      slot.socket = socket;
      this.slots[index] = slot;
      this.stats.widgetsOpen++;
    } catch (error) {
      this.stats.widgetConnectFailures++;
      this.stats.widgetFailure ??= error instanceof Error ? error.message : String(error);
    }
  }
}
