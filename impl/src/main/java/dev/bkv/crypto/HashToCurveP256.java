package dev.bkv.crypto;

import dev.bkv.base.Bytes;
import dev.bkv.base.Check;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.hash2curve.HashToCurveProfile;
import org.bouncycastle.crypto.hash2curve.HashToEllipticCurve;
import org.bouncycastle.crypto.hash2curve.HashToField;
import org.bouncycastle.crypto.hash2curve.OPRFHashToScalar;
import org.bouncycastle.crypto.hash2curve.impl.NistCurveProcessor;
import org.bouncycastle.crypto.hash2curve.impl.SimplifiedShallueVanDeWoestijneMapToCurve;
import org.bouncycastle.crypto.hash2curve.impl.XmdMessageExpansion;
import org.bouncycastle.math.ec.ECPoint;

/**
 * RFC 9380 hashing to P-256, suite {@code P256_XMD:SHA-256_SSWU_RO_} (§8.2), and the RFC 9497
 * HashToScalar built on it. The arithmetic is Bouncy Castle's
 * {@code org.bouncycastle.crypto.hash2curve}; this class adds what BC leaves to callers:
 * byte-string DSTs, the oversize-DST rule of RFC 9380 §5.3.3, and our shared curve instance
 * (so results need no import into {@link P256Curve#CURVE}).
 *
 * <p>BC's expanders keep a digest inside, so a fresh one is built per call: these functions
 * are thread-safe, and none of them is on the server's login path except HashToScalar.
 */
final class HashToCurveP256 {
  /** RFC 9380 §8.2: k = 128 bits of security. */
  static final int SECURITY_BITS = 128;
  /** RFC 9380 §8.2: L = ceil((ceil(log2(p)) + k) / 8) = 48 bytes per field element. */
  static final int FIELD_ELEMENT_BYTES = 48;
  /** RFC 9380 §5.3.3: DSTs longer than this are first hashed. */
  static final int DST_BYTES_MAX = 255;
  /** A limit on DSTs given to us at all; ours are program constants well below it. */
  static final int DST_INPUT_BYTES_MAX = 4096;
  /** RFC 9380 §5.3.1: ell = ceil(len_in_bytes / b_in_bytes) must not exceed 255. */
  static final int EXPAND_OUTPUT_BYTES_MAX = 255 * Sha256.DIGEST_BYTES;
  /** Messages are passwords, seeds and key-derivation inputs; nothing legitimate is larger. */
  static final int MESSAGE_BYTES_MAX = 1 << 20;

  private static final byte[] OVERSIZE_DST_PREFIX = "H2C-OVERSIZE-DST-".getBytes(StandardCharsets.US_ASCII);

  private HashToCurveP256() {}

  /**
   * RFC 9380 §5.3.3: a DST longer than 255 bytes is replaced by
   * {@code H("H2C-OVERSIZE-DST-" || DST)}; shorter ones are used as they are.
   */
  static byte[] effectiveDst(byte[] dst) {
    Check.that(dst.length > 0, "RFC 9380 §3.1: DST is non-empty");
    Check.that(dst.length <= DST_INPUT_BYTES_MAX, "DST within DST_INPUT_BYTES_MAX");
    return dst.length > DST_BYTES_MAX ? Sha256.hash(OVERSIZE_DST_PREFIX, dst) : dst;
  }

  /** RFC 9380 §5.3.1 expand_message_xmd with SHA-256. */
  static byte[] expandMessageXmd(byte[] msg, byte[] dst, int lengthBytes) {
    Check.that(msg.length <= MESSAGE_BYTES_MAX, "message within MESSAGE_BYTES_MAX");
    Check.that(lengthBytes >= 1 && lengthBytes <= EXPAND_OUTPUT_BYTES_MAX, "len_in_bytes in [1, 255 * b_in_bytes]");
    return expander().expandMessage(msg, effectiveDst(dst), lengthBytes);
  }

  /** RFC 9380 §5.2 hash_to_field with m = 1: {@code count} elements of GF(p). */
  static BigInteger[] hashToField(byte[] msg, byte[] dst, int count) {
    Check.that(msg.length <= MESSAGE_BYTES_MAX, "message within MESSAGE_BYTES_MAX");
    Check.that(count == 1 || count == 2, "hash_to_field count is 1 or 2");
    BigInteger[][] u = new HashToField(effectiveDst(dst), P256Curve.CURVE, expander(), FIELD_ELEMENT_BYTES).process(msg, count);
    BigInteger[] out = new BigInteger[count];
    for (int i = 0; i < count; i++) {
      out[i] = u[i][0];
    }
    return out;
  }

  /** RFC 9380 §6.6.2 simplified SWU map of one field element to a point (not yet uniform). */
  static ECPoint mapToCurve(BigInteger u) {
    return sswu().process(u);
  }

  /** RFC 9380 §3 hash_to_curve: map two field elements and add them (P-256 has cofactor 1). */
  static ECPoint hashToCurve(byte[] msg, byte[] dst) {
    Check.that(msg.length <= MESSAGE_BYTES_MAX, "message within MESSAGE_BYTES_MAX");
    HashToField hashToField = new HashToField(effectiveDst(dst), P256Curve.CURVE, expander(), FIELD_ELEMENT_BYTES);
    // HashToEllipticCurve's constructor is protected; an anonymous subclass lets us pass a
    // byte DST and our curve instance, which getInstance(profile, String) does not.
    return new HashToEllipticCurve(hashToField, sswu(), new NistCurveProcessor()) {}.hashToCurve(msg);
  }

  /**
   * RFC 9497 §4.3 HashToScalar for P256-SHA256: hash_to_field with L = 48 and modulus the
   * group order n (BC's {@code OPRFHashToScalar}). The result may be zero; callers decide.
   */
  static BigInteger hashToScalar(byte[] msg, byte[] dst) {
    Check.that(msg.length <= MESSAGE_BYTES_MAX, "message within MESSAGE_BYTES_MAX");
    return new OPRFHashToScalar(P256Curve.CURVE, new SHA256Digest(), SECURITY_BITS).process(msg, effectiveDst(dst));
  }

  /** DST_prime = DST || I2OSP(len(DST), 1), as RFC 9380 §5.3.1 builds it (for vector checks). */
  static byte[] dstPrime(byte[] dst) {
    byte[] effective = effectiveDst(dst);
    return Bytes.concat(effective, Bytes.i2osp(effective.length, 1));
  }

  private static XmdMessageExpansion expander() {
    return new XmdMessageExpansion(new SHA256Digest(), SECURITY_BITS);
  }

  private static SimplifiedShallueVanDeWoestijneMapToCurve sswu() {
    return new SimplifiedShallueVanDeWoestijneMapToCurve(P256Curve.CURVE, HashToCurveProfile.P256_XMD_SHA_256.getZ());
  }
}
