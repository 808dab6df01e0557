package dev.bkv.tlog;

import dev.bkv.crypto.Ed25519;
import java.util.Optional;
import java.util.OptionalLong;

/** C2SP signed-note Ed25519 keys (type 0x01): an RFC 8032 signature over the note text. */
public final class Ed25519Note {
  private Ed25519Note() {}

  /** Verifies type 0x01 signatures by one named key. */
  public static final class Verifier extends Ed25519KeyedVerifier {
    public Verifier(String keyName, Ed25519.PublicKey publicKey) {
      super(keyName, publicKey, NoteKeys.TYPE_ED25519, "note key");
    }

    @Override
    public Optional<VerifiedSignature> verify(byte[] text, byte[] signature) {
      if (signature.length != Ed25519.SIGNATURE_BYTES) {
        return Optional.empty();
      }
      if (!Ed25519.verify(publicKey(), text, new Ed25519.Signature(signature))) {
        return Optional.empty();
      }
      return Optional.of(new VerifiedSignature(keyName(), keyId(), NoteKeys.TYPE_ED25519, OptionalLong.empty()));
    }
  }

  /** Signs note texts with one named Ed25519 key. */
  public static final class Signer implements NoteSigner {
    private final String keyName;
    private final Ed25519.PrivateKey privateKey;
    private final Verifier verifier;

    public Signer(String keyName, Ed25519.PrivateKey privateKey) {
      this.verifier = new Verifier(keyName, privateKey.publicKey());
      this.keyName = keyName;
      this.privateKey = privateKey;
    }

    @Override
    public String keyName() {
      return keyName;
    }

    @Override
    public int keyId() {
      return verifier.keyId();
    }

    @Override
    public byte[] sign(byte[] text) {
      return privateKey.sign(text).toBytes();
    }

    @Override
    public Verifier verifier() {
      return verifier;
    }

    /** The private key in skey form; for writing it to its owner's key file only. */
    public String skey() {
      return NoteKeys.skey(keyName, NoteKeys.TYPE_ED25519, privateKey);
    }

    @Override
    public String toString() {
      return "Ed25519Note.Signer(" + verifier.vkey() + ")";
    }
  }
}
