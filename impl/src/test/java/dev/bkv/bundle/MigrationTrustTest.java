package dev.bkv.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.P256Group;
import dev.bkv.firmware.MigrationAnchors;
import dev.bkv.tlog.VerifierSet;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The old fleet's check of a migration target: the new bundle is trusted, chains to the own bundle, and that names this HSM's key. */
class MigrationTrustTest {
  final BundleFixtures.Log log = new BundleFixtures.Log();
  final MigrationTrust trust = new MigrationTrust(new TrustAnchors(BundleFixtures.NAMESPACE,
      BundleFixtures.bundleKey().verifier(), BundleFixtures.operatorKey().publicKey(), BundleFixtures.LOG_ORIGIN,
      BundleFixtures.logKey().verifier(), VerifierSet.of(), 0));
  /** The fixture fleets name the OPAQUE key of "<fleet> opaque". */
  final P256Group.Element oldKey = BundleFixtures.opaqueKey("old opaque");

  String rejection(MigrationAnchors.Target target) {
    return assertInstanceOf(MigrationAnchors.Rejected.class, target).reason();
  }

  @Test
  void aLoggedCountersignedBundleChainingToTheOwnOneIsApproved() throws Exception {
    ValidationBundle old = BundleFixtures.bundle("old", 1, Optional.empty());
    WitnessedBundle own = BundleFixtures.witness(log, old);
    WitnessedBundle target = BundleFixtures.witness(log, BundleFixtures.bundle("new", 2, Optional.of(old.digest())));
    MigrationAnchors.Approved approved = assertInstanceOf(MigrationAnchors.Approved.class,
        trust.check(target.toBytes(), own.toBytes(), oldKey));
    assertEquals(old.digest(), approved.sourceBundle());
    assertEquals(target.bundle().digest(), approved.targetBundle());
    assertEquals(BundleFixtures.opaqueKey("new opaque"), approved.targetServerKey());
  }

  @Test
  void eachBrokenLinkIsRejectedWithItsReason() throws Exception {
    ValidationBundle old = BundleFixtures.bundle("old", 1, Optional.empty());
    WitnessedBundle own = BundleFixtures.witness(log, old);
    WitnessedBundle target = BundleFixtures.witness(log, BundleFixtures.bundle("new", 2, Optional.of(old.digest())));
    assertTrue(rejection(trust.check(target.toBytes(), own.toBytes(), BundleFixtures.opaqueKey("other opaque")))
        .contains("not this HSM's"));
    assertTrue(rejection(trust.check("garbage".getBytes(StandardCharsets.US_ASCII), own.toBytes(), oldKey))
        .contains("malformed"));
    WitnessedBundle elsewhere = BundleFixtures.witness(log, ValidationBundle.of("other.example.com/app", "new", 2,
        BundleFixtures.NOT_BEFORE, BundleFixtures.NOT_AFTER, BundleFixtures.members("new", 3, 3),
        BundleFixtures.evidenceDigest("new"), Optional.of(old.digest())));
    assertTrue(rejection(trust.check(elsewhere.toBytes(), own.toBytes(), oldKey)).contains("namespace"));
    WitnessedBundle skipping = BundleFixtures.witness(log, BundleFixtures.bundle("new", 3, Optional.of(target.bundle().digest())));
    assertTrue(rejection(trust.check(skipping.toBytes(), own.toBytes(), oldKey)).contains("previous"));
    ValidationBundle older = BundleFixtures.bundle("old", 5, Optional.of(old.digest()));
    WitnessedBundle ownLater = BundleFixtures.witness(log, older);
    WitnessedBundle downgrade = BundleFixtures.witness(log, BundleFixtures.bundle("new", 2, Optional.of(older.digest())));
    assertTrue(rejection(trust.check(downgrade.toBytes(), ownLater.toBytes(), oldKey)).contains("epoch"));
  }

  @Test
  void theOwnBundleMustBeTheOneItStates_andTheNewOneInTheSameNamespace() throws Exception {
    ValidationBundle old = BundleFixtures.bundle("old", 1, Optional.empty());
    WitnessedBundle own = BundleFixtures.witness(log, old);
    WitnessedBundle target = BundleFixtures.witness(log, BundleFixtures.bundle("new", 2, Optional.of(old.digest())));
    byte[] misstated = new String(own.toBytes(), StandardCharsets.ISO_8859_1)
        .replace(own.statedDigest().toHex(), "00".repeat(32)).getBytes(StandardCharsets.ISO_8859_1);
    assertEquals("the own bundle's stated digest is not SHA-256 of its bytes",
        rejection(trust.check(target.toBytes(), misstated, oldKey)));
    // Anchors pinned to the other namespace would trust the moved fleet: the namespace check alone refuses it.
    String elsewhere = "other.example.com/app";
    MigrationTrust trustElsewhere = new MigrationTrust(new TrustAnchors(elsewhere, BundleFixtures.bundleKey().verifier(),
        BundleFixtures.operatorKey().publicKey(), BundleFixtures.LOG_ORIGIN, BundleFixtures.logKey().verifier(),
        VerifierSet.of(), 0));
    WitnessedBundle moved = BundleFixtures.witness(log, ValidationBundle.of(elsewhere, "new", 2, BundleFixtures.NOT_BEFORE,
        BundleFixtures.NOT_AFTER, BundleFixtures.members("new", 3, 3), BundleFixtures.evidenceDigest("new"),
        Optional.of(old.digest())));
    assertEquals("the new bundle is for namespace " + elsewhere + ", the own one for " + BundleFixtures.NAMESPACE,
        rejection(trustElsewhere.check(moved.toBytes(), own.toBytes(), oldKey)));
  }
}
