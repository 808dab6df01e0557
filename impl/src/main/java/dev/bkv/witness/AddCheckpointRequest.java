package dev.bkv.witness;

import dev.bkv.tlog.Decimal;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.SignedNote;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The body of a C2SP tlog-witness {@code add-checkpoint} request: an old size line, zero to
 * 63 consistency proof lines, a blank line, then the checkpoint as a signed note.
 *
 * <pre>
 * old 20852014
 * PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=
 *
 * example.com/behind-the-sofa
 * ...
 * </pre>
 */
public record AddCheckpointRequest(long oldSize, List<Hash> proof, SignedNote checkpoint) {
  /** "The client MUST NOT send more than 63 consistency proof lines." */
  public static final int PROOF_LINES_MAX = 63;
  /** Longest request body: the proof lines plus the longest note. */
  public static final int BODY_BYTES_MAX = SignedNote.NOTE_BYTES_MAX + 64 * (PROOF_LINES_MAX + 1);

  public AddCheckpointRequest {
    proof = List.copyOf(proof);
  }

  public String format() {
    StringBuilder out = new StringBuilder("old ").append(oldSize).append('\n');
    for (Hash h : proof) {
      out.append(h.toBase64()).append('\n');
    }
    return out.append('\n').append(checkpoint.format()).toString();
  }

  public static AddCheckpointRequest parse(byte[] body) throws FormatException {
    if (body.length > BODY_BYTES_MAX) {
      throw new FormatException("request body is longer than " + BODY_BYTES_MAX + " bytes");
    }
    int blank = -1;
    for (int i = 0; i + 1 < body.length; i++) {
      if (body[i] == '\n' && body[i + 1] == '\n') {
        blank = i;
        break;
      }
    }
    if (blank < 0) {
      throw new FormatException("request has no blank line before the checkpoint");
    }
    for (int i = 0; i < blank; i++) {
      int b = body[i] & 0xff;
      if ((b < 0x20 && b != '\n') || b >= 0x7f) {
        throw new FormatException("old size and proof lines must be printable ASCII");
      }
    }
    String[] lines = new String(body, 0, blank, StandardCharsets.US_ASCII).split("\n", -1);
    if (!lines[0].startsWith("old ")) {
      throw new FormatException("request must start with 'old <size>'");
    }
    long oldSize = Decimal.parse(lines[0].substring(4), "old size");
    if (lines.length - 1 > PROOF_LINES_MAX) {
      throw new FormatException("more than " + PROOF_LINES_MAX + " consistency proof lines");
    }
    List<Hash> proof = new ArrayList<>(lines.length - 1);
    for (String line : Arrays.asList(lines).subList(1, lines.length)) {
      proof.add(Hash.fromBase64(line));
    }
    SignedNote note = SignedNote.parse(Arrays.copyOfRange(body, blank + 2, body.length));
    return new AddCheckpointRequest(oldSize, proof, note);
  }
}
