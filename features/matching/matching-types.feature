@matching
Feature: Matching types
  Each matching type of PS3.4 C.2.2.2, driven by the shared matching vectors against our SCP
  serving their store (strict profile). Vectors the standard leaves open ([ID]) are checked
  against their bounds and reported as findings, never failed for the choice made.

  Background:
    Given an SCP "QRSCP" serving the store "scenarios/stores/matching-vectors.yaml"

  @checklist-84 @checklist-72
  Scenario Outline: Universal matching — <vector>
    When the SCU runs matching vector <vector>
    Then the result is what the vector allows
    And every Pending holds only the requested keys, the level, the higher unique keys and the Retrieve AE Title

    Examples:
      | vector |
      | QR-01  |
      | QR-07  |
      | QR-12  |

  @checklist-79 @checklist-73 @checklist-95
  Scenario Outline: Single value matching — <vector>
    When the SCU runs matching vector <vector>
    Then the result is what the vector allows

    Examples:
      | vector |
      | QR-02  |
      | QR-03  |
      | QR-14  |
      | QR-22  |
      | QR-23  |
      | QR-25  |
      | QR-27  |

  @checklist-80 @checklist-85 @checklist-98
  Scenario Outline: Wild card matching — <vector>
    When the SCU runs matching vector <vector>
    Then the result is what the vector allows

    Examples:
      | vector |
      | QR-04  |
      | QR-05  |
      | QR-30  |
      | QR-38  |
      | QR-43  |

  @checklist-86 @checklist-87
  Scenario Outline: Range matching and combined date-time — <vector>
    When the SCU runs matching vector <vector>
    Then the result is what the vector allows

    Examples:
      | vector |
      | QR-11  |
      | QR-15  |
      | QR-17  |
      | QR-18  |
      | QR-19  |
      | QR-21  |

  @checklist-83 @checklist-90 @checklist-91 @checklist-92 @checklist-93
  Scenario Outline: UID lists, sequences, empty values, multiple values — <vector>
    When the SCU runs matching vector <vector>
    Then the result is what the vector allows

    Examples:
      | vector |
      | QR-13  |
      | QR-36  |
      | QR-35  |
      | QR-32  |
      | QR-33  |

  @checklist-96 @checklist-97
  Scenario Outline: Character sets — <vector>
    When the SCU runs matching vector <vector>
    Then the result is what the vector allows

    Examples:
      | vector |
      | QR-08  |
      | QR-09  |

  @checklist-82
  Scenario: IS values are matched as the implementation says (QR-53)
    When the SCU runs matching vector QR-53
    Then the result is what the vector allows
