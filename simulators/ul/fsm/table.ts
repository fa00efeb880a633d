import type { ActionName } from './actions.ts';
import type { EventName } from './events.ts';
import type { StateName } from './states.ts';

type Row = Partial<Record<StateName, ActionName>>;

/** Fills every state from Sta5 to Sta12 (and optionally Sta3) with one action: the common shape of Table 9-10's rows. */
function sta3to12(action: ActionName, overrides: Row = {}): Row {
  const row: Row = {};
  for (const s of ['Sta3', 'Sta5', 'Sta6', 'Sta7', 'Sta8', 'Sta9', 'Sta10', 'Sta11', 'Sta12'] as const) row[s] = action;
  return { ...row, ...overrides };
}

/**
 * PS3.8 Table 9-10, the DICOM upper layer state transition table: event × state → action.
 * A missing cell is a combination the standard does not define (it cannot occur).
 */
export const STATE_TABLE: Readonly<Record<EventName, Row>> = {
  Evt1: { Sta1: 'AE-1' },
  Evt2: { Sta4: 'AE-2' },
  Evt3: { Sta2: 'AA-1', ...sta3to12('AA-8', { Sta5: 'AE-3' }), Sta13: 'AA-6' },
  Evt4: { Sta2: 'AA-1', ...sta3to12('AA-8', { Sta5: 'AE-4' }), Sta13: 'AA-6' },
  Evt5: { Sta1: 'AE-5' },
  Evt6: { Sta2: 'AE-6', ...sta3to12('AA-8'), Sta13: 'AA-7' },
  Evt7: { Sta3: 'AE-7' },
  Evt8: { Sta3: 'AE-8' },
  Evt9: { Sta6: 'DT-1', Sta8: 'AR-7' },
  Evt10: { Sta2: 'AA-1', ...sta3to12('AA-8', { Sta6: 'DT-2', Sta7: 'AR-6' }), Sta13: 'AA-6' },
  Evt11: { Sta6: 'AR-1' },
  Evt12: { Sta2: 'AA-1', ...sta3to12('AA-8', { Sta6: 'AR-2', Sta7: 'AR-8' }), Sta13: 'AA-6' },
  Evt13: { Sta2: 'AA-1', ...sta3to12('AA-8', { Sta7: 'AR-3', Sta10: 'AR-10', Sta11: 'AR-3' }), Sta13: 'AA-6' },
  Evt14: { Sta8: 'AR-4', Sta9: 'AR-9', Sta12: 'AR-4' },
  Evt15: { Sta4: 'AA-2', ...sta3to12('AA-1') },
  Evt16: { Sta2: 'AA-2', ...sta3to12('AA-3'), Sta13: 'AA-2' },
  Evt17: { Sta2: 'AA-5', Sta4: 'AA-4', ...sta3to12('AA-4'), Sta13: 'AR-5' },
  Evt18: { Sta2: 'AA-2', Sta13: 'AA-2' },
  Evt19: { Sta2: 'AA-1', ...sta3to12('AA-8'), Sta13: 'AA-7' },
};

export function lookupAction(event: EventName, state: StateName): ActionName | undefined {
  return STATE_TABLE[event][state];
}
