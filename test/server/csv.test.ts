import { expect, test } from "bun:test";
import { csvRow } from "../../src/server/csv.ts";

test("csvRow quotes what needs quoting and defuses formulas", () => {
  expect(csvRow(["plain", 42, 'say "hi"', "a,b", "line\nbreak", "=SUM(A1)", "+1", "-2", "@x", ""])).toBe(
    `plain,42,"say ""hi""","a,b","line\nbreak",'=SUM(A1),'+1,'-2,'@x,\r\n`,
  );
});
