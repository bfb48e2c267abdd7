/**
 * Masking for text that did not come from slots (a file's current content, a tool's output): every
 * known form of every resolved secret, any password inside a URL, and the value of every line that
 * holds a whole secret in the planned content, so an old secret we no longer know is hidden too.
 */
import { MASK } from "../core/render/secret-slots.js";

const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)(@)/giu;
const WHOLE_SECRET_LINE = /^([^=\n]+?) = \u0001[a-z0-9_.-]+\|raw\u0002$/gmu;

export const secretKeysOf = (slottedContent: string): Set<string> =>
  new Set([...slottedContent.matchAll(WHOLE_SECRET_LINE)].map((m) => (m[1] as string).trim()));

export const maskText = (text: string, forms: readonly string[], secretKeys: ReadonlySet<string> = new Set()): string => {
  let out = text;
  for (const form of forms) out = out.split(form).join(MASK);
  out = out.replace(URL_PASSWORD, `$1${MASK}$3`);
  if (secretKeys.size > 0)
    out = out
      .split("\n")
      .map((line) => {
        const key = line.split("=")[0]?.trim() ?? "";
        return line.includes("=") && secretKeys.has(key) ? `${line.slice(0, line.indexOf("="))}= ${MASK}` : line;
      })
      .join("\n");
  return out;
};
