package dev.bkv.tlog;

import java.util.Optional;

/**
 * A trusted public key for signed notes, identified by (key name, key ID). Implementations
 * are total: {@link #verify} returns empty for any signature that does not verify, including
 * one of the wrong length.
 */
public interface NoteVerifier {
  String keyName();

  int keyId();

  /** The signature type identifier byte of C2SP signed-note (0x01 Ed25519, 0x04 cosignature/v1, ...). */
  int type();

  /**
   * False for key types BKV does not verify (ECDSA, RFC 6962 STH, ML-DSA-44): the C2SP
   * signed-note rules let a verifier ignore those signatures, and {@link SignedNote#open}
   * counts them as "unsupported algorithm, ignored".
   */
  default boolean supported() {
    return true;
  }

  /** The verified signature, or empty when {@code signature} is not valid over {@code text}. */
  Optional<VerifiedSignature> verify(byte[] text, byte[] signature);

  /** The key in vkey form, {@code <name>+<hex key ID>+<base64(type || public key)>}. */
  String vkey();
}
