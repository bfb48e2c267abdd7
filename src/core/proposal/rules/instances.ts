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

export const INSTANCE_RULES: readonly Rule[] = [
  { reads: INSTANCE_FIELDS, check: resolvedInstances },
  { reads: [...INSTANCE_FIELDS, [...G, "release"]], check: keystoneCredentials },
];
