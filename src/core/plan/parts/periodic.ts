/** Periodic jobs: where each runs (the release's placement), then its cron entry or oneshot service and timer. */
import type { ServiceName } from "../../glance.js";
import { glanceServers } from "../../proposal/elements.js";
import type { Proposal } from "../../proposal/schema.js";
import type { ReleaseModule } from "../../releases/types.js";
import { renderTemplate } from "../../render/engine.js";
import { cronToOnCalendar } from "../../cron/on-calendar.js";
import { CRON_DIR, SYSTEMD_DIR } from "../conventions.js";
import type { PeriodicAssignment, Resource, ServiceResource } from "../types.js";
import { absentResource, fileResource } from "./files.js";
import type { PlanRequest } from "../build-plan.js";

export const periodicAssignments = (request: PlanRequest, module: ReleaseModule, configOf: (s: ServiceName) => string): PeriodicAssignment[] => {
  const { proposal, node } = request;
  const g = proposal.attributes.glance;
  const servers = glanceServers(proposal);
  return module.periodicJobs.map(({ job, binary, placement }) => {
    const settings = g[job];
    const oneNode = ("node" in settings ? settings.node : undefined) ?? servers[0] ?? node;
    const command = [binary, "--config-file", configOf(job)];
    const packaged = request.packagedCron?.[job];
    if (packaged !== undefined)
      return { job, node, runsHere: false, schedule: g[job].schedule, command, reason: `the package's cron entry ${packaged} already runs it` };
    if (placement === "one-node")
      return {
        job,
        node: oneNode,
        runsHere: oneNode === node,
        schedule: g[job].schedule,
        command,
        reason: oneNode === node ? `the ${job} runs on one node: it works on the shared database and store` : `the ${job} runs on ${oneNode} only`,
      };
    return {
      job,
      node,
      runsHere: g.enable_caching,
      schedule: g[job].schedule,
      command,
      reason: g.enable_caching ? "each node has its own image cache" : "caching is off",
    };
  });
};

export const periodicResources = (
  proposal: Proposal,
  assignments: PeriodicAssignment[],
  header: string,
): { files: Resource[]; services: ServiceResource[] } => {
  const g = proposal.attributes.glance;
  const files: Resource[] = [];
  const services: ServiceResource[] = [];
  for (const assignment of assignments) {
    const { job } = assignment;
    const cronPath = `${CRON_DIR}/glance-${job}`;
    const servicePath = `${SYSTEMD_DIR}/glance-${job}.service`;
    const timerPath = `${SYSTEMD_DIR}/glance-${job}.timer`;
    const mode = assignment.runsHere ? g.periodic_jobs : "none";
    const commandLine = assignment.command.join(" ");
    if (mode === "cron") {
      const content = renderTemplate("cron/job", { header, schedule: assignment.schedule, command: commandLine });
      files.push(fileResource("cron", cronPath, content, `cron entry of the ${job}`, "none"));
    } else
      files.push(
        absentResource(cronPath, "periodic", `no cron entry for the ${job} (${assignment.runsHere ? `periodic_jobs is ${g.periodic_jobs}` : assignment.reason})`),
      );
    if (mode === "systemd-timer") {
      const description = `OpenStack Image Service (Glance) ${job}`;
      const service = renderTemplate("systemd/job.service", {
        header,
        description,
        exec_start: commandLine,
        working_directory: g.working_directory,
      });
      const timer = renderTemplate("systemd/job.timer", {
        header,
        description: `Runs the Glance ${job} on its schedule`,
        on_calendar: cronToOnCalendar(assignment.schedule),
        randomized_delay: "5min",
        service_unit: `glance-${job}.service`,
      });
      const serviceFile = fileResource("timer", servicePath, service, `oneshot service of the ${job}`, "none");
      const timerFile = fileResource("timer", timerPath, timer, `timer of the ${job}`, "none");
      files.push(serviceFile, timerFile);
      services.push({
        kind: "service",
        id: `service:glance-${job}.timer`,
        phase: "services",
        unit: `glance-${job}.timer`,
        restartOn: [serviceFile.id, timerFile.id],
        description: `enable and start the ${job} timer`,
      });
    } else {
      files.push(absentResource(servicePath, "periodic", `no oneshot service for the ${job}`));
      files.push(absentResource(timerPath, "periodic", `no timer for the ${job}`));
    }
  }
  return { files, services };
};
