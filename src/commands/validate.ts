import type { Settings } from '../config/settings.js';
import { formatDiagnostics, totals, type FileReport, type Format } from '../diagnostics/index.js';
import { EXIT, ExitCode, UserError } from '../errors.js';
import { appendFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { SHIPPED_DIR } from '../runbook/catalog.js';
import { findRunbookFiles } from '../runbook/files.js';
import { checkFiles } from '../lint/files.js';
import { useColor, write } from '../ui/terminal.js';
import { VERSION } from '../version.js';

export interface ValidateOptions {
  format?: Format;
  strict?: boolean;
  quiet?: boolean;
  /** The team's runbooks directory: a translation checked here may translate one of its runbooks, or a shipped one. */
  runbooks?: string;
  settings?: Settings;
}

/** Runbook files a translation may translate besides the files checked: the team's, then the shipped ones. */
async function referenceFiles(runbooksDir: string | undefined, checked: readonly string[]): Promise<string[]> {
  const dirs = [...new Set([...(runbooksDir && existsSync(runbooksDir) ? [resolve(runbooksDir)] : []), resolve(SHIPPED_DIR)])];
  const skip = new Set(checked.map((f) => resolve(f)));
  return (await findRunbookFiles(dirs)).filter((f) => !skip.has(resolve(f)));
}

export async function validateCommand(given: string[], options: ValidateOptions): Promise<void> {
  // Without paths: the runbooks directory in force (flag, SEV_RUNBOOKS, config, ./runbooks) and the config file itself.
  const configFile = options.settings?.configFile?.value;
  const runbooksDir = options.runbooks ?? './runbooks';
  if (!given.length && !configFile && !existsSync(runbooksDir)) {
    throw new UserError(
      `nothing to check: no ${runbooksDir} directory here`,
      EXIT.usage,
      'Name the files or directories (sev validate ops/runbooks), or set runbooks in a sev.config.yaml.',
    );
  }
  const paths = given.length ? given : [...(existsSync(runbooksDir) ? [runbooksDir] : []), ...(configFile ? [configFile] : [])];
  const format: Format = options.format ?? (process.env.GITHUB_ACTIONS === 'true' ? 'github' : 'text');
  const strict = Boolean(options.strict);
  const files = await findRunbookFiles(paths);
  if (files.length === 0) throw new UserError(`no runbook files (*.yaml, *.yml) found in ${paths.join(', ')}`);
  const reports = checkFiles(files, { references: await referenceFiles(options.runbooks, files) });
  write(await formatDiagnostics(format, reports, { strict, quiet: options.quiet, color: useColor(), version: VERSION }));
  if (format === 'github' && process.env.GITHUB_STEP_SUMMARY) await appendStepSummary(process.env.GITHUB_STEP_SUMMARY, reports, strict);
  if (totals(reports, strict).failures > 0) throw new ExitCode(EXIT.findings);
}

/** Beside the annotations, the job summary on the run's page; a summary that cannot be written costs no verdict. */
async function appendStepSummary(file: string, reports: FileReport[], strict: boolean): Promise<void> {
  const { summaryMarkdown } = await import('../diagnostics/summary-markdown.js');
  try {
    appendFileSync(file, summaryMarkdown(reports, { strict }));
  } catch (error) {
    process.stderr.write(`sev: could not write the job summary to ${file}: ${(error as Error).message}\n`);
  }
}
