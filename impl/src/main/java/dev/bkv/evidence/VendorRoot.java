package dev.bkv.evidence;

import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.DeviceTrust;
import dev.bkv.hsm.HsmId;
import dev.bkv.tlog.Verdict;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * A trusted HSM vendor root certificate, and the check that an HSM's identity key carries a
 * device certificate from it. Instances exist only after {@link #parse} accepted the root:
 * self-signed by its own P-256 key, a CA with keyCertSign, in the vendor profile.
 */
public final class VendorRoot implements DeviceTrust {
  private final byte[] der;
  private final X509Certificates.Parsed parsed;

  private VendorRoot(byte[] der, X509Certificates.Parsed parsed) {
    this.der = der.clone();
    this.parsed = parsed;
  }

  /** Total: the root, or why the certificate cannot be one. */
  public static Verdict<VendorRoot> parse(byte[] der) {
    try {
      return checkRoot(der);
    } catch (RuntimeException e) {
      // Bouncy Castle decodes some ASN.1 lazily; whatever it throws late is a malformed certificate.
      return Verdict.rejected("vendor root is malformed: " + e.getClass().getSimpleName());
    }
  }

  private static Verdict<VendorRoot> checkRoot(byte[] der) {
    return X509Certificates.parse(der).then(p -> {
      if (!p.ca() || !p.keyUsage().hasUsages(KeyUsage.keyCertSign)) {
        return Verdict.rejected("vendor root is not a CA certificate with keyCertSign");
      }
      if (!p.issuer().equals(p.subject())) {
        return Verdict.rejected("vendor root is not self-issued");
      }
      if (!p.signedBy(p.subjectKey())) {
        return Verdict.rejected("vendor root's self-signature does not verify");
      }
      return Verdict.verified(new VendorRoot(der, p));
    });
  }

  public byte[] der() {
    return der.clone();
  }

  public EcdsaP256.PublicKey publicKey() {
    return parsed.subjectKey();
  }

  public X500Name name() {
    return parsed.subject();
  }

  @Override
  public Sha256Digest rootFingerprint() {
    return Sha256Digest.of(der);
  }

  /** The subject every device certificate carries: its HSM id, so the name cannot be moved to another key. */
  static X500Name deviceName(HsmId id) {
    return new X500Name("CN=BKV HSM " + id.toHex() + ",O=" + HsmVendor.ORGANIZATION);
  }

  /**
   * Checks a device certificate: in the vendor profile, not a CA, for digitalSignature, issued
   * and signed by this root, its subject naming the HSM id of the key it certifies, with both
   * it and the root valid at {@code atSeconds}. Total.
   */
  public Verdict<DeviceCertificate> verifyDevice(byte[] deviceCertificate, long atSeconds) {
    try {
      return checkDevice(deviceCertificate, atSeconds, parsed);
    } catch (RuntimeException e) {
      // Bouncy Castle decodes some ASN.1 lazily; whatever it throws late is a malformed certificate.
      return Verdict.rejected("device certificate is malformed: " + e.getClass().getSimpleName());
    }
  }

  /** As {@link #verifyDevice(byte[], long)}, and the certified key must be {@code identityKey}. */
  public Verdict<DeviceCertificate> verifyDevice(byte[] deviceCertificate, EcdsaP256.PublicKey identityKey, long atSeconds) {
    return verifyDevice(deviceCertificate, atSeconds).then(c -> c.identityKey().equals(identityKey)
        ? Verdict.verified(c)
        : Verdict.rejected("device certificate certifies another key than the HSM's identity key"));
  }

  private static Verdict<DeviceCertificate> checkDevice(byte[] deviceCertificate, long atSeconds,
      X509Certificates.Parsed parsed) {
    return X509Certificates.parse(deviceCertificate).then(p -> {
      if (p.ca() || !p.keyUsage().hasUsages(KeyUsage.digitalSignature)) {
        return Verdict.rejected("device certificate is a CA or lacks digitalSignature");
      }
      if (!p.issuer().equals(parsed.subject())) {
        return Verdict.rejected("device certificate was issued by " + p.issuer() + ", not the vendor root " + parsed.subject());
      }
      if (!p.signedBy(parsed.subjectKey())) {
        return Verdict.rejected("device certificate signature does not verify under the vendor root key");
      }
      HsmId id = HsmId.of(p.subjectKey());
      if (!p.subject().equals(deviceName(id))) {
        return Verdict.rejected("device certificate names " + p.subject() + ", not HSM " + id.toHex() + " of its key");
      }
      if (!parsed.validAt(atSeconds)) {
        return Verdict.rejected("the vendor root is not valid at " + atSeconds);
      }
      if (!p.validAt(atSeconds)) {
        return Verdict.rejected("device certificate is not valid at " + atSeconds + " (valid from " + p.notBeforeSeconds()
            + " until " + p.notAfterSeconds() + ")");
      }
      return Verdict.verified(new DeviceCertificate(id, p.subjectKey(), p.notBeforeSeconds(), p.notAfterSeconds(),
          deviceCertificate));
    });
  }

  @Override
  public Verdict<HsmId> checkDevice(byte[] deviceCertificate, EcdsaP256.PublicKey identityKey, long atSeconds) {
    return verifyDevice(deviceCertificate, identityKey, atSeconds).then(c -> Verdict.verified(c.hsmId()));
  }

  @Override
  public String toString() {
    return "VendorRoot(" + parsed.subject() + ", " + rootFingerprint().toHex() + ")";
  }
}
