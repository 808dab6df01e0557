package dev.bkv.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.bundle.BundleFixtures;

/**
 * Jazzer fuzz targets for the evidence decoders and verifiers: parsers return a value that
 * re-encodes to their input or throw {@link EvidenceFormatException}; the certificate and
 * evidence verifiers return a verdict for any bytes (Bouncy Castle decodes some ASN.1 lazily,
 * and nothing it throws may escape).
 */
class EvidenceFuzzTest {
  private static final HsmVendor VENDOR = HsmVendor.create(BundleFixtures.ecdsaKey("vendor root"), FleetRun.T0 - 60);

  @FuzzTest(maxDuration = "60s")
  void evidence(byte[] input) {
    try {
      assertArrayEquals(input, DeploymentEvidence.parse(input).toBytes());
    } catch (EvidenceFormatException expected) {
      // malformed input is refused with a reason
    }
    assertNotNull(EvidenceVerifier.verify(input, VENDOR.root(), FleetRun.JAR));
  }

  @FuzzTest(maxDuration = "60s")
  void statement(byte[] input) {
    try {
      HsmStatement statement = HsmStatement.parse(input);
      assertArrayEquals(input, statement.toBytes());
      statement.signatureVerifies();
    } catch (EvidenceFormatException expected) {
      // malformed input is refused with a reason
    }
  }

  @FuzzTest(maxDuration = "60s")
  void certificate(byte[] input) {
    assertNotNull(VENDOR.root().verifyDevice(input, FleetRun.T0));
    assertNotNull(VendorRoot.parse(input));
    Pem.decodeCertificate(input);
  }
}
