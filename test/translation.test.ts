import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintBytes, lintFiles } from '../src/lint/files.js';
import { applyTranslation, buildTranslation, textSlots } from '../src/runbook/translation.js';
import { parse } from 'yaml';
import { parseJson, tempDir } from './helpers.js';

// A runbook with every kind of text: inputs (one secret), a check, instructions, a confirm, a choice whose
// options have a value or none, an input step, an announcement, and a command.
const RUNBOOK = `format: sevkit/v1
id: refunds
title: Refunds stuck
version: "2.0.0"
class: data-error
severity: SEV2
summary: When refunds do not reach users.
inputs:
  region:
    prompt: Which region?
    description: The region whose refunds are stuck.
  token:
    prompt: API token
    secret: true
checks:
  queue:
    description: The refund queue drains
    run: ["curl", "-fsS", "http://127.0.0.1:9/queue"]
steps:
  - id: look
    title: Look at the queue
    instructions: Open the queue of {{ region }}.
    checks: [queue]
    on_fail: continue
    milestone: detected
  - id: declare
    choice:
      question: How bad?
      options:
        - { label: Every refund, value: all, severity: SEV1 }
        - { label: Some refunds }
    milestone: acknowledged
  - id: ticket
    input: { name: ticket, prompt: Ticket number }
  - id: drain
    title: Drain the queue
    command:
      run: refundctl drain --region "$SEV_REGION"
      env: { AUTH: "{{ token }}" }
    milestone: mitigated
  - id: tell
    announce:
      audience: users
      channel: App
      subject: Refunds are late
      message: Your refund for {{ ticket }} is on its way.
  - id: done
    confirm: Do refunds arrive again?
    milestone: resolved
`;

// A complete translation: every text of RUNBOOK, and nothing else.
const COMPLETE = `format: sevkit-translation/v1
translates: refunds
lang: de
runbook_version: "2.0.0"
title: Erstattungen hängen
summary: Wenn Erstattungen die Nutzer nicht erreichen.
inputs:
  region:
    prompt: Welche Region?
    description: Die Region, deren Erstattungen hängen.
  token:
    prompt: API-Token
checks:
  queue:
    description: Die Erstattungswarteschlange leert sich
steps:
  look:
    title: Warteschlange ansehen
    instructions: Die Warteschlange von {{ region }} öffnen.
  declare:
    choice:
      question: Wie schlimm?
      options:
        all: Jede Erstattung
        Some refunds: Einige Erstattungen
  ticket:
    input:
      prompt: Ticketnummer
  drain:
    title: Warteschlange leeren
  tell:
    announce:
      channel: App-Mitteilung
      subject: Erstattungen verspätet
      message: Ihre Erstattung für {{ ticket }} ist unterwegs.
  done:
    confirm: Kommen Erstattungen wieder an?
`;

const runbookOf = () => lintBytes('refunds.yaml', Buffer.from(RUNBOOK)).runbook!;
const translationOf = (text: string) => buildTranslation(parse(text), { file: 'refunds.de.yaml', hash: 'h' });

/** Lints the runbook and a translation together, as sev validate does; the translation's findings as `line:col severity [rule] message`. */
function findings(translation: string): string[] {
  const dir = tempDir({ 'refunds.yaml': RUNBOOK, 'refunds.de.yaml': translation });
  const [runbook, result] = lintFiles([join(dir, 'refunds.yaml'), join(dir, 'refunds.de.yaml')]);
  expect(runbook!.diagnostics).toEqual([]);
  return result!.diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} [${d.rule}] ${d.message}`);
}

describe('the overlay', () => {
  it('lists every text of the runbook as a slot keyed as a translation writes it', () => {
    expect(textSlots(runbookOf()).map((s) => s.path.join('.'))).toEqual([
      'title',
      'summary',
      'inputs.region.prompt',
      'inputs.region.description',
      'inputs.token.prompt',
      'checks.queue.description',
      'steps.look.title',
      'steps.look.instructions',
      'steps.declare.choice.question',
      'steps.declare.choice.options.all',
      'steps.declare.choice.options.Some refunds',
      'steps.ticket.input.prompt',
      'steps.drain.title',
      'steps.tell.announce.subject',
      'steps.tell.announce.channel',
      'steps.tell.announce.message',
      'steps.done.confirm',
    ]);
  });

  it('puts the translated texts in a copy of the runbook and keeps its commands, checks, jumps and values', () => {
    const runbook = runbookOf();
    const before = JSON.stringify(runbook);
    const shown = applyTranslation(runbook, translationOf(COMPLETE));
    expect(JSON.stringify(runbook), 'the runbook itself is left as it was').toBe(before);
    expect(shown).toMatchObject({
      title: 'Erstattungen hängen',
      lang: 'de',
      translation: { lang: 'de', file: 'refunds.de.yaml', hash: 'h' },
      hash: runbook.hash,
      file: 'refunds.yaml',
    });
    expect(shown.inputs.map((i) => [i.name, i.prompt, i.secret])).toEqual([
      ['region', 'Welche Region?', false],
      ['token', 'API-Token', true],
    ]);
    expect(shown.checks[0]).toMatchObject({
      description: 'Die Erstattungswarteschlange leert sich',
      run: ['curl', '-fsS', 'http://127.0.0.1:9/queue'],
    });
    const [look, declare, ticket, drain, tell, done] = shown.steps;
    expect(look).toMatchObject({
      title: 'Warteschlange ansehen',
      instructions: 'Die Warteschlange von {{ region }} öffnen.',
      checks: ['queue'],
      milestone: 'detected',
    });
    // Options keep their values (answers files and logs use them), a value-less one its English label as value.
    expect(declare!.choice!.options.map((o) => [o.value, o.label, o.severity])).toEqual([
      ['all', 'Jede Erstattung', 'SEV1'],
      ['Some refunds', 'Einige Erstattungen', undefined],
    ]);
    expect(ticket!.input).toMatchObject({ name: 'ticket', prompt: 'Ticketnummer' });
    expect(drain!.command).toMatchObject({ run: 'refundctl drain --region "$SEV_REGION"', env: { AUTH: '{{ token }}' } });
    expect(tell!.announce).toMatchObject({ audience: 'users', channel: 'App-Mitteilung', subject: 'Erstattungen verspätet' });
    expect(done!.confirm).toMatchObject({ question: 'Kommen Erstattungen wieder an?', onNo: { kind: 'ask' } });
    // Everything but the texts is the runbook's own.
    const strip = (rb: object) =>
      parseJson(
        JSON.stringify(rb, (k, v: unknown) =>
          [
            'title',
            'summary',
            'prompt',
            'description',
            'instructions',
            'question',
            'label',
            'subject',
            'channel',
            'message',
            'lang',
            'translation',
          ].includes(k)
            ? undefined
            : v,
        ),
      );
    expect(strip(shown)).toEqual(strip(runbook));
  });

  it("falls back to the runbook's own text for every text the translation leaves out", () => {
    const shown = applyTranslation(
      runbookOf(),
      translationOf('format: sevkit-translation/v1\ntranslates: refunds\nlang: de\nsteps:\n  drain:\n    title: Warteschlange leeren\n'),
    );
    expect(shown.title).toBe('Refunds stuck');
    expect(shown.steps.map((s) => s.title)).toEqual([
      'Look at the queue',
      undefined,
      undefined,
      'Warteschlange leeren',
      undefined,
      undefined,
    ]);
    expect(shown.steps[1]!.choice!.options.map((o) => o.label)).toEqual(['Every refund', 'Some refunds']);
  });
});

describe('a translation against its runbook, every finding at its file:line:col', () => {
  it('a complete translation for the current version is clean', () => {
    expect(findings(COMPLETE)).toEqual([]);
  });

  it('reports stray keys at the key: a step, an input, a check, an option, and a text the step does not have', () => {
    const stray = COMPLETE.replace('  token:\n', '  tokn:\n') // line 11
      .replace('  queue:\n', '  queu:\n') // line 14
      .replace('        all: Jede', '        alle: Jede') // line 24
      .replace('  drain:\n    title: Warteschlange leeren\n', '  drain:\n    title: Warteschlange leeren\n    confirm: Leeren?\n') // line 31
      .concat('  restart:\n    title: Neu starten\n'); // line 39
    const missing = (path: string) => `no de text for ${path}: the runbook's own text is shown`;
    expect(findings(stray)).toEqual([
      `7:1 warning [missing-translation] ${missing('inputs.token.prompt')}`,
      '11:3 error [stray-translation-key] refunds has no input "tokn": remove "tokn" or correct it',
      `13:1 warning [missing-translation] ${missing('checks.queue.description')}`,
      '14:3 error [stray-translation-key] refunds has no check "queu": remove "queu" or correct it',
      `23:7 warning [missing-translation] ${missing('steps.declare.choice.options.all')}`,
      '24:9 error [stray-translation-key] refunds has no option with the value "alle" in step "declare": remove "alle" or correct it',
      '31:5 error [stray-translation-key] refunds has no confirm text in step "drain": remove "confirm" or correct it',
      '39:3 error [stray-translation-key] refunds has no step "restart": remove "restart" or correct it',
    ]);
  });

  it('reports each missing text once: at the nearest key the translation has, or at the top of the file', () => {
    const partial = `format: sevkit-translation/v1
translates: refunds
lang: de
runbook_version: "2.0.0"
inputs:
  region:
    prompt: Welche Region?
steps:
  declare:
    choice:
      options:
        all: Jede Erstattung
  done:
    confirm: Kommen Erstattungen wieder an?
`;
    const missing = (path: string) => `no de text for ${path}: the runbook's own text is shown`;
    expect(findings(partial)).toEqual([
      `1:1 warning [missing-translation] ${missing('title')}`,
      `1:1 warning [missing-translation] ${missing('summary')}`,
      `1:1 warning [missing-translation] ${missing('checks.queue.description')}`,
      `5:1 warning [missing-translation] ${missing('inputs.token.prompt')}`,
      `6:3 warning [missing-translation] ${missing('inputs.region.description')}`,
      `8:1 warning [missing-translation] ${missing('steps.look.title')}`,
      `8:1 warning [missing-translation] ${missing('steps.look.instructions')}`,
      `8:1 warning [missing-translation] ${missing('steps.ticket.input.prompt')}`,
      `8:1 warning [missing-translation] ${missing('steps.drain.title')}`,
      `8:1 warning [missing-translation] ${missing('steps.tell.announce.subject')}`,
      `8:1 warning [missing-translation] ${missing('steps.tell.announce.channel')}`,
      `8:1 warning [missing-translation] ${missing('steps.tell.announce.message')}`,
      `10:5 warning [missing-translation] ${missing('steps.declare.choice.question')}`,
      `11:7 warning [missing-translation] ${missing('steps.declare.choice.options.Some refunds')}`,
    ]);
  });

  it("checks templates in translated texts with the runbook's inputs and the facts of a run", () => {
    const templated = COMPLETE.replace(
      'Die Warteschlange von {{ region }} öffnen.',
      'Die Warteschlange von {{ regoin }} öffnen, Token {{ token }}.',
    ) // line 19
      .replace('Ihre Erstattung für {{ ticket }} ist unterwegs.', 'Ihre Erstattung ({{ incident.id }}) ist {{ unterwegs'); // line 35
    expect(findings(templated)).toEqual([
      '19:19 warning [secret-in-text] secret input "token" is shown in a text: it will be masked; pass it to commands as $SEV_TOKEN instead',
      '19:19 error [undefined-input] {{ regoin }} is not an input or a fact of the incident: did you mean {{ region }}?',
      '35:16 error [template-syntax] unclosed "{{": close it with "}}"',
    ]);
  });

  it('warns about a translation written for another version, at its runbook_version, or at the top when it names none', () => {
    expect(findings(COMPLETE.replace('runbook_version: "2.0.0"', 'runbook_version: "1.9.0"'))).toEqual([
      '4:18 warning [outdated-translation] written for version 1.9.0 of refunds, which is at version 2.0.0 now: ' +
        'check the texts against it, then set runbook_version: "2.0.0"',
    ]);
    expect(findings(COMPLETE.replace('runbook_version: "2.0.0"\n', ''))).toEqual([
      '1:1 warning [outdated-translation] written for an unnamed version of refunds, which is at version 2.0.0 now: ' +
        'check the texts against it, then set runbook_version: "2.0.0"',
    ]);
  });

  it('refuses what is no text with the schema, at the key, and needs no other file for it', () => {
    const sneaky = COMPLETE.replace(
      '  drain:\n    title: Warteschlange leeren\n',
      '  drain:\n    title: Warteschlange leeren\n    command:\n      run: rm -rf /srv/refunds\n    next: done\n',
    ).replace('  region:\n    prompt: Welche Region?\n', '  region:\n    prompt: Welche Region?\n    default: eu-west\n');
    const result = lintBytes('refunds.de.yaml', Buffer.from(sneaky));
    expect(result.kind).toBe('translation');
    expect(result.diagnostics.map((d) => `${d.line}:${d.col} ${d.rule} ${d.message}`)).toEqual([
      expect.stringMatching(/^10:5 unknown-key unknown key "default"(: did you mean "\w+"\?)? \(allowed: prompt, description\)$/),
      '32:5 unknown-key unknown key "command" (allowed: title, instructions, confirm, choice, input, announce)',
      '34:5 unknown-key unknown key "next" (allowed: title, instructions, confirm, choice, input, announce)',
    ]);
  });
});

describe('telling a translation from a runbook', () => {
  it('goes by the format line, not by a mention of the format elsewhere', () => {
    const mentions = RUNBOOK.replace(
      'summary: When refunds do not reach users.',
      '# texts in other languages: format sevkit-translation/v1\nsummary: When refunds do not reach users.',
    );
    const runbook = lintBytes('refunds.yaml', Buffer.from(mentions));
    expect(runbook.kind).toBeUndefined();
    expect(runbook.diagnostics).toEqual([]);
    const v2 = lintBytes('refunds.de.yaml', Buffer.from(COMPLETE.replace('sevkit-translation/v1', '"sevkit-translation/v2"')));
    expect(v2.kind).toBe('translation');
    expect(v2.diagnostics.map((d) => `${d.line}:${d.col} ${d.rule} ${d.message}`)).toEqual([
      '1:9 schema "format" must be "sevkit-translation/v1", not "sevkit-translation/v2"',
    ]);
  });
});

describe('the compiled translation schema', () => {
  it('gives the same answer in its yes/no check and in its full validator, on mutations of the shipped translation', async () => {
    const { readFileSync } = await import('node:fs');
    const { ROOT } = await import('./helpers.js');
    const { isValid, fullValidator } = await import('../src/runbook/translation-schema-check.js');
    const base = parse(readFileSync(join(ROOT, 'runbooks/data-error.zh-CN.yaml'), 'utf8')) as Record<string, unknown>;
    expect(isValid(base)).toBe(true);
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const objects = (node: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] => {
      if (node && typeof node === 'object' && !Array.isArray(node)) {
        out.push(node as Record<string, unknown>);
        for (const v of Object.values(node)) objects(v, out);
      }
      return out;
    };
    const MUTATIONS = [
      (o: Record<string, unknown>) => (o.run = 'rm -rf /'),
      (o: Record<string, unknown>) => (o.goto = 'end'),
      (o: Record<string, unknown>) => {
        const k = Object.keys(o)[0];
        if (k) o[k] = 42;
      },
      (o: Record<string, unknown>) => {
        const k = Object.keys(o)[0];
        if (k) o[k] = '';
      },
      (o: Record<string, unknown>) => {
        const k = Object.keys(o)[0];
        if (k) delete o[k];
      },
      (o: Record<string, unknown>) => (o['Not-An-Id'] = { title: 'x' }),
    ];
    let invalid = 0;
    for (let n = 0; n < 300; n++) {
      const copy = structuredClone(base);
      const all = objects(copy);
      MUTATIONS[random(MUTATIONS.length)]!(all[random(all.length)]!);
      const full = fullValidator();
      const ok = full(copy);
      expect(isValid(copy), JSON.stringify(full.errors?.[0])).toBe(ok);
      if (!ok) invalid++;
    }
    expect(invalid).toBeGreaterThan(100);
  });
});
