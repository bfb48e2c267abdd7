/**
 * The command-line surface. Each command's module is imported only when that command runs, so
 * start-up loads commander and nothing else.
 */
import { Command, Option } from "commander";

export type SetExitCode = (code: number) => void;

export const buildProgram = (setExitCode: SetExitCode): Command => {
  const program = new Command("glance-barclamp")
    .description("Deploy the OpenStack Image Service (Glance) from a Crowbar-style proposal.")
    .version("0.1.0", "-V, --version")
    .option("-v, --verbose", "show stack traces and debug logs")
    .showHelpAfterError(false)
    .configureOutput({ outputError: () => undefined })
    .exitOverride();

  const run =
    <A extends unknown[]>(handler: (...args: A) => Promise<number>) =>
    async (...args: A): Promise<void> => {
      setExitCode(await handler(...args));
    };

  program
    .command("validate")
    .description("check proposals: every problem at once, with file:line:column, JSON path and a hint")
    .argument("<files...>", "proposal files ('-' reads standard input)")
    .option("-i, --inventory <file>", "inventory of nodes and MySQL/Keystone instances")
    .option("--json", "print a machine-readable report")
    .action(
      run(async (files: string[], options: { inventory?: string; json?: boolean }) =>
        (await import("./validate-command.js")).runValidate(files, options),
      ),
    );

  const proposal = program.command("proposal").description("work with proposals");
  proposal
    .command("new")
    .description("print a complete default proposal")
    .addOption(new Option("-r, --release <release>", "Glance release").choices(["diablo", "zed"]).default("diablo"))
    .option("--id <name>", "proposal name (the id becomes bc-glance-NAME)", "default")
    .action(
      run(async (options: { release: "diablo" | "zed"; id: string }) =>
        (await import("./proposal-command.js")).runProposalNew(options),
      ),
    );

  program
    .command("schema")
    .description("print the JSON Schema of proposals (or of inventories)")
    .option("--inventory", "print the inventory's schema instead")
    .action(run(async (options: { inventory?: boolean }) => (await import("./schema-command.js")).runSchema(options)));

  const planOptions = (command: Command): Command =>
    command
      .option("-i, --inventory <file>", "inventory of nodes and MySQL/Keystone instances")
      .option("-n, --node <name>", "node to plan for (default: this host's name)");

  planOptions(
    program
      .command("plan")
      .description("list every resource the node needs (directories, files, database, services), secrets masked")
      .argument("<proposal>", "proposal file ('-' reads standard input)"),
  )
    .option("--json", "print the plan as JSON")
    .action(
      run(async (file: string, options: { inventory?: string; node?: string; json?: boolean }) =>
        (await import("./plan-command.js")).runPlan(file, options),
      ),
    );

  planOptions(
    program
      .command("render")
      .description("write the plan's files under DIR at their absolute paths, secrets masked, for review")
      .argument("<proposal>", "proposal file ('-' reads standard input)"),
  )
    .requiredOption("-o, --out <dir>", "directory to write into (e.g. ./out: out/etc/glance/glance-api.conf)")
    .action(
      run(async (file: string, options: { inventory?: string; node?: string; out: string }) =>
        (await import("./render-command.js")).runRender(file, options),
      ),
    );

  const applyOptions = (command: Command): Command =>
    planOptions(command)
      .option("-r, --root <dir>", "root directory to converge (a staging directory, or / for the live system)", "/")
      .option("--json", "print the report as JSON")
      .option("--log-file <file>", "write the structured log there instead of stderr");

  applyOptions(
    program
      .command("apply")
      .description("converge the root to the plan: directories, files, database, units, periodic jobs, services")
      .argument("<proposal>", "proposal file ('-' reads standard input)"),
  )
    .option("--dry-run", "report what would change and change nothing")
    .action(
      run(async (file: string, options: ApplyCommandOptions) =>
        (await import("./apply-command.js")).runApply(file, { ...options, verbose: program.opts().verbose === true }),
      ),
    );

  applyOptions(
    program
      .command("diff")
      .description("unified diff of what apply would change (secrets masked); exit 4 when changes are pending")
      .argument("<proposal>", "proposal file ('-' reads standard input)"),
  ).action(
    run(async (file: string, options: ApplyCommandOptions) =>
      (await import("./apply-command.js")).runDiff(file, { ...options, verbose: program.opts().verbose === true }),
    ),
  );

  program
    .command("rollback")
    .description("restore the files the last apply changed or removed, from its backup")
    .option("-r, --root <dir>", "root directory the apply ran on", "/")
    .option("--json", "print the result as JSON")
    .action(run(async (options: { root: string; json?: boolean }) => (await import("./rollback-command.js")).runRollback(options)));

  return program;
};

interface ApplyCommandOptions {
  inventory?: string;
  node?: string;
  root: string;
  json?: boolean;
  logFile?: string;
  dryRun?: boolean;
}
