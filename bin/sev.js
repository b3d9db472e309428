#!/usr/bin/env node
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);

import(cli.href).then(
  (module) => module.main(process.argv),
  (error) => {
    // Only a checkout that was never built lands here; any other failed import is a real bug and keeps its trace.
    if (existsSync(cli)) throw error;
    process.stderr.write('sev: dist/ is missing: run npm ci (or npm run build) first\n');
    // EXIT.usage lives in dist/, which is what is missing.
    process.exitCode = 2;
  },
);
