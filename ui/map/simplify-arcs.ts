/**
 * Thins a TopoJSON topology's arcs before its features are made, so that a border shared by two
 * countries loses the same points on both sides: simplifying each country's rings on their own
 * would leave slivers and gaps between neighbours. Build-time only.
 */
import type { Topology } from "topojson-specification";

export type Point = [number, number];

/**
 * The topology with absolute (unquantized) arcs, keeping of each arc its ends and the points that
 * stand more than `tolerance` away from the line drawn without them (Douglas–Peucker), measured
 * where `project` puts them: on the drawing, not on the sphere.
 */
export function simplifyArcs(topology: Topology, project: (point: Point) => Point, tolerance: number): Topology {
  const arcs = absoluteArcs(topology).map((arc) => {
    const kept = keptPoints(arc.map(project), tolerance);
    return arc.filter((_, i) => kept[i] === 1);
  });
  const { transform: _quantized, ...rest } = topology;
  return { ...rest, arcs };
}

/** TopoJSON stores quantized arcs as differences; features are made from lon/lat points. */
function absoluteArcs(topology: Topology): Point[][] {
  const { transform } = topology;
  if (!transform) return topology.arcs.map((arc) => arc.map(([x, y]) => [x!, y!]));
  const [scaleX, scaleY] = transform.scale;
  const [moveX, moveY] = transform.translate;
  return topology.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map(([dx, dy]): Point => {
      x += dx!;
      y += dy!;
      return [x * scaleX + moveX, y * scaleY + moveY];
    });
  });
}

/** 1 for each point Douglas–Peucker keeps, the ends always. */
export function keptPoints(points: readonly Point[], tolerance: number): Uint8Array {
  const kept = new Uint8Array(points.length);
  if (points.length === 0) return kept;
  kept[0] = 1;
  kept[points.length - 1] = 1;
  const spans: Array<[number, number]> = [[0, points.length - 1]];
  while (spans.length > 0) {
    const [from, to] = spans.pop()!;
    let farthest = -1;
    let distance = tolerance;
    for (let i = from + 1; i < to; i++) {
      const d = distanceToLine(points[i]!, points[from]!, points[to]!);
      if (d > distance) {
        distance = d;
        farthest = i;
      }
    }
    if (farthest < 0) continue;
    kept[farthest] = 1;
    spans.push([from, farthest], [farthest, to]);
  }
  return kept;
}

/** Distance from `p` to the line through `a` and `b` (to `a` when they coincide: a closed arc). */
function distanceToLine([px, py]: Point, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length = Math.hypot(dx, dy);
  if (length === 0) return Math.hypot(px - ax, py - ay);
  return Math.abs(dx * (py - ay) - dy * (px - ax)) / length;
}
