/**
 * Files and directories, under the one path policy (../../path-policy.ts): every path apply writes or
 * gives to glance is dedicated to Glance, no two resources share a path, and nothing but images
 * lives in the image store or the cache (the pruner deletes files there).
 */
import { posix } from "node:path";
import { SERVICES, type ServiceName } from "../../glance.js";
import { isSameOrInside, suggestPath, writeRefusal, type WrittenPathUse } from "../../path-policy.js";
import type { JsonPath } from "../load.js";
import type { Finding } from "../resolve.js";
import { G, type Check, type Rule, type RuleContext } from "./types.js";

/** One path the proposal makes apply write (a file) or create and hand to glance (a directory). */
interface Claim {
  field: JsonPath;
  path: string;
  use: WrittenPathUse;
  /** What it is, for messages: "the api's log file", "the directory of the api's log file". */
  what: string;
  /** A path that always works, when no nearby one does. */
  fallback: string;
  /** How the field spells a path (the SQLite URL holds one). */
  spell: (path: string) => string;
}

const asIs = (path: string): string => path;
const SQLITE_PREFIX = "sqlite:///";

const claimsOf = ({ proposal, resolution }: RuleContext): Claim[] => {
  const g = proposal.attributes.glance;
  const claims: Claim[] = [];
  for (const service of SERVICES) {
    const name: ServiceName = service;
    claims.push({ field: [...G, name, "config_file"], path: g[name].config_file, use: "file", what: `the ${name}'s config file`, fallback: `/etc/glance/glance-${name}.conf`, spell: asIs });
    claims.push({ field: [...G, name, "log_file"], path: g[name].log_file, use: "file", what: `the ${name}'s log file`, fallback: `/var/log/glance/${name}.log`, spell: asIs });
    claims.push({
      field: [...G, name, "log_file"],
      path: posix.dirname(g[name].log_file),
      use: "owned-directory",
      what: `the directory of the ${name}'s log file`,
      fallback: `/var/log/glance/${name}.log`,
      spell: (dir) => `${dir}/${posix.basename(g[name].log_file)}`,
    });
  }
  const directory = (field: string, path: string, what: string, fallback: string): void => {
    claims.push({ field: [...G, field], path, use: "owned-directory", what, fallback, spell: asIs });
  };
  directory("image_cache_datadir", g.image_cache_datadir, "the image cache", "/var/lib/glance/image-cache");
  directory("filesystem_store_datadir", g.filesystem_store_datadir, "the image store", "/var/lib/glance/images");
  directory("pid_directory", g.pid_directory, "the PID directory", "/var/run/glance");
  directory("working_directory", g.working_directory, "the working directory", "/var/lib/glance");
  if (resolution.database.kind === "sqlite") {
    const file = resolution.database.file;
    const spell = (path: string): string => `${SQLITE_PREFIX}${path}`;
    const fallback = "sqlite:////var/lib/glance/glance.sqlite";
    claims.push({ field: [...G, "sqlite_connection"], path: file, use: "file", what: "the SQLite database", fallback, spell });
    claims.push({
      field: [...G, "sqlite_connection"],
      path: posix.dirname(file),
      use: "owned-directory",
      what: "the SQLite database's directory",
      fallback,
      spell: (dir) => spell(`${dir}/${posix.basename(file)}`),
    });
  }
  return claims;
};

const finding = (claim: Claim, code: string, message: string, hint: string): Finding => ({ path: claim.field, severity: "error", code, message, hint });

/** Each path on its own: dedicated to Glance, outside kernel, package and system trees. */
const pathsAllowed: Check = (context) => {
  const refused = new Set<string>();
  return claimsOf(context).flatMap((claim) => {
    const reason = writeRefusal(claim.path, claim.use);
    // One refusal per field: a log file in /etc/cron.d need not also be told its directory is cron's.
    const key = claim.field.join(".");
    if (reason === undefined || refused.has(key)) return [];
    refused.add(key);
    const suggestion = suggestPath(claim.path, claim.use, "");
    const fixed = suggestion === "" ? claim.fallback : claim.spell(suggestion);
    return [finding(claim, "path-refused", `${claim.what} ${claim.path} ${reason}`, `use a path such as ${fixed}`)];
  });
};

const distinctField =
  (field: "log_file" | "config_file", code: string, what: string): Check =>
  ({ proposal }) => {
    const glance = proposal.attributes.glance;
    const firstUser = new Map<string, string>();
    const findings: Finding[] = [];
    for (const service of SERVICES) {
      const value = glance[service][field];
      const other = firstUser.get(value);
      if (other === undefined) firstUser.set(value, service);
      else
        findings.push({
          path: [...G, service, field],
          severity: "error",
          code,
          message: `the ${service} and the ${other} share the ${what} ${value}`,
          hint:
            field === "log_file"
              ? `give each service its own log file, e.g. /var/log/glance/${service}.log`
              : `give each service its own config file, e.g. /etc/glance/glance-${service}.conf`,
        });
    }
    return findings;
  };

/**
 * Files of different kinds on one path, a file where a directory is, or a path inside a file. Two
 * config files or two log files on one path have their own rules above.
 */
const pathsShared: Check = (context) => {
  const claims = claimsOf(context);
  const files = claims.filter((c) => c.use === "file");
  const findings: Finding[] = [];
  const sameKind = (a: Claim, b: Claim): boolean => a.field.at(-1) === b.field.at(-1) && a.field.at(-1) !== "sqlite_connection";
  files.forEach((file, i) => {
    for (const other of files.slice(0, i))
      if (other.path === file.path && !sameKind(file, other))
        findings.push(finding(file, "paths-shared", `${file.what} is ${other.what} (${file.path})`, `give it its own path, e.g. ${file.fallback}`));
    for (const other of claims) {
      if (other.use === "owned-directory" && other.path === file.path)
        findings.push(finding(file, "paths-shared", `${file.what} ${file.path} is ${other.what}`, `give it its own path, e.g. ${file.fallback}`));
      if (other.use === "file" && other !== file && file.path.startsWith(`${other.path}/`))
        findings.push(finding(file, "paths-shared", `${file.what} ${file.path} is inside ${other.what} ${other.path}`, `give it its own path, e.g. ${file.fallback}`));
    }
  });
  return findings;
};

/** Nothing but images in the store and the cache: the pruner and the store delete files there. */
const nothingInStoreOrCache: Check = (context) => {
  const claims = claimsOf(context);
  // A store or cache refused on its own (the store in /etc) is reported once, by pathsAllowed.
  const areas = claims.filter(
    (c) => (c.field.at(-1) === "filesystem_store_datadir" || c.field.at(-1) === "image_cache_datadir") && writeRefusal(c.path, c.use) === undefined,
  );
  const findings: Finding[] = [];
  for (const claim of claims) {
    const kept = claim.use === "file" || claim.field.at(-1) === "pid_directory" || claim.field.at(-1) === "working_directory";
    if (!kept) continue;
    for (const area of areas)
      if (isSameOrInside(claim.path, area.path))
        findings.push(
          finding(
            claim,
            area.field.at(-1) === "image_cache_datadir" ? "inside-image-cache" : "inside-image-store",
            `${claim.what} ${claim.path} is inside ${area.what} ${area.path}`,
            `files there are images that Glance deletes; keep it apart, e.g. ${claim.fallback}`,
          ),
        );
  }
  return findings;
};

const cacheOutsideStore: Check = ({ proposal }) => {
  const { image_cache_datadir: cache, filesystem_store_datadir: store } = proposal.attributes.glance;
  if (isSameOrInside(cache, store))
    return [
      {
        path: [...G, "image_cache_datadir"],
        severity: "error",
        code: "cache-inside-store",
        message: `the image cache ${cache} is ${cache === store ? "the image store" : "inside the image store"} ${store}`,
        hint: "the pruner deletes files in the cache: keep it apart, e.g. /var/lib/glance/image-cache",
      },
    ];
  if (isSameOrInside(store, cache))
    return [
      {
        path: [...G, "filesystem_store_datadir"],
        severity: "error",
        code: "store-inside-cache",
        message: `the image store ${store} is inside the image cache ${cache}`,
        hint: "the pruner deletes files in the cache: keep the store apart, e.g. /var/lib/glance/images",
      },
    ];
  return [];
};

const PATH_FIELDS: ReadonlyArray<ReadonlyArray<string>> = [
  ...SERVICES.flatMap((service) => [
    [...G, service, "log_file"],
    [...G, service, "config_file"],
  ]),
  ...["image_cache_datadir", "filesystem_store_datadir", "pid_directory", "working_directory", "sqlite_connection", "database", "mysql_instance"].map((f) => [...G, f]),
];

export const FILE_RULES: readonly Rule[] = [
  { reads: PATH_FIELDS, check: pathsAllowed },
  {
    reads: SERVICES.map((service) => [...G, service, "log_file"]),
    check: distinctField("log_file", "log-files-distinct", "log file"),
  },
  {
    reads: SERVICES.map((service) => [...G, service, "config_file"]),
    check: distinctField("config_file", "config-files-distinct", "config file"),
  },
  { reads: PATH_FIELDS, check: pathsShared },
  { reads: PATH_FIELDS, check: nothingInStoreOrCache },
  { reads: [[...G, "image_cache_datadir"], [...G, "filesystem_store_datadir"]], check: cacheOutsideStore },
];
