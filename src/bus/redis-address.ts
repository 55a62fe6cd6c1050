/** Where a Redis URL points, without its credentials: for logs and errors. */
export function redisAddress(url: string): string {
  try {
    const { protocol, hostname, port, pathname } = new URL(url);
    return `${protocol}//${hostname}:${port || "6379"}${pathname.length > 1 ? pathname : ""}`;
  } catch {
    return "(an unreadable Redis URL)";
  }
}
