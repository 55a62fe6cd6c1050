/**
 * Writes projected rings as short SVG path data: whole units, each point relative to the one
 * before, points that round onto the previous one dropped. Relative steps are small numbers
 * that repeat, so the paths also compress well. Build-time only.
 */

/** What d3-geo's geoPath draws into (a GeoContext): this one collects rings of whole-unit points. */
export class RingCollector {
  readonly rings: Array<Array<[number, number]>> = [];
  private ring: Array<[number, number]> = [];

  moveTo(x: number, y: number): void {
    this.ring = [[Math.round(x), Math.round(y)]];
    this.rings.push(this.ring);
  }

  lineTo(x: number, y: number): void {
    const point: [number, number] = [Math.round(x), Math.round(y)];
    const last = this.ring[this.ring.length - 1]!;
    if (point[0] !== last[0] || point[1] !== last[1]) this.ring.push(point);
  }

  beginPath(): void {}

  closePath(): void {}

  // geoPath draws points as circles; countries have none.
  arc(): void {}
}

/** "M12 30l3-1 0 2z…"; rings that round to fewer than three distinct points are left out. */
export function pathData(rings: ReadonlyArray<ReadonlyArray<readonly [number, number]>>): string {
  let data = "";
  for (const ring of rings) {
    const points = withoutClosingPoint(ring);
    if (points.length < 3) continue;
    const [first] = points;
    data += `M${first![0]} ${first![1]}l`;
    for (let i = 1; i < points.length; i++) {
      const dx = points[i]![0] - points[i - 1]![0];
      const dy = points[i]![1] - points[i - 1]![1];
      data += `${i > 1 && dx >= 0 ? " " : ""}${dx}${dy >= 0 ? " " : ""}${dy}`;
    }
    data += "z";
  }
  return data;
}

function withoutClosingPoint<T extends readonly [number, number]>(ring: ReadonlyArray<T>): T[] {
  const points = ring.slice();
  while (points.length > 1 && points[0]![0] === points.at(-1)![0] && points[0]![1] === points.at(-1)![1]) points.pop();
  return points;
}
