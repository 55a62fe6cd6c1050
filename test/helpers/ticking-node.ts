/** A TickingNode that records what its control plane asks of it, for control plane tests. */
import type { Tick, TickingNode } from "../../src/control/control-plane.ts";
import { LoopTurns } from "../../src/core/fanout/loop-turns.ts";
import { Metrics } from "../../src/core/metrics.ts";

export interface RecordingNode extends TickingNode {
  readonly ticks: Tick[];
  readonly finalSteps: number[];
  /** How many times it was asked to send what it accepted. */
  sends: number;
  readonly metrics: Metrics;
}

/** `workMs` is how long each step claims its fan-out took (resolved after a turn of the loop). */
export function recordingNode(workMs: (tick: Tick) => number = () => 0): RecordingNode {
  const node: RecordingNode = {
    ticks: [],
    finalSteps: [],
    sends: 0,
    metrics: new Metrics(),
    turns: new LoopTurns(),
    step: async (tick) => {
      node.ticks.push(tick);
      await new Promise((resolve) => setImmediate(resolve));
      return workMs(tick);
    },
    finalStep: (time) => void node.finalSteps.push(time),
    sendAccepted: () => (node.sends++, false),
  };
  return node;
}
