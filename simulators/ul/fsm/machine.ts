import { ACTIONS } from './actions.ts';
import type { ActionName } from './actions.ts';
import type { EventName } from './events.ts';
import type { StateName } from './states.ts';
import { lookupAction } from './table.ts';

export interface Transition {
  from: StateName;
  event: EventName;
  action: ActionName;
  to: StateName;
}

/**
 * The state of one association endpoint. The next state comes only from the table and the
 * action definitions; a branching action (AE-6, AR-8) supplies its condition.
 */
export class StateMachine {
  constructor(public state: StateName = 'Sta1') {}

  /** The action Table 9-10 prescribes for `event` now, or undefined when the cell is empty. */
  actionFor(event: EventName): ActionName | undefined {
    return lookupAction(event, this.state);
  }

  /** Moves to the action's next state and returns the transition. */
  apply(event: EventName, action: ActionName, condition?: string): Transition {
    const from = this.state;
    const to = nextState(action, condition);
    this.state = to;
    return { from, event, action, to };
  }
}

export function nextState(action: ActionName, condition?: string): StateName {
  const next: StateName | { readonly [c: string]: StateName } = ACTIONS[action].next;
  if (typeof next === 'string') return next;
  const branch = condition === undefined ? undefined : next[condition];
  if (!branch) throw new Error(`${action} needs one of the conditions ${Object.keys(next).join(', ')}, got ${condition}`);
  return branch;
}
