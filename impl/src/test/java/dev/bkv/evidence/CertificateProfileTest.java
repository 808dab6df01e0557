package dev.bkv.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.hsm.HsmId;
import dev.bkv.tlog.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.util.Date;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509v1CertificateBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.junit.jupiter.api.Test;

/**
 * The certificate profile, rule by rule: for each rule a certificate that breaks only it, and
 * the reason the root or device check gives for it (not merely that it fails).
 */
class CertificateProfileTest {
  static final long T0 = 1767225600L;
  static final long YEAR = 366L * 24 * 60 * 60;
  static final EcdsaP256.PrivateKey ROOT_KEY = BundleFixtures.ecdsaKey("vendor root");
  static final HsmVendor VENDOR = HsmVendor.create(ROOT_KEY, T0);
  static final EcdsaP256.PrivateKey DEVICE_KEY = BundleFixtures.ecdsaKey("device");
  static final X500Name DEVICE_NAME = VendorRoot.deviceName(HsmId.of(DEVICE_KEY.publicKey()));

  /** A v3 certificate with the given basicConstraints CA flag and key usage bits, both critical unless said. */
  static byte[] certificate(X500Name issuer, EcdsaP256.PrivateKey signer, X500Name subject, SubjectPublicKeyInfo key,
      long notBefore, long notAfter, Boolean ca, Integer usage, boolean critical) throws IOException {
    return certificate(issuer, signer, subject, key, notBefore, notAfter, ca, critical, usage, critical);
  }

  static byte[] certificate(X500Name issuer, EcdsaP256.PrivateKey signer, X500Name subject, SubjectPublicKeyInfo key,
      long notBefore, long notAfter, Boolean ca, boolean caCritical, Integer usage, boolean usageCritical)
      throws IOException {
    X509v3CertificateBuilder builder = new X509v3CertificateBuilder(issuer, BigInteger.TEN, new Date(notBefore * 1000),
        new Date(notAfter * 1000), subject, key);
    if (ca != null) {
      builder.addExtension(Extension.basicConstraints, caCritical, new BasicConstraints(ca));
    }
    if (usage != null) {
      builder.addExtension(Extension.keyUsage, usageCritical, new KeyUsage(usage));
    }
    return builder.build(new EcdsaContentSigner(signer)).getEncoded();
  }

  static byte[] device(Boolean ca, Integer usage) throws IOException {
    return certificate(HsmVendor.ROOT_NAME, ROOT_KEY, DEVICE_NAME, X509Certificates.spki(DEVICE_KEY.publicKey()), T0,
        T0 + YEAR, ca, usage, true);
  }

  static byte[] root(X500Name issuer, EcdsaP256.PrivateKey signer, boolean ca, int usage) throws IOException {
    return certificate(issuer, signer, HsmVendor.ROOT_NAME, X509Certificates.spki(ROOT_KEY.publicKey()), T0, T0 + YEAR, ca,
        usage, true);
  }

  static String rootReason(byte[] der) {
    return VendorRoot.parse(der).reasonOrEmpty();
  }

  static String deviceReason(byte[] der, long at) {
    return VENDOR.root().verifyDevice(der, at).reasonOrEmpty();
  }

  @Test
  void aRootMustBeASelfSignedCaForKeyCertSign() throws Exception {
    String notCa = "vendor root is not a CA certificate with keyCertSign";
    assertEquals(notCa, rootReason(root(HsmVendor.ROOT_NAME, ROOT_KEY, true, KeyUsage.digitalSignature)));
    assertEquals(notCa, rootReason(root(HsmVendor.ROOT_NAME, ROOT_KEY, false, KeyUsage.keyCertSign)));
    assertEquals("vendor root is not self-issued",
        rootReason(root(new X500Name("CN=Someone Else"), ROOT_KEY, true, KeyUsage.keyCertSign)));
    assertEquals("vendor root's self-signature does not verify",
        rootReason(root(HsmVendor.ROOT_NAME, BundleFixtures.ecdsaKey("other"), true, KeyUsage.keyCertSign)));

    Verdict<VendorRoot> good = VendorRoot.parse(root(HsmVendor.ROOT_NAME, ROOT_KEY, true, KeyUsage.keyCertSign));
    assertTrue(good.isVerified(), good.reasonOrEmpty());
    assertEquals(HsmVendor.ROOT_NAME, good.value().name());
    assertEquals(ROOT_KEY.publicKey(), good.value().publicKey());
    assertEquals("VendorRoot(" + HsmVendor.ROOT_NAME + ", " + good.value().rootFingerprint().toHex() + ")",
        good.value().toString());
  }

  @Test
  void aDeviceCertificateMustBeAnEndEntityOfTheRoot_namingItsKey() throws Exception {
    String usage = "device certificate is a CA or lacks digitalSignature";
    assertEquals(usage, deviceReason(device(true, KeyUsage.digitalSignature), T0));
    assertEquals(usage, deviceReason(device(false, KeyUsage.keyCertSign), T0));
    X500Name other = new X500Name("CN=Other Root");
    assertEquals("device certificate was issued by " + other + ", not the vendor root " + HsmVendor.ROOT_NAME,
        deviceReason(certificate(other, ROOT_KEY, DEVICE_NAME, X509Certificates.spki(DEVICE_KEY.publicKey()), T0,
            T0 + YEAR, false, KeyUsage.digitalSignature, true), T0));
    X500Name otherHsm = VendorRoot.deviceName(HsmId.of(BundleFixtures.ecdsaKey("other device").publicKey()));
    assertEquals("device certificate names " + otherHsm + ", not HSM " + HsmId.of(DEVICE_KEY.publicKey()).toHex()
        + " of its key", deviceReason(certificate(HsmVendor.ROOT_NAME, ROOT_KEY, otherHsm,
            X509Certificates.spki(DEVICE_KEY.publicKey()), T0, T0 + YEAR, false, KeyUsage.digitalSignature, true), T0));

    // Valid before the root is: the root's validity is checked first, by its own reason.
    byte[] early = certificate(HsmVendor.ROOT_NAME, ROOT_KEY, DEVICE_NAME, X509Certificates.spki(DEVICE_KEY.publicKey()),
        T0 - YEAR, T0 + YEAR, false, KeyUsage.digitalSignature, true);
    assertEquals("the vendor root is not valid at " + (T0 - 1), deviceReason(early, T0 - 1));
    assertEquals("device certificate is not valid at " + (T0 + YEAR + 1) + " (valid from " + (T0 - YEAR) + " until "
        + (T0 + YEAR) + ")", deviceReason(early, T0 + YEAR + 1));

    byte[] good = device(false, KeyUsage.digitalSignature);
    Verdict<DeviceCertificate> verified = VENDOR.root().verifyDevice(good, T0);
    assertTrue(verified.isVerified(), verified.reasonOrEmpty());
    assertArrayEquals(good, verified.value().der());
    assertEquals(DEVICE_KEY.publicKey(), verified.value().identityKey());
  }

  @Test
  void theExtensionsMustBePresentAndCritical() throws Exception {
    String lacks = "certificate lacks critical basicConstraints and keyUsage";
    SubjectPublicKeyInfo key = X509Certificates.spki(DEVICE_KEY.publicKey());
    assertEquals(lacks, deviceReason(certificate(HsmVendor.ROOT_NAME, ROOT_KEY, DEVICE_NAME, key, T0, T0 + YEAR, null, null,
        true), T0));
    assertEquals(lacks, deviceReason(certificate(HsmVendor.ROOT_NAME, ROOT_KEY, DEVICE_NAME, key, T0, T0 + YEAR, false, null,
        true), T0));
    assertEquals(lacks, deviceReason(certificate(HsmVendor.ROOT_NAME, ROOT_KEY, DEVICE_NAME, key, T0, T0 + YEAR, null,
        KeyUsage.digitalSignature, true), T0));
    assertEquals(lacks, deviceReason(certificate(HsmVendor.ROOT_NAME, ROOT_KEY, DEVICE_NAME, key, T0, T0 + YEAR, false,
        KeyUsage.digitalSignature, false), T0));
    assertEquals(lacks, deviceReason(certificate(HsmVendor.ROOT_NAME, ROOT_KEY, DEVICE_NAME, key, T0, T0 + YEAR, false, false,
        KeyUsage.digitalSignature, true), T0));
    assertEquals(lacks, deviceReason(certificate(HsmVendor.ROOT_NAME, ROOT_KEY, DEVICE_NAME, key, T0, T0 + YEAR, false, true,
        KeyUsage.digitalSignature, false), T0));
  }

  @Test
  void theEnvelopeRulesEachHaveTheirReason() throws Exception {
    byte[] good = device(false, KeyUsage.digitalSignature);
    Certificate parsed = Certificate.getInstance(good);

    assertEquals("certificate of 0 bytes (1 to 2048)", deviceReason(new byte[0], T0));
    assertEquals("certificate of 2049 bytes (1 to 2048)", deviceReason(new byte[2049], T0));
    assertTrue(deviceReason(new byte[2048], T0).startsWith("certificate is not an X.509 certificate: "));
    assertTrue(deviceReason(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}, T0).startsWith(
        "certificate is not an X.509 certificate: "));
    // The same certificate with a non-minimal (BER) outer length.
    byte[] ber = new byte[good.length + 1];
    ber[0] = 0x30;
    ber[1] = (byte) 0x83;
    ber[2] = 0;
    System.arraycopy(good, 2, ber, 3, good.length - 2);
    assertEquals((byte) 0x82, good[1], "the fixture's outer length has two bytes");
    assertEquals("certificate is not DER (it does not re-encode to the same bytes)", deviceReason(ber, T0));

    X509v1CertificateBuilder v1 = new X509v1CertificateBuilder(HsmVendor.ROOT_NAME, BigInteger.TEN, new Date(T0 * 1000),
        new Date((T0 + YEAR) * 1000), DEVICE_NAME, X509Certificates.spki(DEVICE_KEY.publicKey()));
    assertEquals("certificate is not version 3", deviceReason(v1.build(new EcdsaContentSigner(ROOT_KEY)).getEncoded(), T0));

    String algorithm = "certificate is not signed with ecdsa-with-SHA256 (absent parameters)";
    AlgorithmIdentifier withNull = new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256, DERNull.INSTANCE);
    assertEquals(algorithm, deviceReason(reassemble(parsed, withNull, parsed.getSignature()), T0), "outer only");
    X509v3CertificateBuilder inner = new X509v3CertificateBuilder(HsmVendor.ROOT_NAME, BigInteger.TEN, new Date(T0 * 1000),
        new Date((T0 + YEAR) * 1000), DEVICE_NAME, X509Certificates.spki(DEVICE_KEY.publicKey()));
    inner.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    inner.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    Certificate innerOnly = inner.build(new NamedSigner(new EcdsaContentSigner(ROOT_KEY), withNull)).toASN1Structure();
    assertEquals(algorithm, deviceReason(reassemble(innerOnly, EcdsaContentSigner.algorithm(), innerOnly.getSignature()),
        T0), "TBS only");

    assertEquals("certificate signature BIT STRING has unused bits", deviceReason(reassemble(parsed,
        parsed.getSignatureAlgorithm(), new DERBitString(parsed.getSignature().getOctets(), 1)), T0));

    SubjectPublicKeyInfo ed25519 = new SubjectPublicKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
        new byte[32]);
    assertTrue(deviceReason(certificate(HsmVendor.ROOT_NAME, ROOT_KEY, DEVICE_NAME, ed25519, T0, T0 + YEAR, false,
        KeyUsage.digitalSignature, true), T0).startsWith("certificate subject key is not a P-256 key: "));
  }

  static byte[] reassemble(Certificate certificate, AlgorithmIdentifier algorithm, ASN1BitString signature)
      throws IOException {
    return new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {certificate.getTBSCertificate(), algorithm, signature})
        .getEncoded(ASN1Encoding.DER);
  }

  /** Signs as {@code signer} but names another algorithm identifier in the certificate. */
  record NamedSigner(ContentSigner signer, AlgorithmIdentifier algorithm) implements ContentSigner {
    @Override
    public AlgorithmIdentifier getAlgorithmIdentifier() {
      return algorithm;
    }

    @Override
    public OutputStream getOutputStream() {
      return signer.getOutputStream();
    }

    @Override
    public byte[] getSignature() {
      return signer.getSignature();
    }
  }

  @Test
  void aKeyUsageThatIsNotABitStringIsRefusedAsMalformed() throws Exception {
    byte[] der = device(false, KeyUsage.digitalSignature);
    // id-ce-keyUsage (55 1d 0f), critical (01 01 ff), then the OCTET STRING (04 len) wrapping a BIT STRING (03).
    byte[] marker = {0x55, 0x1d, 0x0f, 0x01, 0x01, (byte) 0xff, 0x04};
    int at = -1;
    for (int i = 0; i + marker.length + 1 < der.length && at < 0; i++) {
      if (java.util.Arrays.equals(der, i, i + marker.length, marker, 0, marker.length)) {
        at = i + marker.length + 1;
      }
    }
    assertEquals(0x03, der[at]);
    der[at] = 0x04; // an OCTET STRING where the BIT STRING should be
    String reason = deviceReason(der, T0);
    assertTrue(reason.startsWith("certificate names, extensions or validity are malformed: "), reason);
  }
}
