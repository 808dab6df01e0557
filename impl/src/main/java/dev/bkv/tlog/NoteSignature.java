package dev.bkv.tlog;

import java.util.Arrays;

/**
 * One signature line of a signed note, {@code — <keyName> base64(keyId || signature)}, as
 * decoded: nothing about it is verified yet.
 */
public record NoteSignature(String keyName, int keyId, byte[] signature) {
  public NoteSignature {
    signature = signature.clone();
  }

  @Override
  public byte[] signature() {
    return signature.clone();
  }

  /** The signature line without its final newline. */
  public String toLine() {
    byte[] encoded = new byte[4 + signature.length];
    encoded[0] = (byte) (keyId >>> 24);
    encoded[1] = (byte) (keyId >>> 16);
    encoded[2] = (byte) (keyId >>> 8);
    encoded[3] = (byte) keyId;
    System.arraycopy(signature, 0, encoded, 4, signature.length);
    return SignedNote.SIGNATURE_PREFIX + keyName + " " + Base64Text.encode(encoded);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof NoteSignature that
        && keyName.equals(that.keyName)
        && keyId == that.keyId
        && Arrays.equals(signature, that.signature);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * keyName.hashCode() + keyId) + Arrays.hashCode(signature);
  }

  @Override
  public String toString() {
    return toLine();
  }
}
