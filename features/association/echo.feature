@self @association
Feature: Association negotiation and C-ECHO
  Our requestor associates with our acceptor over TCP, negotiates presentation contexts
  (PS3.8 7.1.1.13-14) and verifies with C-ECHO (PS3.7 9.3.5). Tags name the checklist items.

  Background:
    Given an SCP "QRSCP" is listening

  @checklist-55 @checklist-18 @checklist-32
  Scenario: Verification on an accepted context, then an orderly release
    When "ECHOSCU" associates with "QRSCP" proposing Verification
    Then the association is accepted
    And presentation context 1 is accepted with Implicit VR Little Endian
    When the SCU sends C-ECHO
    Then the C-ECHO status is 0000
    And the C-ECHO response echoes the message ID and carries no data set
    When the SCU releases the association
    Then the association ends released
    And the SCP saw the association released by the peer

  @checklist-56
  Scenario Outline: Message ID <id> is echoed exactly
    When "ECHOSCU" associates with "QRSCP" proposing Verification
    And the SCU sends C-ECHO with message ID <id>
    Then the C-ECHO status is 0000
    And the C-ECHO response echoes the message ID and carries no data set

    Examples:
      | id    |
      | 0     |
      | 1     |
      | 65535 |

  @checklist-17
  Scenario: Each proposed presentation context gets its own result
    When "FINDSCU" associates with "QRSCP" proposing:
      | abstract syntax         | transfer syntaxes        |
      | Verification            | Implicit VR Little Endian |
      | 1.2.3.4.5.6.7           | Implicit VR Little Endian |
      | Verification            | 1.2.3.999                |
    Then the association is accepted
    And the presentation context results are:
      | id | result |
      | 1  | 0      |
      | 3  | 3      |
      | 5  | 4      |

  @checklist-21 @checklist-48
  Scenario: A small maximum PDU length is honoured in both directions
    Given an SCP "TINY" is listening with a maximum PDU length of 16
    When "ECHOSCU" associates with "TINY" proposing Verification with a maximum PDU length of 16
    And the SCU sends C-ECHO
    Then the C-ECHO status is 0000
    And no P-DATA-TF in either direction is longer than 16 bytes
