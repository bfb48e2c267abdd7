/**
 * The CSV text path's shortcut: a line of fields joined by commas is printed as it is only when
 * quoting every field on its own would give the same bytes.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvField, isPlainCsvLine } from "../../src/db/index-format.js";

const field = fc.oneof(
  fc.constantFrom("", "qcow2", "image-1", "2011-12-10 10:00:00", "true", "12345"),
  fc.string({ maxLength: 12 }),
  fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom(",", '"', "\r", "\n", " ", "\t", "\u00a0", "\u2028", "\u001f", '""', ", "), fc.string({ maxLength: 6 })).map((parts) => parts.join("")),
  fc.string({ unit: "grapheme", maxLength: 12 }),
);

describe("CSV shortcut", () => {
  it("a plain line is exactly its fields quoted one by one; any line needing quotes is not plain", () => {
    fc.assert(
      fc.property(fc.array(field, { minLength: 10, maxLength: 10 }), (fields) => {
        const line = fields.join(",");
        const quoted = fields.map(csvField).join(",");
        if (isPlainCsvLine(line, 10)) expect(quoted).toBe(line);
        else expect(quoted !== line || fields.some((f) => f.includes(","))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it("recognises the common row and refuses the odd ones", () => {
    expect(isPlainCsvLine("00000000-0000-4000-8000-000000000001,cirros,qcow2,bare,13287936,active,c0,public,2011-12-10 10:00:00,false", 10)).toBe(true);
    expect(isPlainCsvLine(",,,,,,,,,", 10)).toBe(true);
    // Spaces and other white space need no quotes (RFC 4180 keeps them); commas, quotes and line breaks do.
    expect(isPlainCsvLine(" a,b ,c,d,e,f,g,h,i,j\u00a0", 10)).toBe(true);
    for (const odd of ["a,b,c", "a,b,c,d,e,f,g,h,i,j,k", 'a,"b,c,d,e,f,g,h,i,j', "a,b\nc,c,d,e,f,g,h,i,j", "a,b\rc,d,e,f,g,h,i,j"])
      expect(isPlainCsvLine(odd, 10), JSON.stringify(odd)).toBe(false);
  });
});
