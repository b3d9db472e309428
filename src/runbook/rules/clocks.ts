import type { Trigger } from '../../clocks/model.js';
import { closest } from '../suggest.js';
import type { Rule } from './rule.js';

const PARTS = [
  ['starts', 'starts'],
  ['while', 'while'],
  ['until', 'until'],
  ['met_by', 'metBy'],
] as const;

/**
 * A runbook clock names steps and inputs of this runbook; a name that is not there is a clock that never
 * starts, never stops or is never met, found in the middle of an incident rather than in CI.
 */
export const clockReference: Rule = {
  id: 'clock-reference',
  severity: 'error',
  description: 'A clock starts, stops or is met by a step or input the runbook does not have.',
  check({ runbook, facts, report }) {
    if (runbook.clocks.length === 0) return;
    // An input trigger reads the responder's input, or a fact a regulator step assessed.
    const values = new Set([...facts.inputNames, ...runbook.steps.flatMap((s) => Object.keys(s.regulator?.facts ?? {}))]);
    for (const clock of runbook.clocks) {
      for (const [key, field] of PARTS) {
        const t: Trigger | undefined = clock[field];
        const at = [...clock.path, key];
        if (t?.kind === 'step' && !facts.byId.has(t.step)) report([...at, 'step'], unknown('step', t.step, facts.byId.keys()));
        if (t?.kind === 'input' && !values.has(t.input)) report([...at, 'input'], unknown('input', t.input, values));
      }
    }
  },
};

/** Met by an announcement no step makes, /update still meets a clock; started by one, it never starts. */
export const clockNeverStarts: Rule = {
  id: 'clock-never-starts',
  severity: 'warning',
  description: 'A clock starts at an announcement to an audience no announce step speaks to.',
  check({ runbook, report }) {
    if (runbook.clocks.length === 0) return;
    const audiences = new Set(runbook.steps.flatMap((s) => (s.announce ? [s.announce.audience] : [])));
    const known = [...audiences].join(', ');
    for (const clock of runbook.clocks) {
      if (clock.starts.kind !== 'announcement' || audiences.has(clock.starts.audience)) continue;
      report(
        [...clock.path, 'starts', 'announcement'],
        `no announce step speaks to "${clock.starts.audience}", so the clock never starts${known ? ` (the steps announce to: ${known})` : ''}`,
      );
    }
  },
};

function unknown(what: 'step' | 'input', name: string, known: Iterable<string>): string {
  const guess = closest(name, known);
  return `no ${what} ${what === 'step' ? 'has the id' : 'is called'} "${name}"${guess ? `: did you mean "${guess}"?` : ''}`;
}
