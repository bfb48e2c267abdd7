import { isBarclampError } from "../../errors.js";
import type { KeystoneResource } from "../../core/plan/types.js";
import type { Registration } from "../../keystone/registration.js";
import type { ConvergeContext, Executor } from "../types.js";

const secret = (context: ConvergeContext, slot: string): string => context.secrets.get(slot) ?? "";

const registrationOf = (
  resource: KeystoneResource,
  admin: NonNullable<KeystoneResource["admin"]>,
  endpoints: NonNullable<KeystoneResource["endpoints"]>,
  context: ConvergeContext,
): Registration => ({
  target: { url: resource.url },
  region: resource.region,
  admin:
    "tokenSlot" in admin
      ? { token: secret(context, admin.tokenSlot) }
      : { user: admin.user, userDomain: admin.userDomain, password: secret(context, admin.passwordSlot), project: admin.project, projectDomain: admin.projectDomain },
  serviceUser: { ...resource.serviceUser, password: secret(context, resource.serviceUser.passwordSlot) },
  service: resource.service,
  endpoints,
});

/**
 * Glance's registration in Keystone, on the live system and from one node. Inspecting talks to
 * Keystone (GET only): an unreachable Keystone or refused credentials stop the apply there, before
 * any change.
 */
export const keystone: Executor<"keystone"> = async (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: `${resource.url} (${resource.region})` };
  if (!resource.runsHere || resource.admin === undefined || resource.endpoints === undefined) return { ...base, action: "skipped", details: [resource.description] };
  if (!context.root.isSystemRoot) return { ...base, action: "skipped", details: ["staging root: Glance is registered in Keystone from the live system only"] };
  const { inspectRegistration } = await import("../../keystone/registration.js");
  let steps: Awaited<ReturnType<typeof inspectRegistration>>;
  try {
    steps = await inspectRegistration(registrationOf(resource, resource.admin, resource.endpoints, context));
  } catch (error) {
    // A preview says what it could not inspect and goes on; an apply stops here, before any change.
    if (context.preview !== true || !isBarclampError(error)) throw error;
    return { ...base, action: "skipped", details: [`not inspected: ${error.message}`] };
  }
  if (steps.length === 0) return { ...base, action: "unchanged", details: [] };
  return {
    ...base,
    action: steps.some((s) => s.description.startsWith("create")) ? "create" : "update",
    details: steps.map((s) => s.description),
    apply: async () => {
      for (const step of steps) await step.run();
    },
  };
};
