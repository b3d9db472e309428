import { Argument, Command, CommanderError, Option } from 'commander';
import { EXIT, ExitCode, InvalidRunbookError, UserError } from './errors.js';
import { helpAfter } from './help-text.js';
import { guardOutput } from './ui/terminal.js';
import { VERSION } from './version.js';

/** The whole command line, as parsed and as its help, completion script and man page describe it. */
export function program(): Command {
  const cli = new Command('sev')
    .description('Incident response from the command line: runbooks in YAML, guided runs, timelines and postmortems.')
    .version(VERSION, '-V, --version')
    .option(
      '--runbooks <dir>',
      "directory searched for runbooks by id before the shipped ones (default $SEV_RUNBOOKS, else the config's, else ./runbooks)",
    )
    .option('--incident-dir <dir>', "directory of incident logs (default $SEV_INCIDENT_DIR, else the config's, else ./incidents)")
    .option(
      '--config <file>',
      'the team config file (default $SEV_CONFIG, else sev.config.yaml or .sevrc.yaml found upward, else $XDG_CONFIG_HOME/sev/config.yaml)',
    )
    .showHelpAfterError('(run sev --help for usage)')
    // Subcommands inherit this: their help lists --runbooks, --incident-dir and --config too.
    .configureHelp({ showGlobalOptions: true })
    // Commander's own errors (unknown option, missing argument) read like every other: "sev: error: …".
    .configureOutput({ outputError: (text, write) => write(`sev: ${text.trimEnd()}\n`) })
    .exitOverride();

  // Flags, then SEV_ variables, then the config file, then defaults: resolved once, before any command runs.
  cli.hook('preAction', async (root, action) => {
    const { checkRunbooksDir, resolveSettings } = await import('./config/settings.js');
    const flag = (name: string) => (root.getOptionValueSource(name) === 'cli' ? (root.getOptionValue(name) as string) : undefined);
    const as = action.getOptionValue('as') as string | undefined;
    // validate checks a broken config file, init and schema help to write one: none refuses to start because of it.
    const setup = ['validate', 'init', 'schema'].includes(action.name());
    const settings = resolveSettings(
      { config: flag('config'), runbooks: flag('runbooks'), incidentDir: flag('incidentDir'), as },
      process.cwd(),
      process.env,
      { lenient: setup },
    );
    // init creates the runbooks directory it is given.
    if (action.name() !== 'init') checkRunbooksDir(settings.runbooks);
    root.setOptionValue('runbooks', settings.runbooks.value);
    root.setOptionValue('incidentDir', settings.incidentDir.value);
    if (settings.responder && !as && action.options.some((o) => o.attributeName() === 'as'))
      action.setOptionValue('as', settings.responder.value);
    root.setOptionValue('settings', settings);
  });

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  // Commander types options loosely; each command declares the options it reads.
  const withGlobals = <T>(options: object, command: Command) => ({ ...command.optsWithGlobals(), ...options }) as T;

  cli
    .command('validate')
    .description('check runbooks without running anything; report each problem at file:line:col')
    .argument(
      '[paths...]',
      'runbook files or directories (searched for *.yaml, *.yml); default: the runbooks directory and the config file in force',
    )
    .addOption(
      new Option('-f, --format <format>', 'output format (default text; github when GITHUB_ACTIONS=true)').choices([
        'text',
        'json',
        'github',
        'sarif',
        'junit',
        'codequality',
      ]),
    )
    .option('--strict', 'treat warnings as failures')
    .option('-q, --quiet', 'print errors only, no warnings or summary (text format)')
    .action(async (paths: string[], options: object, command: Command) =>
      (await import('./commands/validate.js')).validateCommand(paths, withGlobals(options, command)),
    );

  cli
    .command('list')
    .description('list the runbooks available: yours (--runbooks) and the shipped ones')
    .option('--json', 'print JSON')
    .action(async (options: object, command: Command) => (await import('./commands/list.js')).listCommand(withGlobals(options, command)));

  cli
    .command('show')
    .description('print a readable outline of a runbook: inputs, steps, jumps, checks')
    .argument('<runbook>', 'runbook id or path')
    .option('--json', 'print the parsed runbook as JSON')
    .option('--lang <tag>', 'show the runbook in this language, from its translation (default: $SEV_LANG when it has one)')
    .action(async (ref: string, options: object, command: Command) =>
      (await import('./commands/show.js')).showCommand(ref, withGlobals(options, command)),
    );

  cli
    .command('run')
    .description('walk a runbook step by step, keeping every answer and result in an incident log')
    .argument('[runbook]', 'runbook id or path (without one, pick from a list)')
    .option('--answers <file>', 'YAML file of input values and step answers, for drills and automation')
    .option('-y, --yes', 'answer confirmations yes, run commands without asking, take input defaults')
    .option('--dry-run', 'walk the steps and show every command, but execute nothing; the log is marked as a dry run')
    .option('--set <name=value>', 'give an input value (repeatable)', collect)
    .option('--as <name>', 'responder name (default: your login name)')
    .option('--severity <sev>', "starting severity, SEV1 to SEV4 (default: the runbook's)")
    .option('--lang <tag>', 'show the runbook in this language, from its translation (default: $SEV_LANG when it has one)')
    .option(
      '--alert <file>',
      'start from an Alertmanager webhook payload (- for stdin): runbook and severity from the triage matrix unless given, inputs prefilled, milestones dated',
    )
    .option('--alert-index <n>', 'which alert of the payload, counted from 1 (default: the first firing one)')
    .option('--new', 'start a new incident even if one of this runbook is open or paused')
    .option('--resume', 'resume the open or paused incident of this runbook instead of starting another')
    .action(async (ref: string | undefined, options: object, command: Command) =>
      (await import('./commands/run.js')).runCommand(ref, withGlobals(options, command)),
    );

  cli
    .command('drill')
    .description('practise a runbook against a failing demo wallet on 127.0.0.1, walked as a real incident marked as a drill, then scored')
    .argument('[runbook]', 'runbook id (sev drill --list shows the scenarios)')
    .option('--list', 'list the drill scenarios (of this runbook, when one is named)')
    .option(
      '--history',
      'the drills played in the incident directory, and how often each scenario was (of this runbook, when one is named)',
    )
    .option('--responder <name>', "with --history: only this responder's drills")
    .option('--json', 'with --list or --history: print JSON')
    .option('--scenario <name>', 'which scenario of the runbook (default: its first)')
    .option('--random', 'a scenario picked by the seed (of this runbook, when one is named): the pager tells you the fault')
    .option('--seed <n>', 'seed of the demo traffic, for a drill that can be played again the same way')
    .option('--answers <file>', 'YAML file of step answers (the drill fills in the inputs)')
    .option('-y, --yes', 'answer confirmations yes, run commands without asking, take input defaults')
    .option('--set <name=value>', "give an input value (repeatable; over the drill's own)", collect)
    .option('--as <name>', 'responder name (default: your login name)')
    .action(async (ref: string | undefined, options: object, command: Command) =>
      (await import('./commands/drill.js')).drillCommand(ref, withGlobals(options, command)),
    );

  cli
    .command('resume')
    .description('continue a paused or interrupted incident at the step where it stopped')
    .argument('[incident]', 'incident id, a unique part of it, or a log file (default: the only open one)')
    .option('--answers <file>', 'YAML file of step answers')
    .option('-y, --yes', 'answer confirmations yes, run commands without asking')
    .option('--set <name=value>', 'give an input value (repeatable)', collect)
    .option('--as <name>', 'responder name (default: your login name)')
    .option('--force', 'resume even though the runbook changed since the incident started')
    .option('--take-over', "take the incident over from a walker on another host that is gone (asks first; with --yes, doesn't)")
    .action(async (ref: string | undefined, options: object, command: Command) =>
      (await import('./commands/resume.js')).resumeCommand(ref, withGlobals(options, command)),
    );

  cli
    .command('config')
    .description(
      'print the settings in force and where each came from: flags, SEV_ variables, the config file, defaults (secrets never shown)',
    )
    .option('--json', 'print JSON')
    .action(async (options: object, command: Command) =>
      (await import('./commands/config.js')).configCommand(withGlobals(options, command)),
    );

  cli
    .command('init')
    .description(
      'scaffold a runbooks directory: an example runbook, the schemas editors read beside it, a sev.config.yaml and a CI workflow (never overwrites a file)',
    )
    .argument('[dir]', 'the directory (default: the runbooks directory in force, ./runbooks)')
    .action(async (dir: string | undefined, options: object, command: Command) =>
      (await import('./commands/init.js')).initCommand(dir, withGlobals(options, command)),
    );

  cli
    .command('schema')
    .description(
      "print a JSON Schema of sev (the runbook's, or: translation, triage, regulators, policy, answers, config), or its installed path",
    )
    .argument('[name]', 'which schema (default runbook)')
    .option('--path', 'print the path of the installed file instead')
    .action(async (name: string | undefined, options: object) => (await import('./commands/schema.js')).schemaCommand(name, options));

  cli
    .command('status')
    .description('list the incidents in the incident directory: step, severity, elapsed time, open/paused/closed')
    .option('--json', 'print JSON')
    .option('--all', 'also the dry runs that are closed')
    .action(async (options: object, command: Command) =>
      (await import('./commands/status.js')).statusCommand(withGlobals(options, command)),
    );

  cli
    .command('alert')
    .description('record an alert that arrived for a running incident; a resolved one is offered as evidence for the resolved milestone')
    .argument('<incident>', 'incident id, a unique part of it, or a log file')
    .argument('<payload>', 'Alertmanager webhook payload file, or - for stdin')
    .option('--answer <yes|no>', "mark the incident resolved at the alert's end (yes) or not (no), without asking")
    .option('--as <name>', 'who records it (default: your login name)')
    .action(async (ref: string, payload: string, options: object, command: Command) =>
      (await import('./commands/alert.js')).alertCommand(ref, payload, withGlobals(options, command)),
    );

  cli
    .command('note')
    .description("add a note to an incident's log, from any terminal, also while the run goes on")
    .argument('<incident>', 'incident id, a unique part of it, or a log file')
    .argument('<text...>', 'the note')
    .option('--action', 'record it as an action item for the postmortem')
    .option('--as <name>', 'who writes it (default: your login name)')
    .action(async (ref: string, words: string[], options: object, command: Command) =>
      (await import('./commands/note.js')).noteCommand(ref, words, withGlobals(options, command)),
    );

  cli
    .command('close')
    .description('close an abandoned or duplicate incident without walking it to the end; the reason goes into its log')
    .argument('<incident>', 'incident id, a unique part of it, or a log file')
    .requiredOption('--reason <text>', 'why it is closed, for the log and the postmortem')
    .addOption(new Option('--outcome <outcome>', 'how it ended').choices(['abandoned', 'duplicate']).default('abandoned'))
    .option('--as <name>', 'who closes it (default: your login name)')
    .action(async (ref: string, options: object, command: Command) =>
      (await import('./commands/close.js')).closeCommand(ref, withGlobals(options, command)),
    );

  cli
    .command('check')
    .description("run a runbook's checks only and print a table: how bad is it?")
    .argument('<runbook>', 'runbook id or path')
    .option('--answers <file>', 'YAML file with input values')
    .option('--set <name=value>', 'give an input value (repeatable)', collect)
    .option('--json', 'print JSON')
    .option('--lang <tag>', 'show the runbook in this language, from its translation (default: $SEV_LANG when it has one)')
    .action(async (ref: string, options: object, command: Command) =>
      (await import('./commands/check.js')).checkCommand(ref, withGlobals(options, command)),
    );

  cli
    .command('triage')
    .description('classify an anomaly by cause and impact, recommend the runbook and severity, and offer to start it')
    .option('--answers <file>', 'YAML file of answers (question id: value), for scripts and drills')
    .option('--json', 'print the verdict as JSON')
    .option('--matrix <file>', 'triage matrix (default: triage.yaml in --runbooks, else the shipped one)')
    .option('--run', 'start the recommended runbook at the derived severity without asking')
    .option('--run-answers <file>', 'answers file for the run that --run starts')
    .option('--set <name=value>', 'give an input value to the run (repeatable)', collect)
    .option('--as <name>', 'responder name for the run (default: your login name)')
    .option('--dry-run', 'start the run as a dry run: nothing is executed')
    .option('--new', 'start a new incident even if one of the runbook is open or paused')
    .option('--resume', 'resume the open or paused incident of the runbook instead of starting another')
    .option('--alert <file>', "recommend from an Alertmanager webhook payload (- for stdin) by the matrix's alert rules, instead of asking")
    .option('--alert-index <n>', 'which alert of the payload, counted from 1 (default: the first firing one)')
    .action(async (options: object, command: Command) =>
      (await import('./commands/triage.js')).triageCommand(withGlobals(options, command)),
    );

  cli
    .command('alerts')
    .description('list the firing alerts of an Alertmanager (API v2), and the runbook each calls for')
    .option('--alertmanager <url>', 'the Alertmanager to ask, such as http://localhost:9093')
    .option('--rules <file>', "YAML rules mapping alert labels to a runbook and severity (default: the triage matrix's alert rules)")
    .option('--matrix <file>', 'triage matrix whose alert rules apply (default: triage.yaml in --runbooks, else the shipped one)')
    .option('--payload <fingerprint>', 'print that alert as a webhook payload, for sev run --alert -')
    .option('--as <name>', 'responder name for the incident started from an alert (default: your login name)')
    .option('--dry-run', 'start that incident as a dry run: nothing is executed')
    .option('--all', 'also the silenced and inhibited alerts')
    .option('--timeout <seconds>', 'how long to wait for Alertmanager (default 10)')
    .option('--json', 'print JSON')
    .action(async (options: object, command: Command) =>
      (await import('./commands/alerts.js')).alertsCommand(withGlobals(options, command)),
    );

  cli
    .command('timeline')
    .description("merge every responder's log of an incident into one ordered timeline, with its metrics")
    .argument('<incident|log...>', 'an incident id (every log of it in the incident directory), or log files')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'md', 'json', 'csv', 'html']).default('text'))
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--tz <zone>', 'show times in this IANA time zone (default UTC)')
    .option('--force', 'merge logs of different incidents')
    .action(async (refs: string[], options: object, command: Command) =>
      (await import('./commands/timeline.js')).timelineCommand(refs, withGlobals(options, command)),
    );

  cli
    .command('postmortem')
    .description('write a blameless postmortem draft in Markdown from the logs of an incident')
    .argument('<incident|log...>', 'an incident id (every log of it in the incident directory), or log files')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--tz <zone>', 'show times in this IANA time zone (default UTC)')
    .option('--force', 'merge logs of different incidents')
    .action(async (refs: string[], options: object, command: Command) =>
      (await import('./commands/postmortem.js')).postmortemCommand(refs, withGlobals(options, command)),
    );

  cli
    .command('completion')
    .description('print the shell completion script for bash, zsh or fish: commands, options, runbook and incident ids')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: string) => (await import('./commands/completion.js')).completionCommand(shell));

  // What the completion script calls for each completion: `sev complete -- <words so far>`.
  cli
    .command('complete', { hidden: true })
    .argument('[words...]')
    .allowUnknownOption()
    .action(async (words: string[], options: object, command: Command) =>
      (await import('./commands/completion.js')).completeCommand(words, cli, withGlobals(options, command)),
    );

  for (const command of cli.commands) command.addHelpText('after', helpAfter(command.name()));
  return cli;
}

/** The one place where errors become messages and exit codes. */
export async function main(argv: string[]): Promise<void> {
  guardOutput({ closed: EXIT.outputClosed, failed: EXIT.usage });
  try {
    await program().parseAsync(argv);
  } catch (error) {
    process.exitCode = await exitCodeFor(error);
  }
}

async function exitCodeFor(error: unknown): Promise<number> {
  if (error instanceof ExitCode) return error.exitCode;
  if (error instanceof CommanderError) {
    // Commander has printed its message; --help and --version end with code 0.
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof UserError) {
    // Messages quote logs, paths and arguments: printed through the one sanitiser.
    const { printable, printableText } = await import('./report/sanitize.js');
    process.stderr.write(`sev: ${printable(error.message)}\n`);
    if (error.hint) process.stderr.write(`${printableText(error.hint)}\n`);
    return error.exitCode;
  }
  if (error instanceof InvalidRunbookError) {
    // Refuse with exactly the diagnostics `sev validate` prints.
    const { result } = error;
    const { formatText } = await import('./diagnostics/format-text.js');
    const { useColor } = await import('./ui/output.js');
    const report = {
      file: result.file,
      lines: result.source?.lines,
      diagnostics: result.diagnostics.filter((d) => d.severity === 'error'),
    };
    process.stderr.write(`${formatText([report], { strict: false, color: useColor(process.stderr), quiet: true })}\n`);
    process.stderr.write(`sev: ${error.message}\n`);
    return EXIT.usage;
  }
  const detail = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `sev: internal error: ${detail}\nThis is a bug in sev: please report it with the command you ran (set SEV_DEBUG=1 to see where it happened).\n`,
  );
  if (process.env.SEV_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return EXIT.internal;
}
