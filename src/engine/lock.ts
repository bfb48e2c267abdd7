/**
 * One apply at a time per root. proper-lockfile holds the lock (an atomic mkdir, refreshed while
 * held); a holder file says who holds it, so that the second apply can name the holder, and so that
 * a lock left by a killed process on this host is recognised at once rather than after it goes stale.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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

/** Waits up to about `waitMs` for the lock, then fails naming the holder. */
export const acquireLock = async (lockPath: string, command: string, waitMs = 3000): Promise<HeldLock> => {
  writeFileSync(lockPath, "", { flag: "a", mode: 0o600 });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const release = lockfile.lockSync(lockPath, { realpath: false, stale: 10_000, update: 2_000 });
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
      // that has had no holder file for a while: its taker died between taking it and saying so.
      if ((holder !== undefined && holder.host === hostname() && !isAlive(holder.pid)) || (holder === undefined && lockAgeMs(lockPath) > 2_000)) {
        rmSync(`${lockPath}.lock`, { recursive: true, force: true });
        rmSync(holderPath(lockPath), { force: true });
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
