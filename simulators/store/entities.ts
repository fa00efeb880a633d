/**
 * The entities of a fake archive: patients → studies → series → instances (PS3.4 C.6.1), and
 * worklist items (PS3.4 K.6.1). Values are logical strings (padding removed), several values as
 * arrays, sequence items as nested value maps; attributes are keyed by their PS3.6 keyword so
 * entities with the same attributes share one compact shape (a million instances fit easily).
 */
export type Level = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE' | 'WORKLIST';

export type Item = { [keyword: string]: AttrValue };
export type AttrValue = string | string[] | Item[];
export type Values = { [keyword: string]: AttrValue };

export class Entity {
  children: Entity[] = [];

  constructor(
    readonly level: Level,
    readonly values: Values,
    readonly parent: Entity | undefined,
    /** Specific Character Set terms of the text of this entity (and its descendants, unless they have their own). */
    private readonly ownCharset: string | undefined,
    /** Where it was defined (file:line:column), for messages. */
    readonly origin?: string,
  ) {}

  get charset(): string | undefined {
    return this.ownCharset ?? this.parent?.charset;
  }

  /** This entity or the ancestor at a level. */
  at(level: Level): Entity | undefined {
    let e: Entity | undefined = this;
    while (e && e.level !== level) e = e.parent;
    return e;
  }

  get(keyword: string): AttrValue | undefined {
    return this.values[keyword];
  }
}

export const LEVEL_ORDER: readonly Level[] = ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'];

/** The unique key of each level (PS3.4 Tables C.6-1 … C.6-4). */
export const UNIQUE_KEY: Readonly<Record<Exclude<Level, 'WORKLIST'>, string>> = {
  PATIENT: 'PatientID',
  STUDY: 'StudyInstanceUID',
  SERIES: 'SeriesInstanceUID',
  IMAGE: 'SOPInstanceUID',
};
