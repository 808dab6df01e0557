package dev.bkv.crypto;

import java.math.BigInteger;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;

/**
 * NIST P-256 (secp256r1) domain parameters on Bouncy Castle's specialised field arithmetic
 * ({@code CustomNamedCurves} is several times faster than the generic curve). Shared by
 * ECDSA, ECDH and the prime-order group used by the OPRF.
 */
public final class P256Curve {
  public static final int FIELD_BYTES = 32;
  public static final int SCALAR_BYTES = 32;
  public static final int COMPRESSED_POINT_BYTES = 33;
  public static final int UNCOMPRESSED_POINT_BYTES = 65;

  public static final X9ECParameters X9 = CustomNamedCurves.getByName("secp256r1");
  public static final ECCurve CURVE = X9.getCurve();
  public static final ECPoint G = X9.getG();
  public static final BigInteger ORDER = X9.getN();
  public static final ECDomainParameters DOMAIN =
      new ECDomainParameters(CURVE, G, ORDER, X9.getH(), X9.getSeed());

  private P256Curve() {}

  /**
   * Decodes a SEC1 point (compressed or uncompressed), rejecting other lengths, the point
   * at infinity, coordinates out of range and points not on the curve.
   */
  public static ECPoint decodePoint(String field, byte[] encoded) throws DecodeException {
    if (encoded == null || encoded.length == 0) {
      throw new DecodeException(field, "empty point encoding");
    }
    if (encoded.length == 1 && encoded[0] == 0) {
      throw new DecodeException(field, "point at infinity");
    }
    boolean compressed = encoded.length == COMPRESSED_POINT_BYTES && (encoded[0] == 2 || encoded[0] == 3);
    boolean uncompressed = encoded.length == UNCOMPRESSED_POINT_BYTES && encoded[0] == 4;
    if (!compressed && !uncompressed) {
      throw new DecodeException(field, "not a SEC1 P-256 point encoding (length " + encoded.length + ")");
    }
    ECPoint point;
    try {
      point = CURVE.decodePoint(encoded);
    } catch (IllegalArgumentException e) {
      throw new DecodeException(field, "not a point on P-256 (" + e.getMessage() + ")");
    }
    if (point.isInfinity() || !point.isValid()) {
      throw new DecodeException(field, "not a valid P-256 point");
    }
    return point.normalize();
  }

  /** Decodes a 32-byte big-endian scalar in [1, n-1]. */
  public static BigInteger decodeNonZeroScalar(String field, byte[] encoded) throws DecodeException {
    DecodeException.requireLength(field, encoded, SCALAR_BYTES);
    BigInteger k = new BigInteger(1, encoded);
    if (k.signum() == 0) {
      throw new DecodeException(field, "zero scalar");
    }
    if (k.compareTo(ORDER) >= 0) {
      throw new DecodeException(field, "scalar not below the group order");
    }
    return k;
  }

  /** A scalar as 32 big-endian bytes. */
  public static byte[] encodeScalar(BigInteger k) {
    byte[] raw = k.toByteArray();
    byte[] out = new byte[SCALAR_BYTES];
    int copy = Math.min(raw.length, SCALAR_BYTES);
    System.arraycopy(raw, raw.length - copy, out, SCALAR_BYTES - copy, copy);
    return out;
  }
}
