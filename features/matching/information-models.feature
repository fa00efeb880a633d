@self @matching
Feature: Information models of our own SCP
  Our archive answers the retired Patient/Study Only model at its two levels and refuses a level
  a model does not have (PS3.4 C.6.3, C.6.2.1). The matching of every model against any archive,
  ours included, is judged by features/matching/archive.feature.

  Background:
    Given an SCP "QRSCP" serving the store "scenarios/stores/matching-vectors.yaml"

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
