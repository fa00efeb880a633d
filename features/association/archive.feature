@scp-under-test @association
Feature: The association with the archive under test
  What the archive answers to an A-ASSOCIATE-RQ, byte by byte where the standard speaks of bytes:
  the fixed fields of the A-ASSOCIATE-AC echo the request, every proposed context gets one result,
  unknown abstract and transfer syntaxes are refused, the default transfer syntax is accepted,
  51H and 52H are present and UIDs unpadded (PS3.8 9.3.3, 7.1.1.13, Annex D, Annex F); extended
  negotiation, the operations window and roles never go beyond the request (PS3.7 Annex D); C-ECHO
  and release are answered (PS3.7 9.3.5, PS3.8 7.2); a Maximum Length we announce is respected
  (PS3.8 D.1).

  Background:
    Given the archive under test holds the conformance data set

  @checklist-13 @checklist-17 @checklist-18 @checklist-19 @checklist-20 @checklist-22
  Scenario: Presentation contexts, the fixed fields and the mandatory sub-items of the A-ASSOCIATE-AC
    When the SCU proposes Study Root FIND, an unknown abstract syntax, an unknown transfer syntax and Verification
    Then the A-ASSOCIATE-AC echoes the request, answers every context and accepts nothing unknown

  @checklist-25 @checklist-88 @checklist-112
  Scenario: Every C-FIND extended negotiation offered
    When the SCU offers every C-FIND extended negotiation
    Then the answer respects the offer, and what the archive accepted is reported

  @checklist-23 @checklist-24 @checklist-88
  Scenario: Nothing unasked, nothing beyond the request: extended negotiation, operations window, roles
    When the SCU associates without extended negotiation, then asking for an operations window and the SCU role
    Then nothing unasked is answered, and nothing is granted beyond the request

  @checklist-32 @checklist-55
  Scenario: C-ECHO and release
    When the SCU sends C-ECHO and releases the association
    Then the echo is answered with 0000 and the release with A-RELEASE-RP

  @checklist-12
  Scenario: A Called AE title the archive does not have
    When the SCU calls an AE title the archive does not have
    Then the archive rejects it with 1/1/7, or accepts it as configured

  @checklist-21 @checklist-48 @study-root
  Scenario: A small Maximum Length announced by the SCU
    When the SCU announces a Maximum Length of 128 and asks for a dozen keys of every study
    Then no P-DATA-TF from the archive is longer than that, and the answer is whole
