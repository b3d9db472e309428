import type { Rule } from './rule.js';
import { duplicateStepId, loopWithoutExit, multipleActions, unknownStep, unreachableStep } from './steps.js';
import {
  invalidDefault,
  reservedInputName,
  secretFromAlert,
  secretInText,
  templateInCommand,
  templateSyntax,
  undefinedCheck,
  undefinedEnv,
  undefinedInput,
  unusedInput,
} from './references.js';
import { TRANSLATION_RULES } from './translation.js';
import { regulatorFacts } from './regulator.js';
import { clockNeverStarts, clockReference } from './clocks.js';
import { REGULATOR_RULES } from '../../regulator/rules.js';
import { invalidDuration, invalidRegex, milestoneOrder, missingResolvedMilestone, unconfirmedCommand } from './values.js';

export type { Rule, RuleContext } from './rule.js';

/** The semantic rules, run on every runbook after parsing and the schema. */
export const RULES: readonly Rule[] = [
  duplicateStepId,
  unknownStep,
  unreachableStep,
  loopWithoutExit,
  multipleActions,
  undefinedCheck,
  undefinedInput,
  templateSyntax,
  templateInCommand,
  undefinedEnv,
  unusedInput,
  reservedInputName,
  secretInText,
  secretFromAlert,
  invalidDefault,
  invalidRegex,
  invalidDuration,
  unconfirmedCommand,
  missingResolvedMilestone,
  milestoneOrder,
  regulatorFacts,
  clockReference,
  clockNeverStarts,
];

/** Findings made while reading a file, before any rule can run. */
export const READ_RULES: readonly Pick<Rule, 'id' | 'severity' | 'description'>[] = [
  { id: 'encoding', severity: 'error', description: 'The file is binary or not valid UTF-8.' },
  { id: 'file-too-large', severity: 'error', description: 'The file is larger than a runbook can reasonably be (2 MB).' },
  { id: 'empty-file', severity: 'error', description: 'The file holds no YAML document.' },
  { id: 'yaml-syntax', severity: 'error', description: 'The file is not valid YAML.' },
  { id: 'duplicate-key', severity: 'error', description: 'A key appears twice in one mapping.' },
  { id: 'multiple-documents', severity: 'error', description: 'The file holds more than one YAML document.' },
  { id: 'yaml-alias-limit', severity: 'error', description: 'Aliases expand too far (a "billion laughs" document).' },
  {
    id: 'schema',
    severity: 'error',
    description:
      'A value does not fit its JSON Schema: runbook.schema.json, or regulators.schema.json for a regulators file (type, required key, allowed values).',
  },
  { id: 'unknown-key', severity: 'error', description: 'A key the format does not know, usually a typo.' },
  {
    id: 'duplicate-runbook-id',
    severity: 'error',
    description:
      'Two runbook files share an id, so `sev run <id>` is ambiguous (a translation is not a runbook: it names the id it translates).',
  },
  { id: 'unknown-rule', severity: 'warning', description: 'A sev-disable-line comment names a rule that does not exist.' },
];

export const ALL_RULES = [
  ...READ_RULES,
  ...REGULATOR_RULES,
  ...RULES.map(({ id, severity, description }) => ({ id, severity, description })),
  ...TRANSLATION_RULES,
];
export const RULE_IDS = new Set(ALL_RULES.map((r) => r.id));
