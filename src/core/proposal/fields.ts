/**
 * Field types shared by the proposal and inventory schemas. Every string that can reach a rendered
 * file, a unit or a cron line is constrained here, once, so that no later stage has to guess
 * whether a value is safe to write.
 */
import { posix } from "node:path";
import * as z from "zod";
import { cronError } from "../cron/grammar.js";
import { readRefusal } from "../path-policy.js";

z.config({ jitless: true });

/** C0/C1 controls, DEL, BOM and the Unicode line separators: any of them can split an INI line. */
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/u;
/** Python 2's ConfigParser (Glance 2011.3) cuts a value at a `;` that follows white space. */
const INLINE_COMMENT = /\s;/u;

const MAX_TEXT = 1024;
const MAX_PATH = 1024;

/**
 * Printable text that survives an INI round trip: no control characters, no leading or trailing
 * white space (INI readers strip it), no inline-comment marker.
 */
export const text = (max = MAX_TEXT) =>
  z
    .string()
    .max(max, { error: `must be at most ${max} characters`, abort: true })
    .refine((s) => !CONTROL_CHARS.test(s), { error: "must not contain newlines or other control characters", abort: true })
    .refine((s) => s.trim() === s, { error: "must not start or end with white space" })
    .refine((s) => !INLINE_COMMENT.test(s), { error: "must not contain ' ;' (an INI reader would cut the value there)" });

/** Like text, but with no white space at all and not empty. */
export const token = (max = MAX_TEXT) =>
  text(max)
    .min(1, { error: "must not be empty" })
    .refine((s) => !/\s/u.test(s), { error: "must not contain white space" });

/** Characters allowed in paths: enough for any sane layout, nothing a unit, cron line or INI file must quote. */
// eslint-disable-next-line no-useless-escape -- kept as written: its source is the JSON Schema's pattern
const PATH_CHARS = /^[A-Za-z0-9._@+\/-]+$/u;

const isNormalAbsolutePath = (p: string): boolean =>
  p.startsWith("/") && p !== "/" && posix.normalize(p) === p && !p.endsWith("/");

export const absolutePath = () =>
  z
    .string()
    .max(MAX_PATH, { error: `must be at most ${MAX_PATH} characters`, abort: true })
    .regex(PATH_CHARS, { error: "may hold only letters, digits and . _ @ + / -", abort: true })
    .refine(isNormalAbsolutePath, {
      error: "must be an absolute, normalised path (starts with /, no '.', '..', '//' or trailing /, not / itself)",
    });

/** A file apply only reads (a secret, a CA bundle): anywhere but the kernel's trees (../path-policy.ts). */
export const readablePath = () =>
  absolutePath().refine((p) => readRefusal(p) === undefined, { error: (issue) => `${readRefusal(String(issue.input)) ?? ""}: name a regular file` });

export const port = () =>
  z.int({ error: "must be a whole number" }).min(1, { error: "must be a TCP port (1-65535)" }).max(65535, {
    error: "must be a TCP port (1-65535)",
  });

export const seconds = () =>
  z.int({ error: "must be a whole number of seconds" }).min(0, { error: "must not be negative" }).max(315_360_000, {
    error: "must be at most ten years in seconds",
  });

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/u;

/** A node name as Crowbar used them (host names or FQDNs). */
export const nodeName = () => z.string().regex(HOSTNAME, { error: "must be a host name (letters, digits, '-', '.')" });

export const host = () =>
  z.union([z.ipv4(), z.ipv6(), z.string().regex(HOSTNAME)], { error: "must be an IP address or a host name" });

export const ipAddress = () => z.union([z.ipv4(), z.ipv6()], { error: "must be an IPv4 or IPv6 address" });

const isSafeHttpUrl = (s: string): boolean => {
  try {
    const url = new URL(s);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "" && url.username === "" && url.password === "";
  } catch {
    return false;
  }
};

/** An http(s) URL with a host and no credentials in it (they have their own secret fields). */
export const httpUrl = () => token(2048).refine((s) => isSafeHttpUrl(s), { error: "must be an http or https URL with a host and no user or password in it" });

/**
 * Swift's auth address: an http(s) URL, or the 2011 form without a scheme (host:port/path, which
 * Glance 2011.3 prefixed itself), never another scheme nor credentials (the key has its own field).
 */
export const swiftAuthAddress = (max: number) =>
  token(max).refine((s) => isSafeHttpUrl(s.includes("://") ? s : `http://${s}`), {
    error: "must be an http or https URL (or the 2011 form host:port/path) with a host and no user or password in it",
  });

/** An instance name, or Crowbar's placeholders "none" / "" for "not chosen yet". */
export const instanceName = () =>
  z.string().regex(/^(?:[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?$/u, { error: "must be an instance name (letters, digits, _ . -)" });

const NO_INSTANCE = new Set(["", "none"]);
export const isNamedInstance = (name: string): boolean => !NO_INSTANCE.has(name);

const CRON_FIELD_CHARS = /^[0-9A-Za-z*,/ -]+$/u;

/**
 * A cron schedule: 5 fields (as in /etc/cron.d), or 6 with a leading seconds field for the
 * foreground scheduler, in the one grammar (../cron/grammar.ts) every consumer of a schedule shares.
 */
export const cronSchedule = () =>
  z
    .string()
    .max(200, { abort: true })
    .regex(CRON_FIELD_CHARS, { error: "must be a cron expression such as '1 * * * *'", abort: true })
    .refine((s) => [5, 6].includes(s.trim().split(/\s+/u).length) && s.trim() === s, {
      error: "must have 5 fields (minute hour day month weekday), or 6 with leading seconds",
      abort: true,
    })
    .refine((s) => cronError(s) === undefined, { error: (issue) => `is not a valid cron expression: ${cronError(String(issue.input)) ?? ""}` });


/** A secret given inline, or by reference, resolved only when applying. */
const secretReferences = () => [
  z.strictObject({
    env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/u, { error: "must be an environment variable name" }),
  }),
  z.strictObject({ file: readablePath() }),
] as const;

export const secretRef = () =>
  z.union([text().min(1, { error: "must not be empty" }), ...secretReferences()]).meta({ "x-secret": true });

/**
 * extra_config: options the proposal does not model, per INI section, for one service's file. A
 * value is text, a number, a boolean, or a secret reference ({"env"} or {"file"}), which is
 * resolved when applying and masked like every other secret. Checked against the release's option
 * catalogue by the extra-config rules.
 */
export const extraConfig = () =>
  z.record(
    z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/u, { error: "must be an INI section name (letters, digits, _ . : -)" }),
    z.record(
      z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/u, { error: "must be an option name (letters, digits, _ . -)" }),
      z.union([text(), z.number({ error: "must be text, a number, a boolean or a secret reference" }).refine(Number.isFinite), z.boolean(), ...secretReferences()]),
    ),
  );

export const isSecretReference = (value: unknown): value is { env: string } | { file: string } =>
  typeof value === "object" && value !== null && ("env" in value || "file" in value);

export type SecretRef = z.infer<ReturnType<typeof secretRef>>;
