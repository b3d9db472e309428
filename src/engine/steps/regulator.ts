import type { AssessedNotificationData } from '../../incident/events.js';
import type { IncidentState } from '../../incident/replay.js';
import {
  anchorsOf,
  dueTimes,
  factDefault,
  lateness,
  neededFacts,
  readFact,
  verdict,
  type FactValue,
  type MilestoneTimes,
} from '../../regulator/assess.js';
import type { DeadlineName, NotificationDef } from '../../regulator/rules.js';
import { MissingAnswer } from '../errors.js';
import type { AssessmentView, FactQuestion, Filing } from '../responder.js';
import { timeForms, typedTime } from '../typed-time.js';
import { done, type StepContext, type StepRun } from './context.js';

/** A script's answer that cannot be used: the walk pauses for it to be corrected. */
function refuse(message: string): never {
  throw new MissingAnswer(message);
}

/** A time typed by a person, or one sev wrote (now, by default) with its milliseconds. */
function filingTime(value: string, now: Date): string | undefined {
  return typedTime(value, now);
}

function milestoneTimes(state: IncidentState): MilestoneTimes {
  const out: MilestoneTimes = {};
  for (const [name, m] of state.milestones) out[name] = m.at ?? m.time;
  return out;
}

function assessed(n: NotificationDef, facts: ReadonlyMap<string, FactValue>, state: IncidentState, now: string): AssessedNotificationData {
  const { applies, reason } = verdict(n, facts);
  const filed = (state.regulatorFilings.get(n.id) ?? new Map()) as Map<DeadlineName, string>;
  const anchors = anchorsOf(milestoneTimes(state), state.started, now);
  return {
    id: n.id,
    regulator: n.regulator,
    title: n.title,
    applies,
    reason,
    files: n.files,
    how: n.how,
    source: n.source,
    deadlines: dueTimes(n.deadlines, anchors, filed).map((d, k) => {
      const def = n.deadlines[k]!;
      return {
        name: d.name,
        rule: d.rule,
        within: def.within.text,
        ...(def.from ? { from: def.from } : {}),
        ...(def.after ? { after: def.after } : {}),
        ...(def.noLaterThan ? { noLaterThan: { within: def.noLaterThan.within.text, from: def.noLaterThan.from } } : {}),
        ...(d.due ? { due: d.due } : {}),
        ...(d.waitingFor ? { waitingFor: d.waitingFor } : {}),
      };
    }),
  };
}

/** A filing time is a UTC time, and not one still to come (a filing is recorded once it is made). */
function filingTimeProblem(ctx: StepContext, text: string): string | undefined {
  const when = filingTime(text, ctx.runner.now());
  if (!when) return `"${text}" is not a time: expected ${timeForms()}`;
  if (Date.parse(when) > ctx.runner.now().getTime() + 60_000) return `${when} is still to come: record a filing once it is made`;
  return undefined;
}

/**
 * Asks the facts the rules need (those the runbook's inputs answer are taken from them), says which
 * notifications apply and by when, and asks, deadline by deadline, whether each was filed.
 */
export const regulator: StepRun = async (step, ctx) => {
  const rules = ctx.regulatorRules();
  const now = ctx.runner.now();
  const milestones = milestoneTimes(ctx.state);
  const facts = new Map<string, FactValue>();
  const questions: FactQuestion[] = [];
  const fed = step.regulator?.facts ?? {};
  for (const def of neededFacts(rules)) {
    const input = fed[def.name];
    const given = input !== undefined ? ctx.state.inputs[input] : undefined;
    if (given !== undefined) {
      const read = readFact(def, given);
      if (typeof read !== 'string') {
        facts.set(def.name, { name: def.name, type: def.type, ...read, source: `input ${input}` });
        continue;
      }
      ctx.responder.info(`input ${input} does not answer ${def.name} (${read}): asking`);
    }
    const fallback = factDefault(def, milestones, now);
    questions.push({
      ...def,
      ...(fallback !== undefined ? { default: fallback } : {}),
      problem: (a) => {
        const r = readFact(def, a);
        return typeof r === 'string' ? r : undefined;
      },
    });
  }
  // Asked even when the inputs answer every fact: a script's entry for this visit (its filings) is taken here.
  {
    const reply = await ctx.settle(() => ctx.responder.regulatorFacts(ctx.view, questions));
    if (reply.kind !== 'answer') return reply;
    for (const q of questions) {
      const answer = reply.value[q.name];
      const text = answer === undefined || answer.trim() === '' ? q.default : answer;
      if (text === undefined) refuse(`step "${step.id}": no answer for the fact ${q.name} (${q.prompt})`);
      const read = readFact(q, text);
      if (typeof read === 'string') refuse(`step "${step.id}": fact ${q.name}: ${read}`);
      facts.set(q.name, {
        name: q.name,
        type: q.type,
        ...read,
        source: answer === undefined || answer.trim() === '' ? 'milestones' : 'answer',
      });
    }
  }

  const at = now.toISOString();
  const notifications = rules.notifications.map((n) => assessed(n, facts, ctx.state, at));
  ctx.emit('regulator.assessed', {
    step: step.id,
    rules: { file: rules.file, ...(rules.version ? { version: rules.version } : {}), hash: rules.hash },
    facts: Object.fromEntries([...facts.values()].map((f) => [f.name, { value: f.text, source: f.source }])),
    notifications,
  });
  const assessment: AssessmentView = {
    notice: rules.notice,
    rulesFile: rules.file,
    ...(rules.version ? { version: rules.version } : {}),
    facts: [...facts.values()],
    notifications,
    now: at,
  };
  ctx.responder.showAssessment(assessment);
  if (ctx.state.dryRun) {
    ctx.responder.info('dry run: no filing is asked or recorded');
    return done(ctx);
  }

  for (const def of rules.notifications) {
    let notification = notifications.find((n) => n.id === def.id)!;
    if (!notification.applies) continue;
    for (const name of def.deadlines.map((d) => d.name)) {
      if (ctx.state.regulatorFilings.get(def.id)?.has(name)) continue;
      const deadline = notification.deadlines.find((d) => d.name === name)!;
      const question = {
        notification,
        deadline,
        by: ctx.state.responder,
        now: ctx.runner.now().toISOString(),
        timeProblem: (t: string) => filingTimeProblem(ctx, t),
      };
      const reply = await ctx.settle<Filing>(() => ctx.responder.regulatorFiled(ctx.view, question));
      if (reply.kind !== 'answer') return reply;
      const filing = reply.value;
      const base = {
        step: step.id,
        notification: def.id,
        regulator: def.regulator,
        deadline: name,
        ...(deadline.due ? { due: deadline.due } : {}),
      };
      if (!filing.filed) {
        ctx.emit('regulator.pending', base);
        break; // a later report follows this one: it is not asked before this one is filed
      }
      const problem = filingTimeProblem(ctx, filing.at);
      if (problem) refuse(`step "${step.id}": ${def.id} ${name}: ${problem}`);
      const when = filingTime(filing.at, ctx.runner.now())!;
      ctx.emit('regulator.filed', {
        ...base,
        at: when,
        by: ctx.mask(filing.by),
        ...(filing.reference ? { reference: ctx.mask(filing.reference) } : {}),
        lateMs: lateness(deadline.due, when),
      });
      // A later deadline that counts after this filing has its due time now.
      notification = assessed(def, facts, ctx.state, at);
    }
  }
  return done(ctx);
};
