import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../src/runbook/catalog.js';
import { textSlots } from '../src/runbook/translation.js';
import { ROOT } from './helpers.js';

/**
 * A shipped translation can only be as current as the English it was last checked against. This file keeps a
 * fingerprint of every English text of each translated runbook, as it was when its translations were last
 * read against it: an English text changed since fails here, by key, until the translations say it too and
 * `UPDATE_GOLDEN=1 npx vitest run test/translation-sources.test.ts` records the new fingerprints.
 */
const GOLDEN = join(ROOT, 'test/golden/translated-texts.json');
const RUNBOOKS = join(ROOT, 'runbooks');
const translated = [...new Set(readdirSync(RUNBOOKS).flatMap((f) => /^(.+)\.[a-z]{2,3}(-[A-Za-z0-9]+)+\.yaml$/.exec(f)?.[1] ?? []))].sort();

const fingerprint = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

async function englishTexts(id: string): Promise<Record<string, string>> {
  const { runbook } = await loadRunbook(join(RUNBOOKS, `${id}.yaml`), RUNBOOKS);
  return Object.fromEntries(textSlots(runbook).map((slot) => [slot.path.join('.'), fingerprint(slot.text)]));
}

describe('the shipped translations against the English they were checked with', () => {
  it('no English text of a translated runbook changed since its translations were last brought in line', async () => {
    const current: Record<string, Record<string, string>> = {};
    for (const id of translated) current[id] = await englishTexts(id);
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, `${JSON.stringify(current, null, 2)}\n`);
    expect(existsSync(GOLDEN), `${GOLDEN} is missing: run UPDATE_GOLDEN=1 npx vitest run test/translation-sources.test.ts`).toBe(true);
    const golden = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, Record<string, string>>;
    const changed = translated.flatMap((id) =>
      Object.entries(current[id]!)
        .filter(([key, hash]) => golden[id]?.[key] !== hash)
        .map(([key]) => `${id}: ${key}`),
    );
    expect(
      changed,
      'English texts changed since their translations were checked: update the translations, then record them with UPDATE_GOLDEN=1',
    ).toEqual([]);
    expect(Object.keys(golden).sort()).toEqual(translated);
  });
});
