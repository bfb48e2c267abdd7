/**
 * Secret values from variables and files, generated with fast-check: what the resolver accepts is
 * exactly what an inline value may be (one line, no control character, no white space at either
 * end, not empty); what it refuses ends with exit 6, naming the field and the reference, never the value.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/plan/types.js";
import { resolveSecrets } from "../../src/engine/secrets.js";
import { isBarclampError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "gb-secret-values-"));
const state = { dir, lock: join(dir, "lock"), secrets: join(dir, "secrets"), backups: join(dir, "backups"), dbSync: join(dir, "db-sync.json") };
const ACCEPTABLE = /^[^\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff](?:[^\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]*[^\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff])?$/u;

const planWith = (via: "env" | "file", name: string): Plan =>
  ({ secrets: [{ name: "swift_store_key", description: "Swift key", source: { document: "proposal", path: ["attributes", "glance", "swift_store_key"], via, name } }] }) as unknown as Plan;

const value = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: "grapheme", maxLength: 30 }), fc.constantFrom(" pw", "pw ", "p\tw", "pw\n\n", "\ufeffpw", "pw\r\n", "p\u2028w", ""));

describe("secret values from variables and files", () => {
  it.each(["env", "file"] as const)("from %s: accepted only when an inline value could be, refused with exit 6", (via) => {
    let n = 0;
    fc.assert(
      fc.property(value, (raw) => {
        const name = via === "env" ? "GB_SECRET" : join(dir, `s${n++}`);
        if (via === "file") writeFileSync(name, raw);
        // A file may end with one newline, which is taken off.
        const expected = via === "file" ? raw.replace(/\r?\n$/u, "") : raw;
        try {
          const values = resolveSecrets(planWith(via, name), { proposal: {}, inventory: {} }, state, { generate: false, env: { GB_SECRET: raw } });
          expect(ACCEPTABLE.test(expected), JSON.stringify(raw)).toBe(true);
          expect(values.get("swift_store_key")).toBe(expected);
        } catch (error) {
          if (!isBarclampError(error)) throw error;
          expect(ACCEPTABLE.test(expected), JSON.stringify(raw)).toBe(false);
          expect(error.exitCode).toBe(6);
          expect(error.message).toContain("attributes.glance.swift_store_key");
          expect(error.message).toContain(via === "env" ? "GB_SECRET" : name);
          // Long enough not to be a word of the message itself.
          if (expected.trim().length >= 12) expect(error.message).not.toContain(expected.trim());
        }
      }),
      { numRuns: 300 },
    );
  });
});
