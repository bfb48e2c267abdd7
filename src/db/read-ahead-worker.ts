/**
 * Worker-thread half of readAhead: runs listImageLines on its own SQLite connection and posts each
 * batch to the main thread, never more than CREDITS batches ahead of what it has consumed.
 */
import { parentPort, workerData } from "node:worker_threads";
import { isBarclampError } from "../errors.js";
import { openDatabase } from "./database.js";
import { listImageLines } from "./images.js";
import type { AheadMessage, AheadRequest } from "./read-ahead.js";

const CREDITS = 4;

const post = (message: AheadMessage): void => parentPort?.postMessage(message);

const run = async (request: AheadRequest): Promise<void> => {
  let credits = CREDITS;
  let wake: (() => void) | undefined;
  parentPort?.on("message", () => {
    credits++;
    wake?.();
    wake = undefined;
  });
  const db = await openDatabase({ kind: "sqlite", path: request.path });
  try {
    const lines = await listImageLines(db, request.schema, request.options);
    if (lines === undefined) throw new Error("listImageLines needs SQLite");
    for await (const batch of lines) {
      if (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits--;
      post({ batch });
    }
    post({ done: true });
  } finally {
    await db.close();
  }
};

run(workerData as AheadRequest).catch((error: unknown) =>
  post({
    error: isBarclampError(error)
      ? { code: error.code, kind: error.kind, message: error.message, hint: error.hint }
      : { code: "db-read", kind: "failure", message: (error as Error).message, hint: undefined },
  }),
);
