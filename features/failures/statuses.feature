@self @failures
Feature: C-FIND failure statuses
  An SCP may end a C-FIND with Refused (A700), Identifier does not match SOP class (A900, with the
  Offending Elements), Failed (Cxxx — an SCU treats any Cxxx like C000), or a general status such
  as 0122. A failure carries no Identifier; Error Comment is at most 64 default-repertoire
  characters (PS3.4 Table C.4-1, C.4.1.1.4; PS3.7 9.1.2.1.5, Annex C). The archives are the shipped
  scenarios scenarios/a700-after-3.yaml, scenarios/failures.yaml and scenarios/seed-scp.yaml.

  @checklist-102 @checklist-59 @checklist-58
  Scenario: Out of resources after three matches (A700)
    Given the scenario "a700-after-3.yaml" is running
    And "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | StudyInstanceUID |  |
    Then the responses are 3 Pendings and a final A700
    And the final response has the Error Comment "out of resources"
    And the final response carries no Identifier
    And no response broke a rule
    And the association is still usable

  @checklist-102 @checklist-59
  Scenario: Identifier does not match SOP class, naming the Offending Elements (A900)
    Given the scenario "failures.yaml" is running
    And "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAIL-A900 |
      | StudyInstanceUID |           |
    Then the responses are 0 Pendings and a final A900
    And the final response names the Offending Elements "PatientID, StudyDate"
    And the final response has the Error Comment "keys not in the model"
    And no response broke a rule

  @checklist-102 @checklist-59
  Scenario: Any Cxxx is "unable to process", with an Error ID
    Given the scenario "failures.yaml" is running
    And "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAIL-C123 |
      | StudyInstanceUID |           |
    Then the responses are 0 Pendings and a final C123
    And the final response has the Error Comment "index unavailable"
    And the final response has the Error ID 4711
    And no response broke a rule

  @checklist-62 @checklist-59
  Scenario: SOP class not supported (0122)
    Given the scenario "failures.yaml" is running
    And "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAIL-0122 |
      | StudyInstanceUID |           |
    Then the responses are 0 Pendings and a final 0122
    And the final response has the Error Comment "SOP class not supported"
    And the association is still usable

  @checklist-59 @checklist-99
  Scenario: No Query/Retrieve Level: the seed's SCP fails with C000 and says why
    Given the scenario "seed-scp.yaml" is running
    And "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries without a level with:
      | StudyInstanceUID |  |
    Then the responses are 0 Pendings and a final C000
    And the final response has the Error Comment "Identifier has no Query/Retrieve Level"

  @checklist-102
  Scenario: A final status in no status class is reported, and the association survives
    Given the scenario "hostile.yaml" is running
    And "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAULT-STATUS |
      | StudyInstanceUID |              |
    Then the responses are 1 Pending and a final 0042
    And response 2 is reported for "belongs to no status class"
    And the association is still usable
