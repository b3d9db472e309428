import { EXIT } from './errors.js';

/**
 * What `sev <command> --help` ends with: a few examples, then the exit codes the command can end with. The man
 * page is generated from the same help, so the two never disagree.
 */
const EXAMPLES: Record<string, string[]> = {
  validate: [
    'sev validate runbooks/',
    'sev validate --strict --format sarif runbooks/ > sev.sarif',
    'sev validate --format codequality > gl-code-quality-report.json',
  ],
  list: ['sev list', 'sev list --json | jq -r ".[].id"'],
  show: ['sev show server-failure', 'sev show ./ops/payments-down.yaml --json'],
  run: [
    'sev run --alert alert.json',
    'sev run network --answers drill.yaml --dry-run',
    'sev run server-failure --answers rest.yaml --resume',
  ],
  drill: [
    'sev drill server-failure --random',
    'sev drill server-failure --scenario api-killed --seed 42 --answers drill-answers.yaml',
    'sev drill --history --responder ana',
  ],
  resume: ['sev resume', 'sev resume k3f9 --answers rest.yaml', 'sev resume k3f9 --take-over'],
  config: ['sev config', 'sev config --json'],
  status: ['sev status', 'sev status --json', 'sev status --all'],
  close: [
    'sev close k3f9 --reason "false alarm: the probe was misconfigured"',
    'sev close q7x2 --outcome duplicate --reason "duplicate of 20261126T223105Z-server-failure-k3f9"',
  ],
  note: ['sev note k3f9 "rolled back to 2.4.1"', 'sev note k3f9 "add an alert on queue depth" --action'],
  check: ['sev check server-failure --set service=api', 'sev check network --json'],
  triage: ['sev triage', 'sev triage --answers answers.yaml --json', 'sev triage --answers answers.yaml --run'],
  alert: ['sev alert k3f9 resolved.json', 'sev alert k3f9 - --answer yes < resolved.json'],
  alerts: ['sev alerts --alertmanager http://localhost:9093', 'sev alerts --alertmanager http://am:9093 --rules alert-rules.yaml --json'],
  timeline: ['sev timeline k3f9', 'sev timeline k3f9 --format html --out timeline.html', 'sev timeline incidents/*.jsonl --format csv'],
  postmortem: ['sev postmortem k3f9 --out postmortem.md', 'sev postmortem k3f9 --tz Europe/Berlin'],
  init: ['sev init', 'sev init ops/runbooks'],
  schema: ['sev schema > runbook.schema.json', 'sev schema --path', 'sev schema config'],
  completion: [
    'sev completion bash > ~/.local/share/bash-completion/completions/sev',
    'sev completion zsh > "${fpath[1]}/_sev"',
    'sev completion fish > ~/.config/fish/completions/sev.fish',
  ],
};

/** What exit 1 means for each command that has such an outcome. */
const FINDINGS: Record<string, string> = {
  validate: 'a runbook has errors (or warnings, with --strict)',
  run: 'a step failed and the responder chose to stop',
  drill: "the drill's score is not perfect (the report says why), or a step failed and the responder chose to stop",
  resume: 'a step failed and the responder chose to stop',
  check: 'a check is CRITICAL or UNKNOWN',
  triage: 'the run that --run started stopped on a failed step',
};

/** What exit 130 means for each command that Ctrl-C can interrupt. */
const INTERRUPTED: Record<string, string> = {
  run: 'interrupted (Ctrl-C): the incident is paused, sev resume continues it',
  drill: 'interrupted (Ctrl-C): the demo wallet is stopped, the incident is paused',
  resume: 'interrupted (Ctrl-C): the incident is paused, sev resume continues it',
  triage: 'interrupted (Ctrl-C): the incident, if one started, is paused',
  check: 'interrupted (Ctrl-C): the running checks are stopped',
};

export function helpAfter(command: string): string {
  const examples = EXAMPLES[command] ?? [];
  const codes: [number, string][] = [[EXIT.ok, 'success']];
  if (FINDINGS[command]) codes.push([EXIT.findings, FINDINGS[command]]);
  codes.push([EXIT.usage, 'usage error: a bad flag or argument, a missing or invalid file']);
  codes.push([EXIT.internal, 'internal error: a bug in sev, please report it']);
  if (INTERRUPTED[command]) codes.push([EXIT.interrupted, INTERRUPTED[command]]);
  const lines = [
    '',
    'Examples:',
    ...examples.map((e) => `  $ ${e}`),
    '',
    'Exit codes:',
    ...codes.map(([code, meaning]) => `  ${String(code).padEnd(4)}${meaning}`),
  ];
  return lines.join('\n');
}

/** The commands that have examples: every command sev has, as the help test checks. */
export const COMMANDS_WITH_EXAMPLES = Object.keys(EXAMPLES);
