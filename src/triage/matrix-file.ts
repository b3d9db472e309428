import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, UserError } from '../errors.js';
import { firstError } from '../lint/document.js';
import { readTextFileBytes } from '../files/read-file.js';
import { lintTriageBytes, type TriageMatrix } from './matrix.js';

/** The matrix that ships with sev, next to the shipped runbooks. */
const SHIPPED_MATRIX = fileURLToPath(new URL('../../runbooks/triage.yaml', import.meta.url));

/** The matrix file to use: the one given, else the team's (`<runbooks>/triage.yaml`), else the shipped one. */
export function matrixFile(given: string | undefined, runbooksDir: string): string {
  if (given) {
    if (!existsSync(given)) throw new UserError(`${given}: no such triage matrix file`, EXIT.usage);
    return given;
  }
  const team = join(resolve(runbooksDir), 'triage.yaml');
  return existsSync(team) ? team : SHIPPED_MATRIX;
}

/** Loads a matrix; one with problems is refused with the first of them at file:line:col. */
export function loadMatrix(file: string): TriageMatrix {
  const bytes = readTextFileBytes(file, 'triage matrix file');
  const { matrix, diagnostics } = lintTriageBytes(file, bytes);
  const refused = firstError(diagnostics) ?? (matrix ? undefined : `${file}: not a triage matrix`);
  if (refused !== undefined || !matrix)
    throw new UserError(refused ?? `${file}: not a triage matrix`, EXIT.usage, `Fix the matrix first: sev validate ${file}`);
  return matrix;
}
