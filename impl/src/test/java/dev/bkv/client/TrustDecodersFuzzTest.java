package dev.bkv.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.audit.SplitViewEvidence;
import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.BundleVerdict;
import dev.bkv.bundle.BundleVerifier;
import dev.bkv.bundle.ClientMemory;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.VerifierSet;
import java.util.List;

/**
 * Jazzer fuzz targets for what a client or auditor decodes from untrusted bytes. In the
 * normal build they run over the seeds in src/test/resources; with {@code JAZZER_FUZZ=1}
 * they fuzz. The verifier must return a verdict for any bytes (never throw); decoders
 * return a value that re-encodes to the same bytes, or throw {@link FormatException}.
 */
class TrustDecodersFuzzTest {
  private static final TrustAnchors ANCHORS = new TrustAnchors(BundleFixtures.NAMESPACE,
      BundleFixtures.bundleKey().verifier(), BundleFixtures.operatorKey().publicKey(), BundleFixtures.LOG_ORIGIN,
      BundleFixtures.logKey().verifier(), VerifierSet.of(BundleFixtures.cosigner(1).verifier()), 0);
  private static final CheckpointPolicy POLICY = CheckpointPolicy.logOnly(BundleFixtures.LOG_ORIGIN,
      BundleFixtures.logKey().verifier());

  @FuzzTest(maxDuration = "60s")
  void otaVerifier(byte[] input) {
    BundleVerdict verdict = BundleVerifier.verifyOta(ANCHORS, ClientMemory.firstUse(), BundleFixtures.NOT_BEFORE + 1, input,
        List.of());
    assertNotNull(verdict.specReason());
  }

  @FuzzTest(maxDuration = "60s")
  void trustState(byte[] input) {
    try {
      TrustState state = TrustState.parse(input);
      assertArrayEquals(state.toBytes(), TrustState.parse(state.toBytes()).toBytes());
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }

  @FuzzTest(maxDuration = "60s")
  void splitViewEvidence(byte[] input) {
    try {
      SplitViewEvidence evidence = SplitViewEvidence.parse(input);
      assertArrayEquals(evidence.toBytes(), SplitViewEvidence.parse(evidence.toBytes()).toBytes());
      assertNotNull(evidence.verify(POLICY));
    } catch (FormatException expected) {
      // malformed input is rejected with a reason
    }
  }
}
