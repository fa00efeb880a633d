import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIONS } from './actions.ts';
import { EVENTS } from './events.ts';
import type { EventName } from './events.ts';
import { nextState } from './machine.ts';
import { STATES } from './states.ts';
import type { StateName } from './states.ts';
import { STATE_TABLE } from './table.ts';

test('every cell names a defined action whose next state is a defined state', () => {
  for (const [event, row] of Object.entries(STATE_TABLE)) {
    assert.ok(event in EVENTS, event);
    for (const [state, action] of Object.entries(row)) {
      assert.ok(state in STATES, state);
      const def = ACTIONS[action!];
      const targets = typeof def.next === 'string' ? [def.next] : Object.values(def.next);
      for (const t of targets) assert.ok(t in STATES, `${event}/${state}: ${t}`);
    }
  }
});

test('the condensed rows of the conformance checklist (item 39) agree with the table', () => {
  const states: StateName[] = ['Sta2', 'Sta3', 'Sta5', 'Sta6', 'Sta7', 'Sta8', 'Sta9', 'Sta10', 'Sta11', 'Sta12', 'Sta13'];
  const rows: Record<string, string> = {
    Evt3: 'AA-1 AA-8 AE-3 AA-8 AA-8 AA-8 AA-8 AA-8 AA-8 AA-8 AA-6',
    Evt4: 'AA-1 AA-8 AE-4 AA-8 AA-8 AA-8 AA-8 AA-8 AA-8 AA-8 AA-6',
    Evt6: 'AE-6 AA-8 AA-8 AA-8 AA-8 AA-8 AA-8 AA-8 AA-8 AA-8 AA-7',
    Evt10: 'AA-1 AA-8 AA-8 DT-2 AR-6 AA-8 AA-8 AA-8 AA-8 AA-8 AA-6',
    Evt12: 'AA-1 AA-8 AA-8 AR-2 AR-8 AA-8 AA-8 AA-8 AA-8 AA-8 AA-6',
    Evt13: 'AA-1 AA-8 AA-8 AA-8 AR-3 AA-8 AA-8 AR-10 AR-3 AA-8 AA-6',
    Evt16: 'AA-2 AA-3 AA-3 AA-3 AA-3 AA-3 AA-3 AA-3 AA-3 AA-3 AA-2',
    Evt17: 'AA-5 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AA-4 AR-5',
    Evt18: 'AA-2 - - - - - - - - - AA-2',
    Evt19: 'AA-1 AA-8 AA-8 AA-8 AA-8 AA-8 AA-8 AA-8 AA-8 AA-8 AA-7',
  };
  for (const [event, row] of Object.entries(rows)) {
    const cells = row.split(' ');
    states.forEach((s, i) => {
      const want = cells[i] === '-' ? undefined : cells[i];
      assert.equal(STATE_TABLE[event as EventName][s], want, `${event} in ${s}`);
    });
  }
});

test('the branching actions need their condition', () => {
  assert.equal(nextState('AE-6', 'acceptable'), 'Sta3');
  assert.equal(nextState('AE-6', 'unacceptable'), 'Sta13');
  assert.equal(nextState('AR-8', 'requestor'), 'Sta9');
  assert.equal(nextState('AR-8', 'acceptor'), 'Sta10');
  assert.throws(() => nextState('AR-8'));
});
