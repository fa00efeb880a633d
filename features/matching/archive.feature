@scp-under-test @matching
Feature: Matching in the archive under test
  Each conformance query (features/data/conformance-queries.yaml) goes to the archive under test on
  an association of its own, offering only the extended negotiation the query needs. The answer is
  judged entity by entity against the conformance data set the archive holds
  (scenarios/stores/conformance.yaml) by every reading PS3.4 Annex C permits — the strict one, and
  one for each choice the standard leaves to the implementation — given what the association
  actually negotiated; and every Pending is checked for its content (requested keys with the
  entity's values, Query/Retrieve Level, higher unique keys, Retrieve AE Title, Specific Character
  Set, nothing else). A choice the standard leaves open is a finding; a broken rule is a fail.

  Background:
    Given the archive under test holds the conformance data set

  @checklist-72 @checklist-79 @checklist-83 @checklist-84 @checklist-100
  Scenario Outline: Universal, single value and UID list matching — <query>
    Universal matching returns every entity; single values match exactly (case-sensitive but for PN); a list of UIDs matches any of them (PS3.4 C.2.2.2.1-3).
    When the SCU sends conformance query <query>
    Then the answer is what the data set and the negotiation allow

    @patient-root
    Examples:
      | query  | about |
      | QR-01  | Universal matching on every key |
      | QR-02  | Single Value Matching on the query-level unique key |
      | QR-03  | Single Value Matching of LO is case-sensitive: zero Pending, final 0000 |
      | QR-07  | A lone '*' is equivalent to universal matching |

    @study-root
    Examples:
      | query  | about |
      | QR-12  | Universal match on the query-level unique key |
      | QR-13  | List of UID matching; a UID with no entity simply yields nothing |
      | QR-23  | SH single value matching is case-sensitive |
      | QR-25  | Odd-length value travels as 'ACC-009 ' (8 bytes); the pad SPACE is not part of the value |
      | QR-30  | Wild card on LO (Patient ID is a Required Key in Study Root) is case-sensitive: pat005 excluded |

  @checklist-73
  Scenario Outline: Zero-length values of Required Keys match any key value — <query>
    An entity whose Required Key is zero length has an unknown value, and every match against it succeeds (PS3.4 C.2.2.1.2).
    When the SCU sends conformance query <query>
    Then the answer is what the data set and the negotiation allow

    @study-root
    Examples:
      | query  | about |
      | QR-14  | DA single value; study with zero-length StudyDate is unknown and matches |
      | QR-22  | SH single value; empty accession is unknown and matches |
      | REQ-01 | A zero-length Series Number (a Required Key) matches any value |
      | REQ-02 | A zero-length Study ID (a Required Key) matches any value |

  @checklist-80 @checklist-85
  Scenario Outline: Person names — <query>
    Patient's Name may be matched with or without regard to case; wild cards in PN are the implementation's (PS3.4 C.2.2.2.1.1, C.2.2.2.4).
    When the SCU sends conformance query <query>
    Then the answer is what the data set and the negotiation allow

    @patient-root
    Examples:
      | query  | about |
      | QR-04  | PN single value: literal match may be case-insensitive; zero-length required key matches (C.2.2.1.2) |
      | QR-05  | '*' in a PN value: wild card semantics apply, details (case, components) are implementation dependent |
      | PN-01  | Patient's Name single value differing only in case, under one patient: matched or not (an implementation choice) |
      | PN-02  | Patient's Name wild card differing only in case, under one patient |

    @study-root
    Examples:
      | query  | about |
      | QR-29  | In Study Root, patient attributes are study-level keys; PN case sensitivity open (C.2.2.2.1.1) |

  @checklist-85 @checklist-96 @checklist-97 @checklist-98
  Scenario Outline: Wild cards and character sets — <query>
    '*' and '?' match characters, not bytes; a response with non-default text carries its Specific Character Set (PS3.4 C.2.2.2.4, C.4.1.1.3.2).
    When the SCU sends conformance query <query>
    Then the answer is what the data set and the negotiation allow

    @patient-root
    Examples:
      | query  | about |
      | QR-08  | Non-ASCII single value match with UTF-8 identifier |
      | QR-09  | Same name in a different character set; matching across repertoires depends on SCP charset support; an SCP that supports ISO_IR 100 should return PAT003 |
      | CS-03  | A patient stored in ISO_IR 100 comes back with its Specific Character Set and its name intact |

    @study-root
    Examples:
      | query  | about |
      | QR-38  | Wild card on LO is case-sensitive: 'ct abdomen' excluded |
      | QR-43  | Wild card on CS Modality |
      | CS-01  | '?' matches one character of a multi-byte (UTF-8) value of a Required Key (Study ID 'Ü-4') |
      | CS-02  | '?' on a non-ASCII character of an Optional Key (Study Description 'Schädel nativ') |
      | CS-04  | A query in ISO_IR 100 for a value stored in ISO_IR 100 |

  @checklist-86 @checklist-87
  Scenario Outline: Dates and times — <query>
    Ranges include their bounds and are matched by meaning; a date range and a time range join into one period only when combined date-time matching was negotiated (PS3.4 C.2.2.2.5).
    When the SCU sends conformance query <query>
    Then the answer is what the data set and the negotiation allow

    @patient-root
    Examples:
      | query  | about |
      | QR-11  | DA range, inclusive lower bound; unknown birth date matches |

    @study-root
    Examples:
      | query  | about |
      | QR-15  | Closed DA range, both ends inclusive |
      | QR-17  | Range open at the end, lower bound inclusive |
      | QR-18  | Without date-time extended negotiation DA and TM ranges are matched independently |
      | QR-19  | Combined date-time matching: one period 2024-01-05 10:00 .. 2024-01-07 18:00 |
      | QR-21  | TM range open at the end; equal fractional value is inclusive; no wrap past midnight |
      | TM-01  | A TM range is matched by meaning: '080000-' includes a study stored at '0800' |

  @checklist-74 @checklist-82 @checklist-90 @checklist-91 @checklist-92 @checklist-93 @checklist-95
  Scenario Outline: Optional keys, sequences, several values, padding — <query>
    An Optional Key is matched like a Required Key, or ignored with FF01 and left out of the responses when not supported (PS3.4 C.2.2.1.3, Table C.4-1).
    When the SCU sends conformance query <query>
    Then the answer is what the data set and the negotiation allow

    @study-root
    Examples:
      | query  | about |
      | QR-27  | SH may be padded with leading spaces but the standard does not say whether a leading space is significant for matching |
      | QR-32  | Multiple values in a non-UID key without Multiple Value Matching negotiated: semantics undefined; OR and AND readings both seen |
      | QR-33  | Multiple Value Matching = logical AND of the key values |
      | QR-35  | Empty Value Matching: two QUOTATION MARKs match only zero-length/absent values. Without negotiation the key is the literal 2-character string, which only the unknown (empty) accession matches (C.2.2.2.1, C.2.2.1.2), so both outcomes are the same set; the vector catches SCPs that treat the quotes as universal or reject them |
      | QR-36  | Sequence matching: some item must match all item keys. Whether an empty sequence counts as an unknown (matching) value is not stated |
      | QR-53  | IS values are matched in an implementation dependent way ('02' vs '2') |
      | OPT-01 | Modalities in Study as a matching key: matched (FF00), or ignored with FF01 |
      | OPT-02 | Study attributes an archive derives (Modalities / SOP Classes in Study, related series and instances) as return keys |
      | OPT-04 | Number of Series Related Instances as a return key |
      | OPT-05 | SOP Class UID as a return key at IMAGE level |

    @patient-root
    Examples:
      | query  | about |
      | OPT-03 | Patient attributes an archive derives (related studies, series, instances) as return keys |

  @checklist-52 @checklist-75 @checklist-76 @checklist-77 @checklist-78
  Scenario Outline: Hierarchical and relational search — <query>
    Baseline queries give a single value of each higher unique key and are searched level by level; relational queries only when negotiated; priority does not change answers (PS3.4 C.4.1.2, C.4.1.3).
    When the SCU sends conformance query <query>
    Then the answer is what the data set and the negotiation allow

    @patient-root
    Examples:
      | query  | about |
      | QR-39  | Hierarchical query: single-valued unique key of the level above |
      | QR-40  | Hierarchical STUDY query without PatientID violates PS3.4 C.4.1.2.1; the C.4.1.3.1.1 procedure then finds no patient (zero matches), but SCPs also fail the request or run it relationally |
      | QR-41  | A Required Key of a higher level in a hierarchical query is forbidden; an SCP may ignore it (3 matches), honour it (0) or fail |

    @study-root
    Examples:
      | query  | about |
      | QR-42  | Hierarchical SERIES query under one study |
      | QR-46  | Hierarchical constraint: SERIES query without the Study Instance UID is not a valid baseline query; strict reading of C.4.1.3.1.1 gives zero matches |
      | QR-47  | Relational query: missing upper keys act as universal |
      | QR-48  | Relational query with a key from a higher level |
      | QR-50  | Upper-level unique keys must be single values in a hierarchical query; a UID list there is outside baseline |
      | QR-51  | Hierarchical IMAGE query |
      | QR-54  | Relational IMAGE query constrained only by a SERIES-level key |
      | PRI-01 | Priority HIGH does not change the answer |
      | PRI-02 | Priority LOW does not change the answer |

  @checklist-105 @checklist-106 @checklist-107 @checklist-109 @checklist-110
  Scenario Outline: Modality Worklist — <query>
    One level, sequence matching inside the Scheduled Procedure Step, and unknown values that do not match (PS3.4 Annex K).
    When the SCU sends conformance query <query>
    Then the answer is what the data set and the negotiation allow

    @worklist
    Examples:
      | query  | about |
      | MWL-01 | Sequence matching inside the single SPS item; AE single value + DA single value |
      | MWL-03 | In worklist queries an unknown (zero-length) value does NOT match (SPS2 excluded), unlike Q/R |
      | MWL-04 | Return key with universal matching comes back zero-length when unknown |
      | MWL-06 | Zero-length item in the SPS sequence returns the whole item (universal); UTF-8 PN match |
