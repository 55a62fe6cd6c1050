/** Where a PostgreSQL URL points, without its credentials: for logs and errors. */
export function databaseAddress(url: string): string {
  try {
    const { hostname, port, pathname } = new URL(url);
    return `postgres://${hostname}:${port || "5432"}${pathname.length > 1 ? pathname : ""}`;
  } catch {
    return "(an unreadable PostgreSQL URL)";
  }
}
