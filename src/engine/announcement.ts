import type { EventData, IncidentEvent } from '../incident/events.js';
import type { AnnouncementView } from './responder.js';

type AnnouncementSink = (type: 'announcement', data: EventData['announcement']) => IncidentEvent;

/**
 * The one place an announcement is made, whether an announce step sends it or the responder sends the
 * update a clock is due for: it is logged here (and the clocks it meets follow from the log). Delivery
 * through channels plugs in here, so both ways of announcing deliver alike.
 */
export function announce(emit: AnnouncementSink, step: string, announcement: AnnouncementView, clock?: string): IncidentEvent {
  // Empty fields are left out, as the log has always had them.
  const given = Object.fromEntries(Object.entries(announcement).filter(([, v]) => v !== undefined && v !== '')) as unknown as AnnouncementView;
  return emit('announcement', { step, ...given, ...(clock ? { clock } : {}) });
}
