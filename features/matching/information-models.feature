@matching
Feature: Information models and search methods
  Patient Root, Study Root, Patient/Study Only (retired) and Modality Worklist; hierarchical
  search, and relational search when negotiated (PS3.4 C.4.1.3.1, C.4.1.3.2, Annex K).

  Background:
    Given an SCP "QRSCP" serving the store "scenarios/stores/matching-vectors.yaml"

  @checklist-76 @checklist-77 @checklist-78 @checklist-65
  Scenario Outline: Hierarchical and relational queries — <vector>
    When the SCU runs matching vector <vector>
    Then the result is what the vector allows

    Examples:
      | vector |
      | QR-29  |
      | QR-39  |
      | QR-40  |
      | QR-41  |
      | QR-42  |
      | QR-46  |
      | QR-47  |
      | QR-48  |
      | QR-50  |
      | QR-51  |
      | QR-54  |

  @checklist-105 @checklist-107 @checklist-109 @checklist-110
  Scenario Outline: Modality Worklist — <vector>
    When the SCU runs matching vector <vector>
    Then the result is what the vector allows
    And every Pending holds only the requested keys, the level, the higher unique keys and the Retrieve AE Title

    Examples:
      | vector |
      | MWL-01 |
      | MWL-03 |
      | MWL-04 |
      | MWL-06 |

  @checklist-63 @checklist-64
  Scenario: Patient/Study Only (retired) answers PATIENT and STUDY levels
    When the SCU queries the Patient/Study Only model with:
      | QueryRetrieveLevel | STUDY  |
      | PatientID          | PAT001 |
      | StudyInstanceUID   |        |
    Then the Pendings have these StudyInstanceUID values:
      | 2.25.1001 |
      | 2.25.1002 |
      | 2.25.1009 |

  @checklist-64
  Scenario: A Study Root query at PATIENT level is refused with A900
    When the SCU queries the Study Root model with:
      | QueryRetrieveLevel | PATIENT |
      | PatientID          |         |
    Then the responses are 0 Pendings and a final A900
