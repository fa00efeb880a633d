/**
 * Where PS3.4 Annex C leaves a choice to the implementation (items marked [ID] in the
 * conformance checklist), a matching profile makes it. `strict` is the default: the closest
 * reading of the standard's text. The others imitate well-known archive behaviours, so our SCP
 * can play a vendor and our SCU can tell a deviation from a permitted choice.
 */
export interface MatchingProfile {
  name: string;
  description: string;
  /** PN literal matching ignores case (C.2.2.2.1.1). */
  pnCaseInsensitive: boolean;
  /** A PN key with fewer components than the value matches on the components given (C.2.2.2.4). */
  pnTrailingComponentsWild: boolean;
  /** Several values in a non-UID key without Multiple Value Matching negotiated (C.2.2.2.8 note): OR, AND, or A900. */
  multiValueWithoutNegotiation: 'or' | 'and' | 'fail';
  /** A hierarchical query that is not baseline (missing or multiple upper unique key, C.4.1.2.1): A900, zero matches, or answered relationally. */
  nonBaselineHierarchical: 'fail' | 'empty' | 'relational';
  /** Required/optional keys of higher levels in a hierarchical query (C.4.1.2.1): ignored, matched, or A900. */
  upperLevelKeys: 'ignore' | 'match' | 'fail';
  /** The status of a refused non-baseline query: A900 (Identifier does not match SOP Class) or, as some archives answer, C000. */
  refusalStatus: number;
  /** Leading spaces of SH and LO values are significant (PS3.5 Table 6.2-1 leaves it open). */
  leadingSpacesSignificant: boolean;
  /** IS compared as numbers ('007' = '7', C.2.2.2.1.4). */
  isNumeric: boolean;
  /** A zero-length stored sequence is an unknown value and matches (Q/R; C.2.2.1.2 applied to SQ). */
  emptySequenceMatches: boolean;
  /** Text in a query character set other than the store's is converted before matching (C.2.2.2). */
  transcodeQueryCharacterSet: boolean;
  /**
   * Optional keys: matched like required keys (`match`); ignored for matching, returned, with
   * FF01 (`ff01`); or ignored and dropped from responses while the status stays FF00 (`drop`, a
   * deviation some archives show).
   */
  optionalKeys: 'match' | 'ff01' | 'drop';
  /** Optional keys this archive does not support at all: ignored for matching and left out of responses (C.2.2.1.3). */
  unsupportedKeys: readonly string[];
  /** The Pending status when such a key was asked for: FF01 as Table C.4-1 says, or FF00 as some archives answer. */
  unsupportedKeyStatus: number;
}

export const STRICT: MatchingProfile = {
  name: 'strict',
  description: 'The closest reading of PS3.4 Annex C: literal, case-sensitive matching; non-baseline hierarchical queries refused with A900',
  pnCaseInsensitive: false,
  pnTrailingComponentsWild: false,
  multiValueWithoutNegotiation: 'fail',
  nonBaselineHierarchical: 'fail',
  refusalStatus: 0xa900,
  upperLevelKeys: 'ignore',
  leadingSpacesSignificant: true,
  isNumeric: false,
  emptySequenceMatches: true,
  transcodeQueryCharacterSet: true,
  optionalKeys: 'match',
  unsupportedKeys: [],
  unsupportedKeyStatus: 0xff01,
};

/** Named profiles selectable per scenario. */
export const PROFILES: Readonly<Record<string, MatchingProfile>> = {
  strict: STRICT,
  lenient: {
    ...STRICT,
    name: 'lenient',
    description: 'Permissive archive: PN case-insensitive, missing PN components as wild cards, multi-values as OR, non-baseline queries answered relationally, IS numeric, leading spaces ignored',
    pnCaseInsensitive: true,
    pnTrailingComponentsWild: true,
    multiValueWithoutNegotiation: 'or',
    nonBaselineHierarchical: 'relational',
    leadingSpacesSignificant: false,
    isNumeric: true,
  },
  'empty-hierarchical': {
    ...STRICT,
    name: 'empty-hierarchical',
    description: 'Strict, but a non-baseline hierarchical query finds nothing (C.4.1.3.1.1 read literally) instead of failing; upper-level keys are matched',
    nonBaselineHierarchical: 'empty',
    upperLevelKeys: 'match',
    multiValueWithoutNegotiation: 'and',
    emptySequenceMatches: false,
  },
  dcmqrscp: {
    ...STRICT,
    name: 'dcmqrscp',
    description:
      'As DCMTK 3.6.7 dcmqrscp answered here: literal case-sensitive matching, non-baseline hierarchical queries refused with C000, Modalities in Study, SOP Classes in Study and the related-instance count neither matched nor returned while the Pending stays FF00',
    refusalStatus: 0xc000,
    unsupportedKeys: ['ModalitiesInStudy', 'SOPClassesInStudy', 'NumberOfStudyRelatedInstances'],
    unsupportedKeyStatus: 0xff00,
  },
  orthanc: {
    ...STRICT,
    name: 'orthanc',
    description: 'As Orthanc 1.10 answered here: Patient\'s Name case-insensitive (other text case-sensitive), non-baseline queries answered relationally, several values in a key read as OR',
    pnCaseInsensitive: true,
    nonBaselineHierarchical: 'relational',
    multiValueWithoutNegotiation: 'or',
  },
};

export function profile(name: string): MatchingProfile | undefined {
  return PROFILES[name];
}
