import { END, successors, type Runbook, ACTION_KINDS } from '../model.js';
import { closest } from '../suggest.js';
import type { Rule } from './rule.js';

const RESERVED_STEP_IDS = new Set([END]);

export const duplicateStepId: Rule = {
  id: 'duplicate-step-id',
  severity: 'error',
  description: 'Two steps share an id, so a jump to it is ambiguous.',
  check({ runbook, report }) {
    const first = new Map<string, number>();
    for (const step of runbook.steps) {
      if (RESERVED_STEP_IDS.has(step.id)) {
        report([...step.path, 'id'], `step id "${step.id}" is reserved: it means the end of the runbook`);
      }
      const earlier = first.get(step.id);
      if (earlier === undefined) first.set(step.id, step.index);
      else report([...step.path, 'id'], `step id "${step.id}" is already used by step ${earlier + 1}`);
    }
  },
};

/** Every jump in a runbook, with the path of the value that names its target. */
function jumps(runbook: Runbook): { target: string; path: readonly (string | number)[] }[] {
  const out: { target: string; path: readonly (string | number)[] }[] = [];
  for (const step of runbook.steps) {
    if (step.next !== undefined) out.push({ target: step.next, path: [...step.path, 'next'] });
    for (const option of step.choice?.options ?? []) {
      if (option.goto !== undefined) out.push({ target: option.goto, path: [...option.path, 'goto'] });
    }
    for (const action of [step.confirm?.onNo, step.wait?.onTimeout, step.onFail]) {
      if (action?.kind === 'goto') out.push({ target: action.target, path: action.path });
    }
  }
  return out;
}

export const unknownStep: Rule = {
  id: 'unknown-step',
  severity: 'error',
  description: 'A jump (next, goto) names a step that does not exist.',
  check({ runbook, report }) {
    const ids = new Set(runbook.steps.map((s) => s.id));
    for (const { target, path } of jumps(runbook)) {
      if (target === END || ids.has(target)) continue;
      const suggestion = closest(target, ids);
      report(path, `no step has the id "${target}"${suggestion ? `: did you mean "${suggestion}"?` : ''}`);
    }
  },
};

function reachableFrom(runbook: Runbook, start: string[]): Set<string> {
  const byId = new Map(runbook.steps.map((s) => [s.id, s]));
  const seen = new Set<string>(start);
  const queue = [...start];
  while (queue.length) {
    const step = byId.get(queue.pop()!);
    if (!step) continue;
    for (const next of successors(runbook, step)) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

export const unreachableStep: Rule = {
  id: 'unreachable-step',
  severity: 'warning',
  description: 'No path from the first step leads to this step.',
  check({ runbook, report }) {
    const first = runbook.steps[0];
    if (!first) return;
    const reached = reachableFrom(runbook, [first.id]);
    for (const step of runbook.steps) {
      if (!reached.has(step.id)) report([...step.path, 'id'], `step "${step.id}" can never be reached from the first step`);
    }
  },
};

export const loopWithoutExit: Rule = {
  id: 'loop-without-exit',
  severity: 'error',
  description: 'Steps that jump among themselves with no way to reach the end.',
  check({ runbook, report }) {
    const ids = new Set(runbook.steps.map((s) => s.id));
    const byId = new Map(runbook.steps.map((s) => [s.id, s]));
    const after = (id: string) => reachableFrom(runbook, successors(runbook, byId.get(id)!));
    for (const step of runbook.steps) {
      if (byId.get(step.id) !== step) continue;
      const reached = after(step.id);
      // Unknown targets are reported by unknown-step; count them as exits so one mistake is reported once.
      const trapped = !reached.has(END) && [...reached].every((id) => ids.has(id));
      if (!trapped || !reached.has(step.id)) continue;
      const cycle = runbook.steps.filter((s) => reached.has(s.id) && after(s.id).has(step.id));
      if (cycle[0] !== step) continue;
      report(
        [...step.path, 'id'],
        `steps ${cycle.map((s) => s.id).join(' → ')} loop with no way to the end: add an exit (a choice, next: end, or on_fail: ask)`,
      );
    }
  },
};

export const stepActions: Rule = {
  id: 'multiple-actions',
  severity: 'error',
  description: 'A step does one thing: at most one of confirm, choice, input, checks, wait, command, announce.',
  check({ runbook, report }) {
    runbook.steps.forEach((step) => {
      const raw = step as unknown as Record<string, unknown>;
      const present = ACTION_KINDS.filter((k) => raw[k] !== undefined);
      if (present.length > 1) {
        report([...step.path, present[1]!], `step "${step.id}" has both ${present.join(' and ')}: split it into one step per action`, { part: 'key' });
      }
      if (step.kind === 'instructions' && !step.instructions) {
        report([...step.path, 'id'], `step "${step.id}" has nothing to do: give it instructions or an action`);
      }
    });
  },
};
