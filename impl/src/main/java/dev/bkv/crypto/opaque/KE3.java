package dev.bkv.crypto.opaque;

import dev.bkv.crypto.DecodeException;
import java.util.Objects;

/** RFC 9807 KE3: {@code uint8 client_mac[Nm]}. */
public record KE3(Mac clientMac) {
  public static final int BYTES = OpaqueSuite.MAC_BYTES;

  public KE3 {
    Objects.requireNonNull(clientMac, "client_mac");
  }

  public byte[] encode() {
    return clientMac.toBytes();
  }

  public static KE3 decode(byte[] bytes) throws DecodeException {
    WireReader in = WireReader.of("KE3", bytes, BYTES);
    KE3 ke3 = new KE3(in.mac());
    in.end();
    return ke3;
  }
}
