import { ACTION_KINDS, END, type Step } from '../model.js';
import type { RuleFacts } from './facts.js';
import type { Path } from '../source.js';
import { closest } from '../suggest.js';
import type { Rule } from './rule.js';

const RESERVED_STEP_IDS = new Set([END]);

/** How many actions a step has (read field by field: this runs for every step of every file). */
function actionCount(step: Step): number {
  return (
    (step.confirm !== undefined ? 1 : 0) +
    (step.choice !== undefined ? 1 : 0) +
    (step.input !== undefined ? 1 : 0) +
    (step.checks !== undefined ? 1 : 0) +
    (step.wait !== undefined ? 1 : 0) +
    (step.command !== undefined ? 1 : 0) +
    (step.announce !== undefined ? 1 : 0) +
    (step.regulator !== undefined ? 1 : 0)
  );
}

export const duplicateStepId: Rule = {
  id: 'duplicate-step-id',
  severity: 'error',
  description: 'Two steps share an id, so a jump to it is ambiguous.',
  check({ runbook, report }) {
    const first = new Map<string, number>();
    for (let n = 0; n < runbook.steps.length; n++) {
      const step = runbook.steps[n]!;
      if (RESERVED_STEP_IDS.has(step.id)) {
        report([...step.path, 'id'], `step id "${step.id}" is reserved: it means the end of the runbook`);
      }
      const earlier = first.get(step.id);
      if (earlier === undefined) first.set(step.id, step.index);
      else report([...step.path, 'id'], `step id "${step.id}" is already used by step ${earlier + 1}`);
    }
  },
};

export const unknownStep: Rule = {
  id: 'unknown-step',
  severity: 'error',
  description: 'A jump (next, goto) names a step that does not exist.',
  check({ runbook, facts, report }) {
    const ids = facts.byId;
    const unknown = (target: string | undefined): target is string => target !== undefined && target !== END && !ids.has(target);
    const missing = (target: string, path: Path) => {
      const suggestion = closest(target, ids.keys());
      report(path, `no step has the id "${target}"${suggestion ? `: did you mean "${suggestion}"?` : ''}`);
    };
    // Paths are built only for a finding: this runs for every jump of every file.
    for (let n = 0; n < runbook.steps.length; n++) {
      const step = runbook.steps[n]!;
      if (unknown(step.next)) missing(step.next, [...step.path, 'next']);
      const options = step.choice?.options ?? [];
      for (let k = 0; k < options.length; k++) if (unknown(options[k]!.goto)) missing(options[k]!.goto!, [...options[k]!.path, 'goto']);
      const onNo = step.confirm?.onNo;
      if (onNo?.kind === 'goto' && unknown(onNo.target)) missing(onNo.target, onNo.path);
      const onTimeout = step.wait?.onTimeout;
      if (onTimeout?.kind === 'goto' && unknown(onTimeout.target)) missing(onTimeout.target, onTimeout.path);
      if (step.onFail.kind === 'goto' && unknown(step.onFail.target)) missing(step.onFail.target, step.onFail.path);
    }
  },
};

function reachableFrom(facts: RuleFacts, start: string[]): Set<string> {
  const seen = new Set<string>(start);
  const queue = [...start];
  while (queue.length) {
    const targets = facts.nextById.get(queue.pop()!) ?? [];
    for (let k = 0; k < targets.length; k++) {
      const next = targets[k]!;
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
  check({ runbook, facts, report }) {
    const first = runbook.steps[0];
    if (!first) return;
    const reached = reachableFrom(facts, [first.id]);
    for (let n = 0; n < runbook.steps.length; n++) {
      const step = runbook.steps[n]!;
      if (!reached.has(step.id)) report([...step.path, 'id'], `step "${step.id}" can never be reached from the first step`);
    }
  },
};

/** Strongly connected components of a graph (Tarjan's algorithm, iterative so long chains cannot overflow the stack). */
function components(nodes: readonly string[], edges: (id: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { id: string; i: number; targets: readonly string[] }[] = [];
    const enter = (id: string) => {
      index.set(id, index.size);
      low.set(id, index.get(id)!);
      stack.push(id);
      onStack.add(id);
      work.push({ id, i: 0, targets: edges(id) });
    };
    enter(root);
    while (work.length) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.targets.length) {
        const target = frame.targets[frame.i++]!;
        if (!index.has(target)) enter(target);
        else if (onStack.has(target)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) !== index.get(frame.id)) continue;
      const component: string[] = [];
      let id: string;
      do {
        id = stack.pop()!;
        onStack.delete(id);
        component.push(id);
      } while (id !== frame.id);
      out.push(component);
    }
  }
  return out;
}

/**
 * The ids of the steps from which the end can be reached. Unknown targets are reported by unknown-step;
 * they count as exits so that one mistake is reported once. Found by sweeping the steps from the last
 * to the first until nothing changes: one sweep for a runbook whose jumps go forward, one more per jump back.
 */
function stepsThatCanExit({ byId, nextById }: RuleFacts): Set<string> {
  const canExit = new Set<string>();
  const ids = [...byId.keys()];
  for (let changed = true; changed;) {
    changed = false;
    for (let i = ids.length - 1; i >= 0; i--) {
      const id = ids[i]!;
      if (canExit.has(id)) continue;
      const targets = nextById.get(id)!;
      for (let k = 0; k < targets.length; k++) {
        const target = targets[k]!;
        if (target === END || !byId.has(target) || canExit.has(target)) {
          canExit.add(id);
          changed = true;
          break;
        }
      }
    }
  }
  return canExit;
}

export const loopWithoutExit: Rule = {
  id: 'loop-without-exit',
  severity: 'error',
  description: 'Steps that jump among themselves with no way to reach the end.',
  check({ runbook, facts, report }) {
    const { byId, nextById: next } = facts;
    const canExit = stepsThatCanExit(facts);
    // When every step can reach the end, no loop can be closed: the common case needs no more work.
    if (canExit.size === byId.size) return;
    const known = (id: string) => (next.get(id) ?? []).filter((target) => byId.has(target));
    for (const component of components([...byId.keys()], known)) {
      const loops = component.length > 1 || known(component[0]!).includes(component[0]!);
      if (!loops || component.some((id) => canExit.has(id))) continue;
      const members = new Set(component);
      const cycle = runbook.steps.filter((s) => members.has(s.id));
      report(
        [...cycle[0]!.path, 'id'],
        `steps ${[...new Set(cycle.map((s) => s.id))].join(' → ')} loop with no way to the end: add an exit (a choice, next: end, or on_fail: ask)`,
      );
    }
  },
};

export const multipleActions: Rule = {
  id: 'multiple-actions',
  severity: 'error',
  description: 'A step does one thing: at most one of confirm, choice, input, checks, wait, command, announce, regulator.',
  check({ runbook, report }) {
    for (let n = 0; n < runbook.steps.length; n++) {
      const step = runbook.steps[n]!;
      const actions = actionCount(step);
      if (actions > 1) {
        const present = ACTION_KINDS.filter((k) => step[k as keyof Step] !== undefined);
        report([...step.path, present[1]!], `step "${step.id}" has both ${present.join(' and ')}: split it into one step per action`, {
          part: 'key',
        });
      }
      if (step.kind === 'instructions' && !step.instructions) {
        report([...step.path, 'id'], `step "${step.id}" has nothing to do: give it instructions or an action`);
      }
    }
  },
};
