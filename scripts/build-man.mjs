// Writes dist/man/sev.1 from the commander program itself: the same usage, options, examples and exit codes
// as --help, so the man page never says something the help does not. Runs after tsc (npm run build).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { program } = await import(join(root, 'dist/cli.js'));
const { helpAfter } = await import(join(root, 'dist/help-text.js'));
const { VERSION } = await import(join(root, 'dist/version.js'));
const { EXIT } = await import(join(root, 'dist/errors.js'));

/** Text safe in roff: backslashes escaped, hyphens as minus signs (so they copy and search as -), no line read as a request. */
const text = (s) =>
  String(s)
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join('\n');

const cli = program();
const help = cli.createHelp();
const out = [];
const section = (name) => out.push(`.SH ${name}`);
const options = (command, list) => {
  for (const option of list) out.push('.TP', `.B ${text(help.optionTerm(option))}`, text(help.optionDescription(option)));
};

out.push(`.TH SEV 1 "" "sevkit ${VERSION}" "User Commands"`);
section('NAME');
out.push(`sev \\- ${text(cli.description())}`);
section('SYNOPSIS');
out.push(`.B sev`, text('[global options] <command> [options] [arguments]'));
section('DESCRIPTION');
out.push(text('Run sev <command> --help for the same text as below, one command at a time.'));
section('GLOBAL OPTIONS');
options(cli, help.visibleOptions(cli));
section('COMMANDS');
for (const command of help.visibleCommands(cli)) {
  if (command.name() === 'help') continue;
  out.push(`.SS ${text(`sev ${help.commandUsage(command).replace(/^sev /, '')}`)}`, text(command.description()));
  for (const argument of help.visibleArguments(command))
    out.push('.TP', `.I ${text(help.argumentTerm(argument))}`, text(help.argumentDescription(argument)));
  options(command, help.visibleOptions(command));
  // Examples and exit codes as --help ends with them, kept as preformatted lines.
  const after = helpAfter(command.name()).trim().split('\n');
  for (const line of after) {
    if (/^[A-Z][a-z ]+:$/.test(line)) out.push('.PP', `.B ${text(line)}`, '.nf');
    else if (line === '') out.push('.fi');
    else out.push(text(line));
  }
  out.push('.fi');
}
section('EXIT STATUS');
for (const [code, meaning] of [
  [EXIT.ok, 'success'],
  [EXIT.findings, 'findings: a runbook with errors, a failing check, a step the responder stopped on (each command above says which)'],
  [EXIT.usage, 'usage error: a bad flag or argument, a missing or invalid file'],
  [EXIT.internal, 'internal error: a bug in sev'],
  [EXIT.interrupted, 'interrupted (Ctrl-C); an incident is paused and sev resume continues it'],
  [EXIT.outputClosed, 'the output was closed early (a pipe, a pager quit)'],
]) {
  out.push('.TP', `.B ${code}`, text(meaning));
}
section('ENVIRONMENT');
for (const [name, meaning] of [
  ['SEV_RUNBOOKS', 'the runbooks directory, below --runbooks'],
  ['SEV_INCIDENT_DIR', 'the incident directory, below --incident-dir'],
  ['SEV_CONFIG', 'the team config file, below --config'],
  ['SEV_LANG', 'the language runbooks are shown in, when they have a translation'],
  ['NO_COLOR', 'no colour when set; FORCE_COLOR=0 turns it off too, another value on'],
  ['GITHUB_ACTIONS', 'when true, sev validate prints annotations and appends a job summary to $GITHUB_STEP_SUMMARY'],
]) {
  out.push('.TP', `.B ${text(name)}`, text(meaning));
}
section('SEE ALSO');
out.push(text('The README of sevkit: runbook format, incident log, CI. Shell completion: sev completion bash|zsh|fish.'));

const file = join(root, 'dist/man/sev.1');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${out.join('\n')}\n`);
