// npm's prepare step: builds dist/. In a checkout (npm ci) the devDependencies are there. In a global
// install from git they are not: npm prepares the clone with the global configuration and leaves them out
// (npm/cli#8440), so the build finds no tsc. Then this installs them into the clone first, and builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { devDependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Runs npm with the npm that runs this script (npm_execpath), else the one on PATH; never through a shell. */
function npm(args) {
  const execPath = process.env.npm_execpath;
  // npm_execpath is another package manager's script when one of them runs this prepare.
  const [command, argv] = execPath && /npm-cli\.[cm]?js$/.test(execPath) ? [process.execPath, [execPath, ...args]] : ['npm', args];
  const result = spawnSync(command, argv, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// Looked up in this package's own node_modules only: a TypeScript of a parent directory is not the one
// the lock file names, and the build also needs the other devDependencies (the types, ajv-formats).
const missing = Object.keys(devDependencies).filter((name) => !existsSync(join(root, 'node_modules', name, 'package.json')));
if (missing.length > 0) {
  console.error(`sevkit: installing the build's devDependencies (${missing.length} missing, e.g. ${missing[0]})`);
  // --global=false and --prefix: npm hands its own global install's settings down to this script; without
  // them the install would go into the global prefix again. --ignore-scripts: no prepare within prepare.
  // --include=dev wins over an inherited --omit=dev or NODE_ENV=production.
  npm(['install', '--include=dev', '--global=false', `--prefix=${root}`, '--ignore-scripts', '--no-save', '--no-audit', '--no-fund']);
}
npm(['run', 'build']);
