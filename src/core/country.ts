import timezones from "countries-and-timezones";

/** A GeoIP database lookup: the ISO 3166 country code of a client address, if it knows it. */
export type CountryLookup = (ip: string) => string | undefined;

/**
 * The country a browser's IANA time zone belongs to (e.g. Europe/Paris → FR). Without an IP
 * database this is the only hint, and a good one: a time zone is set per country or region.
 * Zones shared by several countries give their main one; UTC and Etc/* give none.
 */
export function countryFromTimeZone(timeZone: string | undefined): string | undefined {
  if (!timeZone) return undefined;
  return timezones.getCountryForTimezone(timeZone)?.id;
}
