import { HttpError } from "./http-error.ts";

/** The ingest endpoint is meant to be called from any site, like Plausible's. */
export const INGEST_CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, OPTIONS",
  "access-control-allow-headers": "Content-Type",
  "access-control-max-age": "86400",
};

export function jsonError(status: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error: message }, { status, headers });
}

/** The one place errors become responses: client mistakes say what is wrong, anything else is a 500. */
export function errorResponse(error: unknown, headers: Record<string, string> = {}): Response {
  if (error instanceof HttpError) return jsonError(error.status, error.message, headers);
  console.error("pulse: unexpected error:", error);
  return jsonError(500, "internal error", headers);
}
