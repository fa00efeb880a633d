@scp-under-test @cancellation @study-root
Feature: C-CANCEL in the archive under test
  The SCU may cancel a C-FIND at any time. An archive that has not finished stops and ends it with
  FE00 (Cancel), which carries no Identifier; Pendings already on their way may still arrive, and
  are counted; a cancel after the final response has no effect (PS3.4 C.4.1.3.1; PS3.7 9.1.2.2,
  9.1.2.1.5). The long stream is the conformance data set's series of 1,000 instances; an archive that
  sends every match and Success is given two more tries, since it may have finished before it read
  the cancel.

  Background:
    Given the archive under test holds the conformance data set

  @checklist-57 @checklist-58
  Scenario: Cancel after the first Pending of a long stream
    When the SCU cancels a long stream after its first Pending
    Then the archive ends the query with FE00 and no Identifier, and sends nothing after it

  @checklist-57 @checklist-58
  Scenario: Cancel right after the request
    When the SCU cancels a long stream right after the request
    Then the archive ends the query with FE00 and no Identifier, and sends nothing after it

  @checklist-57
  Scenario: Cancel after the final response
    When the SCU cancels a query after its final response and queries again
    Then the late cancel has no effect and the next query is answered
