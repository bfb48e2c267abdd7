/** Options several commands share, as commander hands them over. */
import type { ApplyOptions } from "../app/apply-proposal.js";

export interface ApplyCommandOptions extends ApplyOptions {
  json?: boolean;
  logFile?: string;
  verbose?: boolean;
}
