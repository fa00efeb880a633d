@self @association
Feature: Association rejection
  The acceptor checks the called and calling AE titles and the application context and answers
  A-ASSOCIATE-RJ with a result, source and reason (PS3.8 Table 9-21). The requestor reports
  the reason in words.

  @checklist-12 @checklist-14
  Scenario: An unknown called AE title is rejected permanently by the service user
    Given an SCP "QRSCP" is listening
    When "ECHOSCU" associates with "ELSEWHERE" at "QRSCP" proposing Verification
    Then the association is rejected with result 1, source 1, reason 7
    And the rejection reads "called-AE-title-not-recognized"

  @checklist-12
  Scenario: A calling AE title the acceptor does not know is rejected
    Given an SCP "QRSCP" is listening that accepts only calling AE title "TRUSTED"
    When "STRANGER" associates with "QRSCP" proposing Verification
    Then the association is rejected with result 1, source 1, reason 3
    When "TRUSTED" associates with "QRSCP" proposing Verification
    Then the association is accepted

  @checklist-15
  Scenario: An application context other than DICOM's is rejected
    Given an SCP "QRSCP" is listening
    When "ECHOSCU" associates with "QRSCP" proposing Verification in application context "1.2.840.10008.3.1.1.99"
    Then the association is rejected with result 1, source 1, reason 2

  @checklist-11
  Scenario: A protocol version without bit 0 is rejected by the service provider
    Given an SCP "QRSCP" is listening
    When "ECHOSCU" associates with "QRSCP" proposing Verification with protocol version 2
    Then the association is rejected with result 1, source 2, reason 2
    And the rejection reads "protocol-version-not-supported"

  @checklist-14
  Scenario Outline: The acceptor can reject with any result, source and reason
    Given an SCP "QRSCP" is listening that rejects every association with <result>/<source>/<reason>
    When "ECHOSCU" associates with "QRSCP" proposing Verification
    Then the association is rejected with result <result>, source <source>, reason <reason>
    And the rejection reads "<words>"

    Examples:
      | result | source | reason | words                                  |
      | 1      | 1      | 1      | no-reason-given                        |
      | 2      | 3      | 1      | temporary-congestion                   |
      | 2      | 3      | 2      | local-limit-exceeded                   |
      | 1      | 2      | 1      | service-provider (ACSE related function), no-reason-given |
