import type { Executor } from "../types.js";

/**
 * The proposal's images, seeded on the live system once the API answers (the services phase has
 * just started or restarted it), from the one node that migrates the schema. Dry runs and previews
 * list them; nothing is downloaded before applying.
 */
export const images: Executor<"images"> = (resource, context) => {
  const base = { id: resource.id, kind: resource.kind, target: resource.api };
  const listed = resource.images.map((i) => `${i.name ?? i.url}`);
  const skipped = resource.skipped.map((url) => `skipped ${url} (placeholder)`);
  if (!resource.runsHere) return { ...base, action: "skipped", details: [resource.description] };
  if (!context.root.isSystemRoot || !context.host.systemdRunning) {
    const why = context.root.isSystemRoot ? "systemd is not running" : "staging root";
    return { ...base, action: "skipped", details: [`${why}: run glance-barclamp images sync once the API answers`, ...skipped] };
  }
  if (resource.images.length === 0) return { ...base, action: "unchanged", details: skipped };
  return {
    ...base,
    action: "run",
    details: [`seed ${listed.join(", ")} (uploads only what Glance does not hold)`, ...skipped],
    apply: async () => {
      const { apiAnswers, seedPlanned } = await import("../../images/planned.js");
      if (!(await apiAnswers(resource.api, 60_000))) {
        context.log.warn({ api: resource.api }, "the API did not answer: images not seeded (run glance-barclamp images sync)");
        return;
      }
      const results = await seedPlanned(resource, context.secrets, { replace: false, progress: (line) => (context.log.progress === undefined ? context.log.info({}, line) : context.log.progress(line)) });
      for (const r of results) context.log.info({ image: r.name, id: r.id, action: r.action }, `${r.action} image ${r.name}`);
    },
  };
};
