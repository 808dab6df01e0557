package dev.bkv.tlog;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A C2SP signed note: a text ending in a newline, a blank line, then one or more signature
 * lines {@code — <key name> base64(key ID || signature)}. The text is everything before the
 * last blank line. Notes are valid UTF-8 with no control characters but newline.
 *
 * <p>A {@code SignedNote} is only well-formed; {@link #open} decides whether it is signed by
 * a trusted key, following the C2SP rules: signatures by unknown keys are ignored, a
 * signature by a known key that fails to verify rejects the whole note, and at least one
 * known key must verify.
 */
public record SignedNote(String text, List<NoteSignature> signatures) {
  /** Longest note accepted, in bytes (a 64 KiB text plus post-quantum signatures fits). */
  public static final int NOTE_BYTES_MAX = 128 * 1024;
  /** Signature lines per note; C2SP requires accepting at least 16. */
  public static final int SIGNATURES_MAX = 32;
  /** Longest signature accepted, in bytes after the key ID (ML-DSA-87 needs 4627). */
  public static final int SIGNATURE_BYTES_MAX = 5000;

  static final String SIGNATURE_PREFIX = "\u2014 ";

  public SignedNote {
    signatures = List.copyOf(signatures);
    String problem = textProblem(text);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    if (signatures.isEmpty() || signatures.size() > SIGNATURES_MAX) {
      throw new IllegalArgumentException("a note carries 1 to " + SIGNATURES_MAX + " signatures");
    }
    for (NoteSignature s : signatures) {
      int length = s.signature().length;
      if (!NoteKeys.isValidName(s.keyName()) || length == 0 || length > SIGNATURE_BYTES_MAX) {
        throw new IllegalArgumentException("invalid signature line: " + s.keyName() + ", " + length + " bytes");
      }
    }
    int noteBytes = format(text, signatures).getBytes(StandardCharsets.UTF_8).length;
    if (noteBytes > NOTE_BYTES_MAX) {
      throw new IllegalArgumentException("note would be " + noteBytes + " bytes, more than " + NOTE_BYTES_MAX);
    }
  }

  /** Signs {@code text} with each signer in order. */
  public static SignedNote sign(String text, List<? extends NoteSigner> signers) {
    String problem = textProblem(text);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    byte[] textBytes = text.getBytes(StandardCharsets.UTF_8);
    List<NoteSignature> signatures = new ArrayList<>();
    for (NoteSigner signer : signers) {
      signatures.add(new NoteSignature(signer.keyName(), signer.keyId(), signer.sign(textBytes)));
    }
    return new SignedNote(text, signatures);
  }

  /** This note with {@code more} signature lines appended. */
  public SignedNote withSignatures(List<NoteSignature> more) {
    List<NoteSignature> all = new ArrayList<>(signatures);
    all.addAll(more);
    return new SignedNote(text, all);
  }

  public byte[] textBytes() {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The note's exact text form. */
  public String format() {
    return format(text, signatures);
  }

  private static String format(String text, List<NoteSignature> signatures) {
    StringBuilder out = new StringBuilder(text).append('\n');
    for (NoteSignature s : signatures) {
      out.append(s.toLine()).append('\n');
    }
    return out.toString();
  }

  public byte[] toBytes() {
    return format().getBytes(StandardCharsets.UTF_8);
  }

  /** Decodes a note; throws for anything that is not a well-formed signed note within the limits. */
  public static SignedNote parse(byte[] bytes) throws FormatException {
    if (bytes.length > NOTE_BYTES_MAX) {
      throw new FormatException("note is " + bytes.length + " bytes, more than " + NOTE_BYTES_MAX);
    }
    String all = decodeUtf8(bytes);
    for (int i = 0; i < all.length(); i++) {
      if (all.charAt(i) < 0x20 && all.charAt(i) != '\n') {
        throw new FormatException("note contains control character 0x" + Integer.toHexString(all.charAt(i)));
      }
    }
    int split = all.lastIndexOf("\n\n");
    if (split < 0) {
      throw new FormatException("note has no blank line before its signatures");
    }
    String text = all.substring(0, split + 1);
    String block = all.substring(split + 2);
    if (block.isEmpty() || !block.endsWith("\n")) {
      throw new FormatException("note signatures must be non-empty lines ending in a newline");
    }
    String[] lines = block.substring(0, block.length() - 1).split("\n", -1);
    if (lines.length > SIGNATURES_MAX) {
      throw new FormatException("note has " + lines.length + " signatures, more than " + SIGNATURES_MAX);
    }
    List<NoteSignature> signatures = new ArrayList<>(lines.length);
    for (String line : lines) {
      signatures.add(parseSignatureLine(line));
    }
    return new SignedNote(text, signatures);
  }

  /** Decodes one signature line (without its newline), e.g. a line of a witness response. */
  public static NoteSignature parseSignatureLine(String line) throws FormatException {
    if (!line.startsWith(SIGNATURE_PREFIX)) {
      throw new FormatException("signature line must start with an em dash and a space");
    }
    String rest = line.substring(SIGNATURE_PREFIX.length());
    int space = rest.indexOf(' ');
    if (space < 0) {
      throw new FormatException("signature line has no space between key name and signature");
    }
    String name = rest.substring(0, space);
    if (!NoteKeys.isValidName(name)) {
      throw new FormatException("signature line has an invalid key name");
    }
    byte[] encoded = Base64Text.decodePadded(rest.substring(space + 1), "signature");
    if (encoded.length < 5 || encoded.length > 4 + SIGNATURE_BYTES_MAX) {
      throw new FormatException("signature has " + encoded.length + " bytes with its key ID");
    }
    int keyId = ByteBuffer.wrap(encoded, 0, 4).getInt();
    byte[] signature = new byte[encoded.length - 4];
    System.arraycopy(encoded, 4, signature, 0, signature.length);
    return new NoteSignature(name, keyId, signature);
  }

  /** Parses then opens; malformed input is a rejection like any other. */
  public static Verdict<OpenedNote> open(byte[] bytes, VerifierSet known) {
    try {
      return parse(bytes).open(known);
    } catch (FormatException e) {
      return Verdict.rejected("malformed note: " + e.getMessage());
    }
  }

  /** Verifies this note's signatures against {@code known} (see the class comment for the rules). */
  public Verdict<OpenedNote> open(VerifierSet known) {
    byte[] textBytes = textBytes();
    List<VerifiedSignature> verified = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    int unknown = 0;
    int unsupported = 0;
    for (NoteSignature s : signatures) {
      Optional<NoteVerifier> key = known.lookup(s.keyName(), s.keyId());
      if (key.isEmpty()) {
        unknown++;
        continue;
      }
      if (!key.get().supported()) {
        unsupported++;
        continue;
      }
      Optional<VerifiedSignature> ok = key.get().verify(textBytes, s.signature());
      if (ok.isEmpty()) {
        return Verdict.rejected(
            "invalid signature by known key " + s.keyName() + "+" + NoteKeys.hexId(s.keyId()));
      }
      if (seen.add(s.keyName() + "+" + s.keyId())) {
        verified.add(ok.get());
      }
    }
    if (verified.isEmpty()) {
      return Verdict.rejected(
          "no signature by a trusted key (" + unknown + " unknown, " + unsupported + " of unsupported type)");
    }
    return Verdict.verified(new OpenedNote(this, verified, unknown, unsupported));
  }

  /** Why {@code text} cannot be a note text, or null when it can. */
  static String textProblem(String text) {
    if (text == null || !text.endsWith("\n")) {
      return "note text must end with a newline";
    }
    if (text.getBytes(StandardCharsets.UTF_8).length > NOTE_BYTES_MAX) {
      return "note text is longer than " + NOTE_BYTES_MAX + " bytes";
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 && c != '\n') {
        return "note text contains control character 0x" + Integer.toHexString(c);
      }
      if (Character.isSurrogate(c)
          && !(Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(++i)))) {
        return "note text is not valid UTF-16 (unpaired surrogate)";
      }
    }
    return null;
  }

  private static String decodeUtf8(byte[] bytes) throws FormatException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new FormatException("note is not valid UTF-8");
    }
  }
}
