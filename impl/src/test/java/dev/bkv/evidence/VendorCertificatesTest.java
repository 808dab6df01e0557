package dev.bkv.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.hsm.HsmId;
import dev.bkv.tlog.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated vendor's X.509 chain: a device certificate verifies only for the key it names,
 * under the root that issued it, while both are valid; anything else is a typed rejection.
 */
class VendorCertificatesTest {
  static final long T0 = 1767225600L;
  static final HsmVendor VENDOR = HsmVendor.create(BundleFixtures.ecdsaKey("vendor root"), T0);
  static final EcdsaP256.PublicKey DEVICE = BundleFixtures.ecdsaKey("device").publicKey();

  @TempDir Path dir;

  @Test
  void a_device_certificate_chains_to_the_root_that_issued_it() {
    byte[] certificate = VENDOR.issueDeviceCertificate(DEVICE, T0);
    Verdict<DeviceCertificate> verdict = VENDOR.root().verifyDevice(certificate, DEVICE, T0 + 60);
    assertTrue(verdict.isVerified(), verdict.reasonOrEmpty());
    assertEquals(HsmId.of(DEVICE), verdict.value().hsmId());
    assertArrayEquals(certificate, VENDOR.issueDeviceCertificate(DEVICE, T0), "deterministic");
    assertArrayEquals(VENDOR.root().der(), HsmVendor.create(BundleFixtures.ecdsaKey("vendor root"), T0).root().der());
    assertEquals(HsmId.of(DEVICE), VENDOR.root().checkDevice(certificate, DEVICE, T0).value());
  }

  @Test
  void a_certificate_for_another_key_vendor_or_time_is_rejected_with_its_reason() {
    byte[] certificate = VENDOR.issueDeviceCertificate(DEVICE, T0);
    EcdsaP256.PublicKey other = BundleFixtures.ecdsaKey("other device").publicKey();
    assertTrue(VENDOR.root().verifyDevice(certificate, other, T0).reasonOrEmpty().contains("another key"));
    HsmVendor rogue = HsmVendor.create(BundleFixtures.ecdsaKey("rogue vendor"), T0);
    assertTrue(VENDOR.root().verifyDevice(rogue.issueDeviceCertificate(DEVICE, T0), DEVICE, T0).reasonOrEmpty()
        .contains("does not verify under the vendor root key"));
    assertTrue(VENDOR.root().verifyDevice(certificate, DEVICE, T0 - 1).reasonOrEmpty().contains("not valid"));
    assertTrue(VENDOR.root().verifyDevice(certificate, DEVICE, T0 + HsmVendor.DEVICE_VALIDITY_SECONDS).reasonOrEmpty()
        .contains("not valid"));
    assertTrue(VENDOR.root().verifyDevice(VENDOR.root().der(), VENDOR.root().publicKey(), T0).reasonOrEmpty().contains("CA"));
    assertTrue(VendorRoot.parse(certificate).reasonOrEmpty().contains("CA"), "a device certificate is no root");
    assertFalse(VENDOR.root().verifyDevice(new byte[0], DEVICE, T0).isVerified());
    assertFalse(VENDOR.root().verifyDevice(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}, DEVICE, T0).isVerified());
  }

  @Test
  void any_altered_byte_is_rejected_and_never_throws() {
    byte[] certificate = VENDOR.issueDeviceCertificate(DEVICE, T0);
    for (int i = 0; i < certificate.length; i++) {
      for (int bit : new int[] {0x01, 0x80}) {
        byte[] altered = certificate.clone();
        altered[i] ^= (byte) bit;
        Verdict<DeviceCertificate> verdict = VENDOR.root().verifyDevice(altered, DEVICE, T0 + 60);
        assertFalse(verdict.isVerified(), "byte " + i + " bit " + bit);
      }
    }
    byte[] truncated = java.util.Arrays.copyOf(certificate, certificate.length - 1);
    assertFalse(VENDOR.root().verifyDevice(truncated, DEVICE, T0).isVerified());
  }

  @Test
  void a_saved_vendor_loads_with_its_key_and_a_mismatched_key_is_refused() throws Exception {
    VENDOR.save(dir);
    HsmVendor loaded = HsmVendor.load(dir);
    assertArrayEquals(VENDOR.root().der(), loaded.root().der());
    assertArrayEquals(VENDOR.issueDeviceCertificate(DEVICE, T0), loaded.issueDeviceCertificate(DEVICE, T0));
    assertEquals(VENDOR.root().rootFingerprint(), HsmVendor.loadRoot(dir.resolve("root.crt")).rootFingerprint());
    Files.write(dir.resolve("root.der"), VENDOR.root().der());
    assertEquals(VENDOR.root().rootFingerprint(), HsmVendor.loadRoot(dir.resolve("root.der")).rootFingerprint(), "DER too");
    if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(dir.resolve("root.key"))));
    }
    Files.writeString(dir.resolve("root.key"), dev.bkv.base.Hex.encode(BundleFixtures.ecdsaKey("x").toBytes()) + "\n");
    assertTrue(assertThrows(EvidenceFormatException.class, () -> HsmVendor.load(dir)).getMessage().contains("does not belong"));
    Files.writeString(dir.resolve("root.crt"), "not a certificate");
    assertThrows(EvidenceFormatException.class, () -> HsmVendor.loadRoot(dir.resolve("root.crt")));
  }

  @Test
  void a_vendor_key_that_is_not_hex_or_a_root_that_is_a_device_certificate_is_refused_naming_the_file() throws Exception {
    VENDOR.save(dir);
    Files.writeString(dir.resolve("root.key"), "not hex\n");
    assertEquals(dir.resolve("root.key") + " is not a P-256 private key in hex",
        assertThrows(EvidenceFormatException.class, () -> HsmVendor.load(dir)).getMessage());
    Path device = dir.resolve("device.crt");
    Files.write(device, Pem.encodeCertificate(VENDOR.issueDeviceCertificate(DEVICE, T0)));
    assertTrue(assertThrows(EvidenceFormatException.class, () -> HsmVendor.loadRoot(device)).getMessage()
        .startsWith(device + ": "));
  }
}
