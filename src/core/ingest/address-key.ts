/**
 * What per-address limits (--rate-limit, --max-dashboards-per-ip) count by: an IPv4 address (also
 * when written IPv4-mapped), or the /64 an IPv6 address belongs to, since one subscriber usually
 * holds a whole /64. An IPv4 address is returned as it is, without allocating.
 */
export function addressKey(address: string): string {
  if (!address.includes(":")) return address;
  const lower = address.toLowerCase();
  if (lower.startsWith("::ffff:") && lower.includes(".")) return lower.slice(7);
  const [head = "", tail] = lower.split("::");
  const front = head === "" ? [] : head.split(":");
  if (tail === undefined || front.length >= 4) return prefix64(front);
  const back = tail === "" ? [] : tail.split(":");
  const groups = [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill("0"), ...back];
  return prefix64(groups);
}

/** The first four groups, each written the short way ("0db8" and "db8" are one group). */
function prefix64(groups: string[]): string {
  return groups
    .slice(0, 4)
    .map((group) => (Number.parseInt(group, 16) || 0).toString(16))
    .join(":");
}
