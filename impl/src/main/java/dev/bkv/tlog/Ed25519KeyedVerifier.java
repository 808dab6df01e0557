package dev.bkv.tlog;

import dev.bkv.crypto.Ed25519;

/**
 * What every Ed25519-based note key has in common (type 0x01 note signatures and type 0x04
 * cosignature/v1): a valid key name, the Ed25519 public key, and the key ID derived from
 * name, type and key. Subclasses say only how a signature is checked.
 */
abstract class Ed25519KeyedVerifier implements NoteVerifier {
  private final String keyName;
  private final Ed25519.PublicKey publicKey;
  private final int type;
  private final int keyId;

  Ed25519KeyedVerifier(String keyName, Ed25519.PublicKey publicKey, int type, String what) {
    if (!NoteKeys.isValidName(keyName)) {
      throw new IllegalArgumentException("invalid " + what + " name: " + keyName);
    }
    this.keyName = keyName;
    this.publicKey = publicKey;
    this.type = type;
    this.keyId = NoteKeys.keyId(keyName, type, publicKey.toBytes());
  }

  @Override
  public final String keyName() {
    return keyName;
  }

  @Override
  public final int keyId() {
    return keyId;
  }

  @Override
  public final int type() {
    return type;
  }

  public final Ed25519.PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public final String vkey() {
    return NoteKeys.vkey(keyName, keyId, type, publicKey.toBytes());
  }

  @Override
  public final String toString() {
    return vkey();
  }
}
