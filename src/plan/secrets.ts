/**
 * Secret slots. A rendered file holds `\u0001name|encoding\u0002` where a secret goes; validated
 * values can never contain those control characters, so a slot cannot be forged or collide. Apply
 * and render fill the slots with resolved values; everything that shows a plan masks them.
 */
import type { SecretEncoding } from "./types.js";

const SLOT = /\u0001([a-z0-9_.-]+)\|(raw|url)\u0002/gu;

export const MASK = "********";

export const secretSlot = (name: string, encoding: SecretEncoding = "raw"): string => `\u0001${name}|${encoding}\u0002`;

export const slotNames = (content: string): string[] => [...new Set([...content.matchAll(SLOT)].map((m) => m[1] as string))];

const encode = (value: string, encoding: SecretEncoding): string => (encoding === "url" ? encodeURIComponent(value) : value);

/**
 * Fills every slot. `escape` applies the file format's own escaping (INI `$$`, `%%`) to the value
 * after the slot's encoding.
 */
export const fillSecrets = (
  content: string,
  values: ReadonlyMap<string, string>,
  escape: (value: string) => string = (v) => v,
): string =>
  content.replace(SLOT, (_match, name: string, encoding: SecretEncoding) => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`secret ${name} was not resolved`);
    return escape(encode(value, encoding));
  });

export const maskSecrets = (content: string): string => content.replace(SLOT, MASK);
