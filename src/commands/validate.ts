import { formatDiagnostics, totals, type Format } from '../diagnostics/index.js';
import { EXIT, ExitCode, UserError } from '../errors.js';
import { findRunbookFiles } from '../runbook/files.js';
import { checkFiles } from '../runbook/lint.js';
import { useColor, write } from '../ui/terminal.js';
import { VERSION } from '../version.js';

export interface ValidateOptions {
  format?: Format;
  strict?: boolean;
  quiet?: boolean;
}

export async function validateCommand(paths: string[], options: ValidateOptions): Promise<void> {
  const format: Format = options.format ?? (process.env.GITHUB_ACTIONS === 'true' ? 'github' : 'text');
  const strict = Boolean(options.strict);
  const files = await findRunbookFiles(paths);
  if (files.length === 0) throw new UserError(`no runbook files (*.yaml, *.yml) found in ${paths.join(', ')}`);
  const reports = checkFiles(files);
  write(await formatDiagnostics(format, reports, { strict, quiet: options.quiet, color: useColor(), version: VERSION }));
  if (totals(reports, strict).failures > 0) throw new ExitCode(EXIT.findings);
}
