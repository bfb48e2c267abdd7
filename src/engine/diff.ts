/** The unified diff of a file change, with every secret masked on both sides. */
import { createTwoFilesPatch } from "diff";
import { maskSecrets } from "../core/render/secret-slots.js";
import { maskText, secretKeysOf } from "./mask.js";

/**
 * The planned content with secrets masked; a line whose secret differs from the file's is marked,
 * since both sides of the diff would otherwise show the same mask.
 */
const maskedAfter = (slotted: string, filledText: string, currentText: string | undefined): string => {
  const old = new Set(currentText?.split("\n") ?? []);
  const filledLines = filledText.split("\n");
  return slotted
    .split("\n")
    .map((line, i) => {
      const masked = maskSecrets(line);
      return masked !== line && currentText !== undefined && !old.has(filledLines[i] ?? "") ? `${masked}   [secret changed]` : masked;
    })
    .join("\n");
};

/**
 * @param slotted the planned content with secret slots
 * @param filled the same content with the secrets filled in (what is written)
 * @param current what the file holds now, if it exists
 */
export const maskedDiff = (
  path: string,
  slotted: string,
  filled: string,
  current: string | undefined,
  secretForms: readonly string[],
  maskedOptions: readonly string[] = [],
): string => {
  // By position: the options that hold secrets, in the plan and in the release's files.
  const before = current === undefined ? "" : maskText(current, secretForms, new Set([...secretKeysOf(slotted), ...maskedOptions]));
  return createTwoFilesPatch(path, path, before, maskedAfter(slotted, filled, current), undefined, undefined, { context: 3 });
};
