// The packed package.json without "prepare": in the tarball it would never run (a tarball ships dist/
// built by prepack, and not scripts/), yet npm lists it as an install script to approve. `strip` runs
// in prepack and keeps the checkout's file beside it; `restore` runs in postpack and puts it back.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = join(root, 'package.json');
const kept = join(root, 'package.json.before-pack');

const mode = process.argv[2];
if (mode !== 'strip' && mode !== 'restore') {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}
// A pack that failed between the two steps left the kept file: the checkout's manifest is that one.
if (existsSync(kept)) renameSync(kept, manifest);
if (mode === 'strip') {
  const text = readFileSync(manifest, 'utf8');
  const pkg = JSON.parse(text);
  delete pkg.scripts.prepare;
  writeFileSync(kept, text);
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
}
