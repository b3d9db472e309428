import type { ClockDef } from '../clocks/model.js';
import type { Runbook } from '../runbook/model.js';
import { formatDuration } from '../text/duration.js';
import type { AnnouncementView } from './responder.js';

/** The audience an update goes to when it can meet the clock: the one of its met_by announcement. */
export function updateAudience(def: ClockDef | undefined): string | undefined {
  return def?.metBy?.kind === 'announcement' ? def.metBy.audience : undefined;
}

/**
 * The draft of the update a clock is due for: the runbook's latest announcement to that audience (the
 * last announce step at or before the current one, else its first), templates filled by `text`; without
 * one, a short default.
 */
export function updateDraft(
  runbook: Runbook,
  def: ClockDef,
  audience: string,
  currentStep: string | undefined,
  text: (template: string) => string,
  incident: string,
): AnnouncementView {
  const steps = runbook.steps.filter((s) => s.announce?.audience === audience);
  const here = runbook.steps.find((s) => s.id === currentStep)?.index ?? -1;
  const step = steps.filter((s) => s.index <= here).at(-1) ?? steps[0];
  if (step?.announce) {
    const a = step.announce;
    return { audience, channel: a.channel && text(a.channel), subject: a.subject && text(a.subject), message: text(a.message) };
  }
  const next = def.repeatMs ? ` Next update within ${formatDuration(def.repeatMs, 'compact')}.` : '';
  return { audience, message: `Update on incident ${incident}: we are still working on it.${next}` };
}
