/**
 * The terminal's side of output: the global -q/-v/--log-format settings (set once, before a
 * command runs) and colour, on a terminal or as NO_COLOR and FORCE_COLOR say. No dependency, so
 * that the error boundary and every command can use it without loading a logger.
 */
export interface OutputSettings {
  verbose: boolean;
  quiet: boolean;
  logFormat: "text" | "json";
}

let settings: OutputSettings = { verbose: false, quiet: false, logFormat: "text" };

export const setOutput = (next: OutputSettings): void => {
  settings = next;
};

export const outputSettings = (): OutputSettings => settings;

/** FORCE_COLOR (other than "0" or "false") forces colour, a non-empty NO_COLOR refuses it, else a terminal has it. */
export const wantsColour = (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean => {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "" && force !== "0" && force !== "false") return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return stream.isTTY === true;
};

const SGR = { red: [31, 39], yellow: [33, 39], green: [32, 39], dim: [2, 22], bold: [1, 22] } as const;
export type Paint = Record<keyof typeof SGR, (text: string) => string>;

export const paintFor = (on: boolean): Paint =>
  Object.fromEntries(Object.entries(SGR).map(([name, [open, close]]) => [name, (text: string) => (on ? `\u001b[${open}m${text}\u001b[${close}m` : text)])) as Paint;

export const stderrPaint = (): Paint => paintFor(wantsColour(process.stderr));
export const stdoutPaint = (): Paint => paintFor(wantsColour(process.stdout));

