/**
 * MariaDB's listings are laid out from the server's bytes (index-format-bytes.ts), SQLite's and the
 * API's from values (index-format.ts): for any rows, hostile values included, both print the same
 * bytes in every format. The rows are encoded as mysqlFieldsExpression has the server make them
 * (test/integration/index-listing.test.ts runs the real MariaDB); a value holding the separator is
 * read again by its tag, whatever the tag holds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Column, Row } from "../../src/db/images.js";
import { formatFieldRows } from "../../src/db/index-format-bytes.js";
import { formatIndex, type IndexFormat } from "../../src/db/index-format.js";

const COLUMNS: Column[] = [
  { name: "id", header: "ID", kind: "text", sql: "id", width: 36, nullable: false },
  { name: "name", header: "Name", kind: "text", sql: "name", width: 30 },
  { name: "size", header: "Size", kind: "int", sql: "size", width: 14, right: true },
  { name: "protected", header: "protected", kind: "bool", sql: "protected", width: 7 },
  { name: "status", header: "Status", kind: "text", sql: "status", width: 14 },
];

/** A row as the server sends it: the tag's length, the tag, the NULL bits, the present values, joined by US. */
const serverRow = (row: Row, booleans: Record<string, string>): Buffer => {
  let bits = 0;
  const present: string[] = [];
  COLUMNS.forEach((c, n) => {
    const value = row[c.name];
    if (value === null || value === undefined) bits |= 1 << n;
    else present.push(c.kind === "bool" ? (booleans[c.name] ?? (value === true ? "1" : "0")) : String(value));
  });
  const tag = String(row.id);
  return Buffer.from([String(Buffer.byteLength(tag)), tag, String(bits), ...present].join("\u001f"));
};

const collect = async (chunks: AsyncIterable<string | Uint8Array>): Promise<string> => {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(parts).toString("utf8");
};

async function* once<T>(value: T): AsyncGenerator<T> {
  yield await Promise.resolve(value);
}

const both = async (rows: Row[], format: IndexFormat, booleans: Record<string, string> = {}) => {
  const reread: string[][] = [];
  // rowsAt reads a row again through toRow, which makes a NULL boolean false.
  const byTag = new Map(rows.map((r) => [String(r.id), { ...r, protected: r.protected ?? false }]));
  const bytes = await collect(
    formatFieldRows(once(rows.map((r) => serverRow(r, booleans))), format, COLUMNS, (tags) => {
      reread.push([...tags]);
      return Promise.resolve(new Map(tags.map((t) => [t, byTag.get(t) as Row])));
    }),
  );
  return { bytes, values: await collect(formatIndex(once(rows), format, COLUMNS)), reread };
};

const text = fc.string({ unit: "binary", maxLength: 24 }).filter((s) => !/\p{Cs}/u.test(s)); // the server sends UTF-8: no lone surrogate
const hostileText = fc.oneof(text, fc.constantFrom("", "null", '"', "\\", "a,b", "\r\n", "\u001b[31m", "\u001f", "\u202e", "ü ☁", " trailing ", "\u3000"));
const rowArbitrary = fc.record({
  id: fc.oneof(fc.uuid(), hostileText.filter((s) => s !== "")),
  name: fc.option(hostileText, { nil: null }),
  size: fc.option(fc.maxSafeInteger(), { nil: null }),
  protected: fc.option(fc.boolean(), { nil: null }),
  status: fc.option(hostileText, { nil: null }),
});
// Ids are unique, as a primary key's are.
const rowsArbitrary = fc.uniqueArray(rowArbitrary, { selector: (r) => r.id, maxLength: 30 });

describe("MariaDB's listing from bytes", () => {
  it.each(["csv", "json", "table"] as const)("prints in %s what the listing from values prints, for any rows", async (format) => {
    await fc.assert(
      fc.asyncProperty(rowsArbitrary, async (generated) => {
        // A NULL boolean prints as false: formatIndex's rows come from toRow, which makes it false.
        const { bytes } = await both(generated, format);
        const { values } = await both(
          generated.map((r) => ({ ...r, protected: r.protected ?? false })),
          format,
        );
        expect(bytes).toBe(values);
      }),
      { numRuns: 300 },
    );
  });

  it("reads again, by its whole tag, the rows whose values hold the separator (here the id, the name, the status), and only those", async () => {
    const rows: Row[] = [
      { id: "a", name: "plain", size: 1, protected: false, status: "active" },
      { id: "b\u001fc", name: "tag with US", size: 2, protected: true, status: "active" },
      { id: "d", name: "value\u001fwith US", size: null, protected: false, status: null },
      { id: "e", name: null, size: 3, protected: true, status: "queued" },
      // Escaped in the table (not ASCII) before the separator is met.
      { id: "f", name: "ü\u001b", size: 4, protected: false, status: "s\u001ft" },
    ];
    for (const format of ["csv", "json", "table"] as const) {
      const { bytes, values, reread } = await both(rows, format);
      expect(bytes).toBe(values);
      expect(reread).toEqual([["b\u001fc", "d", "f"]]);
    }
  });

  it("prints a boolean false only for 0, as the server prints a TINYINT", async () => {
    const rows: Row[] = [{ id: "a", name: "x", size: 1, protected: true, status: "s" }];
    const { bytes } = await both(rows, "json", { protected: "2" });
    expect(bytes).toContain('"protected":true');
    expect((await both([{ ...rows[0], protected: false }], "json", { protected: "0" })).bytes).toContain('"protected":false');
  });

  it("can fail: a row laid out wrong differs", async () => {
    const rows: Row[] = [{ id: "a", name: 'q"uote', size: 1, protected: false, status: "s" }];
    const { values } = await both(rows, "json");
    expect(values).not.toBe((await both([{ ...rows[0], name: "q'uote" }], "json")).bytes);
  });
});
