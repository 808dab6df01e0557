package dev.bkv.crypto;

import java.security.DigestException;
import java.security.MessageDigest;
import org.bouncycastle.crypto.ExtendedDigest;

/**
 * The JDK's SHA-256 (intrinsified) behind Bouncy Castle's digest interface, for the BC
 * constructions that take a digest: RFC 6979 nonces and RFC 9380 message expansion. BC's own
 * SHA-256 is plain Java and several times slower. Not thread-safe, like any digest.
 */
final class Sha256BcDigest implements ExtendedDigest {
  /** SHA-256's block, which HMAC pads its key to. */
  private static final int BLOCK_BYTES = 64;

  private final MessageDigest digest = Sha256.newDigest();

  @Override
  public String getAlgorithmName() {
    return "SHA-256";
  }

  @Override
  public int getDigestSize() {
    return Sha256.DIGEST_BYTES;
  }

  @Override
  public int getByteLength() {
    return BLOCK_BYTES;
  }

  @Override
  public void update(byte in) {
    digest.update(in);
  }

  @Override
  public void update(byte[] in, int inOff, int len) {
    digest.update(in, inOff, len);
  }

  @Override
  public int doFinal(byte[] out, int outOff) {
    try {
      return digest.digest(out, outOff, Sha256.DIGEST_BYTES);
    } catch (DigestException e) {
      throw new IllegalArgumentException("no room for a SHA-256 digest at offset " + outOff, e);
    }
  }

  @Override
  public void reset() {
    digest.reset();
  }
}
