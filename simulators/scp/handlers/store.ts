import { characterSet } from '../../dataset/charset.ts';
import { execute, matchContext } from '../../matching/engine.ts';
import type { MatchContext } from '../../matching/match-entity.ts';
import { negotiatedFrom } from '../../matching/negotiation.ts';
import { STRICT } from '../../matching/profile.ts';
import type { MatchingProfile } from '../../matching/profile.ts';
import { isRequiredOrUnique } from '../../matching/key-types.ts';
import { parseQuery } from '../../matching/query.ts';
import type { Key, Query } from '../../matching/query.ts';
import { ResponseBuilder } from '../../matching/response.ts';
import type { Store } from '../../store/store.ts';
import type { FindHandler, FindResult } from '../find-service.ts';

export interface StoreFindOptions {
  profile?: MatchingProfile;
  /** Retrieve AE Title (0008,0054) in every Q/R response (C.4.1.1.3.2); default: none given means the SCP's AE title is set by the caller. */
  retrieveAeTitle?: string;
  /** The archive's timezone, minutes east of UTC, for timezone query adjustment (default UTC). */
  storeOffset?: number;
}

/** C.2.2.1.3 under the profile: which optional keys are matched, returned, and whether the Pending says FF01. */
function applyOptionalKeys(query: Query, profile: MatchingProfile): number {
  let status = 0xff00;
  const unsupported = query.keys.filter((k) => profile.unsupportedKeys.includes(k.keyword));
  if (unsupported.length) {
    for (const k of unsupported) k.matched = false;
    query.returned = query.returned.filter((k) => !unsupported.includes(k));
    status = profile.unsupportedKeyStatus;
  }
  if (profile.optionalKeys === 'match' || query.model === 'mwl') return status;
  const optional = (k: Key) => !isRequiredOrUnique(query.model, k.level, k.keyword);
  const present = query.keys.filter((k) => optional(k));
  if (present.length === 0) return 0xff00;
  for (const k of present) k.matched = false;
  if (profile.optionalKeys === 'drop') {
    query.returned = query.returned.filter((k) => !optional(k));
    return 0xff00;
  }
  return 0xff01;
}

/**
 * Answers C-FIND from the store with the PS3.4 Annex C/K engine: validates the identifier
 * (A900 with the offending elements), matches by the profile and the negotiated extensions, and
 * streams one Pending per match, lazily.
 */
export function storeFindHandler(store: Store, o: StoreFindOptions = {}): FindHandler {
  const profile = o.profile ?? STRICT;
  const storeOffset = o.storeOffset ?? 0;
  return function* (request): Iterable<FindResult> {
    if (!request.model) {
      yield [0x0122, null, { errorComment: `no Find information model for ${request.sopClassUid}` }];
      return;
    }
    const accepted = request.association.accept.extendedNegotiations.find((e) => e.sopClassUid === request.sopClassUid);
    const negotiated = negotiatedFrom(request.sopClassUid, accepted?.applicationInformation);
    const query = parseQuery(request.identifier, request.model, store, negotiated, profile);
    if ('status' in query) {
      yield [query.status, null, { offendingElement: query.offendingElement, errorComment: query.errorComment }];
      return;
    }
    const status = applyOptionalKeys(query, profile);
    const queryCharset = characterSet(request.identifier.text('SpecificCharacterSet'));
    const unconverted = !profile.transcodeQueryCharacterSet && !queryCharset.isDefault ? queryCharset.terms.join('\\') : undefined;
    const ctx: MatchContext = matchContext(query, profile, { storeOffset });
    const builder = new ResponseBuilder(store, query, ctx, request.transferSyntax, request.identifier.element('QueryRetrieveLevel')?.bytes, o.retrieveAeTitle);
    for (const entity of execute(store, query, profile, { ...(unconverted !== undefined && { unconvertedQueryCharset: unconverted }), storeOffset })) {
      yield [status, builder.identifier(entity)];
    }
  };
}
