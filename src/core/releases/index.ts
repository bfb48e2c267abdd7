/**
 * The releases glance-barclamp deploys. A release is its module here, its templates in
 * templates/<name>/ and its option catalogue: nothing outside this folder names one.
 */
import { diablo } from "./diablo.js";
import type { ReleaseModule } from "./types.js";
import { zed } from "./zed.js";

export const RELEASE_MODULES: readonly ReleaseModule[] = [diablo, zed];

/** What a proposal that names no release means: a 2011 proposal targets the Glance of its time. */
export const DEFAULT_RELEASE: string = diablo.name;

/** What a Crowbar proposal newer than 2011 means: the current Glance that glance-barclamp can run (Debian 12's). */
export const CURRENT_RELEASE: string = zed.name;

export type Release = (typeof diablo | typeof zed)["name"];

export const releaseNames = (): string[] => RELEASE_MODULES.map((m) => m.name);

export const releaseModule = (release: string): ReleaseModule => {
  const module = RELEASE_MODULES.find((m) => m.name === release);
  if (module === undefined) throw new Error(`no release module named ${release}`);
  return module;
};
