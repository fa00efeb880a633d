/** The events of the DICOM upper layer: the row headings of PS3.8 Table 9-10, numbered in order. */
export const EVENTS = {
  Evt1: 'A-ASSOCIATE request (local user)',
  Evt2: 'Transport connect confirmation (local transport service)',
  Evt3: 'A-ASSOCIATE-AC PDU (received on transport connection)',
  Evt4: 'A-ASSOCIATE-RJ PDU (received on transport connection)',
  Evt5: 'Transport connection indication (local transport service)',
  Evt6: 'A-ASSOCIATE-RQ PDU (received on transport connection)',
  Evt7: 'A-ASSOCIATE response primitive (accept)',
  Evt8: 'A-ASSOCIATE response primitive (reject)',
  Evt9: 'P-DATA request primitive',
  Evt10: 'P-DATA-TF PDU (received on transport connection)',
  Evt11: 'A-RELEASE request primitive',
  Evt12: 'A-RELEASE-RQ PDU (received on transport connection)',
  Evt13: 'A-RELEASE-RP PDU (received on transport connection)',
  Evt14: 'A-RELEASE response primitive',
  Evt15: 'A-ABORT request primitive',
  Evt16: 'A-ABORT PDU (received on transport connection)',
  Evt17: 'Transport connection closed indication (local transport service)',
  Evt18: 'ARTIM timer expired (Association reject/release timer)',
  Evt19: 'Unrecognized or invalid PDU received',
} as const;

export type EventName = keyof typeof EVENTS;

/** Events raised by a PDU arriving, by PDU type. Any other type is Evt19. */
export const PDU_EVENTS: Record<number, EventName> = {
  0x01: 'Evt6',
  0x02: 'Evt3',
  0x03: 'Evt4',
  0x04: 'Evt10',
  0x05: 'Evt12',
  0x06: 'Evt13',
  0x07: 'Evt16',
};

/** Events caused by the local user (primitives), as opposed to the peer, the transport or a timer. */
export const LOCAL_PRIMITIVE_EVENTS: ReadonlySet<EventName> = new Set(['Evt1', 'Evt7', 'Evt8', 'Evt9', 'Evt11', 'Evt14', 'Evt15']);
