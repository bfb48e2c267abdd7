/**
 * Glance's vocabulary, shared by the proposal and every release: the services a proposal configures
 * and the role that carries them. Which of them a release runs, and where, is the release's own data.
 */
export const SERVICES = ["api", "registry", "scrubber", "reaper", "pruner", "prefetcher"] as const;
export type ServiceName = (typeof SERVICES)[number];
export const PERIODIC_JOBS = ["scrubber", "reaper", "pruner", "prefetcher"] as const;
export type PeriodicJobName = (typeof PERIODIC_JOBS)[number];
export type LongLivedName = Exclude<ServiceName, PeriodicJobName>;

export const GLANCE_SERVER_ROLE = "glance-server";
