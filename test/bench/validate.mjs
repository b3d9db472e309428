// Validate throughput: `sev validate` against ajv-cli checking the same files against the same JSON
// Schema, on a corpus of 1,000 generated runbooks and on a repository of the size teams have, 20
// runbooks (variants of the shipped ones). sev does more (source positions, semantic rules); the
// targets say how much more time that may take.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_SEED, DEFAULT_SIZE, ensureCorpus } from './lib/corpus.mjs';
import { capture } from './lib/measure.mjs';
import { BENCH, CORPUS, ROOT, SCHEMA, SEV, node } from './lib/paths.mjs';

function ajvCli() {
  const require = createRequire(join(ROOT, 'package.json'));
  const pkgFile = require.resolve('ajv-cli/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.ajv;
  return { entry: join(dirname(pkgFile), bin), version: pkg.version };
}

function contenders(dir) {
  const ajv = ajvCli();
  return {
    ajvVersion: ajv.version,
    list: [
      {
        id: 'ajv',
        label: 'ajv-cli validate',
        command: node,
        // --all-errors and --strict-types=false: the options sev's own compiled validator uses; the schema's
        // messages for editors (errorMessage, patternErrorMessage) are keywords ajv-cli does not know, so
        // --strict-schema=log: warned about, not refused.
        args: [
          ajv.entry,
          'validate',
          '--spec=draft7',
          '--all-errors',
          '--strict-types=false',
          '--strict-schema=log',
          '-s',
          SCHEMA,
          '-d',
          join(dir, '*.yaml'),
        ],
      },
      {
        id: 'sev',
        label: 'sev validate --format json',
        command: node,
        args: [SEV, 'validate', dir, '--format', 'json'],
        env: { NO_COLOR: '1', FORCE_COLOR: '', GITHUB_ACTIONS: '' },
      },
    ],
  };
}

/** Both tools must say what we expect of them, or the timing compares nothing. */
function verify(list, files) {
  const [ajv, sev] = list;
  const s = capture(sev);
  let report;
  try {
    report = JSON.parse(s.stdout);
  } catch {
    throw new Error(`sev printed no JSON report (exit ${s.status}): ${s.stderr.trim().split('\n')[0] ?? ''}`);
  }
  if (report.files?.length !== files || report.errors !== 0 || s.status !== 0) {
    const first = report.diagnostics?.[0];
    throw new Error(
      `sev reported ${report.errors} errors in ${report.files?.length} files (exit ${s.status}), expected 0 in ${files}` +
        (first ? `; first: ${first.file}:${first.line}:${first.col} ${first.message}` : ''),
    );
  }
  const a = capture(ajv);
  const valid = a.stdout.split('\n').filter((l) => / valid$/.test(l)).length;
  const invalid = `${a.stdout}\n${a.stderr}`.split('\n').filter((l) => / invalid$/.test(l)).length;
  if (a.status !== 0 || valid !== files || invalid !== 0) {
    throw new Error(
      `ajv-cli found ${valid} valid and ${invalid} invalid of ${files} files (exit ${a.status}): ${a.stderr.trim().split('\n')[0] ?? ''}`,
    );
  }
  return { sev: { files: report.files.length, errors: report.errors, warnings: report.warnings }, ajv: { valid, invalid } };
}

/** A control: one runbook with a value the schema forbids must be rejected by both, or ajv-cli checked nothing. */
function control(dir) {
  const tmp = mkdtempSync(join(tmpdir(), 'sev-bench-control-'));
  try {
    const name = readdirSync(dir).find((f) => f.endsWith('.yaml'));
    const text = readFileSync(join(dir, name), 'utf8').replace(/^severity: SEV\d$/m, 'severity: SEV9');
    writeFileSync(join(tmp, name), text);
    const { list } = contenders(tmp);
    const a = capture(list[0]);
    const s = capture(list[1]);
    const sevErrors = JSON.parse(s.stdout || '{}').errors;
    const ok = a.status !== 0 && /invalid/.test(a.stdout + a.stderr) && s.status === 1 && sevErrors > 0;
    if (!ok) throw new Error(`control file with severity SEV9 not rejected by both (ajv-cli exit ${a.status}, sev exit ${s.status})`);
    return { rejectedByAjv: true, rejectedBySev: true };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** What both benchmarks check before timing, and what they report. */
function plan(dir, files, info, max, log) {
  const { list, ajvVersion } = contenders(dir);
  const checks = verify(list, files);
  log(
    `checked: sev reports ${checks.sev.errors} errors and ${checks.sev.warnings} warnings in ${checks.sev.files} files; ` +
      `ajv-cli reports ${checks.ajv.valid} valid`,
  );
  const controlResult = control(dir);
  log('control: a runbook with severity SEV9 is rejected by both');
  return {
    baseline: 'ajv',
    contenders: list,
    targets: [{ id: 'sev', max }],
    info: { ...info, ajvCli: ajvVersion, checks, control: controlResult },
    throughput: files,
  };
}

export default {
  name: 'validate',
  description: `sev validate against ajv-cli on ${DEFAULT_SIZE} generated runbooks (same files, same schema)`,
  defaults: { runs: 15, warmup: 2 },
  prepare({ log }) {
    const corpus = ensureCorpus(CORPUS, { size: DEFAULT_SIZE, seed: DEFAULT_SEED });
    log(
      `corpus: ${corpus.files} runbooks, ${(corpus.bytes / 1024 / 1024).toFixed(1)} MB in ${CORPUS} (${corpus.generated ? 'generated' : 'reused'})`,
    );
    return plan(CORPUS, corpus.files, { corpus: { files: corpus.files, bytes: corpus.bytes, seed: corpus.seed } }, 1.3, log);
  },
};

export const REPO_SIZE = 20;
const REPO = `${BENCH}/.repo`;

/**
 * A team's repository: REPO_SIZE runbooks, the shipped ones in turn, each under an id of its own (a
 * shipped runbook's regulator steps still find the shipped regulators file).
 */
function ensureRepo() {
  const shipped = readdirSync(join(ROOT, 'runbooks'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => readFileSync(join(ROOT, 'runbooks', f), 'utf8'))
    .filter((text) => /^format: sevkit\/v1$/m.test(text));
  rmSync(REPO, { recursive: true, force: true });
  mkdirSync(REPO, { recursive: true });
  let bytes = 0;
  for (let i = 0; i < REPO_SIZE; i++) {
    const text = shipped[i % shipped.length].replace(/^id: (.*)$/m, (_, id) => `id: ${id}-${i + 1}`);
    writeFileSync(join(REPO, `runbook-${String(i + 1).padStart(2, '0')}.yaml`), text);
    bytes += Buffer.byteLength(text);
  }
  return { files: REPO_SIZE, bytes, from: shipped.length };
}

export const validateRepo = {
  name: 'validate-20',
  description: `sev validate against ajv-cli on a repository of ${REPO_SIZE} runbooks (variants of the shipped ones)`,
  defaults: { runs: 30, warmup: 3 },
  prepare({ log }) {
    const repo = ensureRepo();
    log(`repository: ${repo.files} runbooks made from the ${repo.from} shipped ones, ${(repo.bytes / 1024).toFixed(0)} KB in ${REPO}`);
    return plan(REPO, repo.files, { repository: repo }, 1.1, log);
  },
};
