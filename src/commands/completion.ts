import type { Command } from 'commander';
import type { RootCommand, Command as TabCommand, ArgumentHandler, OptionHandler } from '@bomb.sh/tab';
import { EXIT, UserError } from '../errors.js';
import { incidentDir, incidentIds } from '../incident/store.js';
import { listCatalog } from '../runbook/catalog.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;

export interface CompletionOptions {
  runbooks: string;
  incidentDir?: string;
}

/** Values an argument completes to, looked up only when the shell asks: ids of the runbooks and incidents there are. */
interface Lookups {
  runbooks: () => Promise<string[]>;
  incidents: () => string[];
}

/** Which lookup completes an argument of that name (as cli.ts names them). */
const ARGUMENT_VALUES: Record<string, keyof Lookups | undefined> = {
  runbook: 'runbooks',
  incident: 'incidents',
  'incident|log': 'incidents',
};

/**
 * The completion tree of @bomb.sh/tab built from the commander program, as its commander adapter does, but with
 * handlers that complete runbook and incident ids. Hidden commands (complete itself) are left out.
 */
async function completionTree(tab: RootCommand, program: Command, lookups: Lookups): Promise<void> {
  const values = { runbooks: await lookups.runbooks(), incidents: lookups.incidents() };
  const addOptions = (target: TabCommand, source: Command) => {
    for (const option of source.createHelp().visibleOptions(source)) {
      const long = option.long?.slice(2);
      if (!long) continue;
      const short = option.short?.slice(1);
      const choices = option.argChoices ?? [];
      const takesValue = option.required || option.optional;
      const handler: OptionHandler | undefined = takesValue ? (complete) => choices.forEach((c) => complete(c, '')) : undefined;
      if (handler) target.option(long, option.description, handler, short);
      else target.option(long, option.description, short);
    }
  };
  const addArguments = (target: TabCommand, source: Command) => {
    for (const argument of source.registeredArguments) {
      const lookup = ARGUMENT_VALUES[argument.name()];
      const choices = lookup ? values[lookup] : (argument.argChoices ?? []);
      const handler: ArgumentHandler = (complete) => choices.forEach((c) => complete(c, ''));
      target.argument(argument.name(), handler, argument.variadic);
    }
  };
  addOptions(tab, program);
  for (const command of program.createHelp().visibleCommands(program)) {
    if (command.name() === 'help') continue;
    const target = tab.command(command.name(), command.description());
    addOptions(target, command);
    addArguments(target, command);
  }
}

function lookups(options: CompletionOptions): Lookups {
  return {
    runbooks: async () => {
      const ids = (await listCatalog(options.runbooks)).map((e) => e.runbook?.id).filter((id): id is string => Boolean(id));
      return [...new Set(ids)];
    },
    incidents: () => {
      try {
        return incidentIds(incidentDir(options.incidentDir));
      } catch {
        // No incident directory yet: nothing to complete.
        return [];
      }
    },
  };
}

/** `sev completion <shell>`: the script the shell sources; it asks `sev complete -- <words>` for each completion. */
export async function completionCommand(shell: string): Promise<void> {
  if (!(SHELLS as readonly string[]).includes(shell))
    throw new UserError(`no completion for the shell "${shell}"`, EXIT.usage, `Choose one of ${SHELLS.join(', ')}.`);
  const { default: tab } = await import('@bomb.sh/tab');
  tab.setup('sev', 'sev', shell);
}

/** A global flag's value typed earlier on the line being completed (`sev --runbooks ops run <TAB>`). */
function typedFlag(words: string[], flag: string): string | undefined {
  let value: string | undefined;
  words.forEach((word, i) => {
    if (word === flag && i + 1 < words.length - 1) value = words[i + 1];
    else if (word.startsWith(`${flag}=`)) value = word.slice(flag.length + 1);
  });
  return value;
}

/** `sev complete -- <words>`: what the shell's script asks; prints one candidate a line, then the directive. */
export async function completeCommand(words: string[], program: Command, options: CompletionOptions): Promise<void> {
  const { default: tab } = await import('@bomb.sh/tab');
  const typed = {
    runbooks: typedFlag(words, '--runbooks') ?? options.runbooks,
    incidentDir: typedFlag(words, '--incident-dir') ?? options.incidentDir,
  };
  await completionTree(tab, program, lookups(typed));
  tab.parse(words);
}
