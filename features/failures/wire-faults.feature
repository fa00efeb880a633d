@self @failures @wire
Feature: Wire faults from a hostile SCP
  The shipped scenario scenarios/hostile.yaml breaks one rule per Patient ID. Our SCU must notice
  each breach, say which rule it broke, and never hang or crash: a response it cannot use is
  reported, a PDU it cannot accept ends the association with A-ABORT.

  Background:
    Given the scenario "hostile.yaml" is running

  @checklist-53 @checklist-56
  Scenario: Responses to another Message ID are reported; the C-FIND then times out and the association is aborted
    Given the SCU gives up on a C-FIND after 500 ms without a response
    And "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAULT-MSGID |
      | StudyInstanceUID |             |
    Then the SCU reported the violation "responds to message 2, which has no outstanding request"
    And the C-FIND ended without a final response: DIMSE_TIMEOUT
    And the association ends aborted by local

  @checklist-53
  Scenario: Another Affected SOP Class UID in every response
    Given "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAULT-SOPCLASS |
      | StudyInstanceUID |                |
    Then the responses are 2 Pendings and a final 0000
    And response 1 is reported for "differs from the request's 1.2.840.10008.5.1.4.1.2.2.1"
    And response 3 is reported for "differs from the request's"

  @checklist-58
  Scenario: An Identifier on the final response
    Given "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAULT-FINALID |
      | StudyInstanceUID |               |
    Then the responses are 1 Pending and a final 0000
    And response 2 is reported for "carries an Identifier; only Pending responses do"
    And the association is still usable

  @checklist-30
  Scenario: One-byte fragments are reassembled but reported, once per message
    Given "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAULT-FRAGMENTS |
      | StudyInstanceUID |                 |
    Then the responses are 1 Pending and a final 0000
    And the SCP "QRSCP" sent every fragment as a P-DATA-TF of 13 bytes
    And response 1 is reported for "fragment has an odd length 1"

  @checklist-30
  Scenario: Two-byte fragments are legal and go unremarked
    Given "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | EXTREME-FRAGMENTS |
      | StudyInstanceUID |                   |
    Then the responses are 1 Pending and a final 0000
    And the SCP "QRSCP" sent every fragment as a P-DATA-TF of 14 bytes
    And no response broke a rule

  @checklist-21
  Scenario: A P-DATA-TF longer than our maximum ends the association
    Given "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAULT-OVERSIZE |
      | StudyInstanceUID |                |
    Then the SCP "QRSCP" sent a P-DATA-TF longer than the 16384 bytes the SCU allowed
    And the C-FIND ended without a final response: DIMSE_ASSOCIATION_ENDED
    And the SCU reported a fault "more than the 16384 accepted"
    And the association ends aborted by provider

  @checklist-43
  Scenario: An unknown PDU type mid-stream: A-ABORT (PS3.8 Table 9-10, Sta6 + Evt19 → AA-8)
    Given "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAULT-UNKNOWN |
      | StudyInstanceUID |               |
    Then the C-FIND ended without a final response: DIMSE_ASSOCIATION_ENDED
    And the SCU reported a fault "unknown PDU type 0x0A"
    And the association ends aborted by provider

  @checklist-37
  Scenario: The connection drops in the middle of a PDU
    Given "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAULT-CLOSE |
      | StudyInstanceUID |             |
    Then the C-FIND ended without a final response: DIMSE_ASSOCIATION_ENDED
    And the association ends aborted by provider

  @checklist-37
  Scenario: Half a PDU, then the close
    Given "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at STUDY level with:
      | PatientID        | FAULT-TRUNCATED |
      | StudyInstanceUID |                 |
    Then the C-FIND ended without a final response: DIMSE_ASSOCIATION_ENDED
    And the association ends aborted by provider
