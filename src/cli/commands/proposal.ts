import { constants, copyFileSync, existsSync, statSync } from "node:fs";
import { ExitCode, usageError } from "../../errors.js";
import { newProposal } from "../../core/proposal/new-proposal.js";
import { migrateProposalFile } from "../../app/migrate-proposal.js";
import { writeFileAtomic } from "../../engine/atomic-write.js";
import { printWarnings } from "../diagnostics.js";

export const runProposalNew = (options: { release: string; id: string }): number => {
  if (!/^[A-Za-z0-9_.-]{1,100}$/u.test(options.id))
    throw usageError("bad-id", `--id ${JSON.stringify(options.id)} is not a proposal name`, { hint: "letters, digits, _ . - (the id becomes bc-glance-NAME)" });
  process.stdout.write(`${JSON.stringify(newProposal(options.release, options.id), null, 2)}\n`);
  return ExitCode.ok;
};

/** A backup name that does not exist yet: FILE.bak, then FILE.bak.1, ... */
const backupName = (file: string): string => {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? `${file}.bak` : `${file}.bak.${n}`;
    if (!existsSync(candidate)) return candidate;
  }
};

export const runProposalMigrate = (file: string, options: { out?: string; inPlace?: boolean; release?: string }): number => {
  if (options.inPlace === true && options.out !== undefined) throw usageError("migrate-target", "--in-place and --out are exclusive");
  if (options.inPlace === true && file === "-") throw usageError("migrate-target", "--in-place needs a file, not standard input");
  const migrated = migrateProposalFile(file, options.release === undefined ? {} : { release: options.release });
  printWarnings(migrated.warnings);
  for (const note of migrated.notes) process.stderr.write(`note: ${note}\n`);
  if (options.inPlace === true) {
    if (!migrated.changed) {
      process.stderr.write(`${file} is already in glance-barclamp's format: nothing written\n`);
      return ExitCode.ok;
    }
    // The original is copied first; the file is then replaced atomically, keeping its mode.
    const backup = backupName(file);
    copyFileSync(file, backup, constants.COPYFILE_EXCL);
    writeFileAtomic(file, migrated.text, { mode: statSync(file).mode & 0o7777 });
    process.stderr.write(`migrated ${file} in place; the original is ${backup}\n`);
  } else if (options.out !== undefined) {
    writeFileAtomic(options.out, migrated.text, { mode: 0o600 });
    process.stderr.write(`wrote ${options.out}\n`);
  } else process.stdout.write(migrated.text);
  return ExitCode.ok;
};
