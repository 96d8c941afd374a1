import type { Clock, Ids } from '../../src/app/ports.js';

/** A clock that moves only when told. */
export class FixedClock implements Clock {
  private t: number;
  constructor(iso = '2026-03-01T10:00:00.000Z') {
    this.t = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** Predictable UUIDs: 00000000-0000-4000-8000-000000000001, …02, … */
export const sequentialIds = (prefix = '00000000-0000-4000-8000-'): Ids & { count(): number } => {
  let n = 0;
  return {
    uuid: () => `${prefix}${String(++n).padStart(12, '0')}`,
    count: () => n,
  };
};
