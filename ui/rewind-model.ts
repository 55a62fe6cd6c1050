/**
 * Pause and rewind: which moment the page shows, which rewind command it may send next, and the
 * words for it. Pure: the times come in, so every rule is tested without a socket or a clock.
 *
 * Scrubbing makes many positions a second, and the server closes a socket that sends more
 * commands than its allowance (src/core/fanout/command-allowance.ts). So at most one rewind is in
 * flight; positions chosen meanwhile only move the scrubber, and the latest is asked for when the
 * answer arrives; and the page keeps a bucket of its own, smaller and slower than the server's, so
 * that a late message or the view's own snapshot requests never overdraw the server's.
 */
import { COMMAND_BURST, COMMANDS_PER_SECOND } from "../src/core/fanout/command-allowance.ts";
import { refilled } from "../src/core/ingest/rate-limiter.ts";
import { clockTime } from "./format.ts";
import type { RewindFrame } from "./rewind-wire.ts";
import { applyRewind, type ViewState } from "./view-model.ts";

/** How far back the scrubber reaches: the 30 minutes the server keeps a window's history for. */
export const REWIND_SPAN_MS = 30 * 60_000;
/** Room left in the server's bucket for the view's own snapshot requests. */
export const REWIND_BURST = COMMAND_BURST - 2;
/** Slower than the server refills, so a message that arrives late still finds a command there. */
export const REWINDS_PER_SECOND = COMMANDS_PER_SECOND * 0.8;

export interface Paused {
  /** Counts the pauses, so an answer asked for by an earlier one is known. */
  id: number;
  /** The server time when Pause was pressed: the scrubber's right end; its left end is REWIND_SPAN_MS before. */
  end: number;
  /** The moment the scrubber is on (server time, whole seconds). */
  at: number;
  /** The view as it was when paused: shown until the first answer. */
  frozen: ViewState;
  /** The latest answer for this pause and view. */
  answer: RewindFrame | null;
  /** The moment last asked for on this socket: a position already asked for is not asked for again. */
  asked: number | null;
}

export interface RewindState {
  /** null while the page is live. */
  paused: Paused | null;
  /** The pause whose rewind is in flight on the socket (it may have ended since); null when none is. */
  inFlight: number | null;
  /** How many pauses there were: the next one's id. */
  pauses: number;
  /** The page's own command bucket: commands left, and when it was last brought up to date (client clock). */
  tokens: number;
  tokensAt: number;
}

export const LIVE: RewindState = { paused: null, inFlight: null, pauses: 0, tokens: REWIND_BURST, tokensAt: 0 };

/**
 * Freezes the view as it is; scrubbing then asks for earlier moments. `serverNow` is the server's
 * clock; the moment is rounded up to the second, so that it still holds the events just shown.
 */
export function pause(state: RewindState, live: ViewState, serverNow: number): RewindState {
  const end = Math.ceil(serverNow / 1000) * 1000;
  const id = state.pauses + 1;
  return { ...state, pauses: id, paused: { id, end, at: end, frozen: { ...live, shownAt: end }, answer: null, asked: null } };
}

export function goLive(state: RewindState): RewindState {
  return state.paused === null ? state : { ...state, paused: null };
}

/** Moves the scrubber to `at` (server time), kept within its span and on whole seconds. */
export function scrubTo(state: RewindState, at: number): RewindState {
  const { paused } = state;
  if (paused === null) return state;
  const bounded = Math.min(paused.end, Math.max(paused.end - REWIND_SPAN_MS, Math.round(at / 1000) * 1000));
  return bounded === paused.at ? state : { ...state, paused: { ...paused, at: bounded } };
}

/** What to do now (`time` is the client's clock): send a rewind for a moment, wait that many ms for the bucket, or nothing. */
export type RewindStep = { send: number } | { waitMs: number } | null;

export function nextStep(state: RewindState, time: number): RewindStep {
  const { paused } = state;
  if (paused === null || state.inFlight !== null || paused.at === paused.asked) return null;
  const tokens = tokensAt(state, time);
  if (tokens >= 1) return { send: paused.at };
  return { waitMs: Math.ceil(((1 - tokens) / REWINDS_PER_SECOND) * 1000) };
}

/** The rewind for `at` went out on the socket at `time`. */
export function sent(state: RewindState, at: number, time: number): RewindState {
  if (state.paused === null) return state;
  return { ...state, paused: { ...state.paused, asked: at }, inFlight: state.paused.id, tokens: tokensAt(state, time) - 1, tokensAt: time };
}

/** The server's answer: shown if this pause asked for it, and the way is free for the next position. */
export function answered(state: RewindState, frame: RewindFrame): RewindState {
  if (state.inFlight === null) return state;
  const { paused } = state;
  const mine = paused !== null && paused.id === state.inFlight;
  return { ...state, inFlight: null, paused: mine ? { ...paused, answer: frame } : paused };
}

/**
 * The socket opened again (a reconnect, or a new socket for another view): an answer in flight
 * will not come, and the position is asked for afresh. For another view, what was shown was the
 * old view's: `view` (the new view, still empty) stands in until its answer.
 */
export function reopened(state: RewindState, view?: ViewState): RewindState {
  const { paused } = state;
  if (paused === null) return state.inFlight === null ? state : { ...state, inFlight: null };
  const shown = view === undefined ? {} : { frozen: { ...view, shownAt: paused.at }, answer: null };
  return { ...state, inFlight: null, paused: { ...paused, ...shown, asked: null } };
}

/** The view to draw: the live one, or the paused moment through the same view state. */
export function shownView(state: RewindState, live: ViewState): ViewState {
  const { paused } = state;
  if (paused === null) return live;
  return paused.answer === null ? paused.frozen : applyRewind(paused.frozen, paused.answer);
}

/** The moment the figures on screen are of (server time); null while live. */
export function shownMoment(state: RewindState): number | null {
  const { paused } = state;
  return paused === null ? null : (paused.answer?.at ?? paused.frozen.shownAt);
}

/** The scrubber: a range in seconds before the pause moment, so the arrow keys step one second. */
export interface ScrubberModel {
  min: number;
  max: number;
  value: number;
  /** The chosen moment in words: "14:03:21". */
  time: string;
  /** How long before the pause: "2 min 5 s earlier". */
  before: string;
  /** While the figures shown are not yet of the chosen moment. */
  loading: boolean;
  /** "History before 13:40:02 is no longer held: …" when the window shown reaches past the history the server holds. */
  partial: string | null;
}

/** The scrubber while paused; null while live. */
export function scrubberModel(state: RewindState): ScrubberModel | null {
  const { paused } = state;
  if (paused === null) return null;
  const back = Math.round((paused.end - paused.at) / 1000);
  const answer = paused.answer;
  const windowStart = answer === null ? null : answer.at - (answer.window ?? 30) * 60_000;
  return {
    min: -REWIND_SPAN_MS / 1000,
    max: 0,
    value: Math.round((paused.at - paused.end) / 1000),
    time: clockTime(paused.at, true),
    before: back === 0 ? "the moment paused" : `${Math.floor(back / 60) > 0 ? `${Math.floor(back / 60)} min ` : ""}${back % 60} s earlier`,
    loading: state.inFlight !== null || paused.asked !== paused.at,
    partial:
      answer !== null && windowStart !== null && windowStart < answer.from
        ? `History before ${clockTime(answer.from, true)} is no longer held: these figures count only what came after it.`
        : null,
  };
}

/** The scrubber's value (seconds before the pause moment) as a moment. */
export function momentOf(paused: Paused, value: number): number {
  return paused.end + value * 1000;
}

function tokensAt(state: RewindState, time: number): number {
  return refilled(state.tokens, Math.max(0, time - state.tokensAt), REWINDS_PER_SECOND, REWIND_BURST);
}
