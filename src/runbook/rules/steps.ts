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

export const loopWithoutExit: Rule = {
  id: 'loop-without-exit',
  severity: 'error',
  description: 'Steps that jump among themselves with no way to reach the end.',
  check({ runbook, report }) {
    const byId = new Map(runbook.steps.map((s) => [s.id, s]));
    const next = new Map([...byId].map(([id, step]) => [id, successors(runbook, step)]));
    // Steps from which the end can be reached, found backwards from the end. Unknown targets are reported
    // by unknown-step; they count as exits so that one mistake is reported once.
    const before = new Map<string, string[]>();
    for (const [id, targets] of next) {
      for (const target of targets) {
        if (!before.has(target)) before.set(target, []);
        before.get(target)!.push(id);
      }
    }
    const canExit = new Set([...before.keys()].filter((target) => target === END || !byId.has(target)));
    const queue = [...canExit];
    while (queue.length) {
      for (const id of before.get(queue.pop()!) ?? []) {
        if (canExit.has(id)) continue;
        canExit.add(id);
        queue.push(id);
      }
    }
    // When every step can reach the end, no loop can be closed: the common case needs no more work.
    if ([...byId.keys()].every((id) => canExit.has(id))) return;
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
