/**
 * Secret slots. A rendered file holds `\u0001name|encoding\u0002` where a secret goes; validated
 * values can never contain those control characters, so a slot cannot be forged or collide. Apply
 * and render fill the slots with resolved values; everything that shows a plan masks them.
 */
import { escapeIniFragment, escapeIniValue } from "./ini.js";
import type { FileResource, SecretEncoding } from "../plan/types.js";

const SLOT = /\u0001([a-z0-9_.-]+)\|(raw|url)\u0002/gu;

export const MASK = "********";

/** The secrets a plan can hold, by slot name: where each one goes is the plan's knowledge, not the value. */
export const SECRET = {
  swiftKey: "swift_store_key",
  mysqlPassword: "mysql_password",
  mysqlAdminPassword: "mysql_admin_password",
  keystoneAdminToken: "keystone_admin_token",
  keystonePassword: "keystone_service_password",
  keystoneAdminPassword: "keystone_admin_password",
  keystoneMemcacheKey: "keystone_memcache_secret_key",
} as const;

export const secretSlot = (name: string, encoding: SecretEncoding = "raw"): string => `\u0001${name}|${encoding}\u0002`;

export const slotNames = (content: string): string[] => [...new Set([...content.matchAll(SLOT)].map((m) => m[1] as string))];

const encode = (value: string, encoding: SecretEncoding): string => (encoding === "url" ? encodeURIComponent(value) : value);

/**
 * The file's content with every slot filled, escaped for the file's reader: a whole value gets the
 * reader's quoting and escaping, a URL fragment its escaping only.
 */
export const fillSecrets = (file: Pick<FileResource, "content" | "dialect">, values: ReadonlyMap<string, string>): string =>
  file.content.replace(SLOT, (_match, name: string, encoding: SecretEncoding) => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`secret ${name} was not resolved`);
    const encoded = encode(value, encoding);
    if (file.dialect === "none") return encoded;
    return encoding === "url" ? escapeIniFragment(file.dialect, encoded) : escapeIniValue(file.dialect, encoded);
  });

export const maskSecrets = (content: string): string => content.replace(SLOT, MASK);
