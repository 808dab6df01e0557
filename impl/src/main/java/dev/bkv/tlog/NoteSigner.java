package dev.bkv.tlog;

/** A private key that adds one signature line to a signed note. */
public interface NoteSigner {
  String keyName();

  int keyId();

  /** The signature bytes (without the key ID) over the note text. */
  byte[] sign(byte[] text);

  /** The matching public key. */
  NoteVerifier verifier();
}
