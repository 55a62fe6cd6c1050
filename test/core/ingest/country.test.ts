import { describe, expect, test } from "bun:test";
import { countryFromTimeZone } from "../../../src/core/ingest/country.ts";

describe("countryFromTimeZone", () => {
  test.each([
    ["Europe/Paris", "FR"],
    ["America/New_York", "US"],
    ["Asia/Kolkata", "IN"],
    ["Asia/Calcutta", "IN"],
    ["Europe/Copenhagen", "DK"],
    ["Australia/Sydney", "AU"],
  ])("%s -> %s", (zone, country) => {
    expect(countryFromTimeZone(zone)).toBe(country);
  });

  test.each(["UTC", "Etc/GMT+3", "Not/AZone", "", undefined])("%p has no country", (zone) => {
    expect(countryFromTimeZone(zone)).toBeUndefined();
  });
});
