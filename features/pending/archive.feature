@scp-under-test @pending @study-root
Feature: Pending sequences of the archive under test
  One Pending per match, then one final response without an Identifier; nothing after the final;
  one association carries one query after another (PS3.4 C.4.1.3.1; PS3.7 9.1.2). Every query of
  the matching feature checks its Pendings; this one checks the sequence across queries.

  Background:
    Given the archive under test holds the conformance data set

  @checklist-101 @checklist-56
  Scenario: Two queries one after the other on one association
    When the SCU sends two queries one after the other on one association
    Then both are answered in full
