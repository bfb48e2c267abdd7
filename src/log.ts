/**
 * Diagnostics: pino, one JSON line per event, to stderr or a file; never stdout, so `--json | jq`
 * always works. Values are masked before they get here; redaction of secret-looking keys is a
 * second line of defence.
 */
import pino from "pino";

export const createLogger = (options: { verbose?: boolean; logFile?: string }) =>
  pino(
    {
      level: options.verbose === true ? "debug" : "info",
      base: { pid: process.pid },
      redact: { paths: ["password", "*.password", "key", "*.key", "token", "*.token", "secret", "*.secret"], censor: "********" },
    },
    options.logFile === undefined ? pino.destination(2) : pino.destination({ dest: options.logFile, append: true, mkdir: true, sync: true }),
  );
