import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GeoipError, openGeoipDatabase } from "../../src/geoip/geoip.ts";
import { writeMmdb } from "../helpers/mmdb-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "pulse-geoip-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function database(name: string, networks: Parameters<typeof writeMmdb>[0]): string {
  const path = join(dir, name);
  writeFileSync(path, writeMmdb(networks));
  return path;
}

describe("openGeoipDatabase", () => {
  test("reads GeoIP2-style records (country.iso_code)", () => {
    const lookup = openGeoipDatabase(
      database("geoip2.mmdb", [
        ["203.0.113.0/24", { country: { iso_code: "JP", names: { en: "Japan" } } }],
        ["198.51.100.0/25", { country: { iso_code: "BR" } }],
      ]),
    );
    expect(lookup("203.0.113.9")).toBe("JP");
    expect(lookup("::ffff:203.0.113.200")).toBe("JP");
    expect(lookup("198.51.100.1")).toBe("BR");
    expect(lookup("198.51.100.200")).toBeUndefined();
    expect(lookup("192.0.2.1")).toBeUndefined();
    expect(lookup("not an ip")).toBeUndefined();
  });

  test("reads flat records (country_code), as ip-location-db files have", () => {
    const lookup = openGeoipDatabase(database("flat.mmdb", [["192.0.2.0/24", { country_code: "nz" }]]));
    expect(lookup("192.0.2.50")).toBe("NZ");
  });

  test("a missing or corrupt file is a clear start-up error", () => {
    expect(() => openGeoipDatabase(join(dir, "missing.mmdb"))).toThrow(GeoipError);
    const corrupt = join(dir, "corrupt.mmdb");
    writeFileSync(corrupt, "this is not a database");
    expect(() => openGeoipDatabase(corrupt)).toThrow(`--geoip: cannot open ${corrupt}`);
  });
});
