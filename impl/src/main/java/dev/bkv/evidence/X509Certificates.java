package dev.bkv.evidence;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdhP256;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.tlog.Verdict;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Date;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;

/**
 * The X.509 profile of the simulated HSM vendor (RFC 5280), built with bcpkix and checked
 * strictly: DER only (re-encoding gives the input), version 3, ecdsa-with-SHA256 with absent
 * parameters in both places, a P-256 subject key (RFC 5480), critical basicConstraints and
 * keyUsage. Certificates of any other shape are refused rather than interpreted.
 */
final class X509Certificates {
  private X509Certificates() {}

  /** A certificate's parts after the profile checks, before any signature or name check. */
  record Parsed(TBSCertificate tbs, byte[] signatureDer, EcdsaP256.PublicKey subjectKey, boolean ca, KeyUsage keyUsage,
      long notBeforeSeconds, long notAfterSeconds) {
    X500Name issuer() {
      return tbs.getIssuer();
    }

    X500Name subject() {
      return tbs.getSubject();
    }

    boolean validAt(long seconds) {
      return notBeforeSeconds <= seconds && seconds < notAfterSeconds;
    }

    /** Whether {@code issuerKey} signed this certificate's TBSCertificate. */
    boolean signedBy(EcdsaP256.PublicKey issuerKey) {
      try {
        return EcdsaP256.verify(issuerKey, tbs.getEncoded(ASN1Encoding.DER), EcdsaP256.Signature.fromDer(signatureDer));
      } catch (IOException | DecodeException e) {
        return false;
      }
    }
  }

  static byte[] build(X500Name issuer, EcdsaP256.PrivateKey issuerKey, BigInteger serial, long notBeforeSeconds,
      long notAfterSeconds, X500Name subject, EcdsaP256.PublicKey subjectKey, boolean ca) {
    try {
      X509v3CertificateBuilder builder = new X509v3CertificateBuilder(issuer, serial, new Date(notBeforeSeconds * 1000),
          new Date(notAfterSeconds * 1000), subject, spki(subjectKey));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
      builder.addExtension(Extension.keyUsage, true,
          new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
      return builder.build(new EcdsaContentSigner(issuerKey)).getEncoded();
    } catch (CertIOException e) {
      throw new AssertionError("fixed extensions always encode", e);
    } catch (IOException e) {
      throw new AssertionError("a built certificate always encodes", e);
    }
  }

  static SubjectPublicKeyInfo spki(EcdsaP256.PublicKey key) {
    try {
      return SubjectPublicKeyInfo.getInstance(EcdhP256.PublicKey.decodeSec1(key.encodeUncompressed()).encodeSpki());
    } catch (DecodeException e) {
      throw new AssertionError("a validated public key re-encodes", e);
    }
  }

  /** Total: the parsed certificate, or why it does not fit the profile. */
  static Verdict<Parsed> parse(byte[] der) {
    if (der.length == 0 || der.length > DeploymentEvidence.CERTIFICATE_BYTES_MAX) {
      return Verdict.rejected("certificate of " + der.length + " bytes (1 to " + DeploymentEvidence.CERTIFICATE_BYTES_MAX + ")");
    }
    Certificate certificate;
    try {
      certificate = Certificate.getInstance(ASN1Primitive.fromByteArray(der));
      if (!Arrays.equals(certificate.getEncoded(ASN1Encoding.DER), der)) {
        return Verdict.rejected("certificate is not DER (it does not re-encode to the same bytes)");
      }
    } catch (IOException | RuntimeException e) {
      // BC throws IllegalArgumentException, ClassCastException and others on malformed ASN.1.
      return Verdict.rejected("certificate is not an X.509 certificate: " + e.getClass().getSimpleName());
    }
    TBSCertificate tbs = certificate.getTBSCertificate();
    if (tbs.getVersionNumber() != 3) {
      return Verdict.rejected("certificate is not version 3");
    }
    if (!EcdsaContentSigner.algorithm().equals(certificate.getSignatureAlgorithm())
        || !EcdsaContentSigner.algorithm().equals(tbs.getSignature())) {
      return Verdict.rejected("certificate is not signed with ecdsa-with-SHA256 (absent parameters)");
    }
    if (certificate.getSignature().getPadBits() != 0) {
      return Verdict.rejected("certificate signature BIT STRING has unused bits");
    }
    EcdsaP256.PublicKey subjectKey;
    try {
      byte[] point = EcdhP256.PublicKey.decodeSpki(tbs.getSubjectPublicKeyInfo().getEncoded(ASN1Encoding.DER)).encodeUncompressed();
      subjectKey = EcdsaP256.PublicKey.decode(point);
    } catch (IOException | DecodeException e) {
      return Verdict.rejected("certificate subject key is not a P-256 key: " + e.getMessage());
    }
    Extensions extensions = tbs.getExtensions();
    Extension basic = extensions == null ? null : extensions.getExtension(Extension.basicConstraints);
    Extension usage = extensions == null ? null : extensions.getExtension(Extension.keyUsage);
    if (basic == null || !basic.isCritical() || usage == null || !usage.isCritical()) {
      return Verdict.rejected("certificate lacks critical basicConstraints and keyUsage");
    }
    boolean ca;
    KeyUsage keyUsage;
    long notBefore;
    long notAfter;
    try {
      ca = BasicConstraints.getInstance(basic.getParsedValue()).isCA();
      keyUsage = KeyUsage.getInstance(usage.getParsedValue());
      notBefore = tbs.getStartDate().getDate().getTime() / 1000;
      notAfter = tbs.getEndDate().getDate().getTime() / 1000;
      // BC interprets names lazily; render them now so a malformed name is refused here.
      tbs.getIssuer().toString();
      tbs.getSubject().toString();
    } catch (RuntimeException e) {
      return Verdict.rejected("certificate names, extensions or validity are malformed: " + e.getClass().getSimpleName());
    }
    return Verdict.verified(new Parsed(tbs, certificate.getSignature().getOctets(), subjectKey, ca, keyUsage, notBefore,
        notAfter));
  }
}
