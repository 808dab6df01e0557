package dev.bkv.bundle;

import dev.bkv.base.Hex;
import dev.bkv.base.LineCursor;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.tlog.CosignatureV1;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.NoteKeys;
import dev.bkv.tlog.NoteVerifier;
import dev.bkv.tlog.VerifierSet;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The trust anchors an app compiles in, as a file ({@code bkv-client-anchors/1},
 * spec/FORMATS.md "Client trust anchors"): one "keyword value" line each, in this order,
 * nothing else.
 *
 * <pre>
 * bkv-client-anchors/1
 * namespace &lt;the namespace the app serves&gt;
 * witness-bundle-key &lt;vkey: the witness's Ed25519 bundle key&gt;
 * log-origin &lt;the witness log's checkpoint origin&gt;
 * log-key &lt;vkey: the witness log's Ed25519 key&gt;
 * operator-key &lt;66 hex: the operator HSM's P-256 key, compressed SEC1&gt;
 * cosigner &lt;vkey: a cosignature/v1 key&gt;          (0 to COSIGNERS_MAX lines)
 * cosignatures-required &lt;decimal, 0 to the number of cosigner lines&gt;
 * </pre>
 *
 * Parsing is strict and total: the bytes must be exactly what {@link #format} writes for the
 * anchors they name, so one file has one meaning. The same file gives a fleet's HSMs the anchors
 * they check a rotation's target fleet against ({@link MigrationTrust}), so it lives here, below
 * both the client and the node.
 */
public final class TrustAnchorsFile {
  public static final String HEADER = "bkv-client-anchors/1";
  /** Most cosigner lines: far more than any deployment's independent witnesses. */
  public static final int COSIGNERS_MAX = 32;
  /** Longest namespace or log origin, in characters. */
  public static final int NAME_CHARS_MAX = 256;
  /** Longest file read, in bytes: every line at its longest. */
  public static final int FILE_BYTES_MAX = (COSIGNERS_MAX + 8) * (NoteKeys.VKEY_CHARS_MAX + 32);
  private static final int LINES_MAX = COSIGNERS_MAX + 7;
  private static final int COMPRESSED_KEY_BYTES = 33;

  private TrustAnchorsFile() {}

  public static byte[] format(TrustAnchors anchors) {
    StringBuilder text = new StringBuilder(HEADER).append('\n')
        .append("namespace ").append(anchors.namespace()).append('\n')
        .append("witness-bundle-key ").append(anchors.witnessBundleKey().vkey()).append('\n')
        .append("log-origin ").append(anchors.logOrigin()).append('\n')
        .append("log-key ").append(anchors.logKey().vkey()).append('\n')
        .append("operator-key ").append(Hex.encode(anchors.operatorKey().encodeCompressed())).append('\n');
    for (NoteVerifier cosigner : anchors.cosigners().verifiers()) {
      text.append("cosigner ").append(cosigner.vkey()).append('\n');
    }
    text.append("cosignatures-required ").append(anchors.cosignaturesRequired()).append('\n');
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** Parses an anchors file; the message of a failure names the line and what was wrong. */
  public static TrustAnchors parse(byte[] bytes) throws FormatException {
    if (bytes.length > FILE_BYTES_MAX) {
      throw new FormatException("client anchors longer than " + FILE_BYTES_MAX + " bytes");
    }
    LineCursor<FormatException> lines = LineCursor.open(bytes, LINES_MAX, FormatException::new,
        m -> new FormatException("client anchors: " + m));
    lines.expectLine(HEADER);
    String namespace = name(lines, "namespace");
    Ed25519Note.Verifier bundleKey = ed25519(lines, "witness-bundle-key");
    String logOrigin = name(lines, "log-origin");
    Ed25519Note.Verifier logKey = ed25519(lines, "log-key");
    EcdsaP256.PublicKey operator = operatorKey(lines);
    List<NoteVerifier> cosigners = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    while (lines.peek("cosigner")) {
      int at = lines.lineNumber();
      NoteVerifier key = vkey(lines, "cosigner");
      if (!(key instanceof CosignatureV1.Verifier)) {
        throw new FormatException("line " + at + ": a cosigner must be a cosignature/v1 key (type 0x04)");
      }
      if (!seen.add(key.keyName() + "+" + key.keyId())) {
        throw new FormatException("line " + at + ": cosigner " + key.keyName() + " is listed twice");
      }
      cosigners.add(key);
    }
    if (cosigners.size() > COSIGNERS_MAX) {
      throw new FormatException("more than " + COSIGNERS_MAX + " cosigners");
    }
    int at = lines.lineNumber();
    long required = LineCursor.decimal(lines.value("cosignatures-required"));
    if (required < 0 || required > cosigners.size()) {
      throw new FormatException("line " + at + ": cosignatures-required must be a decimal in [0, " + cosigners.size() + "]");
    }
    lines.expectEnd();
    TrustAnchors anchors = new TrustAnchors(namespace, bundleKey, operator, logOrigin, logKey, VerifierSet.of(cosigners),
        (int) required);
    if (!java.util.Arrays.equals(format(anchors), bytes)) {
      throw new FormatException("client anchors do not re-encode to the same bytes (non-canonical key or number)");
    }
    return anchors;
  }

  private static String name(LineCursor<FormatException> lines, String keyword) throws FormatException {
    int at = lines.lineNumber();
    String value = lines.value(keyword);
    if (value.length() > NAME_CHARS_MAX || value.contains(" ")) {
      throw new FormatException("line " + at + ": " + keyword + " must be 1 to " + NAME_CHARS_MAX + " characters, no spaces");
    }
    return value;
  }

  private static NoteVerifier vkey(LineCursor<FormatException> lines, String keyword) throws FormatException {
    int at = lines.lineNumber();
    String value = lines.value(keyword);
    try {
      return NoteKeys.parseVerifierKey(value);
    } catch (FormatException e) {
      throw new FormatException("line " + at + ": " + keyword + ": " + e.getMessage());
    }
  }

  private static Ed25519Note.Verifier ed25519(LineCursor<FormatException> lines, String keyword) throws FormatException {
    int at = lines.lineNumber();
    NoteVerifier key = vkey(lines, keyword);
    if (!(key instanceof Ed25519Note.Verifier)) {
      throw new FormatException("line " + at + ": " + keyword + " must be an Ed25519 note key (type 0x01)");
    }
    return (Ed25519Note.Verifier) key;
  }

  private static EcdsaP256.PublicKey operatorKey(LineCursor<FormatException> lines) throws FormatException {
    int at = lines.lineNumber();
    byte[] raw = LineCursor.lowerHex(lines.value("operator-key"), COMPRESSED_KEY_BYTES);
    String problem = "line " + at + ": operator-key must be a compressed P-256 point in 66 lower-case hex digits";
    if (raw == null) {
      throw new FormatException(problem);
    }
    try {
      return EcdsaP256.PublicKey.decode(raw);
    } catch (DecodeException e) {
      throw new FormatException(problem + " (" + e.getMessage() + ")");
    }
  }
}
