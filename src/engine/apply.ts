/**
 * apply, diff and dry run: open the root, resolve secrets, take the lock, converge. Everything that
 * can fail for a reason the operator can fix (the root, a secret, the lock) fails before the first
 * change.
 */
import { accessSync, constants } from "node:fs";
import { failureError, type BarclampError } from "../errors.js";
import type { Plan, SecretSlot } from "../core/plan/types.js";
import { converge } from "./converge.js";
import type { Change, Host, Logger } from "./types.js";
import { acquireLock } from "./lock.js";
import { loadOwnership } from "./ownership.js";
import { openRoot } from "./root.js";
import { resolveSecrets, secretForms, type SecretDocuments } from "./secrets.js";
import { statePaths } from "./state.js";

export interface ApplyRequest {
  plan: Plan;
  documents: SecretDocuments;
  rootDir: string;
  dryRun: boolean;
  host: Host;
  log: Logger;
  env: NodeJS.ProcessEnv;
  euid: number;
  /** How this run was invoked, for the lock holder's description. */
  command: string;
  forceDbSync?: boolean;
  /**
   * A preview (diff, apply --dry-run): a secret that cannot be resolved is shown masked with a
   * note, and a MySQL or Keystone that cannot be reached is reported as not inspected.
   */
  preview?: boolean;
}

export interface ApplyReport {
  proposal: string;
  node: string;
  release: string;
  root: string;
  dryRun: boolean;
  changes: Change[];
  backup: string | undefined;
  warnings: string[];
  /** What a preview could not see: secrets it stood in for. */
  notes: string[];
}

const writable = (path: string): void => {
  try {
    accessSync(path, constants.W_OK);
  } catch (error) {
    throw failureError("root-not-writable", `cannot write to the root ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: "nothing was changed; run as a user who may write there, or choose another --root",
    });
  }
};

export const applyPlan = async (request: ApplyRequest): Promise<ApplyReport> => {
  const { plan } = request;
  const root = openRoot(request.rootDir);
  const ownership = loadOwnership(request.euid);
  // Checked before anything is written: a missing variable or file stops here.
  const notes: string[] = [];
  // A preview stands in for what it cannot resolve: the stand-in is masked like any secret.
  const onUnresolved =
    request.preview === true && request.dryRun
      ? (slot: SecretSlot, error: BarclampError): string => {
          notes.push(`${error.message}: shown masked, and lines holding it may show as changed`);
          return `(unresolved ${slot.name})`;
        }
      : undefined;
  const lenient = onUnresolved === undefined ? {} : { onUnresolved };
  const preview = statePaths(root, false);
  resolveSecrets(plan, request.documents, preview, { generate: false, env: request.env, ...lenient });
  notes.length = 0;
  if (!request.dryRun) writable(root.path);

  let state: ReturnType<typeof statePaths>;
  try {
    state = statePaths(root, !request.dryRun);
  } catch (error) {
    throw failureError("root-not-writable", `cannot create the state directory in ${root.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      hint: "nothing was changed",
    });
  }
  const lock = request.dryRun ? undefined : await acquireLock(state.lock, request.command);
  try {
    const secrets = resolveSecrets(plan, request.documents, state, { generate: !request.dryRun, env: request.env, ...lenient });
    const result = await converge(
      {
        root,
        plan,
        ownership,
        secrets,
        secretForms: secretForms(secrets),
        state,
        host: request.host,
        log: request.log,
        pending: new Set(),
        backup: undefined,
        daemonReloaded: false,
        forceDbSync: request.forceDbSync === true,
        preview: onUnresolved !== undefined,
      },
      request.dryRun,
    );
    return {
      proposal: plan.proposal,
      node: plan.node,
      release: plan.release,
      root: root.path,
      dryRun: request.dryRun,
      changes: result.changes,
      backup: result.backup,
      warnings: ownership.warnings,
      notes,
    };
  } finally {
    lock?.release();
  }
};
