package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.DecodeException;
import java.util.Objects;

/** RFC 9807 Envelope: {@code uint8 envelope_nonce[Nn]; uint8 auth_tag[Nm]}. */
public record Envelope(Nonce envelopeNonce, Mac authTag) {
  public static final int BYTES = OpaqueSuite.ENVELOPE_BYTES;

  public Envelope {
    Objects.requireNonNull(envelopeNonce, "envelope_nonce");
    Objects.requireNonNull(authTag, "auth_tag");
  }

  /** The all-zero envelope of a fake record (RFC 9807 CreateCredentialResponse). */
  static Envelope zeros() {
    return new Envelope(new Nonce(new byte[OpaqueSuite.NONCE_BYTES]), new Mac(new byte[OpaqueSuite.MAC_BYTES]));
  }

  public byte[] encode() {
    return Bytes.concat(envelopeNonce.toBytes(), authTag.toBytes());
  }

  public static Envelope decode(byte[] bytes) throws DecodeException {
    WireReader in = WireReader.of("Envelope", bytes, BYTES);
    Envelope envelope = read(in);
    in.end();
    return envelope;
  }

  static Envelope read(WireReader in) {
    return new Envelope(in.nonce(), in.mac());
  }
}
