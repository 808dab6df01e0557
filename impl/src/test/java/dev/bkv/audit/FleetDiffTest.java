package dev.bkv.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Hex;
import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.MemberKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The key-set diff between two bundles that the audit report prints, and the one fact the
 * epoch rule needs from it: whether the key set (keys, datacenters, quorum) changed.
 */
class FleetDiffTest {
  private static ValidationBundle bundle(String fleet, List<MemberKeys> members, Sha256Digest evidence) throws Exception {
    return ValidationBundle.of(BundleFixtures.NAMESPACE, fleet, 1, BundleFixtures.NOT_BEFORE, BundleFixtures.NOT_AFTER,
        members, evidence, Optional.empty());
  }

  private static String shortKey(ValidationBundle b) {
    return Hex.encode(b.opaqueServerKey().encode()).substring(0, 16) + "...";
  }

  @Test
  void theSameKeys_changeNothing() throws Exception {
    ValidationBundle one = BundleFixtures.bundle("fleet-1", 1, Optional.empty());
    FleetDiff diff = FleetDiff.between(one, BundleFixtures.bundle("fleet-1", 1, Optional.empty()));
    assertEquals(List.of(), diff.changes());
    assertFalse(diff.keysChanged());
  }

  @Test
  void hsmsMovedBetweenDatacenters_areNamed_andChangeTheKeySet() throws Exception {
    List<MemberKeys> members = BundleFixtures.members("fleet-1", 3, 3);
    List<MemberKeys> swapped = new ArrayList<>(members);
    MemberKeys a = members.get(0);
    MemberKeys b = members.get(1);
    swapped.set(0, new MemberKeys(a.hsmId(), b.datacenter(), a.identityKey(), a.opaqueServerKey()));
    swapped.set(1, new MemberKeys(b.hsmId(), a.datacenter(), b.identityKey(), b.opaqueServerKey()));
    Sha256Digest evidence = BundleFixtures.evidenceDigest("fleet-1");
    FleetDiff diff = FleetDiff.between(bundle("fleet-1", members, evidence), bundle("fleet-1", swapped, evidence));
    assertEquals(List.of(
        "HSM " + a.hsmId().toHex() + " moved from " + a.datacenter() + " to " + b.datacenter(),
        "HSM " + b.hsmId().toHex() + " moved from " + b.datacenter() + " to " + a.datacenter()).stream().sorted().toList(),
        diff.changes().stream().sorted().toList());
    assertTrue(diff.keysChanged());
  }

  @Test
  void aNewOpaqueKeyOrEvidence_inTheSameFleet_isNamedWithBothValues() throws Exception {
    List<MemberKeys> members = BundleFixtures.members("fleet-1", 3, 3);
    var otherOpaque = BundleFixtures.opaqueKey("another opaque");
    List<MemberKeys> rekeyed = members.stream()
        .map(m -> new MemberKeys(m.hsmId(), m.datacenter(), m.identityKey(), otherOpaque)).toList();
    Sha256Digest evidence = BundleFixtures.evidenceDigest("fleet-1");
    Sha256Digest newEvidence = BundleFixtures.evidenceDigest("fleet-1 again");
    ValidationBundle before = bundle("fleet-1", members, evidence);
    ValidationBundle after = bundle("fleet-1", rekeyed, newEvidence);
    FleetDiff diff = FleetDiff.between(before, after);
    assertEquals(List.of("OPAQUE server key " + shortKey(before) + " -> " + shortKey(after),
        "evidence " + evidence.toHex().substring(0, 16) + "... -> " + newEvidence.toHex().substring(0, 16) + "..."),
        diff.changes());
    assertTrue(diff.keysChanged());
    // A new evidence file alone is named but does not change the key set.
    FleetDiff evidenceOnly = FleetDiff.between(before, bundle("fleet-1", members, newEvidence));
    assertEquals(1, evidenceOnly.changes().size(), evidenceOnly.changes().toString());
    assertFalse(evidenceOnly.keysChanged());
  }

  @Test
  void aGrownFleet_namesTheAddedHsmsAndTheQuorum() throws Exception {
    ValidationBundle three = BundleFixtures.bundle("fleet-1", 1, Optional.empty());
    ValidationBundle five = bundle("fleet-1", BundleFixtures.members("fleet-1", 5, 3), three.evidenceDigest());
    FleetDiff diff = FleetDiff.between(three, five);
    assertEquals(2, diff.changes().stream().filter(c -> c.matches("added HSM [0-9a-f]+ in dc-\\d")).count(),
        diff.changes().toString());
    assertEquals("quorum 2 of 3 -> 3 of 5", diff.changes().get(diff.changes().size() - 1));
    assertEquals(3, diff.changes().size(), diff.changes().toString());
    assertTrue(diff.keysChanged());
    FleetDiff shrunk = FleetDiff.between(five, three);
    assertEquals(2, shrunk.changes().stream().filter(c -> c.matches("removed HSM [0-9a-f]+ from dc-\\d")).count(),
        shrunk.changes().toString());
  }

  @Test
  void aRotation_isSummedUpFirst() throws Exception {
    ValidationBundle one = BundleFixtures.bundle("fleet-1", 1, Optional.empty());
    ValidationBundle two = BundleFixtures.bundle("fleet-2", 1, Optional.empty());
    List<String> changes = FleetDiff.between(one, two).changes();
    assertEquals("fleet fleet-2 replaces fleet fleet-1: 3 HSMs added, 3 removed, OPAQUE server key " + shortKey(one) + " -> "
        + shortKey(two), changes.get(0));
    // The same HSMs under a new fleet name: nothing added or removed, the OPAQUE key unchanged.
    ValidationBundle renamed = bundle("fleet-9", one.members(), one.evidenceDigest());
    assertEquals(List.of("fleet fleet-9 replaces fleet fleet-1: 0 HSMs added, 0 removed, OPAQUE server key unchanged"),
        FleetDiff.between(one, renamed).changes());
  }

  @Test
  void aFleetGrowingFrom4To5Hsms_namesTheQuorumLineThoughTheQuorumStays3() throws Exception {
    Sha256Digest evidence = BundleFixtures.evidenceDigest("fleet-1");
    ValidationBundle four = bundle("fleet-1", BundleFixtures.members("fleet-1", 4, 4), evidence);
    ValidationBundle five = bundle("fleet-1", BundleFixtures.members("fleet-1", 5, 5), evidence);
    assertEquals(four.quorum(), five.quorum());
    assertTrue(FleetDiff.between(four, five).changes().contains("quorum 3 of 4 -> 3 of 5"),
        FleetDiff.between(four, five).changes().toString());
  }
}
