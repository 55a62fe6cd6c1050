import { html } from "htm/preact";
import { VIEW_WINDOWS, windowLabels, type ViewWindow } from "../view-window.ts";

/**
 * The window the figures count: a button each, the chosen one pressed (said by aria-pressed and a
 * check mark, not only by colour). No mark is null, not "": Preact writes an empty text node again
 * at every render, and the page then does the work of a changed text.
 */
export function WindowSwitch({ window, onChange }: { window: ViewWindow; onChange: (window: ViewWindow) => void }) {
  return html`<div class="window-switch" role="group" aria-label="Time window" data-testid="window-switch">
    ${VIEW_WINDOWS.map((choice) => {
      const chosen = choice === window;
      return html`<button
        type="button"
        key=${choice}
        class="segment"
        data-window=${choice}
        aria-pressed=${chosen ? "true" : "false"}
        aria-label=${windowLabels(choice).choice}
        onClick=${() => chosen || onChange(choice)}
      ><span class="segment-check" aria-hidden="true">${chosen ? "✓ " : null}</span>${choice} min</button>`;
    })}
  </div>`;
}
