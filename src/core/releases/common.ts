/** Value mapping shared by the release modules: proposal fields to formatted INI values. */
import { posix } from "node:path";
import type { ResolvedDatabase } from "../proposal/resolve.js";
import type { Catalogue, OptionType } from "./types.js";
import type { ServiceSettings } from "../proposal/schema.js";
import { escapeIniFragment, escapeIniValue, iniBool, urlHost, type IniDialect } from "../render/ini.js";
import { SECRET, secretSlot } from "../render/secret-slots.js";

/** A formatter bound to one INI dialect, so templates receive values ready to write. */
export const formatterFor = (dialect: IniDialect) => ({
  value: (value: string | number): string => escapeIniValue(dialect, String(value)),
  bool: iniBool,
  /** A secret filling a whole value: the slot is escaped when it is filled. */
  secret: (name: string): string => secretSlot(name, "raw"),
  /** A URL holding a secret (the database connection). */
  connection: (database: ResolvedDatabase, driver: string): string => {
    if (database.kind === "sqlite") return escapeIniValue(dialect, database.connection);
    const instance = database.instance;
    if (instance === undefined) throw new Error("a MySQL database needs its inventory instance to be planned");
    const fragment = (text: string): string => escapeIniFragment(dialect, encodeURIComponent(text));
    return `${driver}://${fragment(database.user)}:${secretSlot(SECRET.mysqlPassword, "url")}@${urlHost(instance.host)}:${instance.port}/${fragment(database.database)}`;
  },
});

export type Formatter = ReturnType<typeof formatterFor>;

export const commonServiceValues = (format: Formatter, settings: ServiceSettings, useSyslog: boolean) => ({
  verbose: format.bool(settings.verbose),
  debug: format.bool(settings.debug),
  log_file: format.value(settings.log_file),
  use_syslog: format.bool(useSyslog),
});

export const dirname = (path: string): string => posix.dirname(path);

/** The options a catalogue marks secret (oslo.config's secret=True), in every file and store. */
export const secretOptionsOf = (catalogue: Catalogue): string[] => {
  const names = new Set<string>();
  const add = (types: Record<string, Record<string, OptionType>> | undefined): void => {
    for (const options of Object.values(types ?? {})) for (const [name, type] of Object.entries(options)) if (type.secret === true) names.add(name);
  };
  for (const file of Object.values(catalogue.files)) add(file.types);
  add(catalogue.backend_option_types);
  return [...names].sort();
};
