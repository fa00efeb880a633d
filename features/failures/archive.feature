@scp-under-test @failures @study-root
Feature: Identifiers invalid on purpose, sent to the archive under test
  An archive that cannot process a request answers Refused or Failed, without an Identifier, with
  an Error Comment of at most 64 default-repertoire characters (PS3.4 C.4.1.3.1, Table C.4-1;
  PS3.7 C.4). A Pending must carry the request's Query/Retrieve Level (PS3.4 C.4.1.1.3.2), so an
  identifier without one cannot be answered with Pendings; for the others, refusing or answering
  is the archive's choice, and is reported.

  Background:
    Given the archive under test holds the conformance data set

  @checklist-59 @checklist-64 @checklist-102
  Scenario Outline: <case>
    When the SCU sends the invalid identifier <case>
    Then the archive refuses it with a failure status, or the choice it made is reported

    Examples:
      | case                       |
      | invalid.no-level           |
      | invalid.unknown-level      |
      | invalid.level-not-in-model |
      | invalid.key-below-level    |
