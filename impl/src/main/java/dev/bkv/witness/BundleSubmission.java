package dev.bkv.witness;

import dev.bkv.crypto.Sha256Digest;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.OpenedNote;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifierSet;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The body of {@code POST /bkv/add-bundle} (spec/FORMATS.md, "add-bundle request"): a C2SP
 * signed note by the operator's submission key, then the bundle's exact bytes to the end of
 * the body.
 *
 * <pre>
 * bkv.dev/add-bundle@v1
 * witness &lt;origin of the witness's bundle log&gt;
 * bundle &lt;64 lower-case hex digits of SHA-256(bundle)&gt;
 *
 * — &lt;namespace&gt; &lt;base64(key ID || Ed25519 signature of the three lines above)&gt;
 * &lt;bundle bytes&gt;
 * </pre>
 *
 * The note has exactly these three text lines and one signature line, so it ends at the
 * body's fifth newline. Naming the witness's origin keeps a request from being replayed to
 * another witness; the epoch rule keeps it from logging anything new at the same witness.
 */
public final class BundleSubmission {
  public static final String HEADER = "bkv.dev/add-bundle@v1";
  /** Longest signed note before the bundle: header, origin, digest and one signature line. */
  public static final int NOTE_BYTES_MAX = 2048;
  /** Longest request: the note and the largest bundle the log holds. */
  public static final int BODY_BYTES_MAX = NOTE_BYTES_MAX + BundleLog.BUNDLE_BYTES_MAX;

  private static final String WITNESS_PREFIX = "witness ";
  private static final String BUNDLE_PREFIX = "bundle ";
  /** Three text lines, the blank line, the signature line. */
  private static final int NOTE_NEWLINES = 5;

  private BundleSubmission() {}

  /** A request whose signature verified: the submitting key's name (the namespace) and the bundle. */
  public record Signed(String keyName, byte[] bundle) {
    public Signed {
      bundle = bundle.clone();
    }

    @Override
    public byte[] bundle() {
      return bundle.clone();
    }
  }

  /** The text the submission key signs for {@code bundle} sent to the witness whose log is {@code witnessOrigin}. */
  public static String text(byte[] bundle, String witnessOrigin) {
    return HEADER + "\n" + WITNESS_PREFIX + witnessOrigin + "\n" + BUNDLE_PREFIX + Sha256Digest.of(bundle).toHex() + "\n";
  }

  /** The request body asking the witness whose log is {@code witnessOrigin} to log {@code bundle}. */
  public static byte[] sign(byte[] bundle, String witnessOrigin, Ed25519Note.Signer submissionKey) {
    byte[] note = SignedNote.sign(text(bundle, witnessOrigin), List.of(submissionKey)).toBytes();
    byte[] body = Arrays.copyOf(note, note.length + bundle.length);
    System.arraycopy(bundle, 0, body, note.length, bundle.length);
    return body;
  }

  /**
   * Checks a request body for the witness whose log is {@code witnessOrigin}: framing and size
   * first, then the header, origin and digest lines, then the signature under
   * {@code operators}. Total: every input gives a verdict; a rejection says why.
   */
  public static Verdict<Signed> open(byte[] body, String witnessOrigin, VerifierSet operators) {
    if (body.length > BODY_BYTES_MAX) {
      return Verdict.rejected("request is longer than " + BODY_BYTES_MAX + " bytes");
    }
    int noteEnd = noteEnd(body);
    if (noteEnd < 0) {
      return Verdict.rejected("request does not start with a signed " + HEADER + " note of at most "
          + NOTE_BYTES_MAX + " bytes");
    }
    SignedNote note;
    try {
      note = SignedNote.parse(Arrays.copyOf(body, noteEnd));
    } catch (FormatException e) {
      return Verdict.rejected("request note is malformed: " + e.getMessage());
    }
    byte[] bundle = Arrays.copyOfRange(body, noteEnd, body.length);
    String[] lines = note.text().split("\n", -1);
    if (lines.length != 4 || !lines[0].equals(HEADER)) {
      return Verdict.rejected("request note must be the three lines of " + HEADER);
    }
    if (!lines[1].startsWith(WITNESS_PREFIX) || !lines[1].substring(WITNESS_PREFIX.length()).equals(witnessOrigin)) {
      return Verdict.rejected("request is signed for another witness (line 2 must be '" + WITNESS_PREFIX + witnessOrigin + "')");
    }
    if (!lines[2].equals(BUNDLE_PREFIX + Sha256Digest.of(bundle).toHex())) {
      return Verdict.rejected("the bundle bytes after the note do not have the SHA-256 the note signs");
    }
    Verdict<OpenedNote> opened = note.open(operators);
    if (!opened.isVerified()) {
      return Verdict.rejected("request is not signed by a registered operator: " + opened.reasonOrEmpty());
    }
    return Verdict.verified(new Signed(opened.value().verified().get(0).keyName(), bundle));
  }

  /** The index just past the note's fifth newline, or -1 when the first NOTE_BYTES_MAX bytes hold fewer. */
  private static int noteEnd(byte[] body) {
    int newlines = 0;
    for (int i = 0; i < Math.min(body.length, NOTE_BYTES_MAX); i++) {
      if (body[i] == '\n' && ++newlines == NOTE_NEWLINES) {
        return i + 1;
      }
    }
    return -1;
  }
}
