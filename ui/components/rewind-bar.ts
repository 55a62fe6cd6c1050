import { html } from "htm/preact";
import type { ScrubberModel } from "../rewind-model.ts";

/**
 * Shown while paused: the scrubber over the 30 minutes before the pause (the arrow keys step a
 * second), the moment chosen in words, and a note when the history held does not reach back far enough.
 */
export function RewindBar({ scrubber, onScrub }: { scrubber: ScrubberModel; onScrub: (secondsBefore: number) => void }) {
  return html`<section class="card rewind-bar" data-testid="rewind" aria-label="Rewind" aria-busy=${scrubber.loading ? "true" : "false"}>
    <div class="rewind-row">
      <label class="rewind-label" for="rewind-moment">Moment to show</label>
      <input
        id="rewind-moment"
        class="rewind-range"
        type="range"
        min=${scrubber.min}
        max=${scrubber.max}
        step="1"
        value=${scrubber.value}
        aria-valuetext=${`${scrubber.time}, ${scrubber.before}`}
        onInput=${(event: Event) => onScrub(Number((event.currentTarget as HTMLInputElement).value))}
      />
      <output class="rewind-time" for="rewind-moment" data-testid="rewind-time">${scrubber.time}</output>
      <span class="muted">${scrubber.before}${scrubber.loading ? " · loading…" : null}</span>
    </div>
    ${scrubber.partial !== null && html`<p class="rewind-partial" data-testid="rewind-partial">${scrubber.partial}</p>`}
  </section>`;
}
