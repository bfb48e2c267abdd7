/**
 * The command-line surface. Each command's module is imported only when that command runs, so
 * start-up loads commander and nothing else.
 */
import { Argument, Command, Option } from "commander";
import type { ApplyCommandOptions } from "./options.js";
import { DEFAULT_RELEASE, RELEASE_MODULES, releaseNames } from "../core/releases/index.js";

export type SetExitCode = (code: number) => void;

export const buildProgram = (setExitCode: SetExitCode): Command => {
  const program = new Command("glance-barclamp")
    .description("Deploy the OpenStack Image Service (Glance) from a Crowbar-style proposal.")
    .version("0.1.0", "-V, --version")
    .option("-v, --verbose", "show every action on stderr, and stack traces with errors")
    .option("-q, --quiet", "print nothing on stderr but errors")
    .addOption(new Option("--log-format <format>", "stderr's diagnostics: short lines (text) or JSON lines (json); --log-file always writes JSON").choices(["text", "json"]).default("text"))
    .showHelpAfterError(false)
    .configureOutput({ outputError: () => undefined })
    .exitOverride()
    .hook("preAction", async () => {
      const globals = program.opts<{ verbose?: boolean; quiet?: boolean; logFormat: "text" | "json" }>();
      (await import("./terminal.js")).setOutput({ verbose: globals.verbose === true, quiet: globals.quiet === true, logFormat: globals.logFormat });
    });

  const run =
    <A extends unknown[]>(handler: (...args: A) => number | Promise<number>) =>
    async (...args: A): Promise<void> => {
      setExitCode(await handler(...args));
    };

  program
    .command("validate")
    .description("check proposals: every problem at once, with file:line:column, JSON path and a hint")
    .argument("<files...>", "proposal files, directories (every *.json under them) or glob patterns ('-' reads standard input)")
    .option("-i, --inventory <file>", "inventory of nodes and MySQL/Keystone instances (default: each proposal's NAME.inventory.json, if any)")
    .addOption(new Option("-f, --format <format>", "report format").choices(["text", "json", "github", "junit", "sarif"]).default("text"))
    .option("--json", "the same as --format json")
    .option("--max-warnings <n>", "fail (exit 3) when there are more than N warnings")
    .option("--strict", "fail on any warning (--max-warnings 0)")
    .action(
      run(async (files: string[], options: import("./commands/validate.js").ValidateOptions) =>
        (await import("./commands/validate.js")).runValidate(files, options, program.version() ?? "0.0.0"),
      ),
    );

  const proposal = program.command("proposal").description("work with proposals");
  proposal
    .command("new")
    .description("print a complete default proposal")
    .addOption(new Option("-r, --release <release>", "Glance release").choices(releaseNames()).default(DEFAULT_RELEASE))
    .option("--id <name>", "proposal name (the id becomes bc-glance-NAME)", "default")
    .option("--json", "wrap the output in the report every --json shares ({\"report_version\", ...})")
    .action(
      run(async (options: { release: string; id: string; json?: boolean }) =>
        (await import("./commands/proposal.js")).runProposalNew(options),
      ),
    );

  proposal
    .command("migrate")
    .description("migrate a Crowbar proposal of any era (2011 to 2021) to glance-barclamp's format: what maps is kept, what cannot be deployed is refused")
    .argument("<file>", "proposal file ('-' reads standard input)")
    .option("-o, --out <file>", "write the migrated proposal there instead of standard output")
    .option("--in-place", "replace the file, keeping the original as FILE.bak")
    .addOption(new Option("-r, --release <release>", "Glance release of the migrated proposal (default: the proposal's era decides)").choices(releaseNames()))
    .option("--json", "print a report (what was written, warnings and notes, and the proposal when it goes to standard output) as JSON")
    .action(
      run(async (file: string, options: { out?: string; inPlace?: boolean; release?: string; json?: boolean }) =>
        (await import("./commands/proposal.js")).runProposalMigrate(file, options),
      ),
    );

  program
    .command("schema")
    .description("print the JSON Schema of proposals (or of inventories)")
    .option("--inventory", "print the inventory's schema instead")
    .option("--json", "wrap the output in the report every --json shares ({\"report_version\", ...})")
    .action(run(async (options: { inventory?: boolean; json?: boolean }) => (await import("./commands/schema.js")).runSchema(options)));

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
    .option("-r, --root <dir>", "root whose distribution cron entries count (jobs they already run are not planned)", "/")
    .option("--json", "print the plan as JSON")
    .action(
      run(async (file: string, options: { inventory?: string; node?: string; root: string; json?: boolean }) =>
        (await import("./commands/plan.js")).runPlan(file, options),
      ),
    );

  planOptions(
    program
      .command("render")
      .description("write the plan's files under DIR at their absolute paths, secrets masked, for review")
      .argument("<proposal>", "proposal file ('-' reads standard input)"),
  )
    .requiredOption("-o, --out <dir>", "directory to write into (e.g. ./out: out/etc/glance/glance-api.conf)")
    .option("--json", "print the files written as JSON")
    .action(
      run(async (file: string, options: { inventory?: string; node?: string; out: string; json?: boolean }) =>
        (await import("./commands/render.js")).runRender(file, options),
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
    .option("--check", "the same as --dry-run (Ansible's word for it)")
    .action(
      run(async (file: string, options: ApplyCommandOptions & { check?: boolean }) =>
        (await import("./commands/apply.js")).runApply(file, { ...options, dryRun: options.dryRun === true || options.check === true, verbose: program.opts().verbose === true }),
      ),
    );

  applyOptions(
    program
      .command("diff")
      .description("unified diff of what apply would change (secrets masked); exit 4 when changes are pending")
      .argument("<proposal>", "proposal file ('-' reads standard input)"),
  ).action(
    run(async (file: string, options: ApplyCommandOptions) =>
      (await import("./commands/diff.js")).runDiff(file, { ...options, verbose: program.opts().verbose === true }),
    ),
  );

  program
    .command("rollback")
    .description("restore the files the last apply changed or removed, from its backup, then reload and restart as apply does")
    .option("-r, --root <dir>", "root directory the apply ran on", "/")
    .option("--list", "list the backups kept (the last 5 applies that changed files)")
    .option("--to <id>", "undo every apply back to this one (newest first)")
    .option("--dry-run", "say what would be restored, reloaded and restarted, and change nothing")
    .option("--json", "print the result as JSON")
    .action(
      run(async (options: { root: string; json?: boolean; list?: boolean; to?: string; dryRun?: boolean }) => (await import("./commands/rollback.js")).runRollback(options)),
    );

  planOptions(program.command("verify").description("check a deployed node: files, units, cron, services, the image store, API, registry, database (a staging root: what it can show)").argument("<proposal>", "proposal file"))
    .option("-r, --root <dir>", "root the proposal was applied to", "/")
    .option("--timeout <seconds>", "how long each HTTP check waits", "5")
    .option("--json", "print the checks as JSON")
    .action(
      run(async (file: string, options: { root: string; json?: boolean; timeout?: string; inventory?: string; node?: string }) =>
        (await import("./commands/verify.js")).runVerify(file, options),
      ),
    );

  planOptions(program.command("schedule").description("run the node's periodic jobs in the foreground on their schedules (periodic_jobs: none)").argument("<proposal>", "proposal file"))
    .option("--once <job>", "run one job (scrubber, reaper, pruner, prefetcher) now and exit with its result")
    .option("--grace <seconds>", "on SIGTERM/SIGINT, how long running jobs may take to finish", "30")
    .option("--log-file <file>", "write the structured log there instead of stderr")
    .option("--json", "with --once: print the run (job, exit code, duration) as JSON")
    .action(
      run(async (file: string, options: { inventory?: string; node?: string; once?: string; grace: string; logFile?: string; json?: boolean }) =>
        (await import("./commands/schedule.js")).runSchedule(file, options),
      ),
    );

  program
    .command("ansible-inventory")
    .description("print Ansible's inventory (JSON, for the yaml plugin) of the proposal's glance-server nodes: ansible_host is each node's admin address")
    .argument("<proposal>", "proposal file ('-' reads standard input)")
    .requiredOption("-i, --inventory <file>", "inventory of nodes (their addresses)")
    .option("--json", "wrap the output in the report every --json shares ({\"report_version\", ...})")
    .action(
      run(async (file: string, options: { inventory: string; json?: boolean }) => (await import("./commands/ansible-inventory.js")).runAnsibleInventory(file, options)),
    );

  program
    .command("completion")
    .description("print the shell completion script (bash: source it, or put it in /etc/bash_completion.d; zsh: a file named _glance-barclamp on $fpath)")
    .addArgument(new Argument("<shell>", "the shell").choices(["bash", "zsh"]))
    .option("--json", "wrap the output in the report every --json shares ({\"report_version\", ...})")
    .action(
      run(async (shell: "bash" | "zsh", options: { json?: boolean }) => {
        const { bashCompletion, zshCompletion } = await import("./help-documents.js");
        const script = shell === "bash" ? bashCompletion(program) : zshCompletion(program);
        process.stdout.write(options.json === true ? (await import("./format/report.js")).jsonReport({ shell, script }) : script);
        return 0;
      }),
    );

  program
    .command("man")
    .description("print the man page (roff), made from the same definitions as --help: glance-barclamp man > glance-barclamp.1")
    .option("--json", "wrap the output in the report every --json shares ({\"report_version\", ...})")
    .action(
      run(async (options: { json?: boolean }) => {
        const { manPage } = await import("./help-documents.js");
        const { EXIT_CODE_MEANINGS } = await import("../errors.js");
        const page =
          manPage(program, {
            version: program.version() ?? "",
            date: "2026-12",
            exitCodes: [...EXIT_CODE_MEANINGS],
            environment: [
              ["NO_COLOR", "set and not empty: no colour, even on a terminal"],
              ["FORCE_COLOR", "set (not 0): colour, even on a pipe"],
              ["OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, ...", "index logs in to Keystone with them when no proposal or --connection is given"],
              ["NODE_EXTRA_CA_CERTS", "a private CA for https to Keystone, Swift and Glance"],
            ],
          });
        process.stdout.write(options.json === true ? (await import("./format/report.js")).jsonReport({ page }) : page);
        return 0;
      }),
    );

  const images = program.command("images").description("the images the proposal lists");
  planOptions(images.command("sync").description("seed the proposal's images through this node's API: only what Glance does not hold is downloaded and uploaded").argument("<proposal>", "proposal file"))
    .option("--replace", "replace an image of the same name whose checksum differs (default: fail naming both)")
    .option("--json", "print the result as JSON")
    .action(
      run(async (file: string, options: { inventory?: string; node?: string; replace?: boolean; json?: boolean }) =>
        (await import("./commands/images.js")).runImagesSync(file, options),
      ),
    );

  const db = program.command("db").description("the Glance database: provisioning, schema sync, status");
  applyOptions(db.command("provision").description("create the database, user and grants (MySQL) or the SQLite file, as apply does").argument("<proposal>", "proposal file"))
    .option("--dry-run", "report what would change and change nothing")
    .option("--check", "the same as --dry-run")
    .option("--print-sql", "print the statements a first provisioning runs, password masked, without connecting")
    .action(
      run(async (file: string, options: ApplyCommandOptions & { printSql?: boolean; check?: boolean }) =>
        (await import("./commands/db.js")).runDbProvision(file, { ...options, dryRun: options.dryRun === true || options.check === true, verbose: program.opts().verbose === true }),
      ),
    );
  planOptions(db.command("sync").description("run the real glance-manage db_sync on this node (MySQL: under a lock)").argument("<proposal>", "proposal file"))
    .option("--json", "print the report as JSON")
    .option("--log-file <file>", "write the structured log there instead of stderr")
    .action(
      run(async (file: string, options: ApplyCommandOptions) =>
        (await import("./commands/db.js")).runDbSync(file, { ...options, root: "/", verbose: program.opts().verbose === true }),
      ),
    );
  planOptions(db.command("status").description("schema version and number of images").argument("[proposal]", "proposal whose database to read"))
    .option("-r, --root <dir>", "root the proposal was applied to", "/")
    .option("-c, --connection <url>", "read this database instead: sqlite:////path or mysql://user:password@host/db")
    .option("--json", "print the status as JSON")
    .action(
      run(async (file: string | undefined, options: { root: string; connection?: string; json?: boolean; inventory?: string; node?: string }) =>
        (await import("./commands/db.js")).runDbStatus(file, options),
      ),
    );

  planOptions(
    program
      .command("index")
      .description("list the images Glance holds (like glance-manage index), from its database or its API")
      .argument("[proposal]", "proposal whose database to read ('-' reads standard input)"),
  )
    .option("-r, --root <dir>", "root the proposal was applied to (where its SQLite file lives)", "/")
    .option("-c, --connection <url>", "read this database instead: sqlite:////path or mysql://user:password@host/db")
    .option("-H, --host <host>", "list through the Glance API on this host instead of the database")
    .option("-p, --port <port>", "API port (with -H)", "9292")
    .option("-A, --auth-token <token>", "Keystone token for the API (with -H)")
    .addOption(new Option("--api-version <n>", `API version (with -H): ${RELEASE_MODULES.map((m) => `${m.imageApiVersion} on ${m.name}`).join(", ")}`).choices(["1", "2"]).default("2"))
    .option("--all", "include deleted images")
    .addOption(new Option("-f, --format <format>", "output format").choices(["table", "json", "csv"]).default("table"))
    .option("--limit <n>", "at most this many images")
    .option("--marker <id>", "start after the image with this id (paging)")
    .option("--sort <key[:dir]>", "sort key and direction: created_at, name, size, status, disk_format, container_format, id", "created_at:desc")
    .option("--name <name>", "only images with this name")
    .option("--status <status>", "only images with this status (active, queued, deleted, ...)")
    .option("--columns <names>", "these columns, in this order (comma-separated: any field of the images table the schema has; an unknown name lists them)")
    .option("--owner <project>", "only images of this owner")
    .option("--visibility <visibility>", "only images of this visibility (public, private, shared, community; 2011.3: public or private)")
    .option("--created-since <date>", "only images created at or after this date or date and time (UTC)")
    .option("--deleted-since <date>", "only images deleted at or after this date or date and time (UTC; with --all)")
    .option("--min-size <bytes>", "only images of at least this size")
    .option("--max-size <bytes>", "only images of at most this size")
    .option("--summary", "counts and total size by status, visibility and disk format, instead of the images")
    .option("--os-auth-url <url>", "Keystone's URL: log in and find Glance in the catalog (default: $OS_AUTH_URL)")
    .option("--os-username <name>", "user to log in as (default: $OS_USERNAME)")
    .option("--os-password <password>", "its password (default: $OS_PASSWORD; prefer the variable: argv is visible to other users)")
    .option("--os-project-name <name>", "project to scope the token to (default: $OS_PROJECT_NAME)")
    .option("--os-user-domain-name <name>", "the user's domain (default: $OS_USER_DOMAIN_NAME, else Default)")
    .option("--os-project-domain-name <name>", "the project's domain (default: $OS_PROJECT_DOMAIN_NAME, else Default)")
    .option("--os-region-name <name>", "region of the image endpoint (default: $OS_REGION_NAME)")
    .option("--os-interface <interface>", "public, internal or admin (default: $OS_INTERFACE, else public)")
    .action(
      run(async (file: string | undefined, options: import("./commands/index.js").IndexOptions) =>
        (await import("./commands/index.js")).runIndex(file, options),
      ),
    );

  return program;
};
