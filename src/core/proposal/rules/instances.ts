/** The MySQL and Keystone instances the proposal picks from the inventory. */
import { releaseModule } from "../../releases/index.js";
import { G, type Check, type Rule } from "./types.js";

export const INSTANCE_FIELDS = ["database", "mysql_instance", "mysql_database", "mysql_user", "use_keystone", "keystone_instance"].map(
  (field) => [...G, field],
);

const resolvedInstances: Check = ({ resolution }) => resolution.findings;

const keystoneCredentials: Check = ({ proposal, resolution }) => {
  const instance = resolution.keystone?.instance;
  if (instance === undefined) return [];
  const release = proposal.attributes.glance.release;
  const needed = releaseModule(release).keystoneCredential;
  if (instance[needed] !== undefined) return [];
  return [
    {
      path: [...G, "keystone_instance"],
      severity: "error",
      code: "keystone-credentials",
      message: `Keystone instance "${resolution.keystone?.instanceName}" has no ${needed}, which the ${release} middleware needs`,
      hint: `add ${needed} to that instance in the inventory (inline, {"env": NAME} or {"file": PATH})`,
    },
  ];
};

/** A release that registers Glance in Keystone needs the instance's administrator to do it. */
const keystoneAdministrator: Check = ({ proposal, resolution }) => {
  const instance = resolution.keystone?.instance;
  if (instance === undefined || !releaseModule(proposal.attributes.glance.release).registersInKeystone) return [];
  if ((instance.admin_user !== undefined && instance.admin_password !== undefined) || instance.admin_token !== undefined) return [];
  return [
    {
      path: [...G, "keystone_instance"],
      severity: "warning",
      code: "keystone-not-registered",
      message: `Keystone instance "${resolution.keystone?.instanceName}" names no administrator: apply does not register Glance (user, role, image service, endpoints)`,
      hint: "add admin_user and admin_password (a secret reference) to that instance in the inventory, or register Glance by hand",
    },
  ];
};

export const INSTANCE_RULES: readonly Rule[] = [
  { reads: INSTANCE_FIELDS, check: resolvedInstances },
  { reads: [...INSTANCE_FIELDS, [...G, "release"]], check: keystoneCredentials },
  { reads: [...INSTANCE_FIELDS, [...G, "release"]], check: keystoneAdministrator },
];
