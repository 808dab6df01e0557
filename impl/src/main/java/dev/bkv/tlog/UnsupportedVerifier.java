package dev.bkv.tlog;

import java.util.Optional;

/**
 * A trusted key of a type BKV does not verify (ML-DSA-44 cosignatures, ECDSA, RFC 6962 STH
 * signatures). C2SP signed-note lets verifiers ignore signatures of types they do not
 * support; keeping the key lets {@link SignedNote#open} report them as such instead of as
 * unknown.
 */
public record UnsupportedVerifier(String keyName, int keyId, int type, byte[] publicKey) implements NoteVerifier {
  public UnsupportedVerifier {
    publicKey = publicKey.clone();
  }

  @Override
  public boolean supported() {
    return false;
  }

  @Override
  public Optional<VerifiedSignature> verify(byte[] text, byte[] signature) {
    return Optional.empty();
  }

  @Override
  public String vkey() {
    return NoteKeys.vkey(keyName, keyId, type, publicKey);
  }
}
