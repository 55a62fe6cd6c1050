import { readFileSync } from "node:fs";
import { Reader, type Response } from "maxmind";
import type { CountryLookup } from "../core/ingest/country.ts";
import { errorMessage } from "../core/error-message.ts";

/** What a country-level record looks like in the formats people have: MaxMind/DB-IP GeoIP2, and flat ones. */
interface CountryRecord {
  country?: { iso_code?: string };
  registered_country?: { iso_code?: string };
  country_code?: string;
}

export class GeoipError extends Error {}

/**
 * Opens a MaxMind-format database (GeoLite2/GeoIP2 Country or City, DB-IP, ip-location-db) once at
 * start-up and answers lookups from memory. The file is read whole: country databases are a few MB.
 */
export function openGeoipDatabase(path: string): CountryLookup {
  let reader: Reader<Response>;
  try {
    reader = new Reader(readFileSync(path));
  } catch (error) {
    throw new GeoipError(`--geoip: cannot open ${path}: ${errorMessage(error)}`);
  }
  return (ip) => {
    try {
      const record = reader.get(unmapIPv4(ip)) as CountryRecord | null;
      const code = record?.country?.iso_code ?? record?.country_code ?? record?.registered_country?.iso_code;
      return code && /^[A-Z]{2}$/i.test(code) ? code.toUpperCase() : undefined;
    } catch {
      return undefined; // not an IP address the database can look up
    }
  };
}

/** Sockets on a dual-stack listener report IPv4 clients as ::ffff:a.b.c.d, which IPv4-only databases do not know. */
function unmapIPv4(ip: string): string {
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
}
