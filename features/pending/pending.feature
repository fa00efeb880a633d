@self @pending
Feature: Pending responses and the final response
  A C-FIND answers one Pending per match, each with an Identifier, then exactly one final
  response without an Identifier (PS3.7 9.1.2.1.5, 9.3.2.2; PS3.4 C.4.1.3.1). Our SCU checks
  every response against those rules; here it queries our SCP.

  @checklist-101 @checklist-58 @checklist-53
  Scenario: The seed's Patient Root query for CITIZEN^Jan
    Given an SCP "QRSCP" answering C-FIND from "scenarios/records/seed.yaml"
    When "FINDSCU" associates with "QRSCP" proposing Patient Root FIND
    And the SCU queries at PATIENT level with:
      | PatientName | CITIZEN^Jan |
      | PatientID   |             |
    Then the responses are 1 Pending and a final 0000
    And every Pending carries an Identifier and the final response carries none
    And Pending 1 has PatientID "1234567"
    And every response echoes the message ID and names the SOP class
    And no response broke a rule

  @checklist-101
  Scenario: Zero matches: only the final Success
    Given an SCP "QRSCP" answering C-FIND from "scenarios/records/seed.yaml"
    When "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    And the SCU queries at STUDY level with:
      | PatientID        | NOBODY |
      | StudyInstanceUID |        |
    Then the responses are 0 Pendings and a final 0000

  @checklist-102
  Scenario Outline: A stream of <count> Pendings with status <status> arrives whole and in order
    Given an SCP "QRSCP" streaming <count> Pendings with status <status>
    When "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    And the SCU queries at IMAGE level with:
      | SOPInstanceUID |  |
    Then the responses are <count> Pendings and a final 0000
    And the Pendings arrive in order
    And no response broke a rule

    Examples:
      | count | status |
      | 3     | FF00   |
      | 3     | FF01   |
      | 5000  | FF00   |

  @checklist-59 @checklist-102
  Scenario: The seed's SCP fails with C000 when the identifier has no Query/Retrieve Level
    Given an SCP "QRSCP" running the seed's find handler over 5 patients
    When "FINDSCU" associates with "QRSCP" proposing Patient Root FIND
    And the SCU queries without a level with:
      | PatientName | * |
    Then the responses are 0 Pendings and a final C000
    And the final response has the Error Comment "Identifier has no Query/Retrieve Level"

  @checklist-58
  Scenario: An Identifier on a final response is reported precisely, and the association ends cleanly
    Given an SCP "QRSCP" that answers 2 Pendings then FE00 with an Identifier
    When "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    And the SCU queries at STUDY level with:
      | StudyInstanceUID |  |
    Then the responses are 2 Pendings and a final FE00
    And response 3 is reported for "carries an Identifier"
    When the SCU releases the association
    Then the association ends released
