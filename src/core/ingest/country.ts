import timezones from "countries-and-timezones";

/** A GeoIP database lookup: the ISO 3166 country code of a client address, if it knows it. */
export type CountryLookup = (ip: string) => string | undefined;

/** IANA knows about 600 zone names; past this many distinct strings, the rest are looked up each time. */
const MAX_REMEMBERED_ZONES = 1000;
/**
 * The library builds arrays on every lookup, a cost paid per pageview; the answers never change,
 * so each zone is looked up once (see docs/benchmarks.md#countrybyzone).
 */
const countryByZone = new Map<string, string | undefined>();

/**
 * The country a browser's IANA time zone belongs to (e.g. Europe/Paris → FR). Without an IP
 * database this is the only hint, and a good one: a time zone is set per country or region.
 * Zones shared by several countries give their main one; UTC and Etc/* give none.
 */
export function countryFromTimeZone(timeZone: string | undefined): string | undefined {
  if (!timeZone) return undefined;
  if (countryByZone.has(timeZone)) return countryByZone.get(timeZone);
  const country = timezones.getCountryForTimezone(timeZone)?.id;
  if (countryByZone.size < MAX_REMEMBERED_ZONES) countryByZone.set(timeZone, country);
  return country;
}
