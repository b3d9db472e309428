import { UserError } from '../../errors.js';
import type { EventData } from '../../incident/events.js';
import type { ProcessRef } from '../../incident/owner.js';
import type { Unfinished } from '../../incident/replay.js';
import { shownCommand } from '../../runbook/command-text.js';
import { durationMs } from '../../runbook/duration.js';
import { DEFAULTS, type Step } from '../../runbook/model.js';
import { unmet } from '../checks.js';
import { groupData, groupOf } from '../group-ref.js';
import { done, type StepContext, type StepEnd, type StepRun } from './context.js';

/**
 * Shows a command, asks before running it when the runbook says so, runs it and judges its result; a failure
 * is handled as the step's on_fail says. A command an earlier run started is settled before anything runs.
 */
export const command: StepRun = async (step, ctx) => {
  const command = step.command!;
  const text = shownCommand(command.run);
  let decided = false;
  // The command ran to its end in an earlier run that stopped before the step was completed: its
  // recorded result stands, and it is not run a second time.
  const finished = ctx.state.finishedCommand;
  if (finished && finished.step === step.id) {
    ctx.state.finishedCommand = undefined;
    ctx.responder.info(
      `the command already ran (it ended at ${finished.time}, ${finished.ok ? 'successfully' : 'failing'}): not running it again`,
    );
    if (finished.ok) return done(ctx);
    const end = await ctx.onFailure(step.onFail, { what: 'command', summary: `${text}: failed at ${finished.time}, in the earlier run` });
    if (end !== 'retry') return end;
  }
  const unfinished = ctx.state.unfinishedCommand;
  if (unfinished && unfinished.step === step.id) {
    const end = await settleUnfinished(step, ctx, unfinished);
    if (end !== 'rerun') return end;
    decided = true;
  }
  for (;;) {
    ctx.responder.showCommand(text, { dryRun: ctx.state.dryRun });
    let confirmedBy: EventData['command.started']['confirmedBy'] = decided ? 'rerun' : 'runbook';
    if (command.confirm && !ctx.yes && !decided) {
      const reply = await ctx.settle(() => ctx.responder.confirmCommand(ctx.view, text));
      if (reply.kind !== 'answer') return reply;
      if (!reply.value) return { kind: 'skip', reason: 'the responder chose not to run the command' };
      confirmedBy = 'responder';
    } else if (command.confirm && !decided) {
      confirmedBy = 'yes-flag';
    }
    decided = false;
    if (ctx.state.dryRun) {
      // The box above showed it as the command that would run: it is not printed a second time.
      ctx.responder.info('dry run: not run');
      ctx.emit('step.answered', { step: step.id, answer: 'dry run: command not run' });
      return done(ctx);
    }
    const start = (group?: ProcessRef) =>
      ctx.emit('command.started', {
        step: step.id,
        command: text,
        confirmedBy,
        changesState: command.changesState,
        ...(group ? groupData(group) : {}),
      });
    let logged = false;
    const progress = ctx.responder.commandStarted(text);
    const { result, raw } = await ctx.runner
      .command({
        run: command.run,
        env: ctx.env(command.env),
        timeoutMs: durationMs(command.timeout, DEFAULTS.timeout),
        // A state-changing command is killed only at the responder's Ctrl-C; hung up on or terminated, sev
        // leaves it to finish (within its time limit) and the next resume asks about it.
        signal: command.changesState ? ctx.signals.interrupt : ctx.signals.stop,
        ...(command.changesState && ctx.signals.leave ? { leaveSignal: ctx.signals.leave } : {}),
        mask: ctx.mask,
        // In the log, with its process group and host, before it runs: a later sev knows what may still run.
        onStart: (group) => {
          start(group);
          logged = true;
        },
        onOutput: (line) => progress.output(line),
      })
      .finally(() => progress.stop());
    if (!logged) start();
    const problem = result.error ?? (result.timedOut ? `timed out after ${command.timeout}` : unmet(command.expect, { ...result, ...raw }));
    const ok = problem === undefined;
    ctx.emit('command.finished', { ...result, step: step.id, ok });
    ctx.responder.commandFinished({ ...result, ok, reason: problem });
    if (ok) return done(ctx);
    const end = await ctx.onFailure(step.onFail, { what: 'command', summary: `${text}: ${problem}` });
    if (end !== 'retry') return end;
  }
};

/**
 * A command an earlier run started whose end is not in the log (sev was killed, or the log could not take
 * its result). It is never started again beside a copy that still runs, and a state-changing one is not
 * run again unless the responder says so: its effect may already be there.
 */
async function settleUnfinished(step: Step, ctx: StepContext, unfinished: Unfinished): Promise<StepEnd | 'rerun'> {
  const group = groupOf(unfinished);
  const record = (state: 'alive' | 'gone' | 'elsewhere', decision: EventData['command.unfinished']['decision']) =>
    ctx.emit('command.unfinished', {
      step: step.id,
      command: unfinished.command,
      startedAt: unfinished.time,
      state,
      decision,
      ...(unfinished.pgid === undefined ? {} : groupData(group)),
    });
  for (;;) {
    const state = unfinished.pgid === undefined ? 'gone' : ctx.runner.groupState(group);
    if (state === 'gone' && !unfinished.changesState) {
      ctx.responder.info(`the command started at ${unfinished.time} only reads and did not finish: running it again`);
      record(state, 'rerun');
      return 'rerun';
    }
    const choices = state === 'alive' ? (['wait', 'kill'] as const) : (['rerun', 'done', 'failed'] as const);
    const reply = await ctx.settle(() =>
      ctx.responder.unfinished(ctx.view, {
        command: unfinished.command,
        startedAt: unfinished.time,
        host: unfinished.host,
        pgid: unfinished.pgid,
        state,
        choices: [...choices],
      }),
    );
    if (reply.kind !== 'answer') return reply;
    const decision = reply.value;
    if (!(choices as readonly string[]).includes(decision))
      throw new UserError(`step "${step.id}": "${decision}" is not one of ${choices.join(', ')} here`);
    record(state, decision);
    switch (decision) {
      case 'wait':
        ctx.responder.info(`waiting for process group ${unfinished.pgid} to end (Ctrl-C pauses)`);
        await ctx.runner.awaitGroup(group, ctx.signals.any);
        continue;
      case 'kill':
        if (!(await ctx.runner.endGroup(group))) throw new UserError(`process group ${unfinished.pgid} did not end after SIGKILL`);
        continue;
      case 'rerun':
        return 'rerun';
      case 'done':
        return done(ctx);
      case 'failed': {
        const end = await ctx.onFailure(step.onFail, {
          what: 'command',
          summary: `${unfinished.command}: started at ${unfinished.time}, marked failed by the responder`,
        });
        return end === 'retry' ? 'rerun' : end;
      }
    }
  }
}
