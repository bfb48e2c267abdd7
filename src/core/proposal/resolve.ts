/**
 * Resolves what a proposal leaves to its surroundings: which database and which Keystone, from the
 * inventory. Crowbar decided these when it created a proposal ("MySQL is selected if one is
 * present"); without a Crowbar server the inventory answers, and "auto" makes that explicit.
 */
import { isNamedInstance } from "./fields.js";
import type { Inventory, KeystoneInstance, MysqlInstance } from "./inventory.js";
import type { JsonPath, Severity } from "./load.js";
import type { GlanceAttributes } from "./schema.js";

export interface Finding {
  path: JsonPath;
  severity: Severity;
  code: string;
  message: string;
  hint?: string;
}

export type ResolvedDatabase =
  | { kind: "sqlite"; connection: string; file: string }
  | {
      kind: "mysql";
      instanceName: string;
      /** undefined only when validating without an inventory. */
      instance: MysqlInstance | undefined;
      database: string;
      user: string;
    };

interface ResolvedKeystone {
  instanceName: string;
  /** undefined only when validating without an inventory. */
  instance: KeystoneInstance | undefined;
}

export interface Resolution {
  database: ResolvedDatabase;
  keystone: ResolvedKeystone | undefined;
  findings: Finding[];
}

const GLANCE = ["attributes", "glance"] as const;

const sqliteDatabase = (glance: GlanceAttributes): ResolvedDatabase => ({
  kind: "sqlite",
  connection: glance.sqlite_connection,
  file: glance.sqlite_connection.slice("sqlite:///".length),
});

type Pick<T> = { name: string; instance: T | undefined } | "none" | Finding;

/** Picks a named instance, or the only one there is. */
const pickInstance = <T>(
  kind: "MySQL" | "Keystone",
  field: "mysql_instance" | "keystone_instance",
  requested: string,
  instances: Record<string, T>,
  inventoryGiven: boolean,
): Pick<T> => {
  const names = Object.keys(instances);
  if (isNamedInstance(requested)) {
    if (!inventoryGiven) return { name: requested, instance: undefined };
    const instance = instances[requested];
    if (instance !== undefined) return { name: requested, instance };
    return {
      path: [...GLANCE, field],
      severity: "error",
      code: "unknown-instance",
      message: `${kind} instance "${requested}" is not in the inventory`,
      hint: names.length > 0 ? `the inventory has: ${names.join(", ")}` : `add it under "${kind === "MySQL" ? "mysql" : "keystone"}" in the inventory`,
    };
  }
  if (names.length === 1) {
    const name = names[0] as string;
    return { name, instance: instances[name] };
  }
  if (names.length > 1) {
    return {
      path: [...GLANCE, field],
      severity: "error",
      code: "ambiguous-instance",
      message: `the inventory has ${names.length} ${kind} instances and the proposal names none`,
      hint: `set ${field} to one of: ${names.join(", ")}`,
    };
  }
  return "none";
};

export const resolveInstances = (glance: GlanceAttributes, inventory: Inventory | undefined): Resolution => {
  const findings: Finding[] = [];
  const inventoryGiven = inventory !== undefined;

  let database: ResolvedDatabase = sqliteDatabase(glance);
  if (glance.database !== "sqlite") {
    const picked = pickInstance("MySQL", "mysql_instance", glance.mysql_instance, inventory?.mysql ?? {}, inventoryGiven);
    if (picked === "none") {
      if (glance.database === "mysql" && !inventoryGiven) {
        findings.push({
          path: [...GLANCE, "database"],
          severity: "warning",
          code: "mysql-placeholder",
          message: 'database is "mysql" but mysql_instance is "none" (the 2011 template\'s placeholder)',
          hint: "it resolves to the inventory's only MySQL instance, or to SQLite when the inventory has none",
        });
      } else if (glance.database === "mysql") {
        findings.push({
          path: [...GLANCE, "database"],
          severity: "warning",
          code: "mysql-placeholder",
          message: 'database is "mysql" but the inventory has no MySQL instance: SQLite is used',
          hint: 'add a MySQL instance to the inventory, or set database to "sqlite" to say so',
        });
      }
    } else if ("path" in picked) {
      findings.push(picked);
    } else {
      database = {
        kind: "mysql",
        instanceName: picked.name,
        instance: picked.instance,
        database: glance.mysql_database,
        user: glance.mysql_user,
      };
    }
  }

  let keystone: ResolvedKeystone | undefined;
  if (glance.use_keystone !== false) {
    const picked = pickInstance("Keystone", "keystone_instance", glance.keystone_instance, inventory?.keystone ?? {}, inventoryGiven);
    if (picked === "none") {
      if (glance.use_keystone === true) {
        findings.push({
          path: [...GLANCE, "use_keystone"],
          severity: "warning",
          code: "keystone-placeholder",
          message: inventoryGiven
            ? "use_keystone is true but the inventory has no Keystone instance: requests are not authenticated"
            : 'use_keystone is true but keystone_instance is "none" (the 2011 template\'s placeholder)',
          hint: inventoryGiven
            ? "add a Keystone instance to the inventory, or set use_keystone to false to say so"
            : "it resolves to the inventory's only Keystone instance, or to no Keystone when the inventory has none",
        });
      }
    } else if ("path" in picked) {
      findings.push(picked);
    } else {
      keystone = { instanceName: picked.name, instance: picked.instance };
    }
  }
  return { database, keystone, findings };
};

