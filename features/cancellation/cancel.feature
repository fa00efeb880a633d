@self @cancellation
Feature: C-CANCEL
  The SCU may cancel a C-FIND at any time; the SCP stops and answers FE00 if it had not finished,
  Pendings already in flight may still arrive, and a cancel after the final response has no
  effect. A C-CANCEL gets no response of its own (PS3.7 9.1.2.2, 9.3.2.3; PS3.4 C.4.1.3.1).

  Background:
    Given an SCP "QRSCP" streaming 2000 Pendings with status FF00, 2 ms apart
    And "FINDSCU" associates with "QRSCP" proposing Study Root FIND

  @checklist-57
  Scenario: Cancel before the first Pending
    When the SCU queries at IMAGE level and cancels before the first Pending
    Then the final status is FE00
    And at most 2 Pendings arrived
    And no response broke a rule
    And the association is still usable

  @checklist-57
  Scenario: Cancel after 3 Pendings
    When the SCU queries at IMAGE level and cancels after 3 Pendings
    Then the final status is FE00
    And at most 6 Pendings arrived
    And nothing arrived for the C-FIND after its final response
    And the association is still usable

  @checklist-57
  Scenario: Cancel after the final response has no effect
    Given an SCP "SMALL" streaming 3 Pendings with status FF00
    And "FINDSCU" associates with "SMALL" proposing Study Root FIND
    When the SCU queries at IMAGE level with:
      | SOPInstanceUID |  |
    And the SCU cancels the finished query
    Then the responses are 3 Pendings and a final 0000
    And nothing arrived for the C-FIND after its final response
    And the association is still usable

  @checklist-57
  Scenario: An SCP that ignores C-CANCEL: every Pending and a final 0000 still end the query cleanly
    Given an SCP "DEAF" streaming 50 Pendings with status FF00, 1 ms apart, ignoring C-CANCEL
    And "FINDSCU" associates with "DEAF" proposing Study Root FIND
    When the SCU queries at IMAGE level and cancels after 3 Pendings
    Then the final status is 0000
    And 50 Pendings arrived
    And a finding is reported: "the SCP did not stop after C-CANCEL"
