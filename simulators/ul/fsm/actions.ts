import type { StateName } from './states.ts';

/**
 * The actions of PS3.8 Tables 9-6 … 9-9 and the state each leads to. Two actions branch:
 * AE-6 on whether the A-ASSOCIATE-RQ is acceptable to the service provider, AR-8 on whether
 * this side is the association requestor.
 */
export interface ActionDefinition {
  description: string;
  next: StateName | { readonly [condition: string]: StateName };
}

export const ACTIONS = {
  'AE-1': { description: 'Issue TRANSPORT CONNECT request primitive to local transport service', next: 'Sta4' },
  'AE-2': { description: 'Send A-ASSOCIATE-RQ-PDU', next: 'Sta5' },
  'AE-3': { description: 'Issue A-ASSOCIATE confirmation (accept) primitive', next: 'Sta6' },
  'AE-4': { description: 'Issue A-ASSOCIATE confirmation (reject) primitive and close transport connection', next: 'Sta1' },
  'AE-5': { description: 'Issue Transport connection response primitive; start ARTIM timer', next: 'Sta2' },
  'AE-6': {
    description:
      'Stop ARTIM timer and if A-ASSOCIATE-RQ acceptable by service-provider: issue A-ASSOCIATE indication primitive; otherwise issue A-ASSOCIATE-RJ-PDU and start ARTIM timer',
    next: { acceptable: 'Sta3', unacceptable: 'Sta13' },
  },
  'AE-7': { description: 'Send A-ASSOCIATE-AC PDU', next: 'Sta6' },
  'AE-8': { description: 'Send A-ASSOCIATE-RJ PDU and start ARTIM timer', next: 'Sta13' },
  'DT-1': { description: 'Send P-DATA-TF PDU', next: 'Sta6' },
  'DT-2': { description: 'Send P-DATA indication primitive', next: 'Sta6' },
  'AR-1': { description: 'Send A-RELEASE-RQ PDU', next: 'Sta7' },
  'AR-2': { description: 'Issue A-RELEASE indication primitive', next: 'Sta8' },
  'AR-3': { description: 'Issue A-RELEASE confirmation primitive, and close transport connection', next: 'Sta1' },
  'AR-4': { description: 'Issue A-RELEASE-RP PDU and start ARTIM timer', next: 'Sta13' },
  'AR-5': { description: 'Stop ARTIM timer', next: 'Sta1' },
  'AR-6': { description: 'Issue P-DATA indication', next: 'Sta7' },
  'AR-7': { description: 'Issue P-DATA-TF PDU', next: 'Sta8' },
  'AR-8': {
    description: 'Issue A-RELEASE indication (release collision): if association-requestor, next state is Sta9, if not Sta10',
    next: { requestor: 'Sta9', acceptor: 'Sta10' },
  },
  'AR-9': { description: 'Send A-RELEASE-RP PDU', next: 'Sta11' },
  'AR-10': { description: 'Issue A-RELEASE confirmation primitive', next: 'Sta12' },
  'AA-1': { description: 'Send A-ABORT PDU (service-user source) and start (or restart if already started) ARTIM timer', next: 'Sta13' },
  'AA-2': { description: 'Stop ARTIM timer if running. Close transport connection', next: 'Sta1' },
  'AA-3': {
    description:
      'If (service-user initiated abort): issue A-ABORT indication and close transport connection; otherwise (service-provider initiated abort): issue A-P-ABORT indication and close transport connection',
    next: 'Sta1',
  },
  'AA-4': { description: 'Issue A-P-ABORT indication primitive', next: 'Sta1' },
  'AA-5': { description: 'Stop ARTIM timer', next: 'Sta1' },
  'AA-6': { description: 'Ignore PDU', next: 'Sta13' },
  'AA-7': { description: 'Send A-ABORT PDU', next: 'Sta13' },
  'AA-8': {
    description: 'Send A-ABORT PDU (service-provider source), issue an A-P-ABORT indication, and start ARTIM timer',
    next: 'Sta13',
  },
} as const satisfies Record<string, ActionDefinition>;

export type ActionName = keyof typeof ACTIONS;
