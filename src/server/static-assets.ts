import { gzipSync } from "node:zlib";

export interface Asset {
  contentType: string;
  body: string;
}

interface PreparedAsset {
  headers: Record<string, string>;
  raw: Uint8Array<ArrayBuffer>;
  gzipped: Uint8Array<ArrayBuffer>;
}

/** Embedded files, compressed once at start-up and served from memory. */
export class StaticAssets {
  private readonly assets = new Map<string, PreparedAsset>();

  constructor(files: Readonly<Record<string, Asset>>) {
    for (const [path, asset] of Object.entries(files)) {
      const raw = new TextEncoder().encode(asset.body);
      const etag = `"${hash(asset.body)}"`;
      // The HTML shell must always be revalidated so a new binary's assets are picked up.
      const cache = path.endsWith(".html") || path === "/" ? "no-cache" : "public, max-age=300";
      this.assets.set(path, {
        raw,
        gzipped: new Uint8Array(gzipSync(raw)),
        headers: { "content-type": asset.contentType, etag, "cache-control": cache, vary: "accept-encoding" },
      });
    }
  }

  has(path: string): boolean {
    return this.assets.has(path);
  }

  serve(path: string, request: Request): Response | undefined {
    const asset = this.assets.get(path);
    if (!asset) return undefined;
    if (request.headers.get("if-none-match") === asset.headers.etag) return new Response(null, { status: 304, headers: asset.headers });
    const gzip = /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");
    const body = gzip ? asset.gzipped : asset.raw;
    const headers = gzip ? { ...asset.headers, "content-encoding": "gzip" } : asset.headers;
    return new Response(request.method === "HEAD" ? null : body, { headers });
  }
}

function hash(text: string): string {
  // FNV-1a: only needs to change when the file changes.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}
