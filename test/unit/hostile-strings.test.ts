/**
 * Hostile strings in every string field of a proposal: nothing that could break a rendered INI
 * file, unit or cron line is accepted. The fields are found from the generated JSON Schema, so a
 * new field is covered without touching this test.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { proposalJsonSchema } from "../../src/core/proposal/json-schema.js";
import { validateProposalText } from "../../src/core/proposal/validate.js";

type SchemaNode = { type?: string; properties?: Record<string, SchemaNode>; anyOf?: SchemaNode[]; items?: SchemaNode; additionalProperties?: SchemaNode | boolean };

/** Fields that never reach a rendered file: free text and Crowbar bookkeeping. */
const NOT_RENDERED = new Set([
  "$schema",
  "description",
  "deployment.glance.config",
  "deployment.glance.element_order",
  "deployment.glance.element_states",
  "deployment.glance.crowbar-status",
  "deployment.glance.crowbar-failed",
]);

const stringFields = (): string[][] => {
  const out: string[][] = [];
  const walk = (node: SchemaNode, path: string[]): void => {
    if (NOT_RENDERED.has(path.join("."))) return;
    const branches = node.anyOf ?? [node];
    if (branches.some((b) => b.type === "string")) out.push(path);
    for (const branch of branches) {
      for (const [key, child] of Object.entries(branch.properties ?? {})) walk(child, [...path, key]);
      if (branch.items !== undefined) walk(branch.items, [...path, "0"]);
      if (typeof branch.additionalProperties === "object") walk(branch.additionalProperties, [...path, "glance-server"]);
    }
  };
  walk(proposalJsonSchema(), []);
  return out;
};

const setAt = (root: Record<string, unknown>, path: string[], value: unknown): void => {
  let current: Record<string, unknown> = root;
  path.slice(0, -1).forEach((step, i) => {
    const nextIsIndex = /^\d+$/u.test(path[i + 1] ?? "");
    current[step] ??= nextIsIndex ? [] : {};
    current = current[step] as Record<string, unknown>;
  });
  current[path[path.length - 1] as string] = value;
};

const base = (): Record<string, unknown> => ({
  id: "bc-glance-x",
  attributes: { glance: { database: "sqlite", use_keystone: false } },
});

const accepts = (path: string[], value: string): boolean => {
  const proposal = base();
  setAt(proposal, path, value);
  return validateProposalText(JSON.stringify(proposal), "p.json").valid;
};

const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

const hostile = fc.oneof(
  fc.tuple(
    fc.string(),
    fc.constantFrom("\n", "\r", "\r\n", "\u0000", "\t", "\u0085", "\u2028", "\u2029", "\u001b[31m", "\n[DEFAULT]\nbind_host = 0.0.0.0"),
    fc.string(),
  ).map(([a, b, c]) => `${a}${b}${c}`),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ minLength: 2049, maxLength: 4000 }),
);

describe("hostile strings", () => {
  const fields = stringFields();

  it("finds the string fields that reach rendered files", () => {
    const names = fields.map((f) => f.join("."));
    expect(names).toContain("attributes.glance.api.log_file");
    expect(names).toContain("attributes.glance.swift_store_key");
    expect(names).toContain("attributes.glance.scrubber.schedule");
    expect(names).toContain("deployment.glance.elements.glance-server.0");
    expect(fields.length).toBeGreaterThan(30);
  });

  it("no value with a line break, control character or excessive length is accepted in any of them", () => {
    fc.assert(
      fc.property(fc.constantFrom(...fields), hostile, (path, value) => {
        if (!accepts(path, value)) return true;
        // Accepted: then it must be something every renderer can write on one line.
        return !LINE_BREAKING.test(value) && value.length <= 2048 && value.trim() === value;
      }),
      { numRuns: 3000 },
    );
  });

  it("rejects every line-breaking value, in every field", () => {
    for (const path of fields) {
      for (const value of ["glance\n[DEFAULT]", "a\u0000b", "x\ry", "x\u2028y", "x\u0085y"]) {
        expect(accepts(path, value), `${path.join(".")} accepted ${JSON.stringify(value)}`).toBe(false);
      }
    }
  });
});
