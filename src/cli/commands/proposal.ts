import { constants, copyFileSync, existsSync, statSync } from "node:fs";
import { ExitCode, usageError } from "../../errors.js";
import { newProposal } from "../../core/proposal/new-proposal.js";
import { migrateProposalFile } from "../../app/migrate-proposal.js";
import { writeFileAtomic } from "../../engine/atomic-write.js";
import { printWarnings } from "../diagnostics.js";
import { jsonReport } from "../format/report.js";

export const runProposalNew = (options: { release: string; id: string; json?: boolean }): number => {
  if (!/^[A-Za-z0-9_.-]{1,100}$/u.test(options.id))
    throw usageError("bad-id", `--id ${JSON.stringify(options.id)} is not a proposal name`, { hint: "letters, digits, _ . - (the id becomes bc-glance-NAME)" });
  const proposal = newProposal(options.release, options.id);
  process.stdout.write(options.json === true ? jsonReport({ proposal }) : `${JSON.stringify(proposal, null, 2)}\n`);
  return ExitCode.ok;
};

/** A backup name that does not exist yet: FILE.bak, then FILE.bak.1, ... */
const backupName = (file: string): string => {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? `${file}.bak` : `${file}.bak.${n}`;
    if (!existsSync(candidate)) return candidate;
  }
};

export const runProposalMigrate = (file: string, options: { out?: string; inPlace?: boolean; release?: string; json?: boolean }): number => {
  if (options.inPlace === true && options.out !== undefined) throw usageError("migrate-target", "--in-place and --out are exclusive");
  if (options.inPlace === true && file === "-") throw usageError("migrate-target", "--in-place needs a file, not standard input");
  const migrated = migrateProposalFile(file, options.release === undefined ? {} : { release: options.release });
  const json = options.json === true;
  if (!json) {
    printWarnings(migrated.warnings);
    for (const note of migrated.notes) process.stderr.write(`note: ${note}\n`);
  }
  const say = (line: string): void => {
    if (!json) process.stderr.write(`${line}\n`);
  };
  let written: string | null = null;
  let backup: string | null = null;
  if (options.inPlace === true) {
    if (!migrated.changed) say(`${file} is already in glance-barclamp's format: nothing written`);
    else {
      // The original is copied first; the file is then replaced atomically, keeping its mode.
      backup = backupName(file);
      copyFileSync(file, backup, constants.COPYFILE_EXCL);
      writeFileAtomic(file, migrated.text, { mode: statSync(file).mode & 0o7777 });
      written = file;
      say(`migrated ${file} in place; the original is ${backup}`);
    }
  } else if (options.out !== undefined) {
    writeFileAtomic(options.out, migrated.text, { mode: 0o600 });
    written = options.out;
    say(`wrote ${options.out}`);
  } else if (!json) process.stdout.write(migrated.text);
  if (json)
    process.stdout.write(
      jsonReport({
        changed: migrated.changed,
        written,
        backup,
        warnings: migrated.warnings,
        notes: migrated.notes,
        ...(options.inPlace === true || options.out !== undefined ? {} : { proposal: JSON.parse(migrated.text) as unknown }),
      }),
    );
  return ExitCode.ok;
};
