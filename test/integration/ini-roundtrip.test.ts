/**
 * Every rendered file parses back, with Python's configparser and the rules of the reader Glance
 * uses for it (test/helpers/ini_dump.py), to exactly the values the proposal holds, including
 * values full of %, $, quotes, # and ; that each reader would otherwise mangle.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Plan } from "../../src/core/plan/types.js";
import type { Release } from "../../src/core/releases/index.js";
import { validateProposalText } from "../../src/core/proposal/validate.js";
import { files, filled, planOf, planShipped } from "../helpers/plan.js";
import { REPO } from "../helpers/paths.js";
import { inventory, proposalWith, readProposal, SHIPPED } from "../helpers/proposals.js";
import { newRoot } from "../helpers/roots.js";

type Dump = Record<string, Record<string, Record<string, string>>>;

/** Writes the plan's config files (secrets filled) and reads them back through Python. */
const readBack = (plan: Plan, secrets: Record<string, string>): Dump => {
  const root = newRoot("gb-ini-");
  const args: string[] = [];
  for (const file of files(plan)) {
    if (file.role !== "config" || file.dialect === "none") continue;
    const path = join(root, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, filled(file, secrets));
    args.push(file.dialect, path);
  }
  const result = spawnSync("python3", [join(REPO, "test/helpers/ini_dump.py"), ...args], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(result.stderr);
  const dump = JSON.parse(result.stdout) as Dump;
  return Object.fromEntries(Object.entries(dump).map(([path, sections]) => [path.slice(root.length), sections]));
};

const bool = (value: boolean): string => (value ? "True" : "False");

describe("rendered values read back exactly", () => {
  for (const { proposal, inventory: inv } of SHIPPED) {
    for (const release of ["diablo", "zed"] as const) {
      it(`${proposal} on ${release}`, () => {
        const plan = planShipped(proposal, inv, release);
        const glance = validateProposalText(readProposal(proposal), proposal).proposal?.attributes.glance;
        if (glance === undefined) throw new Error("invalid shipped proposal");
        const secrets = Object.fromEntries(plan.secrets.map((s) => [s.name, `secret-${s.name}`]));
        const dump = readBack(plan, secrets);
        const api = dump[glance.api.config_file] ?? {};
        expect(api.DEFAULT?.bind_port).toBe(String(glance.api.bind_port));
        expect(api.DEFAULT?.log_file).toBe(glance.api.log_file);
        expect(api.DEFAULT?.debug).toBe(bool(glance.api.debug));
        expect(api.DEFAULT?.use_syslog).toBe(bool(glance.use_syslog));
        const jobs = ["scrubber", "reaper", "pruner", "prefetcher"] as const;
        for (const job of jobs) {
          const conf = dump[glance[job].config_file];
          expect(conf?.DEFAULT?.log_file, job).toBe(glance[job].log_file);
          expect(conf?.DEFAULT?.debug, job).toBe(bool(glance[job].debug));
        }
        if (release === "diablo") {
          expect(api.DEFAULT?.verbose).toBe(bool(glance.api.verbose));
          expect(api.DEFAULT?.registry_port).toBe(String(glance.registry.bind_port));
          expect(api.DEFAULT?.image_cache_datadir).toBe(glance.image_cache_datadir);
          expect(api.DEFAULT?.image_cache_enabled).toBe(bool(glance.enable_caching));
          const registry = dump[glance.registry.config_file];
          expect(registry?.DEFAULT?.sql_idle_timeout).toBe(String(glance.sql_idle_timeout));
          expect(registry?.DEFAULT?.use_syslog).toBe(bool(glance.use_syslog));
          expect(dump[glance.reaper.config_file]?.DEFAULT?.image_cache_invalid_entry_grace_period).toBe(String(glance.image_cache_grace_period));
          expect(dump[glance.reaper.config_file]?.DEFAULT?.image_cache_stall_timeout).toBe(String(glance.image_cache_stall_timeout));
          expect(dump[glance.scrubber.config_file]?.DEFAULT?.scrub_time).toBe(String(glance.scrub_time));
          if (glance.default_store === "file") expect(api.DEFAULT?.filesystem_store_datadir).toBe(glance.filesystem_store_datadir);
          else expect(api.DEFAULT?.swift_store_key).toBe("secret-swift_store_key");
        } else {
          expect(api.DEFAULT?.image_cache_dir).toBe(glance.image_cache_datadir);
          expect(api.DEFAULT?.image_cache_stall_time).toBe(String(glance.image_cache_stall_timeout));
          expect(api.database?.connection_recycle_time).toBe(String(glance.sql_idle_timeout));
          expect(api.glance_store?.default_backend).toBe(glance.default_store);
          expect(api.paste_deploy?.flavor).toBe(glance.enable_caching ? (plan.keystone ? "keystone+caching" : "caching") : plan.keystone ? "keystone" : "");
          if (glance.default_store === "file") expect(api.file?.filesystem_store_datadir).toBe(glance.filesystem_store_datadir);
        }
        if (plan.database === "sqlite") {
          const connection = release === "diablo" ? dump[glance.registry.config_file]?.DEFAULT?.sql_connection : api.database?.connection;
          expect(connection).toBe(glance.sqlite_connection);
        }
      });
    }
  }
});

const TRICKY = [..."abcXYZ019%$\"'#;:=[]{}\\üé€@+/-_.!&*()?"];
/** Hostile characters, shaped to be valid: no leading/trailing space, no " ;" (rejected by validation). */
const trickyText = fc
  .array(fc.constantFrom(...TRICKY, " "), { minLength: 1, maxLength: 16 })
  .map((chars) => chars.join("").trim().replace(/\s+;/gu, ";"))
  .filter((text) => text !== "");
const trickyContainer = trickyText.map((text) => text.replaceAll("/", "_"));
const trickyToken = fc.array(fc.constantFrom(...TRICKY), { minLength: 1, maxLength: 16 }).map((chars) => chars.join(""));

const services = inventory({
  mysql: { db: { host: "10.0.0.9", admin_password: "x" } },
  keystone: { ks: { host: "10.0.0.8", admin_token: "x", service_password: "x" } },
});

describe("hostile but valid values read back exactly", () => {
  for (const release of ["diablo", "zed"] as const satisfies Release[]) {
    it(`on ${release}`, () => {
      // Swift's user is account:user; the address names v1 or v3 auth (v2 is refused on zed).
      const values = fc.record({
        user: trickyText.filter((t) => t !== "" && !t.includes(":")).map((t) => `account:${t}`),
        container: trickyContainer,
        key: trickyText,
        address: trickyToken.filter((t) => !/\/?v2(?:\.0)?(?:\/|$)/u.test(`/${t}`)).map((path) => `http://swift.example:8080/${path}`),
        password: trickyText,
      });
      fc.assert(
        fc.property(values, (sample) => {
        const proposal = proposalWith({
          release,
          default_store: "swift",
          database: "mysql",
          use_keystone: true,
          swift_store_user: sample.user,
          swift_store_container: sample.container,
          swift_store_key: sample.key,
          swift_store_auth_address: sample.address,
          mysql_password: sample.password,
        });
        expect(validateProposalText(JSON.stringify(proposal), "p.json", services).issues).toEqual([]);
        const plan = planOf(proposal, { inventory: services });
        const dump = readBack(plan, {
          swift_store_key: sample.key,
          mysql_password: sample.password,
          mysql_admin_password: "x",
          keystone_admin_token: sample.password,
          keystone_service_password: sample.password,
        });
        const connection = `${release === "diablo" ? "mysql" : "mysql+pymysql"}://glance:${encodeURIComponent(sample.password)}@10.0.0.9:3306/glancedb`;
        if (release === "diablo") {
          const api = dump["/etc/glance/glance-api.conf"];
          expect(api?.DEFAULT).toMatchObject({
            swift_store_user: sample.user,
            swift_store_container: sample.container,
            swift_store_key: sample.key,
            swift_store_auth_address: sample.address,
          });
          expect(api?.["filter:authtoken"]?.admin_token).toBe(sample.password);
          expect(dump["/etc/glance/glance-registry.conf"]?.DEFAULT?.sql_connection).toBe(connection);
        } else {
          expect(dump["/etc/glance/glance-swift.conf"]?.ref1).toMatchObject({ user: sample.user, key: sample.key, auth_address: sample.address });
          const api = dump["/etc/glance/glance-api.conf"];
          expect(api?.swift?.swift_store_container).toBe(sample.container);
          expect(api?.database?.connection).toBe(connection);
          expect(api?.keystone_authtoken?.password).toBe(sample.password);
        }
        }),
        { numRuns: 40 },
      );
    });
  }
});
