/** What commands write on stderr besides errors: the proposal's validation warnings. */
import type { Issue } from "../core/proposal/load.js";
import { formatIssues } from "../core/proposal/format-issues.js";
import { outputSettings } from "./terminal.js";

export const printWarnings = (warnings: readonly Issue[]): void => {
  if (warnings.length > 0 && !outputSettings().quiet) process.stderr.write(`${formatIssues(warnings)}\n`);
};
