import { jsonReport } from "../format/report.js";
import { ExitCode } from "../../errors.js";
import { listRootBackups, rollbackRoot } from "../../app/rollback-root.js";
import { formatTable } from "../format/table.js";

export const runRollback = async (options: { root: string; json?: boolean; list?: boolean; to?: string; dryRun?: boolean }): Promise<number> => {
  if (options.list === true) {
    const backups = listRootBackups(options.root);
    if (options.json === true) process.stdout.write(jsonReport({ backups }));
    else
      process.stdout.write(
        backups.length === 0
          ? "no backups\n"
          : `${formatTable([...backups].reverse(), [
              { header: "ID", value: (b) => b.id },
              { header: "CREATED", value: (b) => b.createdAt },
              { header: "PROPOSAL", value: (b) => b.proposal },
              { header: "NODE", value: (b) => b.node },
              { header: "FILES", value: (b) => String(b.files) },
            ])}\n`,
      );
    return ExitCode.ok;
  }
  const report = await rollbackRoot(options.root, { ...(options.to === undefined ? {} : { to: options.to }), dryRun: options.dryRun === true });
  if (options.json === true) process.stdout.write(jsonReport(report));
  else {
    const systemd = report.systemd.map((c) => (report.systemdSkipped === undefined ? `ran ${c}` : `${report.systemdSkipped}: would run ${c}`));
    process.stdout.write(
      [
        ...report.restored.map((p) => `${report.dryRun ? "would restore" : "restored"} ${p}`),
        ...report.removed.map((p) => `${report.dryRun ? "would remove" : "removed"} ${p}`),
        ...systemd,
        `${report.dryRun ? "would roll back" : "rolled back"} apply ${report.ids.join(", ")}`,
      ].join("\n") + "\n",
    );
  }
  return ExitCode.ok;
};
