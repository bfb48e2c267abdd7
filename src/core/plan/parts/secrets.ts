/** Where each secret the plan uses comes from: a field of a document, or generated once. */
import type { SecretRef } from "../../proposal/fields.js";
import { SECRET } from "../../render/secret-slots.js";
import type { SecretSlot, SecretSource } from "../types.js";
import type { PlanRequest } from "../build-plan.js";
import { extraSecrets } from "./extra-config.js";

const sourceOf = (document: "proposal" | "inventory", path: string[], ref: SecretRef): SecretSource => {
  if (typeof ref === "string") return { document, path, via: "inline" };
  return "env" in ref ? { document, path, via: "env", name: ref.env } : { document, path, via: "file", name: ref.file };
};

export const secretSlots = (request: PlanRequest, used: Set<string>): SecretSlot[] => {
  const g = request.proposal.attributes.glance;
  const database = request.resolution.database;
  const keystone = request.resolution.keystone;
  const slots: SecretSlot[] = [];
  const add = (name: string, description: string, source: SecretSource | undefined): void => {
    if (used.has(name) && source !== undefined) slots.push({ name, description, source });
  };
  const glancePath = (field: string): string[] => ["attributes", "glance", field];
  add(SECRET.swiftKey, "Swift key", sourceOf("proposal", glancePath("swift_store_key"), g.swift_store_key));
  add(
    SECRET.mysqlPassword,
    "password of the Glance MySQL user",
    g.mysql_password === undefined ? { generated: "mysql-password" } : sourceOf("proposal", glancePath("mysql_password"), g.mysql_password),
  );
  if (database.kind === "mysql" && database.instance !== undefined)
    add(
      SECRET.mysqlAdminPassword,
      `admin password of MySQL instance ${database.instanceName}`,
      sourceOf("inventory", ["mysql", database.instanceName, "admin_password"], database.instance.admin_password),
    );
  const instance = keystone?.instance;
  if (keystone !== undefined && instance?.admin_token !== undefined)
    add(SECRET.keystoneAdminToken, "Keystone admin token", sourceOf("inventory", ["keystone", keystone.instanceName, "admin_token"], instance.admin_token));
  if (keystone !== undefined && instance?.service_password !== undefined)
    add(
      SECRET.keystonePassword,
      "password of the Glance Keystone user",
      sourceOf("inventory", ["keystone", keystone.instanceName, "service_password"], instance.service_password),
    );
  if (keystone !== undefined && instance?.memcache_secret_key !== undefined)
    add(
      SECRET.keystoneMemcacheKey,
      "secret key of the Keystone token cache",
      sourceOf("inventory", ["keystone", keystone.instanceName, "memcache_secret_key"], instance.memcache_secret_key),
    );
  if (keystone !== undefined && instance?.admin_password !== undefined)
    add(
      SECRET.keystoneAdminPassword,
      `password of Keystone administrator ${instance.admin_user ?? "(unset)"}`,
      sourceOf("inventory", ["keystone", keystone.instanceName, "admin_password"], instance.admin_password),
    );
  for (const extra of extraSecrets(g))
    add(extra.name, `${extra.service} option [${extra.section}] ${extra.option}`, sourceOf("proposal", glancePath(extra.service).concat("extra_config", extra.section, extra.option), extra.ref));
  return slots;
};
