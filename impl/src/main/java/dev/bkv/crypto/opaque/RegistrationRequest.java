package dev.bkv.crypto.opaque;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.P256Group.Element;
import java.util.Objects;

/** RFC 9807 RegistrationRequest: {@code uint8 blinded_message[Noe]}. */
public record RegistrationRequest(Element blindedMessage) {
  public static final int BYTES = OpaqueSuite.OPRF_ELEMENT_BYTES;

  public RegistrationRequest {
    Objects.requireNonNull(blindedMessage, "blinded_message");
  }

  public byte[] encode() {
    return blindedMessage.encode();
  }

  public static RegistrationRequest decode(byte[] bytes) throws DecodeException {
    WireReader in = WireReader.of("RegistrationRequest", bytes, BYTES);
    RegistrationRequest request = new RegistrationRequest(in.element("blinded_message"));
    in.end();
    return request;
  }
}
