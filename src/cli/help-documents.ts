/**
 * Shell completion (bash, zsh) and the man page, generated from the same command definitions as
 * --help (commander's tree), so that the three never disagree. Hand-written because commander has
 * no generator of its own, and the ones on npm target other parsers (yargs, oclif).
 */
import type { Command, Option } from "commander";

interface Entry {
  /** The words that reach it: ["db", "sync"]. */
  path: string[];
  command: Command;
}

const visible = (command: Command): Command[] =>
  command
    .createHelp()
    .visibleCommands(command)
    .filter((c) => c.name() !== "help");

const walk = (command: Command, path: string[] = []): Entry[] =>
  visible(command).flatMap((child) => {
    const here = [...path, child.name()];
    return [{ path: here, command: child }, ...walk(child, here)];
  });

/** Every option a command takes, its own then the program's (global ones work after the command too). */
const optionsOf = (command: Command, program: Command): Option[] => [...command.options, ...program.options];

const words = (option: Option): string[] => [option.short, option.long].filter((w): w is string => w !== undefined);
const takesValue = (option: Option): boolean => option.required || option.optional;

const quote = (text: string): string => `'${text.replaceAll("'", "'\\''")}'`;

export const bashCompletion = (program: Command): string => {
  const name = program.name();
  const fn = `_${name.replaceAll("-", "_")}`;
  const entries = walk(program);
  const cases = [
    { key: "", subcommands: visible(program).map((c) => c.name()), options: program.options },
    ...entries.map((e) => ({ key: e.path.join(" "), subcommands: visible(e.command).map((c) => c.name()), options: optionsOf(e.command, program) })),
  ];
  const valueCases = cases.flatMap((c) =>
    c.options.filter(takesValue).map((o) => `    ${quote(`${c.key}|${o.long ?? o.short ?? ""}`)}${o.short !== undefined && o.long !== undefined ? `|${quote(`${c.key}|${o.short}`)}` : ""}) ${o.argChoices === undefined ? 'COMPREPLY=($(compgen -f -- "$cur"))' : `COMPREPLY=($(compgen -W ${quote(o.argChoices.join(" "))} -- "$cur"))`}; return ;;`),
  );
  return `# bash completion for ${name}, generated from its command definitions (${name} completion bash)
${fn}() {
  local cur prev path="" i word
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # The subcommand path so far: the words that name commands.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$word" in -*) continue ;; esac
    case " $(${fn}_subcommands "$path") " in *" $word "*) path="\${path:+$path }$word" ;; esac
  done
  case "$path|$prev" in
${valueCases.join("\n")}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(${fn}_options "$path")" -- "$cur"))
  else
    local subs
    subs="$(${fn}_subcommands "$path")"
    if [[ -n "$subs" ]]; then COMPREPLY=($(compgen -W "$subs" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
  fi
}
${fn}_subcommands() {
  case "$1" in
${cases.map((c) => `    ${quote(c.key)}) echo ${quote(c.subcommands.join(" "))} ;;`).join("\n")}
  esac
}
${fn}_options() {
  case "$1" in
${cases.map((c) => `    ${quote(c.key)}) echo ${quote(c.options.flatMap(words).join(" "))} ;;`).join("\n")}
  esac
}
complete -o filenames -F ${fn} ${name}
`;
};

const zshEscape = (text: string): string => text.replaceAll("\\", "\\\\").replaceAll("'", "'\\''").replaceAll("[", "\\[").replaceAll("]", "\\]").replaceAll(":", "\\:");

const zshOption = (option: Option): string[] => {
  const description = zshEscape(option.description);
  const value = !takesValue(option) ? "" : option.argChoices === undefined ? `:${zshEscape(option.long?.slice(2) ?? "value")}:_files` : `:value:(${option.argChoices.join(" ")})`;
  return words(option).map((word) => `'${word}[${description}]${value}'`);
};

export const zshCompletion = (program: Command): string => {
  const name = program.name();
  const fn = `_${name.replaceAll("-", "_")}`;
  const functionFor = (path: string[]): string => `${fn}${path.map((p) => `_${p.replaceAll("-", "_")}`).join("")}`;
  const define = (command: Command, path: string[]): string[] => {
    const children = visible(command);
    const options = (path.length === 0 ? program.options : optionsOf(command, program)).flatMap(zshOption);
    const body =
      children.length === 0
        ? `  _arguments -s ${options.join(" ")} '*:file:_files'`
        : `  local -a commands
  commands=(${children.map((c) => `'${c.name()}:${zshEscape(c.description())}'`).join(" ")})
  _arguments -C ${options.join(" ")} '1:command:->command' '*::argument:->argument'
  case $state in
    command) _describe -t commands 'command' commands ;;
    argument)
      case $words[1] in
${children.map((c) => `        ${c.name()}) ${functionFor([...path, c.name()])} ;;`).join("\n")}
      esac ;;
  esac`;
    return [`${functionFor(path)}() {\n${body}\n}`, ...children.flatMap((c) => define(c, [...path, c.name()]))];
  };
  return `#compdef ${name}
# zsh completion for ${name}, generated from its command definitions (${name} completion zsh)
${define(program, []).join("\n\n")}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${name}
fi
`;
};

/** roff: a leading dot or quote would be a request, a backslash an escape. */
const roff = (text: string): string => text.replaceAll("\\", "\\e").replaceAll("-", "\\-").replace(/^([.'])/gmu, "\\&$1");

const usageOf = (entry: Entry, program: Command): string => `${[program.name(), ...entry.path].join(" ")} ${entry.command.usage()}`;

/** The man page (section 1). `exitCodes` and `environment` are the documented tables, given by the caller. */
export const manPage = (program: Command, extra: { version: string; date: string; exitCodes: Array<[number, string]>; environment: Array<[string, string]> }): string => {
  const name = program.name();
  const option = (o: Option): string => `.TP\n.B ${roff(o.flags)}\n${roff(o.description)}${o.argChoices === undefined ? "" : ` (${roff(o.argChoices.join(", "))})`}${o.defaultValue === undefined || o.defaultValue === false ? "" : `; default ${roff(String(o.defaultValue))}`}`;
  const commands = walk(program).filter((e) => visible(e.command).length === 0);
  return [
    `.TH ${name.toUpperCase().replaceAll("-", "\\-")} 1 "${extra.date}" "${name} ${extra.version}" "User Commands"`,
    ".SH NAME",
    `${roff(name)} \\- ${roff(program.description())}`,
    ".SH SYNOPSIS",
    `.B ${roff(name)}`,
    "[\\fIglobal options\\fR] \\fIcommand\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]",
    ".SH GLOBAL OPTIONS",
    ...program.options.map(option),
    ".SH COMMANDS",
    ...commands.flatMap((entry) => [
      ".SS",
      `.B ${roff(usageOf(entry, program))}`,
      ".PP",
      roff(entry.command.description()),
      ...entry.command.registeredArguments.map((a) => `.TP\n.I ${roff(a.name())}\n${roff(a.description)}`),
      ...entry.command.options.map(option),
    ]),
    ".SH EXIT STATUS",
    ...extra.exitCodes.map(([code, meaning]) => `.TP\n.B ${code}\n${roff(meaning)}`),
    ".SH ENVIRONMENT",
    ...extra.environment.map(([variable, meaning]) => `.TP\n.B ${roff(variable)}\n${roff(meaning)}`),
    ".SH SEE ALSO",
    `The README of ${roff(name)}, and \\fB${roff(name)} \\fIcommand\\fB \\-\\-help\\fR.`,
    "",
  ].join("\n");
};
