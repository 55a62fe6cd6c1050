/** Whether the page is a wall display (`?tv`): large type, no controls, for a screen across a room. Pure. */
export function isTvMode(search: string): boolean {
  const value = new URLSearchParams(search).get("tv");
  // `?tv`, `?tv=1`, `?tv=true`; `?tv=0` and `?tv=false` turn it off again in a shared link.
  return value !== null && value !== "0" && value.toLowerCase() !== "false";
}

/** The wall of every site. */
export const WALL_HREF = "/?tv";
