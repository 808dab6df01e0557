package dev.bkv.crypto;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Strict X.509 SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) for P-256 keys per RFC 5480 §2:
 * algorithm {@code id-ecPublicKey} with the named curve {@code prime256v1} and nothing else
 * (no explicit curve parameters), DER only (the bytes must re-encode identically), a BIT
 * STRING with no unused bits holding a SEC1 point that is on the curve.
 */
final class P256Spki {
  /** The uncompressed form is the longest valid encoding: 26 bytes of header + 65-byte point. */
  static final int SPKI_BYTES_MAX = 91;

  private static final String FIELD = "SubjectPublicKeyInfo";

  private P256Spki() {}

  static P256Group.Element decode(byte[] der) throws DecodeException {
    if (der == null || der.length == 0) {
      throw new DecodeException(FIELD, "empty");
    }
    if (der.length > SPKI_BYTES_MAX) {
      throw new DecodeException(FIELD, "longer than " + SPKI_BYTES_MAX + " bytes");
    }
    SubjectPublicKeyInfo spki = parseDer(der);
    AlgorithmIdentifier algorithm = spki.getAlgorithm();
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm.getAlgorithm())) {
      throw new DecodeException(FIELD + ".algorithm", "not id-ecPublicKey: " + algorithm.getAlgorithm());
    }
    ASN1Encodable parameters = algorithm.getParameters();
    if (!(parameters instanceof ASN1ObjectIdentifier)) {
      throw new DecodeException(FIELD + ".algorithm.parameters", "not a named curve (explicit or absent parameters)");
    }
    if (!X9ObjectIdentifiers.prime256v1.equals(parameters)) {
      throw new DecodeException(FIELD + ".algorithm.parameters", "curve " + parameters + " is not prime256v1");
    }
    if (spki.getPublicKeyData().getPadBits() != 0) {
      throw new DecodeException(FIELD + ".subjectPublicKey", "BIT STRING has unused bits");
    }
    return P256Group.Element.decodeSec1(FIELD + ".subjectPublicKey", spki.getPublicKeyData().getOctets());
  }

  static byte[] encode(P256Group.Element element) {
    AlgorithmIdentifier algorithm = new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, X9ObjectIdentifiers.prime256v1);
    try {
      return new SubjectPublicKeyInfo(algorithm, element.encodeUncompressed()).getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new AssertionError("DER encoding of a fixed structure cannot fail", e);
    }
  }

  /** Parses one DER object with nothing after it; any BER leniency shows as a re-encoding mismatch. */
  private static SubjectPublicKeyInfo parseDer(byte[] der) throws DecodeException {
    try (ASN1InputStream in = new ASN1InputStream(new ByteArrayInputStream(der), der.length)) {
      ASN1Primitive object = in.readObject();
      if (object == null) {
        throw new DecodeException(FIELD, "no ASN.1 object");
      }
      if (in.available() != 0) {
        throw new DecodeException(FIELD, "trailing bytes after the SEQUENCE");
      }
      SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(object);
      if (!Arrays.equals(spki.getEncoded(ASN1Encoding.DER), der)) {
        throw new DecodeException(FIELD, "not DER (re-encoding differs)");
      }
      return spki;
    } catch (IOException | RuntimeException e) {
      // BC reports malformed ASN.1 as IOException, IllegalArgumentException or
      // IllegalStateException depending on where parsing stops; all mean the same here.
      throw new DecodeException(FIELD, "malformed ASN.1 (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
    }
  }
}
