/**
 * The table's shortcut for a page SQLite joined (plainTablePage): its bytes are printed as they are
 * only when each line is plain, as the line-by-line path would have printed it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainTablePage } from "../../src/db/index-format.js";

const PLAIN_LINE = /^[\x20-\x5b\x5d-\x7e]*$/u;

const line = fc.oneof(
  fc.constantFrom("", "1                                    image-1", "2    ", "   ", "a b  "),
  fc.string({ maxLength: 16 }),
  fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom("\n", "\r", "\t", "\u001b[31m", "\\", "\u007f", "\u009b", "\u202e", "é", " "), fc.string({ maxLength: 6 })).map((parts) => parts.join("")),
);

const joined = (lines: readonly string[]) => ({ count: lines.length, bytes: Buffer.from(lines.map((l) => `${l}\n`).join("")) });

describe("table page shortcut", () => {
  it("takes a page as it is exactly when every line is plain, with each line's trailing spaces dropped", () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 20 }), (lines) => {
        const page = plainTablePage(joined(lines));
        if (lines.every((l) => PLAIN_LINE.test(l))) expect(page?.toString("latin1")).toBe(lines.map((l) => `${l.trimEnd()}\n`).join(""));
        else expect(page).toBeUndefined();
      }),
      { numRuns: 5000 },
    );
  });

  it("refuses a page whose newlines are not its lines' ends", () => {
    expect(plainTablePage(joined(["a", "b"]))?.toString()).toBe("a\nb\n");
    // A value's own newline makes one line two: the count no longer matches.
    expect(plainTablePage({ count: 2, bytes: Buffer.from("a\nb\nc\n") })).toBeUndefined();
    expect(plainTablePage({ count: 2, bytes: Buffer.from("a\nb") })).toBeUndefined();
    expect(plainTablePage({ count: 1, bytes: Buffer.from("a  \n") })?.toString()).toBe("a\n");
  });
});
