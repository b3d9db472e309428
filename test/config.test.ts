import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintConfigBytes } from '../src/config/config.js';
import { findConfigFile } from '../src/config/find.js';
import { resolveSettings } from '../src/config/settings.js';
import { UserError } from '../src/errors.js';
import { parseJson, readEvents, sev, tempDir } from './helpers.js';

const TEAM = `format: sevkit-config/v1
runbooks: ./ops
incident_dir: ./logs
responder: alice
channels:
  chat: { kind: slack, url_env: TEST_SLACK_URL }
  status: { kind: statuspage, page_id: p1, token_env: TEST_SP_TOKEN }
audiences:
  internal: [chat]
  users: [status, chat]
live: { channel: chat, severity: false }
`;

/** A team repository with a config at its root, a runbooks directory and a subdirectory to work from. */
function team(config = TEAM): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'sev.config.yaml'), config);
  mkdirSync(join(dir, 'ops'));
  mkdirSync(join(dir, 'deep', 'er'), { recursive: true });
  writeFileSync(
    join(dir, 'ops', 'tiny.yaml'),
    'format: sevkit/v1\nid: tiny\ntitle: Tiny\nclass: network\nseverity: SEV3\nsteps:\n  - id: only\n    confirm: Done?\n    milestone: resolved\n',
  );
  return dir;
}

const NO_ENV = { XDG_CONFIG_HOME: '/nonexistent/sev-tests' };

describe('finding the config file', () => {
  it('is found upward from the working directory, and a nearer one wins', () => {
    const dir = team();
    expect(findConfigFile(join(dir, 'deep', 'er'), NO_ENV)).toBe(join(dir, 'sev.config.yaml'));
    writeFileSync(join(dir, 'deep', '.sevrc.yaml'), 'responder: bob\n');
    expect(findConfigFile(join(dir, 'deep', 'er'), NO_ENV)).toBe(join(dir, 'deep', '.sevrc.yaml'));
  });

  it("falls back to the user's own file in $XDG_CONFIG_HOME/sev, and SEV_CONFIG names one outright", () => {
    const home = tempDir();
    mkdirSync(join(home, 'sev'));
    writeFileSync(join(home, 'sev', 'config.yaml'), 'responder: carol\n');
    const nowhere = tempDir();
    expect(findConfigFile(nowhere, { XDG_CONFIG_HOME: home })).toBe(join(home, 'sev', 'config.yaml'));
    const dir = team();
    expect(findConfigFile(nowhere, { XDG_CONFIG_HOME: home, SEV_CONFIG: join(dir, 'sev.config.yaml') })).toBe(join(dir, 'sev.config.yaml'));
    expect(() => findConfigFile(nowhere, { SEV_CONFIG: join(nowhere, 'missing.yaml') })).toThrow(UserError);
  });
});

describe('the settings in force', () => {
  it('takes a flag, else its SEV_ variable, else the config (with file:line), else the default', () => {
    const dir = team();
    const cwd = join(dir, 'deep');
    const fromConfig = resolveSettings({}, cwd, NO_ENV);
    expect(fromConfig.runbooks).toEqual({ value: join(dir, 'ops'), from: `${join(dir, 'sev.config.yaml')}:2` });
    expect(fromConfig.incidentDir.value).toBe(join(dir, 'logs'));
    expect(fromConfig.responder).toEqual({ value: 'alice', from: `${join(dir, 'sev.config.yaml')}:4` });
    const fromEnv = resolveSettings({}, cwd, { ...NO_ENV, SEV_RUNBOOKS: '/env/runbooks', SEV_INCIDENT_DIR: '/env/logs' });
    expect([fromEnv.runbooks, fromEnv.incidentDir]).toEqual([
      { value: '/env/runbooks', from: '$SEV_RUNBOOKS' },
      { value: '/env/logs', from: '$SEV_INCIDENT_DIR' },
    ]);
    const fromFlags = resolveSettings({ runbooks: 'r', incidentDir: 'i', as: 'dave' }, cwd, { ...NO_ENV, SEV_RUNBOOKS: '/env/runbooks' });
    expect([fromFlags.runbooks.from, fromFlags.incidentDir.from, fromFlags.responder?.value]).toEqual([
      '--runbooks',
      '--incident-dir',
      'dave',
    ]);
    const none = resolveSettings({}, tempDir(), NO_ENV);
    expect([none.configFile, none.runbooks, none.responder]).toEqual([undefined, { value: './runbooks', from: 'default' }, undefined]);
  });
});

describe('checking a config file', () => {
  it('reads channels by name and audiences, and reports what the schema and the names say, each at line:col', () => {
    const good = lintConfigBytes('sev.config.yaml', Buffer.from(TEAM));
    expect(good.diagnostics).toEqual([]);
    expect(good.config?.channels.map((c) => [c.name, c.kind])).toEqual([
      ['chat', 'slack'],
      ['status', 'statuspage'],
    ]);
    expect(good.config?.live).toEqual({ channel: 'chat', milestones: true, severity: false });

    const bad = lintConfigBytes(
      'sev.config.yaml',
      Buffer.from(
        'runbook: ops\nchannels:\n  chat: { kind: slack }\n  mail: { kind: email, from: a@b.c, to: [x@y.z], host: h, password: hunter2 }\n',
      ),
    );
    expect(bad.diagnostics.map((d) => `${d.line}:${d.col} ${d.rule} ${d.message}`)).toEqual([
      '1:1 unknown-key unknown key "runbook": did you mean "runbooks"? (allowed: format, runbooks, incident_dir, responder, policy, channels, audiences, live)',
      '3:9 schema missing required key "url_env"',
      expect.stringMatching(/^4:59 unknown-key unknown key "password" \(allowed: .*password_env/),
    ]);

    const names = lintConfigBytes(
      'sev.config.yaml',
      Buffer.from('channels:\n  chat: { kind: slack, url_env: U }\naudiences:\n  users: [chat, pager]\nlive: { channel: feed }\n'),
    );
    expect(names.diagnostics.map((d) => `${d.line}:${d.col} ${d.rule}`)).toEqual(['4:17 undefined-channel', '5:18 undefined-channel']);
  });
});

describe('sev config and the commands that read it (bin/sev.js)', () => {
  it('prints the settings in force and where each came from; secrets by the name of their variable, never their value', () => {
    const dir = team();
    const secret = 'https://hooks.slack.com/services/T000/B000/s3cr3t-token';
    const text = sev(['config'], { cwd: join(dir, 'deep', 'er'), env: { TEST_SLACK_URL: secret } });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`runbooks     ${join(dir, 'ops')}  (${join(dir, 'sev.config.yaml')}:2)`);
    expect(text.stdout).toMatch(/chat\s+slack\s+url from \$TEST_SLACK_URL \(set\)/);
    expect(text.stdout).toMatch(/status\s+statuspage\s+token from \$TEST_SP_TOKEN \(not set\)/);
    expect(text.stdout).not.toContain('s3cr3t');
    const json = parseJson<{ runbooks: { from: string }; responder: { value: string }; audiences: Record<string, string[]> }>(
      sev(['config', '--json'], { cwd: dir, env: { TEST_SLACK_URL: secret, SEV_RUNBOOKS: join(dir, 'ops') } }).stdout,
    );
    expect([json.runbooks.from, json.responder.value, json.audiences.users]).toEqual(['$SEV_RUNBOOKS', 'alice', ['status', 'chat']]);
  });

  it('gives every command the runbooks directory, the incident directory and the responder of the config', () => {
    const dir = team();
    const cwd = join(dir, 'deep');
    expect(sev(['list', '--json'], { cwd }).stdout).toContain('"id": "tiny"');
    const run = sev(['run', 'tiny', '--yes'], { cwd });
    expect(run.code).toBe(0);
    const [log] = readdirSync(join(dir, 'logs')).filter((f) => f.endsWith('.jsonl'));
    expect(log).toMatch(/-tiny-\w+\.alice\.jsonl$/);
    expect(readEvents(join(dir, 'logs', log!))[0]!.actor).toBe('alice');
    // A flag beats the config.
    expect(sev(['run', 'tiny', '--yes', '--as', 'bob', '--incident-dir', join(dir, 'other')], { cwd }).code).toBe(0);
    expect(readdirSync(join(dir, 'other')).filter((f) => f.endsWith('.bob.jsonl'))).toHaveLength(1);
  });

  it('refuses a broken config with its first problem at file:line:col, while sev validate checks it', () => {
    const dir = team('runbooks: ./ops\nchannels:\n  chat: { kind: slak, url_env: U }\n');
    const refused = sev(['list'], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^sev: .*sev\.config\.yaml:3:\d+: "kind" must be one of slack, mattermost/m);
    const checked = sev(['validate'], { cwd: dir });
    expect(checked.code).toBe(1);
    expect(checked.stdout).toMatch(/sev\.config\.yaml:3:\d+: error: "kind" must be one of/);
    expect(checked.stdout).toContain('1 file checked');
  });

  it('says what to do when there is nothing to validate, and a runbooks directory the config names must exist', () => {
    const empty = sev(['validate'], { cwd: tempDir() });
    expect([empty.code, empty.stderr]).toEqual([
      2,
      expect.stringMatching(/^sev: nothing to check: no \.\/runbooks directory here\n.*sev\.config\.yaml/) as unknown as string,
    ]);
    const dir = team('runbooks: ./gone\n');
    const missing = sev(['list'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`runbooks directory ${join(dir, 'gone')} (from ${join(dir, 'sev.config.yaml')}:1): no such directory`);
  });
});
