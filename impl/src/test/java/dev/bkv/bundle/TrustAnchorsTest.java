package dev.bkv.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.VerifierSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A client's trust anchors require between none and all of their cosigners: more than the
 * cosigners pinned could never be met, so it is refused when the anchors are made.
 */
class TrustAnchorsTest {
  private static TrustAnchors requiring(int cosignatures) {
    return new TrustAnchors(BundleFixtures.NAMESPACE, BundleFixtures.bundleKey().verifier(),
        BundleFixtures.operatorKey().publicKey(), BundleFixtures.LOG_ORIGIN, BundleFixtures.logKey().verifier(),
        VerifierSet.of(BundleFixtures.cosigner(0).verifier(), BundleFixtures.cosigner(1).verifier()), cosignatures);
  }

  @Test
  void cosignaturesRequired_isBetweenNoneAndAllCosigners() {
    assertEquals(0, requiring(0).cosignaturesRequired());
    assertEquals(2, requiring(2).cosignaturesRequired());
    assertEquals("cosignatures required must be in [0, 2], got 3",
        assertThrows(IllegalArgumentException.class, () -> requiring(3)).getMessage());
    assertEquals("cosignatures required must be in [0, 2], got -1",
        assertThrows(IllegalArgumentException.class, () -> requiring(-1)).getMessage());
  }

  @Test
  void aBundleNamesItsFleetWhenPrinted() throws Exception {
    assertEquals("ValidationBundle(" + BundleFixtures.NAMESPACE + " fleet-1 epoch 1, 3 HSMs)",
        BundleFixtures.bundle("fleet-1", 1, Optional.empty()).toString());
  }

  @Test
  void asACheckpointPolicyTheAnchorsKeepTheLogOriginAndTheCosignaturesRequired() {
    CheckpointPolicy policy = requiring(2).checkpointPolicy();
    assertEquals(BundleFixtures.LOG_ORIGIN, policy.origin());
    assertEquals(2, policy.witnessesRequired());
  }
}
