import { relative } from 'node:path';
import type { Settings } from '../config/settings.js';
import { printable } from '../report/sanitize.js';
import { writeInit } from '../scaffold/init.js';
import { paint, write } from '../ui/output.js';
import { VERSION } from '../version.js';

export interface InitOptions {
  settings: Settings;
}

/** `sev init [dir]`: a team's runbooks directory, scaffolded; nothing that exists is overwritten. */
export function initCommand(dir: string | undefined, options: InitOptions): void {
  const { settings } = options;
  const cwd = process.cwd();
  const existingConfig = settings.configFile?.value;
  const result = writeInit({ dir: dir ?? settings.runbooks.value, cwd, version: VERSION, ...(existingConfig ? { existingConfig } : {}) });
  const c = paint();
  const shown = (path: string) => printable(relative(cwd, path) || '.');
  const out: string[] = [];
  for (const file of result.written) out.push(`${c.green('wrote')} ${shown(file.path)}  ${c.dim(file.role)}`);
  for (const file of result.kept) out.push(`${c.yellow('kept ')} ${shown(file.path)}  ${c.dim(`${file.role}: exists, not overwritten`)}`);
  if (result.existingConfig)
    out.push(`${c.yellow('kept ')} ${shown(result.existingConfig)}  ${c.dim('the team config in force: no sev.config.yaml written')}`);
  out.push('', `Check it: ${c.bold('sev validate')}; run the example: ${c.bold('sev run service-down --dry-run')}`);
  write(out.join('\n'));
}
