@self @cancellation @scenarios
Feature: C-CANCEL against scripted archives
  What the SCU sees, and what the SCP recorded, when an archive honours a cancel at once, ignores
  it, or honours it late with an Identifier on its FE00 the way Orthanc 1.10 does
  (PS3.7 9.1.2.1.5, 9.3.2.3; PS3.4 C.4.1.3.1).

  @checklist-57
  Scenario: The seed's SCP honours a cancel at once
    Given the scenario "seed-scp.yaml" is running
    And "FINDSCU" associates with "QRSCP" proposing Patient Root FIND
    When the SCU queries at PATIENT level, cancelling after 2 Pendings, with:
      | PatientID |  |
    Then the final status is FE00
    And the final response carries no Identifier
    And the SCP "QRSCP" recorded a C-CANCEL for message 1 after 2 Pendings, then sent 0 more and a final FE00
    And the association is still usable

  @checklist-57
  Scenario: An archive that ignores C-CANCEL streams all 40 and ends 0000
    Given the scenario "ignore-cancel.yaml" is running
    And "FINDSCU" associates with "QRSCP" proposing Study Root FIND
    When the SCU queries at IMAGE level, cancelling after 3 Pendings, with:
      | StudyInstanceUID  | 1.2.826.0.1.3680043.9.7433.3.1.1   |
      | SeriesInstanceUID | 1.2.826.0.1.3680043.9.7433.3.1.1.1 |
      | SOPInstanceUID    |                                    |
    Then the responses are 40 Pendings and a final 0000
    And the SCP "QRSCP" recorded a C-CANCEL for message 1 after 3 Pendings, then sent 37 more and a final 0000
    And a finding is reported: "the SCP did not stop after C-CANCEL"

  @checklist-57 @checklist-58
  Scenario: An Orthanc-like archive: two more Pendings, then FE00 with an Identifier
    Given the scenario "orthanc-like.yaml" is running
    And "FINDSCU" associates with "ORTHANC" proposing Study Root FIND
    When the SCU queries at IMAGE level, cancelling after 3 Pendings, with:
      | StudyInstanceUID  | 1.2.826.0.1.3680043.9.7433.3.1.1   |
      | SeriesInstanceUID | 1.2.826.0.1.3680043.9.7433.3.1.1.1 |
      | SOPInstanceUID    |                                    |
    Then the responses are 5 Pendings and a final FE00
    And response 6 is reported for "carries an Identifier; only Pending responses do"
    And the SCP "ORTHANC" recorded a C-CANCEL for message 1 after 3 Pendings, then sent 2 more and a final FE00
    And the association is still usable
