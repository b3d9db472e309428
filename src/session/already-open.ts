import { EXIT, UserError } from '../errors.js';
import { openIncidentsOf, type OpenIncident } from '../incident/store.js';
import { printable } from '../report/sanitize.js';
import { shellWord } from '../text/shell-word.js';
import { isPromptCancel } from '../ui/prompt-cancel.js';
import { canPrompt } from './drive.js';

/** What a command that starts an incident was told to do when one of the same runbook is still open. */
export interface OpenChoice {
  /** --new: start another incident all the same. */
  new?: boolean;
  /** --resume: go on with the open one. */
  resume?: boolean;
  dryRun?: boolean;
}

const describe = (i: OpenIncident) =>
  `${i.id} (${i.state.status}${i.state.step ? ` at step ${i.state.step}` : ''}, ` +
  `started ${i.state.started ?? 'at an unknown time'}${i.state.responder ? ` by ${i.state.responder}` : ''})`;

/** The command line as it was typed, with one flag more, for the responder to paste. */
function commandWith(flag: string): string {
  const args = process.argv.slice(2).filter((a) => a !== '--new' && a !== '--resume');
  return ['sev', ...args, flag].map(shellWord).join(' ');
}

/**
 * Before a new incident of a runbook starts: the incident of it that is still open or paused (a dry run's
 * only for a dry run, a real one's only for a real one), if the responder chooses to go on with it rather
 * than start a second one. Asked at a terminal; a script says it with --new or --resume, and without either
 * is refused with the command lines to use, so a second incident never starts unnoticed.
 */
export async function openIncidentToResume(runbookId: string, dir: string, choice: OpenChoice): Promise<string | undefined> {
  if (choice.new && choice.resume) throw new UserError('--new and --resume contradict each other', EXIT.usage, 'Give one of them.');
  if (choice.new) return undefined;
  const open = openIncidentsOf(dir, runbookId).filter((i) => i.state.dryRun === Boolean(choice.dryRun));
  const kind = choice.dryRun ? 'dry run' : 'incident';
  const aKind = choice.dryRun ? 'a dry run' : 'an incident';
  if (open.length === 0) {
    if (choice.resume)
      throw new UserError(
        `--resume: no open or paused ${kind} of ${runbookId} in ${dir}`,
        EXIT.usage,
        `Start one: ${commandWith('--new')}`,
      );
    return undefined;
  }
  if (choice.resume) {
    if (open.length === 1) return open[0]!.id;
    throw new UserError(
      `--resume: ${open.length} ${kind}s of ${runbookId} are open or paused: ${open.map((i) => i.id).join(', ')}`,
      EXIT.usage,
      `Say which one: ${open.map((i) => `sev resume ${shellWord(i.id)}`).join(' or ')}`,
    );
  }
  if (!canPrompt()) {
    const lines = [
      ...open.map((i) => `  sev resume ${shellWord(i.id)}   resumes ${printable(i.id)}`),
      ...(open.length === 1 ? [`  ${commandWith('--resume')}   resumes it too`] : []),
      `  ${commandWith('--new')}   starts another ${kind} all the same`,
    ];
    const stillOpen =
      open.length === 1
        ? `${aKind} of ${runbookId} is still open: ${describe(open[0]!)}`
        : `${open.length} ${kind}s of ${runbookId} are still open: ${open.map(describe).join('; ')}`;
    throw new UserError(
      `${stillOpen}; resume it, or start a new ${kind}?`,
      EXIT.usage,
      `There is no terminal to ask on. Say which:\n${lines.join('\n')}`,
    );
  }
  const { select } = await import('@inquirer/prompts');
  const stillOpen =
    open.length === 1
      ? `${aKind[0]!.toUpperCase()}${aKind.slice(1)} of ${runbookId} is still open`
      : `${open.length} ${kind}s of ${runbookId} are still open`;
  try {
    const picked = await select<string>(
      {
        message: `${stillOpen}: resume it, or start a new ${kind}?`,
        choices: [
          ...open.map((i) => ({ name: `Resume ${printable(describe(i))}`, value: i.id })),
          { name: `Start a new ${kind}`, value: '' },
        ],
      },
      { output: process.stderr },
    );
    return picked || undefined;
  } catch (error) {
    if (isPromptCancel(error)) throw new UserError('interrupted before the incident started', EXIT.interrupted);
    throw error;
  }
}
