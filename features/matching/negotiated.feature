@self @matching @negotiation
Feature: Fuzzy person names and timezone query adjustment
  Two matchings that change meaning only when extended negotiation accepted them (PS3.4 C.5.1.1
  bytes 3 and 4): fuzzy semantic matching of person names (C.2.2.2.1.1) and timezone query
  adjustment (C.2.2.2.1.3). Without the negotiation the literal rules hold. The archive's times
  are in UTC.

  Background:
    Given an SCP "QRSCP" serving the store "scenarios/stores/negotiated.yaml"

  @checklist-80 @checklist-88
  Scenario Outline: Fuzzy person names: <name>, offering <offered>
    When the SCU queries the Study Root model, offering <offered>, with:
      | QueryRetrieveLevel | STUDY  |
      | StudyInstanceUID   |        |
      | PatientName        | <name> |
    Then the Pendings have the StudyInstanceUID values "<matches>"

    Examples:
      | name          | offered        | matches  |
      | muller^jurgen | fuzzy matching | 1.1, 1.2 |
      | Jan^Citizen   | fuzzy matching | 2.1      |
      | MUL*          | fuzzy matching | 1.1, 1.2 |
      | muller^jurgen | nothing        |          |
      | Jan^Citizen   | nothing        |          |

  @checklist-89 @checklist-88
  Scenario Outline: Timezone adjustment: StudyTime <time> at <offset>, offering <offered>
    When the SCU queries the Study Root model, offering <offered>, with:
      | QueryRetrieveLevel    | STUDY    |
      | StudyInstanceUID      |          |
      | StudyDate             |          |
      | StudyTime             | <time>   |
      | TimezoneOffsetFromUTC | <offset> |
    Then the Pendings have the StudyInstanceUID values "<matches>"

    Examples:
      | time      | offset | offered             | matches  |
      | 0500-0700 | -0500  | timezone adjustment | 1.2      |
      | 0500-0700 | -0500  | nothing             |          |
      | 0000-0100 | +0100  | timezone adjustment | 1.1      |
      | 2300-2359 | +0100  | timezone adjustment | 2.1      |
      | 2300-2359 | +0100  | nothing             | 1.1      |

  @checklist-89
  Scenario: The answer is in the query's zone and says so
    When the SCU queries the Study Root model, offering timezone adjustment, with:
      | QueryRetrieveLevel    | STUDY |
      | StudyInstanceUID      | 1.1   |
      | StudyDate             |       |
      | StudyTime             |       |
      | TimezoneOffsetFromUTC | +0100 |
    Then Pending 1 has StudyDate "20240301"
    And Pending 1 has StudyTime "003000"
    And Pending 1 has TimezoneOffsetFromUTC "+0100"
