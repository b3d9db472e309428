import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, SEV, sev, tempDir } from '../helpers.js';

const has = (program: string) => spawnSync(program, ['--version'], { stdio: 'ignore' }).status === 0;
const BASH_COMPLETION = ['/usr/share/bash-completion/bash_completion', '/etc/bash_completion'].find(
  (f) => spawnSync('test', ['-f', f]).status === 0,
);

/** A workspace with a team runbook, an incident log, and `sev` on the PATH as a user has it. */
function workspace() {
  const dir = tempDir({
    'team/team-only.yaml': readFileSync(join(ROOT, 'test/fixtures/minimal.yaml'), 'utf8').replace('id: minimal', 'id: team-only'),
  });
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(SEV, join(bin, 'sev'));
  mkdirSync(join(dir, 'incidents'));
  const incident = '20261126T031502Z-server-failure-k3f9';
  writeFileSync(
    join(dir, 'incidents', `${incident}.ana.jsonl`),
    `${JSON.stringify({ v: 1, id: 'a', seq: 1, time: '2026-11-26T03:15:02.000Z', incident, actor: 'ana', type: 'incident.started', data: {} })}\n`,
  );
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, SEV_RUNBOOKS: 'team', SEV_INCIDENT_DIR: 'incidents', NO_COLOR: '1' };
  return { dir, env, incident };
}

describe.skipIf(!BASH_COMPLETION)(`bash completion${BASH_COMPLETION ? '' : ' (skipped: bash-completion not installed)'}`, () => {
  const w = workspace();
  /** What bash offers for the line, TAB pressed at its end: the generated script sourced, driven as bash drives it. */
  function complete(line: string): string[] {
    const words = line.split(' ');
    const script = [
      `source ${BASH_COMPLETION}`,
      'source <(sev completion bash)',
      // The function complete -p names is the one bash calls on TAB.
      `fn=$(complete -p sev | sed -E 's/.*-F ([^ ]+) .*/\\1/')`,
      `COMP_WORDS=(${words.map((x) => `'${x}'`).join(' ')}); COMP_CWORD=${words.length - 1}`,
      `COMP_LINE='${line}'; COMP_POINT=\${#COMP_LINE}`,
      '"$fn" sev; printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const r = spawnSync('bash', ['-c', script], { cwd: w.dir, env: w.env, encoding: 'utf8' });
    // Driven by hand, outside a real TAB, bash refuses the script's compopt calls; nothing else may complain.
    expect(r.stderr.split('\n').filter((l) => l && !/compopt: not currently executing completion function/.test(l))).toEqual([]);
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]!.trim());
  }

  it('registers a function for sev', () => {
    const r = spawnSync('bash', ['-c', `source ${BASH_COMPLETION}; source <(sev completion bash); complete -p sev`], {
      cwd: w.dir,
      env: w.env,
      encoding: 'utf8',
    });
    expect(r.stdout).toMatch(/^complete -F \S+ sev$/m);
  });

  it('completes commands, options, option values, runbook ids and incident ids', () => {
    expect(complete('sev ')).toEqual(expect.arrayContaining(['validate', 'run', 'resume', 'timeline', 'completion']));
    expect(complete('sev ')).not.toContain('complete');
    expect(complete('sev val')).toEqual(['validate']);
    expect(complete('sev run --dr')).toEqual(['--dry-run']);
    expect(complete('sev validate --format ')).toEqual(['text', 'json', 'github', 'sarif', 'junit', 'codequality']);
    expect(complete('sev run ')).toEqual(expect.arrayContaining(['team-only', 'server-failure', 'network']));
    expect(complete('sev show team')).toEqual(['team-only']);
    expect(complete('sev resume ')).toEqual([w.incident]);
    expect(complete('sev timeline 2026')).toEqual([w.incident]);
    expect(complete('sev completion ')).toEqual(['bash', 'zsh', 'fish']);
  });
});

describe.skipIf(!has('fish'))(`fish completion${has('fish') ? '' : ' (skipped: fish not installed)'}`, () => {
  it('completes commands and runbook ids', () => {
    const w = workspace();
    const ask = (line: string) =>
      spawnSync('fish', ['--no-config', '-c', `sev completion fish | source; complete -C '${line}'`], {
        cwd: w.dir,
        env: w.env,
        encoding: 'utf8',
      })
        .stdout.split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]);
    expect(ask('sev val')).toEqual(['validate']);
    expect(ask('sev run team')).toEqual(['team-only']);
    expect(ask('sev note ')).toContain(w.incident);
  });
});

describe.skipIf(!has('zsh'))(`zsh completion${has('zsh') ? '' : ' (skipped: zsh not installed)'}`, () => {
  it('is a script zsh parses, defining the completion function for sev', () => {
    const w = workspace();
    const script = sev(['completion', 'zsh']).stdout;
    const file = join(w.dir, '_sev');
    writeFileSync(file, script);
    expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
    const r = spawnSync('zsh', ['-f', '-c', `autoload -U compinit && compinit -u -D && source ${file} && print -r -- $_comps[sev]`], {
      cwd: w.dir,
      env: w.env,
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toMatch(/^_sev/);
  });
});

describe('sev completion', () => {
  it('refuses a shell it does not know, exit 2', () => {
    const r = sev(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sev: error: .*tcsh/);
  });
});
