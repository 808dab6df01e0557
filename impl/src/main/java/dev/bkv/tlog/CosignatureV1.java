package dev.bkv.tlog;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.Ed25519;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * C2SP tlog-cosignature, Ed25519 type (0x04, "cosignature/v1"). The signature line holds
 * {@code u64 timestamp || Ed25519 signature} (72 bytes) over
 *
 * <pre>
 * cosignature/v1\n
 * time &lt;timestamp&gt;\n
 * &lt;checkpoint note text&gt;
 * </pre>
 *
 * The timestamp is POSIX seconds, at most 2^63 - 1. The message does not commit to the
 * cosigner's name, so one key serves one cosigner only.
 */
public final class CosignatureV1 {
  /** Bytes of a cosignature/v1 signature: 8 timestamp bytes and a 64-byte Ed25519 signature. */
  public static final int SIGNATURE_BYTES = 8 + Ed25519.SIGNATURE_BYTES;

  private static final String HEADER = "cosignature/v1\n";

  private CosignatureV1() {}

  /** The exact bytes the cosigner signs for {@code checkpointText} at {@code timestamp}. */
  public static byte[] signedMessage(byte[] checkpointText, long timestamp) {
    if (timestamp < 0) {
      throw new IllegalArgumentException("cosignature timestamp must be in [0, 2^63 - 1], got " + timestamp);
    }
    byte[] header = (HEADER + "time " + timestamp + "\n").getBytes(StandardCharsets.US_ASCII);
    return Bytes.concat(header, checkpointText);
  }

  /** Verifies cosignature/v1 signatures by one named cosigner key. */
  public static final class Verifier extends Ed25519KeyedVerifier {
    public Verifier(String keyName, Ed25519.PublicKey publicKey) {
      super(keyName, publicKey, NoteKeys.TYPE_COSIGNATURE_V1, "cosigner");
    }

    @Override
    public Optional<VerifiedSignature> verify(byte[] text, byte[] signature) {
      if (signature.length != SIGNATURE_BYTES) {
        return Optional.empty();
      }
      long timestamp = 0;
      for (int i = 0; i < 8; i++) {
        timestamp = (timestamp << 8) | (signature[i] & 0xff);
      }
      // "It MUST NOT exceed 2^63 - 1": as a signed long, a set top bit reads negative.
      if (timestamp < 0) {
        return Optional.empty();
      }
      Ed25519.Signature ed = new Ed25519.Signature(Arrays.copyOfRange(signature, 8, SIGNATURE_BYTES));
      if (!Ed25519.verify(publicKey(), signedMessage(text, timestamp), ed)) {
        return Optional.empty();
      }
      return Optional.of(
          new VerifiedSignature(keyName(), keyId(), NoteKeys.TYPE_COSIGNATURE_V1, OptionalLong.of(timestamp)));
    }
  }

  /** A cosigner: signs checkpoints with a timestamp the caller supplies. */
  public static final class Signer {
    private final String keyName;
    private final Ed25519.PrivateKey privateKey;
    private final Verifier verifier;

    public Signer(String keyName, Ed25519.PrivateKey privateKey) {
      this.verifier = new Verifier(keyName, privateKey.publicKey());
      this.keyName = keyName;
      this.privateKey = privateKey;
    }

    public String keyName() {
      return keyName;
    }

    public Verifier verifier() {
      return verifier;
    }

    /** The cosignature line over {@code checkpointText}, made at {@code timestamp}. */
    public NoteSignature cosign(byte[] checkpointText, long timestamp) {
      byte[] ed = privateKey.sign(signedMessage(checkpointText, timestamp)).toBytes();
      byte[] signature = Bytes.concat(Bytes.i2osp(timestamp, 8), ed);
      return new NoteSignature(keyName, verifier.keyId(), signature);
    }

    /** A note signer bound to one timestamp, for {@link SignedNote#sign}. */
    public NoteSigner at(long timestamp) {
      Signer self = this;
      return new NoteSigner() {
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
          return self.cosign(text, timestamp).signature();
        }

        @Override
        public NoteVerifier verifier() {
          return verifier;
        }
      };
    }

    /** The private key in skey form; for writing it to its owner's key file only. */
    public String skey() {
      return NoteKeys.skey(keyName, NoteKeys.TYPE_COSIGNATURE_V1, privateKey);
    }

    @Override
    public String toString() {
      return "CosignatureV1.Signer(" + verifier.vkey() + ")";
    }
  }
}
