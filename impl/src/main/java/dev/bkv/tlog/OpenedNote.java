package dev.bkv.tlog;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A signed note whose signatures by known keys all verified, and at least one did.
 * {@code unknownSignatures} counts lines from keys not in the verifier set;
 * {@code unsupportedSignatures} counts lines from known keys of a type BKV does not verify.
 */
public record OpenedNote(
    SignedNote note, List<VerifiedSignature> verified, int unknownSignatures, int unsupportedSignatures) {
  public OpenedNote {
    verified = List.copyOf(verified);
  }

  public String text() {
    return note.text();
  }

  public byte[] textBytes() {
    return note.text().getBytes(StandardCharsets.UTF_8);
  }

  /** Whether a signature by the key (name, ID) verified. */
  public boolean verifiedBy(String keyName, int keyId) {
    return verified.stream().anyMatch(s -> s.keyName().equals(keyName) && s.keyId() == keyId);
  }
}
