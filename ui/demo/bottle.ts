/** A wine bottle drawn in inline SVG: the demo loads no images and nothing from the internet. */
import { html } from "htm/preact";
import type { WineStyle } from "./catalogue.ts";

const GLASS: Record<WineStyle, string> = {
  red: "#4a1424",
  white: "#b9b26a",
  "rosé": "#e59a9c",
  sparkling: "#27361f",
};

const FOIL: Record<WineStyle, string> = {
  red: "#7b1e3a",
  white: "#8c7a3b",
  "rosé": "#b8546a",
  sparkling: "#c7a455",
};

interface Props {
  style: WineStyle;
  vintage: number;
  /** Rendered height in CSS pixels; the width follows. */
  height?: number;
}

export function Bottle({ style, vintage, height = 140 }: Props) {
  return html`<svg class="bottle" viewBox="0 0 60 160" height=${height} width=${(height * 60) / 160} aria-hidden="true">
    <path
      d="M24 6h12v40c0 10 14 16 14 30v72a6 6 0 0 1-6 6H16a6 6 0 0 1-6-6V76c0-14 14-20 14-30z"
      fill=${GLASS[style]}
    />
    <path d="M15 80c0-9 6-14 10-20v88h-6a4 4 0 0 1-4-4z" fill="#fff" opacity="0.14" />
    <rect x="22.5" y="3" width="15" height="20" rx="2" fill=${FOIL[style]} />
    <rect x="13" y="92" width="34" height="38" rx="2" fill="#f6efe2" />
    <rect x="16" y="96" width="28" height="1.5" fill=${FOIL[style]} />
    <text x="30" y="116" text-anchor="middle" font-size="9" font-family="Georgia, serif" fill="#3b2a2c">${vintage}</text>
    <rect x="16" y="124" width="28" height="1.5" fill=${FOIL[style]} />
  </svg>`;
}
