@scu-under-test @client
Feature: The query client under test
  Our SCP plays an archive (a scenario file of scenarios/) on a free port and the client under
  test queries it: its own command with the placeholders filled in (qr-harness conform
  --target-scu), or the client connecting by itself (--wait). In the self run the client is this
  harness's own find. What the client sends is judged by PS3.8 (the association), PS3.7 (the
  messages) and PS3.4 C.4.1.2 (each identifier); how it reacts to what archives do is reported.

  Scenario: The association request: AE titles, proposed contexts, Maximum Length, implementation identity
    Given the archive of "well-behaved.yaml" serves the client under test
    When the client under test queries it
    Then the client's association request follows the standard

  @checklist-52 @checklist-64 @checklist-75
  Scenario: Each C-FIND request is valid for its model and level
    Given the archive of "well-behaved.yaml" serves the client under test
    When the client under test queries it
    Then every C-FIND request the client sends is valid for its model and level

  @checklist-54 @checklist-61
  Scenario: Message IDs, C-CANCEL and one operation at a time
    Given the archive of "well-behaved.yaml" serves the client under test
    When the client under test queries it
    Then the client's Message IDs and C-CANCELs are consistent

  Scenario: The client releases the association when it is done
    Given the archive of "well-behaved.yaml" serves the client under test
    When the client under test queries it
    Then the client releases the association when it is done

  @reaction
  Scenario Outline: What the client does when the archive <behaves>
    Given the archive of "clients/<archive>.yaml" serves the client under test
    When the client under test queries it
    Then what the client did after "<what>" is reported

    Examples:
      | archive             | behaves                                             | what                                           |
      | ff01                | answers FF01 (an optional key not supported)        | three FF01 Pendings                            |
      | a700                | refuses with A700 after two Pendings                | A700 Refused: out of resources                 |
      | a900                | fails with A900 naming the offending elements       | A900 with Offending Element and Error Comment  |
      | c000                | fails with C000 and an Error Comment                | C000 Unable to process                         |
      | wrong-message-id    | answers a Message ID the client never sent          | a Pending for another Message ID               |
      | identifier-on-final | sends an Identifier on the final response           | an Identifier on the final Success             |
      | slow                | is slow (first Pending after 2 s, then 300 ms apart) | a slow archive                                 |
      | cancel-late         | honours a C-CANCEL only after 5 more Pendings       | a cancel honoured late                         |
      | rejecting           | rejects the association (transient, busy)           | an A-ASSOCIATE-RJ                              |
