/**
 * Every failure the tool expects is a BarclampError with a stable code; anything else that reaches
 * the CLI boundary is a bug and is reported as one.
 */

/** Documented process exit codes (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  /** A runtime step failed: filesystem, database, service, a missing program. */
  failure: 1,
  /** The command line itself is wrong, or an input file cannot be read. */
  usage: 2,
  /** A proposal or inventory is invalid. */
  invalid: 3,
  /** `diff`: changes are pending (the root has drifted from the plan). */
  changesPending: 4,
  /** `verify`: at least one check failed. */
  checksFailed: 5,
  /** A secret reference cannot be resolved: an unset variable, an unreadable or unfit file, a value that is no secret. */
  secretUnresolved: 6,
  /** An unexpected internal error: a bug in glance-barclamp. */
  bug: 70,
  /** The reader of stdout went away (`index | head`): output stopped quietly, as SIGPIPE stops C tools. */
  brokenPipe: 141,
} as const;

/** What each exit code means, for the man page (the README's table says the same). */
export const EXIT_CODE_MEANINGS: ReadonlyArray<[number, string]> = [
  [ExitCode.ok, "success (for diff: no change pending)"],
  [ExitCode.failure, "a runtime step failed: file system, lock, database, service, a bad answer from an API, a damaged backup"],
  [ExitCode.usage, "usage error: unknown command or option, unreadable input file"],
  [ExitCode.invalid, "invalid proposal or inventory (every problem is listed)"],
  [ExitCode.changesPending, "diff: changes are pending"],
  [ExitCode.checksFailed, "verify: a check failed (every check is still listed)"],
  [ExitCode.secretUnresolved, "a secret cannot be resolved: unset variable, unreadable or unfit file, a value that is no secret"],
  [ExitCode.bug, "internal error: a bug in glance-barclamp (rerun with --verbose and report it)"],
  [ExitCode.brokenPipe, "the reader of stdout went away: output stopped quietly"],
];

export type ErrorKind = "usage" | "invalid" | "failure" | "secretUnresolved";

export interface BarclampErrorOptions {
  /** What the operator can do about it. */
  hint?: string;
  cause?: unknown;
  /** Structured detail for `--json` output. */
  detail?: unknown;
}

export class BarclampError extends Error {
  override readonly name = "BarclampError";
  readonly hint: string | undefined;
  readonly detail: unknown;

  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    options: BarclampErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
    this.detail = options.detail;
  }

  get exitCode(): number {
    return ExitCode[this.kind];
  }
}

export const usageError = (code: string, message: string, options?: BarclampErrorOptions): BarclampError =>
  new BarclampError(code, "usage", message, options);

export const invalidError = (code: string, message: string, options?: BarclampErrorOptions): BarclampError =>
  new BarclampError(code, "invalid", message, options);

export const failureError = (code: string, message: string, options?: BarclampErrorOptions): BarclampError =>
  new BarclampError(code, "failure", message, options);

export const secretError = (code: string, message: string, options?: BarclampErrorOptions): BarclampError =>
  new BarclampError(code, "secretUnresolved", message, options);

export const isBarclampError = (value: unknown): value is BarclampError => value instanceof BarclampError;

const SYSTEM_ERROR_MEANINGS: Record<string, string> = {
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is exceeded",
  EROFS: "the file system is read-only",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EIO: "input/output error",
  ENOENT: "no such file or directory",
  ENOTDIR: "a component of the path is not a directory",
  EISDIR: "it is a directory",
  EMFILE: "too many open files",
  ENAMETOOLONG: "the name is too long",
};

/**
 * What the machine did to a file operation (a full disk, a read-only root): not a bug, an expected
 * failure with the path it happened on. Anything else stays what it was.
 */
export const fromSystemError = (error: unknown, doing?: string): unknown => {
  if (!(error instanceof Error) || isBarclampError(error)) return error;
  const { code, path, syscall } = error as NodeJS.ErrnoException;
  if (typeof code !== "string" || typeof syscall !== "string") return error;
  const meaning = SYSTEM_ERROR_MEANINGS[code] ?? code;
  const where = path === undefined ? "" : ` ${path}`;
  return failureError("system-error", `${doing === undefined ? `${syscall}${where}` : `${doing}: ${syscall}${where}`} failed: ${meaning} (${code})`, {
    hint: code === "ENOSPC" || code === "EDQUOT" ? "free some space, then apply again: it carries on from where it stopped" : "fix the cause, then run again",
    cause: error,
  });
};
