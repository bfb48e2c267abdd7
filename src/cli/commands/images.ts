import { jsonReport } from "../format/report.js";
import { ExitCode } from "../../errors.js";
import { syncImages, type SyncOptions } from "../../app/sync-images.js";
import { printWarnings } from "../diagnostics.js";
import { formatTable } from "../format/table.js";

export const runImagesSync = async (file: string, options: Omit<SyncOptions, "progress" | "onWarnings"> & { json?: boolean }): Promise<number> => {
  const { results, skipped } = await syncImages(file, { ...options, progress: (line) => process.stderr.write(`${line}\n`), onWarnings: printWarnings });
  for (const url of skipped) process.stderr.write(`skipped ${url}: Crowbar's placeholder is not a server\n`);
  if (options.json === true) process.stdout.write(jsonReport({ images: results, skipped }));
  else
    process.stdout.write(
      `${formatTable(results, [
        { header: "ACTION", value: (r) => r.action },
        { header: "NAME", value: (r) => r.name },
        { header: "ID", value: (r) => r.id },
        { header: "FROM", value: (r) => r.url },
      ])}\n${results.filter((r) => r.action !== "present").length} uploaded, ${results.filter((r) => r.action === "present").length} already present\n`,
    );
  return ExitCode.ok;
};
