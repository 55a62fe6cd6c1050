/** A control plane the test ticks by hand, and a transport that records what it would publish. */
import type { ClusterFigures, ControlPlane, TickingNode } from "../../src/control/control-plane.ts";
import { DailySalts } from "../../src/core/ingest/visitor-id.ts";
import type { Transport } from "../../src/server/transport.ts";

export class HandControl implements ControlPlane {
  readonly restoreThrough: number;
  readonly salts = new DailySalts();
  private node: TickingNode | undefined;
  private number = 0;

  constructor(
    storePosition: number,
    private readonly figures: () => ClusterFigures | undefined = () => undefined,
  ) {
    this.restoreThrough = storePosition;
  }

  start(node: TickingNode): void {
    this.node = node;
  }

  /** One tick now, as the server's own pace would run it; resolves once its frames are written. */
  async tick(time = Date.now()): Promise<void> {
    if (!this.node) throw new Error("the control plane has not been started");
    await this.node.step({ number: ++this.number, time, intervalMs: 250 });
  }

  /** Only what a worker does between the primary's ticks: it sends what it accepted. */
  sendAccepted(): void {
    this.node?.sendAccepted();
  }

  clusterFigures(): ClusterFigures | undefined {
    return this.figures();
  }

  onLost(): void {}

  stop(): void {
    this.node?.finalStep(Date.now());
  }
}

export class RecordingTransport implements Transport {
  readonly published: Array<{ topic: string; data: string }> = [];
  listen(): number {
    return 0;
  }
  publish(topic: string, data: string): void {
    this.published.push({ topic, data });
  }
  stopListening(): void {}
  async closeAll(): Promise<void> {}
}
