/**
 * How each INI reader Glance uses reads a value back, and the escaping that makes it read back
 * exactly what the proposal holds. Validation already rejected line breaks and control characters.
 */

/**
 * paste: Python's ConfigParser with interpolation (every Glance 2011.3 file is read through
 * paste.deploy): a literal % is %%. oslo: oslo.config (Glance 25): $name is substituted, so a literal
 * $ is $$; a value wrapped in matching quotes is unquoted. swift: glance_store's reference file,
 * ConfigParser with interpolation plus unquoting of a leading quote.
 */
export type IniDialect = "paste" | "oslo" | "swift";

export const iniBool = (value: boolean): string => (value ? "True" : "False");

const QUOTES = new Set(['"', "'"]);

/** Escapes characters only: for a fragment inside a larger value (a password in a URL). */
export const escapeIniFragment = (dialect: IniDialect, value: string): string =>
  // A replacer function: in a replacement string "$$" would itself mean one "$".
  dialect === "oslo" ? value.replaceAll("$", () => "$$") : value.replaceAll("%", () => "%%");

/** Escapes a whole value, including the quote handling of its reader. */
export const escapeIniValue = (dialect: IniDialect, value: string): string => {
  const escaped = escapeIniFragment(dialect, value);
  const first = escaped[0];
  if (first === undefined || !QUOTES.has(first)) return escaped;
  const unquotedByReader = dialect === "swift" || (dialect === "oslo" && escaped[escaped.length - 1] === first);
  return unquotedByReader ? `"${escaped}"` : escaped;
};

/** Bracketed for a URL when it is an IPv6 address. */
export const urlHost = (host: string): string => (host.includes(":") ? `[${host}]` : host);
