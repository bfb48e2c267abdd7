import type { Release } from "../proposal/schema.js";
import { diablo } from "./diablo.js";
import type { ReleaseModule } from "./types.js";
import { zed } from "./zed.js";

export const RELEASE_MODULES: Readonly<Record<Release, ReleaseModule>> = { diablo, zed };

export const releaseModule = (release: Release): ReleaseModule => RELEASE_MODULES[release];
