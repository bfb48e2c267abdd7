import { fstatSync, writeSync, type Stats } from "node:fs";
import { ExitCode, usageError } from "../../errors.js";
import { openDatabase } from "../../db/database.js";
import { formatFieldRows } from "../../db/index-format-bytes.js";
import { formatIndex, formatLines, formatSummary, writeChunks, type IndexFormat, type Sink } from "../../db/index-format.js";
import { detectSchema, listImageLines, resolveColumns, rowsAt, summarizeImages, tableColumns, SORT_KEYS, type ListOptions, type SortKey } from "../../db/images.js";
import { databaseTarget } from "../../app/database-target.js";
import type { OpenStackAuth } from "../../keystone/client.js";

export interface IndexOptions {
  root: string;
  inventory?: string;
  node?: string;
  connection?: string;
  host?: string;
  port?: string;
  authToken?: string;
  apiVersion?: string;
  all?: boolean;
  format: IndexFormat;
  limit?: string;
  marker?: string;
  sort: string;
  name?: string;
  status?: string;
  columns?: string;
  owner?: string;
  visibility?: string;
  createdSince?: string;
  deletedSince?: string;
  minSize?: string;
  maxSize?: string;
  summary?: boolean;
  osAuthUrl?: string;
  osUsername?: string;
  osPassword?: string;
  osProjectName?: string;
  osUserDomainName?: string;
  osProjectDomainName?: string;
  osRegionName?: string;
  osInterface?: string;
}

/** The OpenStack clients' credentials: --os-* options first, then OS_* variables; undefined without an auth URL. */
const openStackAuth = (options: IndexOptions, env: NodeJS.ProcessEnv): OpenStackAuth | undefined => {
  const authUrl = options.osAuthUrl ?? env.OS_AUTH_URL;
  if (authUrl === undefined || authUrl === "") return undefined;
  const required = (value: string | undefined, name: string): string => {
    if (value === undefined || value === "") throw usageError("os-credentials", `${name} is needed with OS_AUTH_URL`, { hint: `export ${name} (or pass --${name.toLowerCase().replaceAll("_", "-")})` });
    return value;
  };
  return {
    authUrl,
    username: required(options.osUsername ?? env.OS_USERNAME, "OS_USERNAME"),
    password: required(options.osPassword ?? env.OS_PASSWORD, "OS_PASSWORD"),
    projectName: required(options.osProjectName ?? env.OS_PROJECT_NAME ?? env.OS_TENANT_NAME, "OS_PROJECT_NAME"),
    userDomainName: options.osUserDomainName ?? env.OS_USER_DOMAIN_NAME ?? "Default",
    projectDomainName: options.osProjectDomainName ?? env.OS_PROJECT_DOMAIN_NAME ?? "Default",
    regionName: options.osRegionName ?? env.OS_REGION_NAME,
    interface: (options.osInterface ?? env.OS_INTERFACE ?? "public").replace(/URL$/u, ""),
  };
};

/**
 * Standard output as the listing's sink. A regular file or a device (`> out.csv`, /dev/null) takes
 * synchronous writes, which cost a third of the stream's per-chunk work over a million rows; a pipe
 * or a terminal gets the stream, with its back-pressure.
 */
const stdoutSink = (): Sink => {
  let stat: Stats | undefined;
  try {
    stat = fstatSync(1);
  } catch {
    stat = undefined;
  }
  if (stat !== undefined && (stat.isFile() || stat.isCharacterDevice()) && process.stdout.isTTY !== true)
    // Two calls: writeSync's overloads take a string or bytes, not either.
    return { write: (chunk) => (typeof chunk === "string" ? writeSync(1, chunk) : writeSync(1, chunk), true), drain: () => Promise.resolve() };
  return {
    write: (chunk) => process.stdout.write(chunk),
    drain: () => new Promise((resolve) => process.stdout.once("drain", () => resolve())),
  };
};

const listOptions = (options: IndexOptions): ListOptions => {
  const [key = "created_at", dir = "desc"] = options.sort.split(":");
  if (!SORT_KEYS.includes(key as SortKey)) throw usageError("bad-sort", `cannot sort by ${key}`, { hint: `use KEY[:asc|desc] with KEY one of ${SORT_KEYS.join(", ")}` });
  if (dir !== "asc" && dir !== "desc") throw usageError("bad-sort", `sort direction ${dir} is neither asc nor desc`);
  const limit = options.limit === undefined ? undefined : Number(options.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw usageError("bad-limit", "--limit takes a whole number of at least 1");
  if (options.deletedSince !== undefined && options.all !== true) throw usageError("deleted-since-without-all", "--deleted-since lists deleted images: it needs --all");
  return {
    all: options.all === true,
    limit,
    marker: options.marker,
    sortKey: key as SortKey,
    sortDir: dir,
    name: options.name,
    status: options.status,
    ...(options.owner === undefined ? {} : { owner: options.owner }),
    ...(options.visibility === undefined ? {} : { visibility: options.visibility }),
    ...(options.createdSince === undefined ? {} : { createdSince: timestampOf(options.createdSince, "--created-since") }),
    ...(options.deletedSince === undefined ? {} : { deletedSince: timestampOf(options.deletedSince, "--deleted-since") }),
    ...(options.minSize === undefined ? {} : { minSize: bytesOf(options.minSize, "--min-size") }),
    ...(options.maxSize === undefined ? {} : { maxSize: bytesOf(options.maxSize, "--max-size") }),
  };
};

/** A date or date and time as both engines compare them with Glance's DATETIME text: "YYYY-MM-DD HH:MM:SS". */
const timestampOf = (value: string, option: string): string => {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(:\d{2})?)?Z?$/u.exec(value);
  const stamp = match === null ? "" : `${match[1] ?? ""} ${match[2] ?? "00:00"}${match[3] ?? ":00"}`;
  // Round-tripped: Date.parse takes 2026-02-31 as March 3rd, which MariaDB would refuse.
  const parsed = new Date(`${stamp.replace(" ", "T")}Z`);
  if (match === null || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 19) !== stamp.replace(" ", "T"))
    throw usageError("bad-date", `${option} takes a date, or a date and a time (UTC): 2026-01-31 or 2026-01-31T12:00`);
  return stamp;
};

const bytesOf = (value: string, option: string): number => {
  const n = Number(value);
  if (!/^\d+$/u.test(value) || !Number.isSafeInteger(n)) throw usageError("bad-size", `${option} takes a whole number of bytes`);
  return n;
};

const AUDIT_OPTIONS: Array<[keyof IndexOptions, string]> = [
  ["columns", "--columns"],
  ["owner", "--owner"],
  ["visibility", "--visibility"],
  ["createdSince", "--created-since"],
  ["deletedSince", "--deleted-since"],
  ["minSize", "--min-size"],
  ["maxSize", "--max-size"],
  ["summary", "--summary"],
];

export const runIndex = async (proposal: string | undefined, options: IndexOptions): Promise<number> => {
  const list = listOptions(options);
  const auth = options.connection === undefined && proposal === undefined ? openStackAuth(options, process.env) : undefined;
  if (options.host !== undefined || auth !== undefined) {
    if (list.all) throw usageError("remote-all", "the API does not list deleted images: --all needs database access", { hint: "use a proposal or --connection instead of -H" });
    const audit = AUDIT_OPTIONS.find(([key]) => options[key] !== undefined);
    if (audit !== undefined) throw usageError("remote-audit", `${audit[1]} reads the database: it needs database access`, { hint: "use a proposal or --connection instead of -H" });
    // With OS_* and no -H, Keystone's catalog says where Glance is; a token from -A wins over OS_*.
    const session = auth === undefined || (options.host !== undefined && options.authToken !== undefined) ? undefined : await (await import("../../keystone/client.js")).imageEndpoint(auth);
    const host = options.host === undefined ? undefined : options.host.includes(":") ? `[${options.host}]` : options.host;
    const base = host === undefined ? (session?.url ?? "") : `http://${host}:${Number(options.port ?? 9292)}`;
    // Loaded only for the API: it parses answers with zod, which the database path never needs.
    const { listRemoteImages } = await import("../../db/remote-index.js");
    const images = listRemoteImages({ base, token: options.authToken ?? session?.token, apiVersion: options.apiVersion === "1" ? 1 : 2 }, list);
    const { API_COLUMNS, API_TABLE_COLUMNS } = await import("../../db/remote-index.js");
    await writeChunks(formatIndex(images, options.format, options.format === "table" ? API_TABLE_COLUMNS : API_COLUMNS), stdoutSink());
    return ExitCode.ok;
  }
  const target = await databaseTarget(proposal, options, "index (without -H HOST)");
  const db = await openDatabase(target);
  try {
    const schema = await detectSchema(db);
    if (options.summary === true) {
      process.stdout.write(formatSummary(await summarizeImages(db, schema, list), options.format));
      return ExitCode.ok;
    }
    const names = options.columns?.split(",").map((c) => c.trim());
    const columns = options.format === "table" ? tableColumns(schema, names) : resolveColumns(schema, names);
    // Each row one string the database built (rows it cannot lay out exactly are read again).
    const listing = await listImageLines(db, schema, list, options.format, columns);
    const reread = (tags: readonly string[]) => rowsAt(db, schema, columns, tags);
    const chunks = listing.engine === "sqlite" ? formatLines(listing, options.format, columns, reread) : formatFieldRows(listing.rows, options.format, columns, reread);
    await writeChunks(chunks, stdoutSink());
  } finally {
    await db.close();
  }
  return ExitCode.ok;
};
