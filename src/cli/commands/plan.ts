import { ExitCode } from "../../errors.js";
import { maskSecrets } from "../../core/render/secret-slots.js";
import type { Plan, Resource } from "../../core/plan/types.js";
import { printWarnings } from "../diagnostics.js";
import { formatTable } from "../format/table.js";
import { planProposal, type PlanOptions } from "../../app/plan-proposal.js";

/** The plan as data, secrets masked: what --json prints. */
export const publicPlan = (plan: Plan): Plan => ({
  ...plan,
  resources: plan.resources.map((r) => (r.kind === "file" ? { ...r, content: maskSecrets(r.content) } : r)),
});

const target = (r: Resource): string => {
  switch (r.kind) {
    case "directory":
    case "file":
    case "absent":
      return r.path;
    case "database":
      return r.engine === "sqlite" ? r.path : `mysql://${r.host}:${r.port}/${r.database} (user ${r.user})`;
    case "db-sync":
      return r.command.join(" ");
    case "service":
      return r.unit;
    case "images":
      return `${r.api}: ${r.images.map((i) => i.name ?? i.url).join(", ")}`;
    case "keystone":
      return `${r.url} (${r.region}): user ${r.serviceUser.name}, service ${r.service.type}, endpoints ${r.endpoints?.public ?? "(registered elsewhere, or not at all)"}`;
  }
};

const ownership = (r: Resource): string =>
  r.kind === "directory" || r.kind === "file" || (r.kind === "database" && r.engine === "sqlite") ? `${r.owner}:${r.group} ${r.mode}` : "";

const kindLabel = (r: Resource): string => (r.kind === "file" ? r.role : r.kind === "database" ? `${r.engine} db` : r.kind);

export const formatPlan = (plan: Plan): string => {
  const head = [
    `proposal ${plan.proposal} on node ${plan.node} (release ${plan.release})`,
    `  API binds ${plan.bindAddresses.api}${plan.bindAddresses.registry === undefined ? "" : `, registry binds ${plan.bindAddresses.registry}`}`,
    `  database: ${plan.database}; keystone: ${plan.keystone ?? "none"}; periodic jobs: ${plan.periodicMode}`,
    ...plan.periodic.map((p) => `  ${p.job.padEnd(10)} ${p.runsHere ? `runs here at "${p.schedule}"` : "does not run here"}: ${p.reason}`),
    ...(plan.secrets.length > 0 ? [`  secrets: ${plan.secrets.map((s) => s.description).join("; ")} (resolved when applying)`] : []),
    "",
  ];
  const table = formatTable(plan.resources, [
    { header: "PHASE", value: (r) => r.phase },
    { header: "KIND", value: kindLabel },
    { header: "TARGET", value: target },
    { header: "OWNER MODE", value: ownership },
    { header: "WHAT", value: (r) => (r.kind === "db-sync" && !r.runsHere ? `${r.description} (not here)` : r.description) },
  ]);
  return `${head.join("\n")}${table}`;
};

export const runPlan = (file: string, options: PlanOptions & { root?: string; json?: boolean }): number => {
  const { plan, warnings } = planProposal(file, options);
  printWarnings(warnings);
  process.stdout.write(options.json === true ? `${JSON.stringify(publicPlan(plan), null, 2)}\n` : `${formatPlan(plan)}\n`);
  return ExitCode.ok;
};
