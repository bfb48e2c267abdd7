import type { KeystoneInstance } from "../proposal/inventory.js";
import type { ResolvedDatabase } from "../proposal/resolve.js";
import type { GlanceAttributes, PeriodicJobName, Proposal, Release, ServiceName } from "../proposal/schema.js";
import type { IniDialect } from "../render/ini.js";

/** What every release module is given: the validated proposal and what the planner derived. */
export interface ReleaseInput {
  proposal: Proposal;
  glance: GlanceAttributes;
  node: string;
  bind: { api: string; registry: string };
  database: ResolvedDatabase;
  keystone: { name: string; instance: KeystoneInstance } | undefined;
  /** First lines of every managed file (a comment in the file's own syntax). */
  header: string;
}

export interface ConfigFileSpec {
  /** The service the file configures: its change restarts that service when long-lived. */
  service: ServiceName | "swift-reference";
  path: string;
  template: string;
  context: object;
  description: string;
  /** The reader of this file, when it is not the release's usual one. */
  dialect?: IniDialect;
}

export interface LongLivedService {
  service: "api" | "registry";
  binary: string;
  description: string;
}

export interface ReleaseModule {
  release: Release;
  /** Upstream version the templates and catalogue are for. */
  glanceVersion: string;
  dialect: IniDialect;
  longLived: readonly LongLivedService[];
  jobBinaries: Readonly<Record<PeriodicJobName, string>>;
  cacheSubdirectories: readonly string[];
  /** Whose config file `glance-manage db_sync` reads (the one with the database connection). */
  dbSyncService: ServiceName;
  /** Directories the release needs besides the proposal's own (staging areas and the like). */
  extraDirectories: (input: ReleaseInput) => string[];
  configFiles: (input: ReleaseInput) => ConfigFileSpec[];
}
