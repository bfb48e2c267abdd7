/**
 * The one error boundary: every command runs under it; typed errors become documented exit codes,
 * anything else is reported as a bug. Only this module prints errors.
 */
import { BarclampError, ExitCode, fromSystemError } from "../errors.js";
import { jsonReport } from "./format/report.js";
import { buildProgram } from "./program.js";
import { stderrPaint } from "./terminal.js";
import { CommanderError } from "commander";

const wantsVerbose = (argv: readonly string[]): boolean => argv.includes("--verbose") || argv.includes("-v");

/** Whether the caller asked for JSON: then an error is JSON on stdout too (README "Exit codes"). */
const wantsJson = (argv: readonly string[]): boolean =>
  argv.includes("--json") || argv.some((a, i) => ((a === "--format" || a === "-f") && argv[i + 1] === "json") || a === "--format=json");

const jsonError = (error: BarclampError): string =>
  jsonReport({ error: { code: error.code, message: error.message, ...(error.hint === undefined ? {} : { hint: error.hint }), ...(Array.isArray(error.detail) ? { issues: error.detail as unknown[] } : {}) } });

const printError = (thrown: unknown, verbose: boolean, json: boolean): number => {
  const error = fromSystemError(thrown);
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.help" || error.code === "commander.version") return ExitCode.ok;
    if (json) process.stdout.write(jsonReport({ error: { code: "usage", message: error.message.replace(/^error: /u, ""), hint: "run 'glance-barclamp --help' for usage" } }));
    process.stderr.write(`${error.message}\n`);
    process.stderr.write("run 'glance-barclamp --help' for usage\n");
    return ExitCode.usage;
  }
  const paint = stderrPaint();
  if (error instanceof BarclampError) {
    if (json) process.stdout.write(jsonError(error));
    process.stderr.write(`${paint.red(`error[${error.code}]`)}: ${error.message}\n`);
    if (error.hint !== undefined) process.stderr.write(`  hint: ${error.hint}\n`);
    if (verbose && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${paint.red("internal error")}: ${message}\n`);
  process.stderr.write("  this is a bug in glance-barclamp; rerun with --verbose and report the output\n");
  if (verbose && error instanceof Error && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
  return ExitCode.bug;
};

export const main = async (argv: readonly string[]): Promise<number> => {
  try {
    let code: number = ExitCode.ok;
    const program = buildProgram((result) => {
      code = result;
    });
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (error) {
    return printError(error, wantsVerbose(argv), wantsJson(argv));
  }
};

/** The process's whole life: the launcher (src/cli/launcher.ts) calls this and nothing else. */
export const run = async (): Promise<void> => {
  // `glance-barclamp index | head`: the reader has all it wanted; say nothing more.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(ExitCode.brokenPipe);
  });
  process.exitCode = await main(process.argv.slice(2));
};
