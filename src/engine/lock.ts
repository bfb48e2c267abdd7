/**
 * One apply at a time per root. proper-lockfile holds the lock (an atomic mkdir, refreshed while
 * held); a holder file says who holds it, so that the second apply can name the holder, and so that
 * a lock left by a killed process on this host is recognised at once rather than after it goes stale.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import lockfile from "proper-lockfile";
import { failureError } from "../errors.js";

interface LockHolder {
  pid: number;
  host: string;
  since: string;
  command: string;
}

const holderPath = (lockPath: string): string => `${lockPath}.holder`;

const readHolder = (lockPath: string): LockHolder | undefined => {
  try {
    return JSON.parse(readFileSync(holderPath(lockPath), "utf8")) as LockHolder;
  } catch {
    return undefined;
  }
};

const lockAgeMs = (lockPath: string): number => {
  try {
    return Date.now() - statSync(`${lockPath}.lock`).mtimeMs;
  } catch {
    return 0;
  }
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

export interface HeldLock {
  release: () => void;
}

const sameHolder = (a: LockHolder | undefined, b: LockHolder | undefined): boolean =>
  a === undefined || b === undefined ? a === b : a.pid === b.pid && a.host === b.host && a.since === b.since;

/** A lock its holder refreshes every UPDATE_MS; one not refreshed for STALE_MS has no live holder, on any host. */
const UPDATE_MS = 2_000;
const STALE_MS = 10_000;

const isStale = (lockPath: string, holder: LockHolder | undefined): boolean => {
  const age = lockAgeMs(lockPath);
  return (holder !== undefined && holder.host === hostname() && !isAlive(holder.pid)) || (holder === undefined && age > 2_000) || age > STALE_MS;
};

/**
 * Removes a stale lock, once. Two waiters can both find the same dead holder; only the one that
 * takes the breaker (an atomic mkdir) removes it, and only if the holder it judged is still the one
 * on disk: the other finds a new holder (or none) and waits, so a lock just taken is never removed.
 */
const breakStale = (lockPath: string, judged: LockHolder | undefined): void => {
  const breaker = `${lockPath}.break`;
  try {
    mkdirSync(breaker);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    // A breaker killed while breaking: its directory goes stale too.
    if (Date.now() - (statSync(breaker, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 5_000) rmSync(breaker, { recursive: true, force: true });
    return;
  }
  try {
    const now = readHolder(lockPath);
    if (sameHolder(now, judged) && isStale(lockPath, now)) {
      rmSync(`${lockPath}.lock`, { recursive: true, force: true });
      rmSync(holderPath(lockPath), { force: true });
    }
  } finally {
    rmSync(breaker, { recursive: true, force: true });
  }
};

/** Waits up to about `waitMs` for the lock, then fails naming the holder. Leaves nothing behind once released. */
export const acquireLock = async (lockPath: string, command: string, waitMs = 3000): Promise<HeldLock> => {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      // realpath: false, so the locked file itself need not exist: no empty file is left behind.
      // proper-lockfile never breaks a stale lock itself (its check-then-remove races between two
      // waiters): breakStale does, under the breaker.
      const release = lockfile.lockSync(lockPath, { realpath: false, stale: 24 * 3600_000, update: UPDATE_MS });
      const holder: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command };
      writeFileSync(holderPath(lockPath), `${JSON.stringify(holder)}\n`, { mode: 0o600 });
      return {
        release: () => {
          rmSync(holderPath(lockPath), { force: true });
          release();
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
      const holder = readHolder(lockPath);
      // A holder on this host that no longer runs was killed: its lock is stale now. So is a lock
      // that has had no holder file for a while (its taker died between taking it and saying so),
      // and one nobody refreshed for STALE_MS.
      if (isStale(lockPath, holder)) {
        breakStale(lockPath, holder);
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
        continue;
      }
      if (Date.now() >= deadline)
        throw failureError(
          "locked",
          holder === undefined
            ? "another apply holds the lock on this root"
            : `another apply holds the lock on this root: pid ${holder.pid} on ${holder.host} since ${holder.since} (${holder.command})`,
          { hint: "wait for it to finish, then run again" },
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
};
