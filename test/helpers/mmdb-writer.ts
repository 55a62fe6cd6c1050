/**
 * Writes a small IPv4 MaxMind DB (format 2.0, 24-bit records) for tests, so GeoIP lookups are
 * tested against a real file without shipping a commercial database.
 * Spec: https://maxmind.github.io/MaxMind-DB/
 */
type Value = string | number | Value[] | { [key: string]: Value };

export function writeMmdb(networks: Array<[cidr: string, record: { [key: string]: Value }]>, databaseType = "Pulse-Test-Country"): Uint8Array {
  const nodes: Array<[number, number]> = [[-1, -1]];
  const data: number[] = [];
  const leaves: Array<{ node: number; bit: 0 | 1; offset: number }> = [];

  for (const [cidr, record] of networks) {
    const [address, lengthText] = cidr.split("/");
    const length = Number(lengthText);
    const bits = address!.split(".").reduce((acc, octet) => (acc << 8) | Number(octet), 0) >>> 0;
    const offset = data.length;
    data.push(...encode(record));
    let node = 0;
    for (let depth = 0; depth < length; depth++) {
      const bit = ((bits >>> (31 - depth)) & 1) as 0 | 1;
      if (depth === length - 1) {
        leaves.push({ node, bit, offset });
        break;
      }
      let next = nodes[node]![bit];
      if (next === -1) {
        next = nodes.length;
        nodes.push([-1, -1]);
        nodes[node]![bit] = next;
      }
      node = next;
    }
  }

  const nodeCount = nodes.length;
  const empty = nodeCount; // "no data here"
  for (const leaf of leaves) nodes[leaf.node]![leaf.bit] = nodeCount + 16 + leaf.offset;
  const tree: number[] = [];
  for (const [left, right] of nodes) tree.push(...uint24(left === -1 ? empty : left), ...uint24(right === -1 ? empty : right));

  const metadata = encode({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 4,
    database_type: databaseType,
    languages: ["en"],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    description: { en: "Pulse test database" },
  });
  const marker = [0xab, 0xcd, 0xef, ...new TextEncoder().encode("MaxMind.com")];
  return new Uint8Array([...tree, ...new Array(16).fill(0), ...data, ...marker, ...metadata]);
}

function uint24(value: number): number[] {
  return [(value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function control(type: number, size: number): number[] {
  if (size >= 29) throw new Error("test writer supports only short values");
  return type <= 7 ? [(type << 5) | size] : [size, type - 7];
}

function encode(value: Value): number[] {
  if (typeof value === "string") {
    const bytes = [...new TextEncoder().encode(value)];
    return [...control(2, bytes.length), ...bytes];
  }
  if (typeof value === "number") {
    const bytes: number[] = [];
    for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
    return [...control(6, bytes.length), ...bytes]; // uint32
  }
  if (Array.isArray(value)) return [...control(11, value.length), ...value.flatMap(encode)];
  const entries = Object.entries(value);
  return [...control(7, entries.length), ...entries.flatMap(([key, item]) => [...encode(key), ...encode(item)])];
}
