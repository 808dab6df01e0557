package dev.bkv.bundle;

import dev.bkv.base.Bytes;
import dev.bkv.base.LineCursor;
import dev.bkv.bundle.BundleFormatException.Reason;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.TlogProof;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A validation bundle as a client receives it over the air ({@code bkv.dev/witnessed-bundle@v1}):
 * the bundle's exact bytes, the witness's receipt for them, and the operator's countersignature
 * of the witness signature (spec/FORMATS.md, "Validation bundle"):
 *
 * <pre>
 * bkv.dev/witnessed-bundle@v1
 * bundle-sha256 &lt;64 hex: SHA-256 of the bundle bytes&gt;
 * countersignature &lt;128 hex: operator ECDSA P-256 P1363 over OperatorCountersignature.message&gt;
 * &lt;blank line&gt;
 * &lt;the bundle, byte for byte (it holds no blank line)&gt;
 * &lt;blank line&gt;
 * &lt;the witness receipt, bkv.dev/bundle-receipt@v1, byte for byte, to the end&gt;
 * </pre>
 *
 * The receipt is {@code bkv.dev/bundle-receipt@v1}, a {@code signature} line (base64 of the
 * witness bundle key's Ed25519 signature over the bundle bytes) and a c2sp.org/tlog-proof@v1
 * of the bundle in the witness's log. Parsing checks syntax only: whether the digest matches,
 * the signatures verify and the proof holds is the verifier's job, so each failure is
 * reported as its own check.
 */
public final class WitnessedBundle {
  public static final String HEADER = "bkv.dev/witnessed-bundle@v1";
  public static final String RECEIPT_HEADER = "bkv.dev/bundle-receipt@v1";
  public static final int WITNESSED_BYTES_MAX = 1024 + ValidationBundle.BUNDLE_BYTES_MAX + TlogProof.PROOF_BYTES_MAX;
  private static final String RECEIPT_SIGNATURE = "signature ";

  private final Sha256Digest statedDigest;
  private final EcdsaP256.Signature countersignature;
  private final byte[] bundleBytes;
  private final ValidationBundle bundle;
  private final Ed25519.Signature witnessSignature;
  private final TlogProof proof;

  private WitnessedBundle(Sha256Digest statedDigest, EcdsaP256.Signature countersignature, byte[] bundleBytes,
      ValidationBundle bundle, Ed25519.Signature witnessSignature, TlogProof proof) {
    this.statedDigest = statedDigest;
    this.countersignature = countersignature;
    this.bundleBytes = bundleBytes.clone();
    this.bundle = bundle;
    this.witnessSignature = witnessSignature;
    this.proof = proof;
  }

  /** Assembles a witnessed bundle from the witness's receipt parts and the operator's countersignature. */
  public static WitnessedBundle of(ValidationBundle bundle, Ed25519.Signature witnessSignature, TlogProof proof,
      EcdsaP256.Signature countersignature) {
    byte[] bytes = bundle.toBytes();
    return new WitnessedBundle(Sha256Digest.of(bytes), countersignature, bytes, bundle, witnessSignature, proof);
  }

  /** The digest the file states; equal to {@link #bundleDigest} unless the file was altered. */
  public Sha256Digest statedDigest() {
    return statedDigest;
  }

  /** SHA-256 of the bundle bytes as received. */
  public Sha256Digest bundleDigest() {
    return Sha256Digest.of(bundleBytes);
  }

  public EcdsaP256.Signature countersignature() {
    return countersignature;
  }

  /** The bundle's exact bytes: what the witness signed and logged. */
  public byte[] bundleBytes() {
    return bundleBytes.clone();
  }

  public ValidationBundle bundle() {
    return bundle;
  }

  /** The witness bundle key's signature over {@link #bundleBytes}. */
  public Ed25519.Signature witnessSignature() {
    return witnessSignature;
  }

  /** The inclusion proof of the bundle in the witness's log, with its signed checkpoint. */
  public TlogProof proof() {
    return proof;
  }

  /** The receipt exactly as the witness's {@code POST /bkv/add-bundle} returns it. */
  public byte[] receiptBytes() {
    return (RECEIPT_HEADER + "\n" + RECEIPT_SIGNATURE + Base64.getEncoder().encodeToString(witnessSignature.toBytes())
        + "\n" + proof.format()).getBytes(StandardCharsets.UTF_8);
  }

  public byte[] toBytes() {
    String head = HEADER + "\n"
        + "bundle-sha256 " + statedDigest.toHex() + "\n"
        + "countersignature " + countersignature.toHex() + "\n\n";
    return Bytes.concat(head.getBytes(StandardCharsets.US_ASCII), bundleBytes, new byte[] {'\n'}, receiptBytes());
  }

  /**
   * Parses a witnessed bundle file, accepting only the canonical encoding. A malformed bundle
   * inside is reported with the bundle's own reason.
   */
  public static WitnessedBundle parse(byte[] bytes) throws BundleFormatException {
    if (bytes.length > WITNESSED_BYTES_MAX) {
      throw new BundleFormatException(Reason.TOO_LARGE, "witnessed bundle of " + bytes.length + " bytes exceeds "
          + WITNESSED_BYTES_MAX);
    }
    int headEnd = blankLine(bytes, 0);
    int bundleEnd = headEnd < 0 ? -1 : blankLine(bytes, headEnd + 2);
    if (bundleEnd < 0) {
      throw new BundleFormatException(Reason.LINE_ORDER,
          "a witnessed bundle is a header, a blank line, the bundle, a blank line and the receipt");
    }
    LineCursor<BundleFormatException> head = LineCursor.open(Arrays.copyOf(bytes, headEnd + 1), 3,
        m -> new BundleFormatException(Reason.LINE_ORDER, m), m -> new BundleFormatException(Reason.ENCODING, m));
    if (!head.next().equals(HEADER)) {
      throw new BundleFormatException(Reason.HEADER, "the first line must be " + HEADER);
    }
    Sha256Digest stated = Sha256Digest.fromHex(head.value("bundle-sha256"))
        .orElseThrow(() -> new BundleFormatException(Reason.DIGEST, "bundle-sha256 must be 64 lower-case hex digits"));
    byte[] signature = LineCursor.lowerHex(head.value("countersignature"), EcdsaP256.SIGNATURE_P1363_BYTES);
    if (signature == null) {
      throw new BundleFormatException(Reason.COUNTERSIGNATURE, "countersignature must be 128 lower-case hex digits");
    }
    head.expectEnd();
    byte[] bundleBytes = Arrays.copyOfRange(bytes, headEnd + 2, bundleEnd + 1);
    ValidationBundle bundle = ValidationBundle.parse(bundleBytes);
    byte[] receipt = Arrays.copyOfRange(bytes, bundleEnd + 2, bytes.length);
    WitnessedBundle parsed = new WitnessedBundle(stated, new EcdsaP256.Signature(signature), bundleBytes, bundle,
        receiptSignature(receipt), receiptProof(receipt));
    if (!Arrays.equals(parsed.toBytes(), bytes)) {
      throw new BundleFormatException(Reason.NOT_CANONICAL, "the witnessed bundle does not re-encode to the same bytes");
    }
    return parsed;
  }

  private static Ed25519.Signature receiptSignature(byte[] receipt) throws BundleFormatException {
    int first = indexOf(receipt, 0);
    int second = first < 0 ? -1 : indexOf(receipt, first + 1);
    if (second < 0 || !new String(receipt, 0, first, StandardCharsets.US_ASCII).equals(RECEIPT_HEADER)) {
      throw new BundleFormatException(Reason.RECEIPT, "the receipt must start with " + RECEIPT_HEADER + " and a signature line");
    }
    String line = new String(receipt, first + 1, second - first - 1, StandardCharsets.US_ASCII);
    byte[] raw = line.startsWith(RECEIPT_SIGNATURE)
        ? LineCursor.canonicalBase64(line.substring(RECEIPT_SIGNATURE.length()), Ed25519.SIGNATURE_BYTES) : null;
    if (raw == null || raw.length != Ed25519.SIGNATURE_BYTES) {
      throw new BundleFormatException(Reason.RECEIPT, "the receipt's second line must be \"signature <canonical base64 of 64 bytes>\"");
    }
    return new Ed25519.Signature(raw);
  }

  private static TlogProof receiptProof(byte[] receipt) throws BundleFormatException {
    int first = indexOf(receipt, 0);
    int second = indexOf(receipt, first + 1);
    try {
      return TlogProof.parse(Arrays.copyOfRange(receipt, second + 1, receipt.length));
    } catch (FormatException e) {
      throw new BundleFormatException(Reason.RECEIPT, "tlog-proof: " + e.getMessage());
    }
  }

  /** Index of the first "\n\n" at or after {@code from}, or -1. */
  private static int blankLine(byte[] bytes, int from) {
    for (int i = from; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\n' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return "WitnessedBundle(" + bundle + ", index " + proof.index() + ")";
  }
}
