/** What the engine reports and what its executors share while they converge a root. */
import type { Plan, Resource, ResourceKind } from "../core/plan/types.js";
import type { Backup } from "./backup.js";
import type { Ownership } from "./ownership.js";
import type { Root } from "./root.js";
import type { StatePaths } from "./state.js";

type Action = "create" | "update" | "remove" | "unchanged" | "skipped" | "run";

export interface Change {
  id: string;
  kind: ResourceKind;
  target: string;
  action: Action;
  details: string[];
  /** Unified diff with every secret masked (files only). */
  diff?: string;
}

export const isPending = (change: Change): boolean => ["create", "update", "remove", "run"].includes(change.action);

/** What the engine needs from the host, so tests can drive it and the core stays quiet. */
export interface Host {
  /** Runs a program; resolves with its exit code and combined output. */
  run: (argv: readonly string[], timeoutMs: number) => Promise<{ code: number; output: string }>;
  /** Whether systemd manages this machine (services are only touched then, and only for root "/"). */
  systemdRunning: boolean;
  /** Whether a program exists on the live system. */
  exists: (path: string) => boolean;
}

export interface Logger {
  info: (fields: object, message: string) => void;
  warn: (fields: object, message: string) => void;
  /** A step that may take seconds is starting (a terminal shows it). */
  progress?: (message: string) => void;
}

export interface ConvergeContext {
  root: Root;
  plan: Plan;
  ownership: Ownership;
  secrets: ReadonlyMap<string, string>;
  secretForms: readonly string[];
  state: StatePaths;
  host: Host;
  log: Logger;
  /** Ids of resources with a pending change, filled in phase order while inspecting. */
  pending: Set<string>;
  backup: Backup | undefined;
  daemonReloaded: boolean;
  /** `db sync`: run the schema sync even when nothing it reads changed. */
  forceDbSync?: boolean;
  /** A preview: a remote server that cannot be inspected is reported as such, not an error. */
  preview?: boolean;
}

/** A change found by inspecting a resource, with what makes it (absent when nothing is to do). */
export interface Inspection extends Change {
  apply?: () => void | Promise<void>;
}

export type Executor<K extends ResourceKind> = (
  resource: Extract<Resource, { kind: K }>,
  context: ConvergeContext,
) => Inspection | Promise<Inspection>;
