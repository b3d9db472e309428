import type { Expect } from '../model.js';
import { parseDuration } from '../duration.js';
import { patternError } from '../regex.js';
import type { Path } from '../source.js';
import type { Rule } from './rule.js';

function regexProblem(pattern: string | undefined): string | undefined {
  if (pattern === undefined) return undefined;
  const error = patternError(pattern);
  return error && `invalid regular expression ${JSON.stringify(pattern)}: ${error}`;
}

export const invalidRegex: Rule = {
  id: 'invalid-regex',
  severity: 'error',
  description: 'A pattern or expectation is not a regular expression RE2 can take (RE2 syntax; patterns run in linear time).',
  check({ runbook, facts, report }) {
    // Paths are built only for a finding: this runs for every pattern of every file.
    for (let n = 0; n < facts.inputs.length; n++) {
      const input = facts.inputs[n]!;
      const problem = regexProblem(input.pattern);
      if (problem) report([...input.path, 'pattern'], problem);
    }
    const expectation = (expect: Expect, base: Path) => {
      let problem: string | undefined;
      if ((problem = regexProblem(expect.stdout))) report([...base, 'expect', 'stdout'], problem);
      if ((problem = regexProblem(expect.stderr))) report([...base, 'expect', 'stderr'], problem);
      if ((problem = regexProblem(expect.stdoutNot))) report([...base, 'expect', 'stdout_not'], problem);
    };
    for (let n = 0; n < runbook.checks.length; n++) expectation(runbook.checks[n]!.expect, runbook.checks[n]!.path);
    for (let n = 0; n < runbook.steps.length; n++) {
      const command = runbook.steps[n]!.command;
      if (command) expectation(command.expect, command.path);
    }
  },
};

/** Longest time limit that still makes sense for one check or wait during an incident. */
const MAX_DURATION_MS = 24 * 3_600_000;

function durationProblem(value: string): string | undefined {
  if (value === '') return undefined; // missing: the schema reports it
  const ms = parseDuration(value);
  if (ms === undefined) return `${JSON.stringify(value)} is not a duration: write it like 500ms, 30s, 5m, 1h or 1m30s`;
  if (ms === 0) return 'a duration of zero leaves no time at all: give it a positive value';
  if (ms > MAX_DURATION_MS) return `${value} is longer than 24h: an incident step should not wait that long`;
  return undefined;
}

export const invalidDuration: Rule = {
  id: 'invalid-duration',
  severity: 'error',
  description: 'A timeout or interval is not a duration like 500ms, 30s, 5m, 1h or 1m30s.',
  check({ runbook, report }) {
    // Defaults filled in by the model are valid, so checking every value checks what the author wrote.
    // Paths are built only for a finding.
    let problem: string | undefined;
    for (let n = 0; n < runbook.checks.length; n++) {
      const check = runbook.checks[n]!;
      if ((problem = durationProblem(check.timeout))) report([...check.path, 'timeout'], problem);
      if ((problem = durationProblem(check.interval))) report([...check.path, 'interval'], problem);
    }
    for (let n = 0; n < runbook.steps.length; n++) {
      const step = runbook.steps[n]!;
      if (step.command && (problem = durationProblem(step.command.timeout))) report([...step.command.path, 'timeout'], problem);
      if (step.wait) {
        if ((problem = durationProblem(step.wait.timeout))) report([...step.path, 'wait', 'timeout'], problem);
        if ((problem = durationProblem(step.wait.interval))) report([...step.path, 'wait', 'interval'], problem);
      }
    }
  },
};

export const unconfirmedCommand: Rule = {
  id: 'unconfirmed-command',
  severity: 'warning',
  description: 'A command that changes state runs without asking the responder first.',
  check({ runbook, report }) {
    for (let n = 0; n < runbook.steps.length; n++) {
      const step = runbook.steps[n]!;
      const command = step.command;
      if (command && command.changesState && !command.confirm) {
        report(
          [...command.path, 'confirm'],
          `step "${step.id}" changes state without a confirmation: remove confirm: false, or mark the command changes_state: false if it only reads`,
        );
      }
    }
  },
};

export const missingResolvedMilestone: Rule = {
  id: 'missing-resolved-milestone',
  severity: 'warning',
  description: 'No step records the resolved milestone, so time to resolve cannot be measured.',
  check({ runbook, report }) {
    if (runbook.class === 'customer-care') return; // follow-up work after an incident has no outage to resolve
    if (runbook.steps.some((s) => s.milestone === 'resolved')) return;
    report(['steps'], 'no step has milestone: resolved, so the postmortem cannot measure time to resolve', { part: 'key' });
  },
};

export const milestoneOrder: Rule = {
  id: 'milestone-order',
  severity: 'warning',
  description: 'Milestones appear out of their natural order (detected, acknowledged, mitigated, resolved) in the step list.',
  check({ runbook, report }) {
    const order = ['impact-started', 'detected', 'acknowledged', 'mitigated', 'resolved'];
    let last: { rank: number; id: string } | undefined;
    for (let n = 0; n < runbook.steps.length; n++) {
      const step = runbook.steps[n]!;
      if (!step.milestone) continue;
      const rank = order.indexOf(step.milestone);
      if (last && rank < last.rank) {
        report(
          [...step.path, 'milestone'],
          `milestone ${step.milestone} comes after ${order[last.rank]} (step "${last.id}") in the list: the metrics assume the natural order`,
        );
      }
      if (!last || rank > last.rank) last = { rank, id: step.id };
    }
  },
};
