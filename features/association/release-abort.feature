@self @association
Feature: Release, abort and the ARTIM timer
  PS3.8 7.2-7.4 and Table 9-10: the acceptor answers a release with one A-RELEASE-RP, treats an
  A-ABORT by closing without a word, aborts a peer that breaks the protocol, and closes a
  silent connection when ARTIM expires. None of this stops it serving the next association.

  @checklist-36
  Scenario: The SCU aborts; the SCP closes without sending anything and keeps serving
    Given an SCP "QRSCP" is listening
    When "ECHOSCU" associates with "QRSCP" proposing Verification
    And the SCU aborts the association
    Then the association ends aborted by local
    And the SCP saw an A-ABORT with source 0 and sent nothing after it
    When "ECHOSCU" associates with "QRSCP" proposing Verification
    And the SCU sends C-ECHO
    Then the C-ECHO status is 0000

  @checklist-2
  Scenario: A peer that connects and says nothing is closed after ARTIM, with no bytes sent
    Given an SCP "QRSCP" is listening with an ARTIM timeout of 300 ms
    When a raw peer connects to "QRSCP" and sends nothing
    Then the SCP closes the connection within 2000 ms without sending a byte

  @checklist-40
  Scenario: A release request before any association is answered with A-ABORT, then ARTIM closes
    Given an SCP "QRSCP" is listening with an ARTIM timeout of 300 ms
    When a raw peer connects to "QRSCP" and sends an A-RELEASE-RQ
    Then the raw peer receives an A-ABORT with source 0
    And the SCP closes the connection within 2000 ms

  @checklist-42 @checklist-43
  Scenario Outline: <what> on an established association is answered with A-ABORT from the provider
    Given an SCP "QRSCP" is listening
    When a raw peer associates with "QRSCP"
    And the raw peer sends <what>
    Then the raw peer receives an A-ABORT with source 2 and reason <reason>
    And the SCP reports the fault <code>

    Examples:
      | what                    | reason | code                     |
      | a second A-ASSOCIATE-RQ | 2      | UL_UNEXPECTED_PDU        |
      | an unknown PDU type 0AH | 1      | UL_UNRECOGNIZED_PDU      |
      | an A-RELEASE-RQ of length 6 | 6  | UL_PDU_DECODE_FAILED     |

  @checklist-1 @checklist-45
  Scenario: After the release the connection carries no new association
    Given an SCP "QRSCP" is listening
    When a raw peer associates with "QRSCP"
    And the raw peer sends an A-RELEASE-RQ
    Then the raw peer receives an A-RELEASE-RP
    When the raw peer sends a second A-ASSOCIATE-RQ
    Then the raw peer receives an A-ABORT with source 2 and reason 2
