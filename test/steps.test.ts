import { byHandOnly } from '../src/engine/announcer.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noMask } from '../src/engine/mask.js';
import type { ProcessRun, ProcessSpec } from '../src/engine/process.js';
import type { Failure, Reply, Responder, StepView } from '../src/engine/responder.js';
import type { Runner } from '../src/engine/runner.js';
import type { StepContext, StepEnd } from '../src/engine/steps/context.js';
import { STEPS } from '../src/engine/steps/table.js';
import { replay } from '../src/incident/replay.js';
import type { Action, Runbook } from '../src/runbook/model.js';
import { HEAD, memoryLog, runbookFrom } from './walk-fixtures.js';

// A step module is driven here with a context made by hand, no Walk: what it emits, what it asks the
// responder and the runner, and what it leaves to the context's failure policy are seen directly.

/** A context whose replies are given in turn, whose failure policy answers as `onFailure` says, and which records what the step did. */
function handMade(
  runbook: Runbook,
  stepId: string,
  replies: unknown[],
  options: { onFailure: 'retry' | StepEnd; runner?: Partial<Runner> },
) {
  const step = runbook.steps.find((s) => s.id === stepId)!;
  const emitted: [string, unknown][] = [];
  const failures: [Action['kind'], Failure][] = [];
  const asked: string[] = [];
  const { events, sink } = memoryLog();
  // Only what the steps below ask of a responder; anything else is a test's mistake and throws.
  const responder = new Proxy({} as Responder, {
    get: (_t, name: string) => {
      if (['info', 'showCommand', 'commandFinished'].includes(name)) return () => {};
      if (name === 'commandStarted') return () => ({ output: () => {}, stop: () => {} });
      if (['confirm', 'confirmCommand', 'choose'].includes(name))
        return (): Promise<Reply<unknown>> => {
          asked.push(name);
          if (!replies.length) return Promise.reject(new Error(`no reply left for ${name}`));
          return Promise.resolve({ kind: 'answer', value: replies.shift() });
        };
      throw new Error(`the step asked the responder for ${name}`);
    },
  });
  const view: StepView = {
    step,
    number: step.index + 1,
    total: runbook.steps.length,
    severity: 'SEV3',
    incident: 'INC-1',
    elapsedMs: 0,
    dryRun: false,
    visit: 1,
  };
  const ctx: StepContext = {
    runbook,
    state: replay(events),
    responder,
    runner: options.runner as Runner,
    announcer: byHandOnly,
    view,
    fallThrough: runbook.steps[step.index + 1]?.id ?? 'end',
    yes: false,
    signals: {},
    mask: noMask,
    emit: (type: string, data: unknown) => {
      emitted.push([type, data]);
      return sink(type as never, data as never);
    },
    settle: async (ask) => {
      const reply = await ask();
      if (
        reply.kind === 'note' ||
        reply.kind === 'severity' ||
        reply.kind === 'update' ||
        reply.kind === 'links' ||
        reply.kind === 'outline'
      )
        throw new Error('not in these tests');
      return reply;
    },
    onFailure: (action, failure) => {
      failures.push([action.kind, failure]);
      return Promise.resolve(options.onFailure);
    },
    askInput: () => Promise.resolve({ kind: 'pause' as const }),
    changeSeverity: () => {},
    text: (template) => template,
    env: (own) => ({ SEV_INCIDENT: 'INC-1', ...own }),
    checkRun: () => {
      throw new Error('no checks in these tests');
    },
    regulatorRules: () => {
      throw new Error('no regulator step in these tests');
    },
  };
  return { run: () => STEPS[step.kind](step, ctx), emitted, failures, asked };
}

describe('a step module with a hand-made context', () => {
  const runbook = runbookFrom(`${HEAD}
steps:
  - id: frozen
    confirm: Is the wallet frozen?
  - id: refund
    command: { run: [wallet-admin, refund, --batch, '7'], changes_state: true, env: { BATCH: '7' } }
    on_fail: { goto: frozen }
  - id: after
    instructions: Done.
`);

  it("confirm: a no goes to the context's failure policy, which retries; the yes after it is done", async () => {
    const s = handMade(runbook, 'frozen', [false, true], { onFailure: 'retry' });
    expect(await s.run()).toEqual({ kind: 'next', next: 'refund', result: 'done' });
    expect(s.asked).toEqual(['confirm', 'confirm']);
    expect(s.failures).toEqual([['ask', { what: 'confirm', summary: 'answered no to: Is the wallet frozen?' }]]);
    expect(s.emitted).toEqual([
      ['step.answered', { step: 'frozen', answer: 'no' }],
      ['step.answered', { step: 'frozen', answer: 'yes' }],
    ]);
  });

  it("command: runs through the context's runner with its environment, logs the start with the group, and hands a failure to the policy", async () => {
    const specs: ProcessSpec[] = [];
    const runner: Partial<Runner> = {
      command: (spec): Promise<ProcessRun> => {
        specs.push(spec);
        spec.onStart?.({ host: 'h1', pid: 99 });
        return Promise.resolve({
          result: { exit: 4, durationMs: 5, timedOut: false, stdout: '', stderr: 'batch locked' },
          raw: { stdout: '', stderr: 'batch locked' },
        });
      },
    };
    const s = handMade(runbook, 'refund', [true], { onFailure: { kind: 'next', next: 'frozen', result: 'failed' }, runner });
    expect(await s.run()).toEqual({ kind: 'next', next: 'frozen', result: 'failed' });
    expect(specs.map((p) => [p.run, p.env])).toEqual([[['wallet-admin', 'refund', '--batch', '7'], { SEV_INCIDENT: 'INC-1', BATCH: '7' }]]);
    expect(s.failures).toEqual([['goto', { what: 'command', summary: 'wallet-admin refund --batch 7: exit 4, expected 0' }]]);
    expect(s.emitted).toEqual([
      [
        'command.started',
        { step: 'refund', command: 'wallet-admin refund --batch 7', confirmedBy: 'responder', changesState: true, pgid: 99, host: 'h1' },
      ],
      ['command.finished', expect.objectContaining({ step: 'refund', ok: false, exit: 4 })],
    ]);
  });

  it('no step module imports the walk: the walk depends on its steps, never the other way', () => {
    const dir = join(import.meta.dirname, '../src/engine/steps');
    const importers = readdirSync(dir).filter((f) => /from '\.\.\/walk\.js'/.test(readFileSync(join(dir, f), 'utf8')));
    expect(readdirSync(dir)).toContain('command.ts');
    expect(importers).toEqual([]);
  });
});
