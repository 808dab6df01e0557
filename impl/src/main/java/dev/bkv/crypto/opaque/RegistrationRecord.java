package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.P256Group.Element;
import java.util.Objects;

/**
 * RFC 9807 RegistrationRecord, what the server stores per user: {@code uint8
 * client_public_key[Npk]; uint8 masking_key[Nh]; Envelope envelope}.
 */
public record RegistrationRecord(Element clientPublicKey, MaskingKey maskingKey, Envelope envelope) {
  public static final int BYTES = OpaqueSuite.PUBLIC_KEY_BYTES + OpaqueSuite.HASH_BYTES + Envelope.BYTES;

  public RegistrationRecord {
    Objects.requireNonNull(clientPublicKey, "client_public_key");
    Objects.requireNonNull(maskingKey, "masking_key");
    Objects.requireNonNull(envelope, "envelope");
  }

  public byte[] encode() {
    return Bytes.concat(clientPublicKey.encode(), maskingKey.toBytes(), envelope.encode());
  }

  public static RegistrationRecord decode(byte[] bytes) throws DecodeException {
    WireReader in = WireReader.of("RegistrationRecord", bytes, BYTES);
    RegistrationRecord record = new RegistrationRecord(in.element("client_public_key"), in.maskingKey(), Envelope.read(in));
    in.end();
    return record;
  }
}
