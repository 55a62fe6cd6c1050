import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import type { Topology } from "topojson-specification";
import world from "world-atlas/countries-110m.json" with { type: "json" };
import { MAP_WIDTH, projectWorld, worldMapSource } from "../../../ui/map/project-world.ts";

const map = projectWorld(world as unknown as Topology);
const paths = new Map(map.paths);

/** The absolute points of each ring of relative path data ("M x y l dx dy … z"). */
function rings(data: string): Array<Array<[number, number]>> {
  const result: Array<Array<[number, number]>> = [];
  for (const part of data.split("z").filter(Boolean)) {
    const match = /^M(-?\d+) (-?\d+)l(.*)$/.exec(part);
    if (!match) throw new Error(`not a ring: ${part.slice(0, 40)}`);
    const numbers = (match[3]!.match(/-?\d+/g) ?? []).map(Number);
    let x = Number(match[1]);
    let y = Number(match[2]);
    const ring: Array<[number, number]> = [[x, y]];
    for (let i = 0; i < numbers.length; i += 2) ring.push([(x += numbers[i]!), (y += numbers[i + 1]!)]);
    result.push(ring);
  }
  return result;
}

function centre(code: string): [number, number] {
  const points = rings(paths.get(code) ?? "").flat();
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  return [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
}

test("countries are keyed by alpha-2 code, once each, without Antarctica", () => {
  expect(map.paths.length).toBe(174); // Natural Earth's 177 less Antarctica, N. Cyprus and Somaliland
  expect(new Set(paths.keys()).size).toBe(map.paths.length);
  for (const code of paths.keys()) expect(code).toMatch(/^[A-Z]{2}$/);
  for (const code of ["FR", "US", "BR", "CN", "AU", "ZA", "XK"]) expect(paths.has(code)).toBe(true);
  expect(paths.has("AQ")).toBe(false);
});

test("parts without an ISO code are drawn with their country", () => {
  expect(rings(paths.get("CY")!)).toHaveLength(2); // Cyprus and N. Cyprus
  expect(rings(paths.get("SO")!)).toHaveLength(2); // Somalia and Somaliland
});

test("every point lies in the view box, and the countries where a map has them", () => {
  expect(map.width).toBe(MAP_WIDTH);
  expect(map.height).toBeGreaterThan(380);
  expect(map.height).toBeLessThan(500);
  for (const [code, data] of map.paths) {
    for (const ring of rings(data)) {
      expect(ring.length).toBeGreaterThanOrEqual(3);
      for (const [x, y] of ring) {
        if (x < 0 || x > map.width || y < 0 || y > map.height) throw new Error(`${code}: ${x},${y} outside`);
      }
    }
  }
  const [franceX, franceY] = centre("FR");
  const [usX] = centre("US");
  const [, brazilY] = centre("BR");
  const [australiaX, australiaY] = centre("AU");
  expect(usX).toBeLessThan(franceX);
  expect(brazilY).toBeGreaterThan(franceY);
  expect(australiaX).toBeGreaterThan(franceX);
  expect(australiaY).toBeGreaterThan(franceY);
});

test("the map stays small: its module compresses to under 10 KB", () => {
  const gzipped = gzipSync(worldMapSource(map)).byteLength;
  console.log(`world map module: ${gzipped} B gzip`);
  expect(gzipped).toBeLessThan(10_000);
});

test("the generated module exports the map as projected", async () => {
  const dir = mkdtempSync(`${tmpdir()}/world-map-`);
  try {
    writeFileSync(`${dir}/world-map.ts`, worldMapSource(map));
    const module = await import(`${dir}/world-map.ts`);
    expect(module.WORLD_WIDTH).toBe(map.width);
    expect(module.WORLD_HEIGHT).toBe(map.height);
    expect(module.WORLD_PATHS).toEqual(map.paths);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
