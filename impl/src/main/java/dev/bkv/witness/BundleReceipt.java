package dev.bkv.witness;

import dev.bkv.crypto.Ed25519;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.TlogProof;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifiedCheckpoint;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * What the witness returns for a validation bundle: its Ed25519 signature over the bundle's
 * exact bytes (by the witness's bundle key) and a c2sp.org/tlog-proof@v1 that the bundle is
 * in the witness's log under a checkpoint signed by the log key.
 *
 * <pre>
 * bkv.dev/bundle-receipt@v1
 * signature &lt;base64 of the 64-byte Ed25519 signature&gt;
 * c2sp.org/tlog-proof@v1
 * index &lt;N&gt;
 * ...inclusion proof, blank line, signed checkpoint...
 * </pre>
 */
public record BundleReceipt(Ed25519.Signature bundleSignature, TlogProof proof) {
  public static final String HEADER = "bkv.dev/bundle-receipt@v1";
  private static final String SIGNATURE_PREFIX = "signature ";

  public long index() {
    return proof.index();
  }

  public String format() {
    return HEADER + "\n" + SIGNATURE_PREFIX + Base64.getEncoder().encodeToString(bundleSignature.toBytes()) + "\n"
        + proof.format();
  }

  public byte[] toBytes() {
    return format().getBytes(StandardCharsets.UTF_8);
  }

  public static BundleReceipt parse(byte[] bytes) throws FormatException {
    int first = indexOf(bytes, 0);
    int second = first < 0 ? -1 : indexOf(bytes, first + 1);
    if (second < 0) {
      throw new FormatException("receipt needs a header line and a signature line");
    }
    String header = new String(bytes, 0, first, StandardCharsets.US_ASCII);
    String signature = new String(bytes, first + 1, second - first - 1, StandardCharsets.US_ASCII);
    if (!header.equals(HEADER)) {
      throw new FormatException("receipt must start with " + HEADER);
    }
    if (!signature.startsWith(SIGNATURE_PREFIX)) {
      throw new FormatException("receipt's second line must be 'signature <base64>'");
    }
    String encoded = signature.substring(SIGNATURE_PREFIX.length());
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new FormatException("receipt signature is not base64");
    }
    if (raw.length != Ed25519.SIGNATURE_BYTES || !Base64.getEncoder().encodeToString(raw).equals(encoded)) {
      throw new FormatException("receipt signature must be canonical base64 of 64 bytes");
    }
    TlogProof proof = TlogProof.parse(Arrays.copyOfRange(bytes, second + 1, bytes.length));
    return new BundleReceipt(new Ed25519.Signature(raw), proof);
  }

  /**
   * Checks the receipt for {@code bundle}: the bundle key signed these exact bytes, and the
   * bundle is in a checkpoint that satisfies {@code policy} (the witness log key, plus any
   * cosigners the policy requires).
   */
  public Verdict<VerifiedCheckpoint> verify(byte[] bundle, Ed25519Note.Verifier bundleKey, CheckpointPolicy policy) {
    if (bundleKey.verify(bundle, bundleSignature.toBytes()).isEmpty()) {
      return Verdict.rejected("bundle signature does not verify under " + bundleKey.keyName());
    }
    return proof.verifyEntry(bundle, policy);
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
