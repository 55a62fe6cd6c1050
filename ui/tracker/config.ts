/** The tracker's settings, read once from its own `<script>` tag's data-* attributes. */
import { pathMatcher } from "./ignore.ts";

export interface Config {
  /** Where events are POSTed. */
  api: string;
  /** Where presence signals are POSTed: `api` with its last path segment replaced by `presence`. */
  presenceApi: string;
  /** The site, or sites (comma-separated), to count events for. */
  domain: string;
  allowLocal: boolean;
  excluded: (path: string) => boolean;
  /** `data-include`: only these pages count; all by default. */
  included: (path: string) => boolean;
  /** `data-hash`: which hashes are pages (hashRole). */
  hash: string | null | undefined;
}

export interface ScriptTag {
  src: string;
  getAttribute(name: string): string | null;
}

export const readConfig = (script: ScriptTag | null, hostname: string): Config => {
  const attr = (name: string) => script?.getAttribute("data-" + name);
  // By default, the server that served the script: one tag is all a site needs.
  const api = attr("api") || (script ? new URL(script.src).origin : "") + "/api/event";
  return {
    api,
    presenceApi: api.replace(/[^/]*$/, "presence"),
    domain: attr("domain") || hostname,
    allowLocal: attr("allow-localhost") != null,
    excluded: pathMatcher(attr("exclude") || ""),
    included: pathMatcher(attr("include") || "**"),
    hash: attr("hash"),
  };
};
