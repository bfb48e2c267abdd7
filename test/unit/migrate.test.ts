/**
 * proposal migrate on proposals of every Crowbar era (test/fixtures/crowbar, written from the
 * reference's facts): the shape detected, tuned values kept field by field, refusals with their
 * path, position and message, drops reported, idempotence, and no input field lost silently.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { migrateProposalFile } from "../../src/app/migrate-proposal.js";
import { BarclampError } from "../../src/errors.js";
import { leafPaths, migrateProposal, pathKey } from "../../src/core/proposal/migrate/migrate.js";
import { detectShape } from "../../src/core/proposal/migrate/shape.js";
import { FIXTURES, REFERENCE_FIXTURES } from "../helpers/paths.js";
import { lineOf, validate, type Json } from "../helpers/proposals.js";
import { newRoot } from "../helpers/roots.js";
import { writeFileSync } from "node:fs";

const CROWBAR = join(FIXTURES, "crowbar");
const fixture = (name: string): string => join(CROWBAR, name);
const read = (name: string): Json => JSON.parse(readFileSync(fixture(name), "utf8")) as Json;
const glanceOf = (proposal: Json): Json => (proposal.attributes as { glance: Json }).glance;
const migrated = (name: string, release?: string): Json =>
  JSON.parse(migrateProposalFile(fixture(name), release === undefined ? {} : { release }).text) as Json;

const ERAS = [
  ["crowbar-2012-03.json", { kind: "crowbar-2012-2013", era: "2012" }],
  ["crowbar-2013-04.json", { kind: "crowbar-2012-2013", era: "2013" }],
  ["crowbar-2013-late.json", { kind: "crowbar-2012-2013", era: "2013" }],
  ["barclamp-glance-r4.json", { kind: "barclamp-glance", revision: 4 }],
  ["barclamp-glance-r14.json", { kind: "barclamp-glance", revision: 14 }],
  ["crowbar-openstack-r302.json", { kind: "crowbar-openstack", revision: 302 }],
] as const;

/** Writes a variant of a fixture into a temporary file. */
const variant = (name: string, change: (glance: Json, proposal: Json) => void): string => {
  const proposal = read(name);
  change(glanceOf(proposal), proposal);
  const file = join(newRoot("gb-migrate-"), name);
  writeFileSync(file, `${JSON.stringify(proposal, null, 2)}\n`);
  return file;
};

const refusal = (file: string): BarclampError => {
  try {
    migrateProposalFile(file);
  } catch (error) {
    if (error instanceof BarclampError) return error;
    throw error;
  }
  throw new Error(`${file} migrated`);
};

describe("proposal migrate", () => {
  it.each(ERAS)("reads %s as its era", (name, shape) => {
    expect(detectShape(read(name))).toEqual(shape);
  });

  it("tells the two revision lineages apart where their numbers meet", () => {
    const at = (id: string, revision: number) => detectShape({ id, attributes: { glance: {} }, deployment: { glance: { "schema-revision": revision } } });
    expect(at("bc-glance-x", 12)).toEqual({ kind: "barclamp-glance", revision: 12 });
    expect(at("template-glance", 12)).toEqual({ kind: "crowbar-openstack", revision: 12 });
    expect(at("glance-x", 5)).toEqual({ kind: "crowbar-openstack", revision: 5 });
    expect(at("bc-glance-x", 21)).toEqual({ kind: "crowbar-openstack", revision: 21 });
    expect(detectShape(JSON.parse(readFileSync(join(REFERENCE_FIXTURES, "bc-template-glance.json"), "utf8")))).toEqual({ kind: "crowbar-2011" });
  });

  it.each(ERAS)("migrates %s to a proposal that validates, and migrating that changes nothing", (name) => {
    const first = migrateProposalFile(fixture(name));
    expect(first.changed).toBe(true);
    expect(validate(first.text).valid).toBe(true);
    const file = join(newRoot("gb-migrate-"), "migrated.json");
    writeFileSync(file, first.text);
    const second = migrateProposalFile(file);
    expect(second.text).toBe(first.text);
    expect(second.changed).toBe(false);
    expect(second.warnings.filter((w) => w.code.startsWith("migrate-"))).toEqual([]);
  });

  it("keeps every tuned value that maps, field by field", () => {
    for (const [name] of ERAS) {
      const g = glanceOf(migrated(name));
      expect(g.release, name).toBe("zed");
      expect(g.enable_caching, name).toBe(true);
      expect(g.image_cache_max_size_bytes, name).toBe(5368709120);
      expect((g.api as Json).bind_port, name).toBe(9393);
      expect(g.swift_store_container, name).toBe("images");
    }
    // 2012's one cache block gives its log levels to each cache tool.
    const y2012 = glanceOf(migrated("crowbar-2012-03.json"));
    for (const tool of ["reaper", "pruner", "prefetcher"]) expect(y2012[tool]).toEqual({ verbose: false, debug: true });
    // Late 2013's global levels reach every service of the release (zed has no registry).
    const late = glanceOf(migrated("crowbar-2013-late.json"));
    for (const service of ["api", "scrubber", "reaper", "pruner", "prefetcher"]) expect(late[service], service).toMatchObject({ verbose: false, debug: true });
    expect(late).toMatchObject({ swift_store_create_container_on_put: true, database: "mysql", mysql_instance: "db1", keystone_instance: "ks1" });
    for (const name of ["barclamp-glance-r4.json", "barclamp-glance-r14.json", "crowbar-openstack-r302.json"])
      expect(glanceOf(migrated(name)), name).toMatchObject({ mysql_database: "glancedb2", mysql_user: "glance2", mysql_password: "db-secret-4711", use_keystone: true });
    expect(glanceOf(migrated("barclamp-glance-r14.json", "diablo")).registry).toMatchObject({ bind_port: 9191 });
  });

  it("leaves a November 2011 proposal as it was, adding only the format's revision", () => {
    const template = join(REFERENCE_FIXTURES, "bc-template-glance.json");
    const original = JSON.parse(readFileSync(template, "utf8")) as Json;
    const result = JSON.parse(migrateProposalFile(template).text) as Json;
    expect(result.attributes).toEqual(original.attributes);
    expect(result.deployment).toEqual({ glance: { ...(original.deployment as { glance: Json }).glance, "glance-barclamp-revision": 1 } });
  });

  it("generates the password Crowbar left empty", () => {
    const file = variant("barclamp-glance-r4.json", (g) => {
      (g.db as Json).password = "";
    });
    expect(glanceOf(JSON.parse(migrateProposalFile(file).text) as Json).mysql_password).toBeUndefined();
  });

  it.each([
    ["an rbd store", "barclamp-glance-r4.json", (g: Json) => (g.default_store = "rbd"), "rbd", "glance-barclamp deploys the file and Swift stores only"],
    ["a vSphere host", "barclamp-glance-r14.json", (g: Json) => ((g.vsphere as Json).host = "vc1"), "vsphere", "VMware vSphere"],
    ["https with ssl.*", "crowbar-2013-late.json", (g: Json) => ((g.api as Json).protocol = "https"), "api.protocol", "glance-barclamp serves http"],
    ["a git install", "crowbar-2013-04.json", (g: Json) => (g.use_gitrepo = true), "use_gitrepo", "installed from a git repository"],
    ["CORS on", "crowbar-openstack-r302.json", (g: Json) => ((g.crossdomain as Json).enabled = true), "crossdomain", "CORS"],
    ["a rate limit", "crowbar-openstack-r302.json", (g: Json) => (g.ha_rate_limit = { "glance-api": 50 }), "ha_rate_limit", "HAProxy"],
    ["the v1 API on zed", "crowbar-openstack-r302.json", (g: Json) => (g.enable_v1 = true), "enable_v1", "has no v1 API"],
    ["cache management", "crowbar-2012-03.json", (g: Json) => (g.use_cachemanagement = true), "use_cachemanagement", "cachemanage"],
    ["storage locations shown", "barclamp-glance-r14.json", (g: Json) => (g.show_storage_location = true), "show_storage_location", "does not model it"],
    ["a tuned header line", "barclamp-glance-r14.json", (g: Json) => (g.max_header_line = 32768), "max_header_line", "no field for it yet"],
    ["Swift credentials from Keystone", "crowbar-2013-04.json", (g: Json) => (g.default_store = "swift"), "default_store", "took its Swift credentials from Keystone"],
    ["an unknown field", "crowbar-2012-03.json", (g: Json) => (g.enable_cachng = true), "enable_cachng", 'did you mean "enable_caching"?'],
  ])("refuses %s, naming the field, its position, what it did and what to change", (_what, name, change, field, message) => {
    const file = variant(name, change);
    const error = refusal(file);
    expect(error.exitCode).toBe(3);
    const issues = (error.detail as Array<{ path: string; line: number; message: string; hint?: string }>).filter((i) => i.path === `attributes.glance.${field}`);
    expect(issues).toHaveLength(1);
    const [issue] = issues;
    expect(`${issue?.message} ${issue?.hint ?? ""}`).toContain(message);
    const key = field.split(".").pop() as string;
    expect(issue?.line).toBe(lineOf(readFileSync(file, "utf8"), `"${key}":`));
  });

  it("keeps the v1 API where the release has it", () => {
    const file = variant("crowbar-openstack-r302.json", (g) => (g.enable_v1 = true));
    expect(glanceOf(JSON.parse(migrateProposalFile(file, { release: "diablo" }).text) as Json).release).toBe("diablo");
  });

  it("refuses a tuned header line on a release without the option", () => {
    const file = variant("barclamp-glance-r14.json", (g) => (g.max_header_line = 32768));
    expect(() => migrateProposalFile(file, { release: "diablo" })).toThrow(/has no such option/u);
  });

  it("reports what it drops and what is lost, never the value of a secret", () => {
    const result = migrateProposalFile(fixture("crowbar-openstack-r302.json"));
    const dropped = result.warnings.filter((w) => w.code === "migrate-dropped").map((w) => w.path);
    expect(dropped).toEqual(expect.arrayContaining(["attributes.glance.rabbitmq_instance", "attributes.glance.memcache_secret_key", "attributes.glance.rbd"]));
    expect(result.warnings.find((w) => w.path === "attributes.glance.rabbitmq_instance")?.message).toContain("notifications");
    const messages = JSON.stringify([result.warnings, result.notes]);
    for (const secret of ["memcache-secret-302", "db-secret-4711"]) expect(messages).not.toContain(secret);
  });

  it("says which shape an older proposal is, instead of listing every unknown key", () => {
    const text = readFileSync(fixture("barclamp-glance-r14.json"), "utf8");
    const result = validate(text);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ code: "crowbar-shape", path: 'deployment.glance["schema-revision"]', line: lineOf(text, '"schema-revision"') });
    expect(result.issues[0]?.message).toContain("barclamp-glance proposal of schema revision 14");
    expect(result.issues[0]?.hint).toContain("proposal migrate");
  });

  it("accepts Crowbar's bookkeeping in a migrated proposal as written", () => {
    const text = migrateProposalFile(fixture("crowbar-openstack-r302.json")).text;
    const deployment = (JSON.parse(text) as { deployment: { glance: Json } }).deployment.glance;
    expect(deployment).toMatchObject({ "schema-revision": 302, "crowbar-applied": true, "crowbar-status": "success", "crowbar-failed": "" });
    expect(validate(text).valid).toBe(true);
  });

  it("is idempotent and accounts for every input field, on generated proposals of every era", () => {
    const sources = ERAS.map(([name]) => read(name));
    const values = fc.oneof(fc.boolean(), fc.integer({ min: 0, max: 70000 }), fc.constantFrom("", "none", "glance", "/var/lib/glance/x", "file", "swift", "http"), fc.constant(null));
    const arbitrary = fc.record({
      source: fc.integer({ min: 0, max: sources.length - 1 }),
      drop: fc.array(fc.nat(), { maxLength: 6 }),
      extra: fc.dictionary(fc.constantFrom("verbose", "debug", "db", "enable_v1", "max_header_line", "crossdomain", "show_storage_location", "use_cachemanagement", "bogus_key", "image_cache_max_size"), values, { maxKeys: 4 }),
    });
    fc.assert(
      fc.property(arbitrary, ({ source, drop, extra }) => {
        const proposal = structuredClone(sources[source]) as Json;
        const glance = glanceOf(proposal);
        const keys = Object.keys(glance);
        for (const index of drop) delete glance[keys[index % keys.length] as string];
        Object.assign(glance, extra);
        const result = migrateProposal(proposal);
        const unaccounted = leafPaths(proposal).filter((path) => !result.dispositions.has(pathKey(path)));
        expect(unaccounted).toEqual([]);
        if (result.proposal !== undefined) {
          const again = migrateProposal(result.proposal);
          expect(again.proposal).toEqual(result.proposal);
          expect(again.findings).toEqual([]);
        } else expect(result.findings.some((f) => f.severity === "error")).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
