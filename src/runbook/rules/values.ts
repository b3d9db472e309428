import type { Expect, InputDef, Runbook } from '../model.js';
import { parseDuration } from '../duration.js';
import { regexError } from '../regex.js';
import type { Path } from '../source.js';
import type { Rule } from './rule.js';

/** Calls `visit` with every regular expression of a runbook and the path (built on demand) of where it sits. */
function eachRegex(runbook: Runbook, inputs: readonly InputDef[], visit: (pattern: string, path: () => Path) => void): void {
  for (const input of inputs) if (input.pattern !== undefined) visit(input.pattern, () => [...input.path, 'pattern']);
  const expectation = (expect: Expect, base: Path) => {
    if (expect.stdout !== undefined) visit(expect.stdout, () => [...base, 'expect', 'stdout']);
    if (expect.stderr !== undefined) visit(expect.stderr, () => [...base, 'expect', 'stderr']);
    if (expect.stdoutNot !== undefined) visit(expect.stdoutNot, () => [...base, 'expect', 'stdout_not']);
  };
  for (const check of runbook.checks) expectation(check.expect, check.path);
  for (const step of runbook.steps) if (step.command) expectation(step.command.expect, step.command.path);
}

export const invalidRegex: Rule = {
  id: 'invalid-regex',
  severity: 'error',
  description: 'A pattern or expectation is not a valid JavaScript regular expression.',
  check({ runbook, facts, report }) {
    eachRegex(runbook, facts.inputs, (pattern, path) => {
      const error = regexError(pattern);
      if (error) report(path(), `invalid regular expression ${JSON.stringify(pattern)}: ${error}`);
    });
  },
};

/** Longest time limit that still makes sense for one check or wait during an incident. */
const MAX_DURATION_MS = 24 * 3_600_000;

export const invalidDuration: Rule = {
  id: 'invalid-duration',
  severity: 'error',
  description: 'A timeout or interval is not a duration like 500ms, 30s, 5m, 1h or 1m30s.',
  check({ runbook, report }) {
    // Defaults filled in by the model are valid, so checking every value checks what the author wrote.
    const duration = (value: string, path: () => Path) => {
      if (value === '') return; // missing: the schema reports it
      const ms = parseDuration(value);
      if (ms === undefined) report(path(), `${JSON.stringify(value)} is not a duration: write it like 500ms, 30s, 5m, 1h or 1m30s`);
      else if (ms === 0) report(path(), 'a duration of zero leaves no time at all: give it a positive value');
      else if (ms > MAX_DURATION_MS) report(path(), `${value} is longer than 24h: an incident step should not wait that long`);
    };
    for (const check of runbook.checks) {
      duration(check.timeout, () => [...check.path, 'timeout']);
      duration(check.interval, () => [...check.path, 'interval']);
    }
    for (const step of runbook.steps) {
      if (step.command) duration(step.command.timeout, () => [...step.command!.path, 'timeout']);
      if (step.wait) {
        duration(step.wait.timeout, () => [...step.path, 'wait', 'timeout']);
        duration(step.wait.interval, () => [...step.path, 'wait', 'interval']);
      }
    }
  },
};

export const unconfirmedCommand: Rule = {
  id: 'unconfirmed-command',
  severity: 'warning',
  description: 'A command that changes state runs without asking the responder first.',
  check({ runbook, report }) {
    for (const step of runbook.steps) {
      const command = step.command;
      if (command && command.changesState && !command.confirm) {
        report([...command.path, 'confirm'], `step "${step.id}" changes state without a confirmation: remove confirm: false, or mark the command changes_state: false if it only reads`);
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
    for (const step of runbook.steps) {
      if (!step.milestone) continue;
      const rank = order.indexOf(step.milestone);
      if (last && rank < last.rank) {
        report([...step.path, 'milestone'], `milestone ${step.milestone} comes after ${order[last.rank]} (step "${last.id}") in the list: the metrics assume the natural order`);
      }
      if (!last || rank > last.rank) last = { rank, id: step.id };
    }
  },
};
