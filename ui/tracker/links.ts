/** Which link clicks are events. */

/** Plausible's list, so sites that switch keep the same figures. */
const DOWNLOAD = /\.(pdf|xlsx?|docx?|txt|rtf|csv|exe|key|pps|pptx?|7z|pkg|rar|gz|zip|avi|mov|mp4|mpe?g|wmv|midi?|mp3|wav|wma|dmg|iso|epub)$/i;

/** The parts of an `<a>` element (or a URL) looked at. */
export interface Link {
  protocol: string;
  host: string;
  pathname: string;
}

/** The event a click on `link` is, if any: a download wins over outbound; mailto:, tel: and javascript: are neither. */
export const linkEvent = (link: Link, pageHost: string): string | undefined =>
  /^https?:$/.test(link.protocol)
    ? DOWNLOAD.test(link.pathname)
      ? "File Download"
      : link.host != pageHost
        ? "Outbound Link: Click"
        : undefined
    : undefined;

/** A primary click, or a middle click (which opens a tab and fires only `auxclick`); not a right click. */
export const isLinkClick = (event: { type: string; button: number }): boolean => event.type == "click" || event.button == 1;
