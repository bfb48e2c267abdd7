import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { proposalJsonSchema, inventoryJsonSchema } from "../../src/core/proposal/json-schema.js";
import { newProposal } from "../../src/core/proposal/new-proposal.js";
import { SERVICES } from "../../src/core/glance.js";
import { GlanceAttributesSchema, ProposalSchema } from "../../src/core/proposal/schema.js";
import type { z } from "zod";
import { fieldInfo, secretPathPatterns, unwrap } from "../../src/core/proposal/schema-walk.js";
import { InventorySchema } from "../../src/core/proposal/inventory.js";
import { PROPOSALS, REFERENCE_FIXTURES } from "../helpers/paths.js";
import { proposalWith, readProposal, SHIPPED, shippedInventory, validate } from "../helpers/proposals.js";

const templateText = (): string => readFileSync(join(REFERENCE_FIXTURES, "bc-template-glance.json"), "utf8");

describe("the 2011 Crowbar template", () => {
  it("validates unchanged, keeping every value it spells out", () => {
    const result = validate(templateText());
    expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
    const glance = result.proposal?.attributes.glance;
    expect(glance?.api.bind_open_address).toBe(false);
    expect(glance?.swift_store_user).toBe("glance_user");
    expect(glance?.swift_store_key).toBe("glance_key");
    expect(glance?.database).toBe("mysql");
    expect(glance?.release).toBe("diablo");
    expect(result.proposal?.deployment.glance.element_order).toEqual([["glance-server"]]);
  });

  it("warns that its mysql and keystone placeholders resolve from the inventory", () => {
    const codes = validate(templateText()).issues.map((i) => `${i.severity}:${i.code}`);
    expect(codes.sort()).toEqual(["warning:image-placeholder", "warning:keystone-placeholder", "warning:mysql-placeholder"]);
  });

  it("validates with Crowbar's other sensible values (swift, caching, several bind settings)", () => {
    const template = JSON.parse(templateText()) as { attributes: { glance: Record<string, unknown> } };
    Object.assign(template.attributes.glance, {
      default_store: "swift",
      enable_caching: true,
      notifier_strategy: "logging",
      database: "sqlite",
      use_keystone: false,
    });
    // The template's Swift user "glance" is no account:user: no Swift auth accepts it.
    expect(validate(template as never).issues.map((i) => i.code)).toContain("swift-user-format");
    Object.assign(template.attributes.glance, { swift_store_user: "glance:glance" });
    expect(validate(template as never).valid).toBe(true);
  });
});

describe("defaults", () => {
  const defaults = ProposalSchema.parse({ id: "bc-glance-x", attributes: { glance: {} } }).attributes.glance;

  it("follow the documentation page where it and the template disagree", () => {
    expect(defaults.api.bind_open_address).toBe(true);
    expect(defaults.registry.bind_open_address).toBe(true);
    expect(defaults.swift_store_user).toBe("glance");
    expect(defaults.swift_store_key).toBe("glance");
    expect(defaults.sqlite_connection).toBe("sqlite:////var/lib/glance/glance.sqlite");
  });

  it("match the documented values of every parameter", () => {
    expect(defaults).toMatchObject({
      working_directory: "/var/lib/glance",
      pid_directory: "/var/run/glance",
      notifier_strategy: "noop",
      default_store: "file",
      filesystem_store_datadir: "/var/lib/glance/images",
      swift_store_container: "glance",
      swift_store_auth_address: "127.0.0.1:8080/v1.0",
      swift_store_create_container_on_put: false,
      use_syslog: false,
      enable_caching: false,
      image_cache_datadir: "/var/lib/glance/image-cache",
      image_cache_grace_period: 3600,
      image_cache_stall_timeout: 86400,
      sql_idle_timeout: 3600,
      release: "diablo",
      periodic_jobs: "cron",
    });
    expect(defaults.api.bind_port).toBe(9292);
    expect(defaults.registry.bind_port).toBe(9191);
    for (const service of SERVICES) {
      expect(defaults[service]).toMatchObject({
        verbose: true,
        debug: false,
        log_file: `/var/log/glance/${service}.log`,
        config_file: `/etc/glance/glance-${service}.conf`,
      });
    }
    expect([defaults.scrubber.schedule, defaults.reaper.schedule, defaults.pruner.schedule, defaults.prefetcher.schedule]).toEqual([
      "1 * * * *",
      "5 * * * *",
      "45 * * * *",
      "25 * * * *",
    ]);
  });

  it("give every field a description", () => {
    const undocumented: string[] = [];
    const visit = (schema: z.core.$ZodType, prefix: string): void => {
      const core = unwrap(schema).core as unknown as { shape?: Record<string, z.core.$ZodType> };
      for (const [key, child] of Object.entries(core.shape ?? {})) {
        if (fieldInfo(child).description === undefined) undocumented.push(`${prefix}${key}`);
        visit(child, `${prefix}${key}.`);
      }
    };
    visit(GlanceAttributesSchema, "");
    visit(InventorySchema, "inventory.");
    expect(undocumented).toEqual([]);
  });

  it("mark exactly the secret fields", () => {
    expect(secretPathPatterns(GlanceAttributesSchema).map((p) => p.join("."))).toEqual(["swift_store_key", "mysql_password"]);
    expect(secretPathPatterns(InventorySchema).map((p) => p.join("."))).toEqual([
      "mysql.*.admin_password",
      "keystone.*.admin_token",
      "keystone.*.admin_password",
      "keystone.*.service_password",
      "keystone.*.memcache_secret_key",
    ]);
  });
});

describe("proposal new", () => {
  it("prints a complete proposal that validates and spells out every default", () => {
    for (const release of ["diablo", "zed"] as const) {
      const proposal = newProposal(release, "demo");
      const result = validate(proposal);
      expect(result.issues).toEqual([]);
      expect(proposal.id).toBe("bc-glance-demo");
      const glance = (proposal.attributes as { glance: Record<string, unknown> }).glance;
      expect(glance.release).toBe(release);
      expect("registry" in glance).toBe(release === "diablo");
    }
  });
});

describe("JSON Schema", () => {
  it("proposals/proposal.schema.json is the generated schema", () => {
    const shipped = JSON.parse(readFileSync(join(PROPOSALS, "proposal.schema.json"), "utf8")) as unknown;
    expect(shipped).toEqual(proposalJsonSchema());
    const inventory = JSON.parse(readFileSync(join(PROPOSALS, "inventory.schema.json"), "utf8")) as unknown;
    expect(inventory).toEqual(inventoryJsonSchema());
  });

  it("carries descriptions, defaults and secret marks", () => {
    const schema = proposalJsonSchema() as { properties: { attributes: { properties: { glance: { properties: Record<string, Record<string, unknown>> } } } } };
    const glance = schema.properties.attributes.properties.glance.properties;
    expect(glance.working_directory?.default).toBe("/var/lib/glance");
    expect(typeof glance.working_directory?.description).toBe("string");
    expect(JSON.stringify(glance.swift_store_key)).toContain('"x-secret":true');
  });
});

describe("shipped proposals", () => {
  it.each(SHIPPED)("$proposal validates with no finding and points at the schema", ({ proposal, inventory }) => {
    const text = readProposal(proposal);
    const result = validate(text, shippedInventory(inventory));
    expect(result.issues).toEqual([]);
    expect((JSON.parse(text) as { $schema: string }).$schema).toBe("./proposal.schema.json");
  });

  it("cover both releases, SQLite, MySQL, Swift and three nodes", () => {
    const parsed = SHIPPED.map(({ proposal, inventory }) => validate(readProposal(proposal), shippedInventory(inventory)));
    const releases = new Set(parsed.map((p) => p.proposal?.attributes.glance.release));
    expect(releases).toEqual(new Set(["diablo", "zed"]));
    expect(parsed.map((p) => p.resolution?.database.kind)).toEqual(["sqlite", "sqlite", "mysql", "mysql"]);
    expect(parsed.some((p) => p.proposal?.attributes.glance.default_store === "swift")).toBe(true);
    expect(parsed.map((p) => p.proposal?.deployment.glance.elements["glance-server"]?.length ?? 0)).toContain(3);
  });
});

describe("minimal proposals", () => {
  it("need only an id and the glance attributes", () => {
    expect(validate({ id: "bc-glance-x", attributes: { glance: {} } }).valid).toBe(true);
    expect(validate(proposalWith()).valid).toBe(true);
  });
});
