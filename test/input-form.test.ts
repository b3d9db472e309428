import { Chalk } from 'chalk';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import type { FormField, InputFormView, Reply, Responder } from '../src/engine/responder.js';
import { inputProblem } from '../src/engine/inputs.js';
import { MASK } from '../src/engine/mask.js';
import { Walk } from '../src/engine/walk.js';
import { replay } from '../src/incident/replay.js';
import type { InputDef } from '../src/runbook/model.js';
import { formCommand, formLines, withValue } from '../src/ui/input-form.js';
import { ScriptedResponder } from '../src/ui/scripted.js';
import { aStringContaining } from './helpers.js';
import { answersFile, HEAD, memoryLog, quiet, runbookFrom } from './walk-fixtures.js';

/** The inputs before step 1 as one form: its lines, what is typed at it, and how the walk logs what it settles. */

const RUNBOOK = runbookFrom(`${HEAD}inputs:
  health_url: { prompt: Health endpoint of the wallet API, default: "http://127.0.0.1:8080/health", pattern: "https?://\\\\S+" }
  symptom: { prompt: What do users see }
  db_url: { prompt: Connection URL of the wallet database, default: "postgresql://wallet_oncall@127.0.0.1:5432/wallet" }
  db_password: { prompt: Password of that database user, secret: true, required: false }
  app_server: { prompt: HAProxy server name of the failing app host, default: app1 }
  region: { prompt: Region, default: eu-west-1, choices: [eu-west-1, eu-central-1] }
steps:
  - id: look
    instructions: Look.
`);

const def = (name: string): InputDef => RUNBOOK.inputs.find((d) => d.name === name)!;
const field = (name: string, value?: string): FormField => ({
  def: def(name),
  value: value ?? def(name).default!,
  problem: (answer) => inputProblem(def(name), answer),
});
const FIELDS = ['health_url', 'db_url', 'app_server', 'region'].map((n) => field(n));

describe('the form’s lines', () => {
  for (const columns of [80, 140])
    it(`fit ${columns} columns, one input a line, each value whole`, () => {
      const lines = formLines(FIELDS, [{ name: 'service_name', value: 'wallet-api', secret: false }], columns);
      for (const line of lines) expect(stringWidth(line), line).toBeLessThan(columns);
      for (const f of FIELDS) expect(lines.some((l) => l.includes(f.def.name) && l.includes(f.value))).toBe(true);
      expect(lines.find((l) => l.includes('service_name'))).toMatch(/^\s+set\s+service_name\s+wallet-api\b/);
      expect(lines).toHaveLength(5);
    });

  it('show a description where there is room for one, and cut it with … where it is too long', () => {
    const wide = formLines(FIELDS, [], 140);
    expect(wide.find((l) => l.includes('app_server'))).toContain('HAProxy server name of the failing app host');
    const narrow = formLines(FIELDS, [], 60);
    expect(narrow.find((l) => l.includes('app_server'))).toMatch(/HAProxy.*…$/);
  });

  it('put a value too long for any line’s room on a line of its own, and cut it only past the whole width', () => {
    const long = field('db_url', `postgresql://${'x'.repeat(30)}@db.example.com:5432/wallet`);
    const lines = formLines([long], [], 60);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\s+1\*\s+db_url$/);
    expect(lines[1]).toMatch(/^ {8}postgresql:\/\/x{30}@db\.\S*…$/);
    expect(stringWidth(lines[1]!)).toBe(59);
    expect(formLines([long], [], 140)[0]).toContain(long.value);
  });

  it('mark a changed value, and never show a secret preset', () => {
    const lines = formLines([field('app_server', 'app2'), field('region')], [{ name: 'token', value: 'hunter2', secret: true }], 80);
    expect(lines[0]).toMatch(/^\s+1\* app_server\s+app2/);
    expect(lines[1]).toMatch(/^\s+2 {2}region\s+eu-west-1/);
    expect(lines.join('\n')).not.toContain('hunter2');
    expect(lines[2]).toMatch(new RegExp(`set\\s+token\\s+${MASK}`));
  });
});

describe('what is typed at the form', () => {
  it('Enter accepts all; a number or a name picks one; N=VALUE and name=VALUE change it at once', () => {
    expect(formCommand('', FIELDS)).toEqual({ kind: 'accept' });
    expect(formCommand(' 3 ', FIELDS)).toEqual({ kind: 'edit', field: 2 });
    expect(formCommand('region', FIELDS)).toEqual({ kind: 'edit', field: 3 });
    expect(formCommand('3=app2', FIELDS)).toEqual({ kind: 'set', field: 2, value: 'app2' });
    expect(formCommand('app_server=app=2', FIELDS)).toEqual({ kind: 'set', field: 2, value: 'app=2' });
  });

  it('refuses a number or name that is not in the list, and a value the input does not take', () => {
    expect(formCommand('9', FIELDS)).toEqual({ kind: 'problem', message: 'No input 9: type 1 to 4, or Enter to accept all.' });
    expect(formCommand('0=x', FIELDS).kind).toBe('problem');
    expect(formCommand('symptom=x', FIELDS)).toMatchObject({ kind: 'problem', message: aStringContaining('"symptom"') });
    expect(formCommand('1=ftp://x', FIELDS)).toEqual({ kind: 'problem', message: 'health_url: must match the pattern https?://\\S+' });
    expect(formCommand('4=us-east-1', FIELDS)).toEqual({ kind: 'problem', message: 'region: must be one of: eu-west-1, eu-central-1' });
  });

  it('changes exactly one value; an emptied one is its default again', () => {
    const changed = withValue(FIELDS, 2, 'app2');
    expect(changed.map((f) => f.value)).toEqual(['http://127.0.0.1:8080/health', FIELDS[1]!.value, 'app2', 'eu-west-1']);
    expect(FIELDS[2]!.value).toBe('app1');
    expect(withValue(changed, 2, '')[2]!.value).toBe('app1');
  });
});

/** A person at a terminal, as far as the inputs go: the form answered by `form`, each other input by `inputs`; pauses at step 1. */
function person(form: (view: InputFormView) => Reply<Record<string, string>>, inputs: Record<string, string> = {}) {
  const seen: { forms: InputFormView[]; asked: { name: string; problem?: string }[] } = { forms: [], asked: [] };
  const responder = {
    inputForm: (view: InputFormView) => {
      seen.forms.push(view);
      return Promise.resolve(form(view));
    },
    input: (d: InputDef, problem?: string): Promise<Reply<string>> => {
      seen.asked.push({ name: d.name, ...(problem ? { problem } : {}) });
      return Promise.resolve({ kind: 'answer', value: inputs[d.name] ?? '' });
    },
    acknowledge: (): Promise<Reply<true>> => Promise.resolve({ kind: 'pause' }),
    useMask: () => undefined,
    info: () => undefined,
  } as unknown as Responder;
  return { responder, seen };
}

async function walkWith(fallback: Responder, options: { presets?: Record<string, string>; answers?: string } = {}) {
  const log = memoryLog();
  const responder = new ScriptedResponder({
    yes: false,
    ...(options.answers ? { answers: answersFile(options.answers) } : {}),
    fallback,
    out: quiet(),
    color: new Chalk({ level: 0 }),
  });
  const outcome = await new Walk({
    runbook: RUNBOOK,
    state: replay(log.events),
    sink: log.sink,
    responder,
    presets: options.presets,
  }).run();
  return { outcome, inputs: log.of('input.set') };
}

const all = (view: InputFormView) => Object.fromEntries(view.fields.map((f) => [f.def.name, f.value]));

describe('the walk’s inputs through the form', () => {
  it('asks the inputs with defaults as one form, the others one by one after it, and logs all in the runbook’s order', async () => {
    const { responder, seen } = person((view) => ({ kind: 'answer', value: all(view) }), { symptom: 'errors', db_password: 's3cret' });
    const { outcome, inputs } = await walkWith(responder);
    expect(outcome).toMatchObject({ kind: 'paused' });
    expect(seen.forms).toHaveLength(1);
    expect(seen.forms[0]!.fields.map((f) => f.def.name)).toEqual(['health_url', 'db_url', 'app_server', 'region']);
    expect(seen.asked).toEqual([{ name: 'symptom' }, { name: 'db_password' }]);
    expect(inputs).toEqual([
      { name: 'health_url', value: 'http://127.0.0.1:8080/health' },
      { name: 'symptom', value: 'errors' },
      { name: 'db_url', value: 'postgresql://wallet_oncall@127.0.0.1:5432/wallet' },
      { name: 'db_password', secret: true },
      { name: 'app_server', value: 'app1' },
      { name: 'region', value: 'eu-west-1' },
    ]);
  });

  it('one value changed at the form changes exactly that input.set: the log is the one an answers file with that value writes', async () => {
    const { responder } = person((view) => ({ kind: 'answer', value: { ...all(view), app_server: 'app2' } }), { symptom: 'errors' });
    const edited = await walkWith(responder);
    const accepted = await walkWith(person((view) => ({ kind: 'answer', value: all(view) }), { symptom: 'errors' }).responder);
    const differ = edited.inputs.filter((e, i) => JSON.stringify(e) !== JSON.stringify(accepted.inputs[i]));
    expect(differ).toEqual([{ name: 'app_server', value: 'app2' }]);
    const scripted = await walkWith(person(() => ({ kind: 'pause' })).responder, {
      answers: 'inputs:\n  symptom: errors\n  app_server: app2\n  db_password: ""\n',
    });
    expect(scripted.inputs).toEqual(edited.inputs);
  });

  it('shows --set values as set and never asks them', async () => {
    const { responder, seen } = person((view) => ({ kind: 'answer', value: all(view) }), { symptom: 'errors' });
    const { inputs } = await walkWith(responder, { presets: { app_server: 'app9', db_password: 'pw' } });
    expect(seen.forms[0]!.fields.map((f) => f.def.name)).toEqual(['health_url', 'db_url', 'region']);
    expect(seen.forms[0]!.preset).toEqual([
      { name: 'db_password', value: 'pw', secret: true },
      { name: 'app_server', value: 'app9', secret: false },
    ]);
    expect(seen.asked.map((a) => a.name)).toEqual(['symptom']);
    expect(inputs.find((e) => e.name === 'app_server')).toEqual({ name: 'app_server', value: 'app9' });
  });

  it('asks a value from the form that does not do again on its own, saying why', async () => {
    const { responder, seen } = person((view) => ({ kind: 'answer', value: { ...all(view), health_url: 'ftp://x' } }), {
      symptom: 'errors',
      health_url: 'https://ok.example',
    });
    const { inputs } = await walkWith(responder);
    expect(seen.asked[0]).toEqual({ name: 'health_url', problem: 'must match the pattern https?://\\S+' });
    expect(inputs[0]).toEqual({ name: 'health_url', value: 'https://ok.example' });
  });

  it('asks an input the form’s answer leaves out on its own, and logs nothing when the form is paused', async () => {
    const partial = person(() => ({ kind: 'answer', value: { region: 'eu-central-1' } }), { symptom: 'errors' });
    await walkWith(partial.responder);
    expect(partial.seen.asked.map((a) => a.name)).toEqual(['health_url', 'symptom', 'db_url', 'db_password', 'app_server']);
    const paused = await walkWith(person(() => ({ kind: 'pause' })).responder);
    expect(paused.outcome).toMatchObject({ kind: 'paused', reason: 'responder' });
    expect(paused.inputs).toEqual([]);
  });

  it('asks a lone input with a default at its own prompt: a form of one is no quicker', async () => {
    const { responder, seen } = person((view) => ({ kind: 'answer', value: all(view) }), { symptom: 'errors' });
    await walkWith(responder, { presets: { health_url: 'https://a.example', db_url: 'postgresql://b', region: 'eu-west-1' } });
    expect(seen.forms).toEqual([]);
    expect(seen.asked.map((a) => a.name)).toEqual(['symptom', 'db_password', 'app_server']);
  });
});
