import type { StoreAccess } from "../swift-access.js";
import type { LongLivedName, PeriodicJobName, ServiceName } from "../glance.js";
import type { KeystoneInstance } from "../proposal/inventory.js";
import type { ResolvedDatabase } from "../proposal/resolve.js";
import type { Rule } from "../proposal/rules/types.js";
import type { GlanceAttributes, Proposal } from "../proposal/schema.js";
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
  /** Long-lived services that read this file besides its own service (a change restarts them too). */
  readBy?: readonly LongLivedName[];
  path: string;
  template: string;
  context: object;
  description: string;
  /** The reader of this file, when it is not the release's usual one. */
  dialect?: IniDialect;
}

interface LongLivedService {
  service: LongLivedName;
  binary: string;
  description: string;
  /** Services of this release whose unit starts first. */
  after?: readonly LongLivedName[];
}

/**
 * A periodic tool and where it runs: "one-node" works on shared state (the database and store) and
 * runs on one glance-server; "caching-nodes" works on a node's own image cache and runs on every
 * node while caching is on.
 */
export interface PeriodicJob {
  job: PeriodicJobName;
  binary: string;
  placement: "one-node" | "caching-nodes";
}

/**
 * How `verify` probes a service of the release: paths that must answer below 400; those in
 * `guarded` need a token when Keystone is on (401 without one, 200 with one).
 */
interface ApiProbe {
  service: LongLivedName;
  paths: readonly string[];
  guarded: readonly string[];
}

/** How an option's value is checked: its type, bounds and choices, whether it is secret or going away. */
export interface OptionType {
  t: "str" | "int" | "port" | "bool" | "float" | "list";
  min?: number;
  max?: number;
  choices?: Array<string | number | boolean>;
  secret?: boolean;
  removal?: boolean;
}

/** Every section and option a release reads, per configuration file (see scripts/generate-*-catalogue). */
export interface Catalogue {
  files: Record<
    string,
    {
      sections: Record<string, string[]>;
      deprecated: Record<string, string[]>;
      types: Record<string, Record<string, OptionType>>;
      /** Deprecated names still read: section → old name → [section, name] that replaces it. */
      renamed: Record<string, Record<string, [string, string]>>;
    }
  >;
  backend_types: Record<string, string[]>;
  backend_option_types?: Record<string, Record<string, OptionType>>;
}

export interface ReleaseModule {
  name: string;
  /** How the proposal's `release` field describes it. */
  summary: string;
  /** Upstream version the templates and catalogue are for. */
  glanceVersion: string;
  dialect: IniDialect;
  longLived: readonly LongLivedService[];
  periodicJobs: readonly PeriodicJob[];
  /** glance-manage, which creates and migrates the schema. */
  manageBinary: string;
  cacheSubdirectories: readonly string[];
  /** Whose config file `glance-manage db_sync` reads (the one with the database connection). */
  dbSyncService: ServiceName;
  /** How its store is reached, for verify's store check (the Swift account, or the file store's directory). */
  storeAccess: (input: ReleaseInput) => StoreAccess;
  /** Options extra_config may not set, per section, with the reason: what glance-barclamp does not deploy. */
  refusedOptions: Record<string, Record<string, string>>;
  /** Directories the release needs besides the proposal's own (staging areas and the like). */
  extraDirectories: (input: ReleaseInput) => string[];
  configFiles: (input: ReleaseInput) => ConfigFileSpec[];
  /** What `verify` asks of each long-lived service. */
  probes: readonly ApiProbe[];
  /** The API's longest request header line by default, when the release has that option. */
  maxHeaderLine: number | undefined;
  /** The API version `index -H` speaks to this release. */
  imageApiVersion: "1" | "2";
  /** Whether apply registers Glance in Keystone over its v3 API (the 2011.3 era had no v3). */
  registersInKeystone: boolean;
  /** The Keystone credential its auth middleware needs from the inventory's instance. */
  keystoneCredential: "admin_token" | "service_password";
  /** Compatibility warnings: proposal values this release cannot honour. */
  rules: readonly Rule[];
  /** Proposal fields `proposal new` leaves out, because this release has no use for them. */
  newProposalOmits: readonly (keyof GlanceAttributes)[];
  /** Its option catalogue. */
  catalogue: () => Catalogue;
  /**
   * Option names whose values are secrets in its files: masked by position in every diff, whatever
   * the file holds there now and however short the value (README "Secrets").
   */
  secretOptions: () => readonly string[];
  /** Which file of the catalogue describes each service's config file (what its extra_config is checked against). */
  catalogueFiles: Partial<Record<ServiceName, string>>;
  /**
   * The options glance-barclamp itself writes, per catalogue file and section, with the proposal
   * field that sets each ("*": every option of the section; "{service}" stands for the block).
   * extra_config may not set them: the field is the one place for that value.
   */
  setBy: Record<string, Record<string, Record<string, string>>>;
}

export const hasService = (module: ReleaseModule, service: LongLivedName): boolean => module.longLived.some((l) => l.service === service);
