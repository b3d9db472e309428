import { listCatalog } from '../runbook/catalog.js';
import { paint, write } from '../ui/output.js';
import { fittedTable, terminalWidth } from '../ui/table.js';

export interface ListOptions {
  runbooks: string;
  json?: boolean;
}

export async function listCommand(options: ListOptions): Promise<void> {
  const entries = await listCatalog(options.runbooks);
  const rows = entries.map(({ runbook, result, origin, translations }) => ({
    id: runbook?.id || '',
    class: runbook?.class ?? '',
    severity: runbook?.severity ?? '',
    title: runbook?.title ?? '',
    steps: runbook?.steps.length ?? 0,
    lang: runbook?.lang ?? '',
    /** The languages of its translations (sev run <id> --lang <tag>). */
    languages: translations.map((t) => t.lang),
    translations,
    origin,
    file: result.file,
    errors: result.diagnostics.filter((d) => d.severity === 'error').length,
  }));
  if (options.json) {
    write(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0) {
    write(`No runbooks found in ${options.runbooks} or among the shipped ones.`);
    return;
  }
  const c = paint();
  const columns = [
    { head: 'id', keep: true },
    { head: 'class' },
    { head: 'severity' },
    { head: 'title', flex: true },
    { head: 'steps', align: 'right' as const },
    { head: 'languages' },
  ];
  const cells = rows.map((row) => {
    const id = row.lang ? `${row.id} (${row.lang})` : row.id || c.dim(row.file);
    const title = row.errors
      ? `${row.title} ${c.red(`(${row.errors} error${row.errors === 1 ? '' : 's'}: sev validate ${row.file})`)}`
      : row.title;
    const languages = [row.lang || 'en', ...row.languages].join(', ');
    return [id, row.class, row.severity, title, String(row.steps), languages];
  });
  write(fittedTable(columns, cells, { width: terminalWidth(), head: (h) => c.bold(h) }));
}
