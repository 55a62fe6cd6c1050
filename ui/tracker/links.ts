/** Which link clicks are events. */

/** Plausible's list, so sites that switch keep the same figures. */
const DOWNLOAD = /\.(pdf|xlsx?|docx?|txt|rtf|csv|exe|key|pps|pptx?|7z|pkg|rar|gz|zip|avi|mov|mp4|mpe?g|wmv|midi?|mp3|wav|wma|dmg|iso|epub)$/i;

/** The parts of an `<a>` element (or a URL) looked at. */
export interface Link {
  protocol: string;
  host: string;
  pathname: string;
}

/** Whether a link's path is a file's. */
export const isDownload = (path: string): boolean => DOWNLOAD.test(path);

/**
 * The event a click on `link` is, if any, of the kinds the script tracks: a download when given
 * `isDownload` (which then wins over outbound), an outbound click when `outbound`. mailto:, tel:
 * and javascript: links are neither. The test is an argument so that a script variant without
 * downloads is built without the list (index.ts passes `false` there).
 */
export const linkEvent = (
  link: Link,
  pageHost: string,
  isDownload: ((path: string) => boolean) | false,
  outbound: boolean,
): string | undefined =>
  /^https?:$/.test(link.protocol)
    ? isDownload && isDownload(link.pathname)
      ? "File Download"
      : outbound && link.host != pageHost
        ? "Outbound Link: Click"
        : undefined
    : undefined;

/** A primary click, or a middle click (which opens a tab and fires only `auxclick`); not a right click. */
export const isLinkClick = (event: { type: string; button: number }): boolean => event.type == "click" || event.button == 1;
