@self @association @scenarios
Feature: Associations with scripted archives
  The shipped scenarios reject callers they do not know, answer slowly, abort in the middle of a
  query or ask for a release they have no right to (PS3.8 Table 9-21, 9-26; PS3.7 A.5).

  @checklist-14 @checklist-12
  Scenario: An unknown calling AE title is rejected permanently by the service user (1/1/3)
    Given the scenario "reject-unknown-ae.yaml" is running
    When "STRANGER" associates with "QRSCP" proposing Study Root FIND
    Then the association is rejected with result 1, source 1, reason 3
    And the rejection reads "calling-AE-title-not-recognized"

  @checklist-14
  Scenario: A wrong called AE title is rejected 1/1/7
    Given the scenario "reject-unknown-ae.yaml" is running
    When "FINDSCU" associates with "QRSCP" at "QRSCP" proposing Verification
    Then the association is accepted
    When "FINDSCU" associates with "ARCHIVE" at "QRSCP" proposing Verification
    Then the association is rejected with result 1, source 1, reason 7

  @checklist-14
  Scenario: The third association of a busy client is turned away transiently (2/3/1)
    Given the scenario "reject-unknown-ae.yaml" is running
    When "BUSY" associates with "QRSCP" proposing Study Root FIND
    Then the association is accepted
    When "BUSY" associates with "QRSCP" proposing Study Root FIND
    Then the association is accepted
    When "BUSY" associates with "QRSCP" proposing Study Root FIND
    Then the association is rejected with result 2, source 3, reason 1
    And the rejection reads "temporary-congestion"

  Scenario: A slow archive accepts after 300 ms and still answers
    Given the scenario "slow-archive.yaml" is running
    When "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    Then the A-ASSOCIATE-AC came after at least 290 ms
    When the SCU queries at STUDY level with:
      | PatientID        | 1234567 |
      | StudyInstanceUID |         |
    Then the responses are 2 Pendings and a final 0000

  @checklist-36
  Scenario: The archive aborts after two Pendings
    Given the scenario "hostile.yaml" is running
    And "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAULT-ABORT |
      | StudyInstanceUID |             |
    Then 2 Pendings arrived
    And the C-FIND ended without a final response: DIMSE_ASSOCIATION_ENDED
    And the association ends aborted by peer

  @checklist-33
  Scenario: The archive asks for a release while our C-FIND is outstanding
    Given the scenario "hostile.yaml" is running
    And "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAULT-RELEASE |
      | StudyInstanceUID |               |
    Then 1 Pendings arrived
    And the C-FIND ended without a final response: DIMSE_ASSOCIATION_ENDED
