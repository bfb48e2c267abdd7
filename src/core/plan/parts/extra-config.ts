/**
 * extra_config rendered into its service's file: each option goes into its section (appended to
 * the section when the file has it, else in a new section at the end), escaped for the file's
 * reader; a secret reference becomes a slot that apply fills, like every other secret.
 */
import { SERVICES, type ServiceName } from "../../glance.js";
import { isSecretReference, type SecretRef } from "../../proposal/fields.js";
import type { GlanceAttributes } from "../../proposal/schema.js";
import { escapeIniValue, iniBool, type IniDialect } from "../../render/ini.js";
import { secretSlot } from "../../render/secret-slots.js";

type Value = string | number | boolean | { env: string } | { file: string };

export interface ExtraSecret {
  name: string;
  service: ServiceName;
  section: string;
  option: string;
  ref: SecretRef;
}

/** Every secret reference of every extra_config, with the slot name rendering and resolution share. */
export const extraSecrets = (glance: GlanceAttributes): ExtraSecret[] =>
  SERVICES.flatMap((service) => {
    let index = 0;
    return Object.entries(glance[service].extra_config ?? {}).flatMap(([section, options]) =>
      Object.entries(options).flatMap(([option, value]) => (isSecretReference(value) ? [{ name: `extra.${service}.${index++}`, service, section, option, ref: value }] : [])),
    );
  });

const formatValue = (dialect: IniDialect, value: Value, slot: string | undefined): string => {
  if (slot !== undefined) return secretSlot(slot, "raw");
  if (typeof value === "boolean") return iniBool(value);
  if (typeof value === "number") return String(value);
  return escapeIniValue(dialect, value as string);
};

const HEADER = /^\[([^\]]+)\]\s*$/u;

/** The file's text with the service's extra_config merged in. */
export const withExtraConfig = (text: string, glance: GlanceAttributes, service: ServiceName, dialect: IniDialect): string => {
  const extra = glance[service].extra_config;
  if (extra === undefined || Object.keys(extra).length === 0) return text;
  const slots = new Map(extraSecrets(glance).filter((s) => s.service === service).map((s) => [`${s.section}\u0000${s.option}`, s.name]));
  const lines = text.replace(/\n$/u, "").split("\n");
  const appended: string[] = [];
  for (const [section, options] of Object.entries(extra)) {
    const rendered = Object.entries(options).map(([option, value]) => `${option} = ${formatValue(dialect, value, slots.get(`${section}\u0000${option}`))}`);
    const start = lines.findIndex((line) => HEADER.exec(line)?.[1] === section);
    if (start < 0) {
      appended.push("", `[${section}]`, ...rendered);
      continue;
    }
    // The section's last option line: before the next header, and before the blank lines that end it.
    let end = start + 1;
    while (end < lines.length && !HEADER.test(lines[end] as string)) end++;
    while (end > start + 1 && (lines[end - 1] as string).trim() === "") end--;
    lines.splice(end, 0, ...rendered);
  }
  return `${[...lines, ...appended].join("\n")}\n`;
};
