/**
 * What a command writes on stderr, and how: short human lines by default (warnings; with -v every
 * action; progress for slow steps on a terminal), JSON log lines only with --log-file or
 * --log-format json, nothing but errors with -q. Loaded by the commands that log (it brings pino).
 */
import type { Logger } from "../engine/types.js";
import { createLogger } from "../log.js";
import { outputSettings, stderrPaint } from "./terminal.js";

const SECRET_KEYS: ReadonlySet<string> = new Set(["password", "key", "token", "secret"]);

/** One event as a short line: the message, then its plain fields (long text on lines of its own). */
const humanLine = (fields: object, message: string): string => {
  const plain: string[] = [];
  const long: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    // resource and action repeat what the message says; secret-looking keys are never shown (the
    // JSON logger redacts the same names).
    if (value === undefined || value === null || typeof value === "object" || key === "resource" || key === "action" || SECRET_KEYS.has(key)) continue;
    const text = String(value);
    if (text.includes("\n") || text.length > 120) long.push(...text.trimEnd().split("\n").slice(-10).map((l) => `    ${l}`));
    else plain.push(`${key}=${text}`);
  }
  return [`${message}${plain.length === 0 ? "" : ` (${plain.join(", ")})`}`, ...long].join("\n");
};

const humanLogger = (options: { showInfo: boolean }): Logger & { flush: () => void } => {
  const paint = stderrPaint();
  const write = (text: string): void => void process.stderr.write(`${text}\n`);
  return {
    info: (fields, message) => {
      if (!outputSettings().quiet && (outputSettings().verbose || options.showInfo)) write(humanLine(fields, message));
    },
    warn: (fields, message) => {
      if (!outputSettings().quiet) write(`${paint.yellow("warning")}: ${humanLine(fields, message)}`);
    },
    // A slow step starting (db sync, MySQL, Keystone, an upload): only a person at a terminal waits for it.
    progress: (message) => {
      if (!outputSettings().quiet && process.stderr.isTTY === true) write(paint.dim(`... ${message}`));
    },
    flush: () => undefined,
  };
};

/**
 * The logger a command hands to the engine. `showInfo`: the command's events are its output (the
 * foreground scheduler's runs), so they show without -v.
 */
export const commandLogger = (options: { logFile?: string; showInfo?: boolean } = {}): Logger & { flush: () => void } => {
  const human = humanLogger({ showInfo: options.showInfo === true });
  if (options.logFile === undefined && outputSettings().logFormat === "text") return human;
  const json = createLogger({ verbose: outputSettings().verbose, ...(options.logFile === undefined ? {} : { logFile: options.logFile }) });
  // With --log-file the JSON goes there and stderr keeps its human lines; --log-format json replaces them.
  const alsoHuman = options.logFile !== undefined && outputSettings().logFormat === "text";
  return {
    info: (fields, message) => {
      json.info(fields, message);
      if (alsoHuman) human.info(fields, message);
    },
    warn: (fields, message) => {
      json.warn(fields, message);
      if (alsoHuman) human.warn(fields, message);
    },
    progress: (message) => {
      if (alsoHuman) human.progress?.(message);
    },
    flush: () => json.flush(),
  };
};
