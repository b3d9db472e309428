import type { EventData } from './events.js';

/** What the log says of one clock: how many times it started, the instance still open, whether it ended. */
export interface ClockState {
  instances: number;
  /** The instance started and not yet met; `missed` once its due time passed (it stays open until met). */
  open?: { startedAt: string; due: string; missed: boolean };
  /** Its `until` happened: nothing more is due. */
  stopped: boolean;
}

type ClockEventType = 'clock.started' | 'clock.met' | 'clock.missed' | 'clock.stopped';

/** A clock event as the clock functions produce it and the walk writes it. */
export type ClockEvent = { [K in ClockEventType]: { type: K; data: EventData[K] } }[ClockEventType];

/** Folds one clock event into the clocks (in place); the one fold that replay and the clock functions share. */
export function foldClockEvent(clocks: Map<string, ClockState>, event: ClockEvent): void {
  const clock = clocks.get(event.data.clock) ?? { instances: 0, stopped: false };
  clocks.set(event.data.clock, clock);
  switch (event.type) {
    case 'clock.started':
      clock.instances++;
      clock.open = { startedAt: event.data.at, due: event.data.due, missed: false };
      break;
    case 'clock.met':
      clock.open = undefined;
      break;
    case 'clock.missed':
      if (clock.open) clock.open.missed = true;
      break;
    case 'clock.stopped':
      clock.open = undefined;
      clock.stopped = true;
      break;
  }
}
