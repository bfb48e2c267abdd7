/**
 * Who owns what. Owners are set only when running as root; the glance user and group are used when
 * they exist (Debian's glance-common creates them), root otherwise, with a warning.
 */
import { readFileSync } from "node:fs";

export interface Ownership {
  /** Whether owners are applied and compared (only as root). */
  enforced: boolean;
  ids: (user: string, group: string) => { uid: number; gid: number };
  /** Whether this user exists on the machine. */
  hasUser: (user: string) => boolean;
  warnings: string[];
}

const parseDatabase = (text: string, idField: number): Map<string, number> =>
  new Map(
    text
      .split("\n")
      .map((line) => line.split(":"))
      .filter((fields) => fields.length > idField && fields[0] !== "")
      .map((fields) => [fields[0] as string, Number(fields[idField])]),
  );

const readDatabase = (path: string, idField: number): Map<string, number> => {
  try {
    return parseDatabase(readFileSync(path, "utf8"), idField);
  } catch {
    return new Map();
  }
};

export const loadOwnership = (euid: number): Ownership => {
  const users = readDatabase("/etc/passwd", 2);
  const groups = readDatabase("/etc/group", 2);
  const warnings: string[] = [];
  if (euid !== 0) warnings.push("not running as root: file owners are left as they are");
  else if (!users.has("glance") || !groups.has("glance"))
    warnings.push("the glance user or group does not exist: files are owned by root (install glance-common, then apply again)");
  return {
    enforced: euid === 0,
    ids: (user, group) => ({ uid: users.get(user) ?? 0, gid: groups.get(group) ?? 0 }),
    hasUser: (user) => users.has(user),
    warnings,
  };
};
