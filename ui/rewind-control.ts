/**
 * Drives pause and rewind for the page: keeps the rewind state (ui/rewind-model.ts), sends the
 * rewind commands it allows on the current view's socket, and waits for the bucket when it must.
 * The send and the timers are injected, so tests play the server (test/ui/rewind-control.test.ts).
 */
import { systemTimers, type Timers } from "../src/core/timers.ts";
import { answered, goLive, LIVE, nextStep, pause, reopened, scrubTo, sent, type RewindState } from "./rewind-model.ts";
import { rewindCommand, type RewindFrame } from "./rewind-wire.ts";
import type { ViewState } from "./view-model.ts";

export interface RewindControl {
  readonly state: RewindState;
  /** Freezes `live` as it is now. */
  pause(live: ViewState): void;
  /** Moves to a moment (server time); the command follows when the allowance and the answer in flight let it. */
  scrub(at: number): void;
  answer(frame: RewindFrame): void;
  /** The view's socket opened (again), or the page follows another view (`view`, still empty): the moment is asked for anew. */
  reopened(view?: ViewState): void;
  goLive(): void;
}

export interface RewindControlOptions {
  /** Sends on the current view's socket; false when it is not open (the reopen asks again). */
  send: (text: string) => boolean;
  /** After every change of what is shown or of the scrubber. */
  onChange: () => void;
  timers?: Timers;
}

export function rewindControl({ send, onChange, timers = systemTimers }: RewindControlOptions): RewindControl {
  let state: RewindState = LIVE;
  let wake: unknown = null;

  /** Sends what the model allows now, or waits for the bucket to refill. */
  const pump = () => {
    if (wake !== null) timers.clearTimeout(wake);
    wake = null;
    const step = nextStep(state, timers.now());
    if (step === null) return;
    if ("waitMs" in step) {
      wake = timers.setTimeout(pump, step.waitMs);
      return;
    }
    if (send(rewindCommand(step.send))) state = sent(state, step.send, timers.now());
  };
  const update = (next: RewindState) => {
    if (next === state) return;
    state = next;
    pump();
    onChange();
  };

  return {
    get state() {
      return state;
    },
    pause: (live) => update(pause(state, live, timers.now() + live.clockOffset)),
    scrub: (at) => update(scrubTo(state, at)),
    answer: (frame) => update(answered(state, frame)),
    reopened: (view) => update(reopened(state, view)),
    goLive: () => update(goLive(state)),
  };
}
