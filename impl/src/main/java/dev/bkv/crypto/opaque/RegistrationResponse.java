package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.P256Group.Element;
import java.util.Objects;

/**
 * RFC 9807 RegistrationResponse: {@code uint8 evaluated_message[Noe]; uint8
 * server_public_key[Npk]}. The server key is validated as a group element on decoding, so a
 * client never seals an envelope to a key that 3DH could not use.
 */
public record RegistrationResponse(Element evaluatedMessage, Element serverPublicKey) {
  public static final int BYTES = OpaqueSuite.OPRF_ELEMENT_BYTES + OpaqueSuite.PUBLIC_KEY_BYTES;

  public RegistrationResponse {
    Objects.requireNonNull(evaluatedMessage, "evaluated_message");
    Objects.requireNonNull(serverPublicKey, "server_public_key");
  }

  public byte[] encode() {
    return Bytes.concat(evaluatedMessage.encode(), serverPublicKey.encode());
  }

  public static RegistrationResponse decode(byte[] bytes) throws DecodeException {
    WireReader in = WireReader.of("RegistrationResponse", bytes, BYTES);
    RegistrationResponse response =
        new RegistrationResponse(in.element("evaluated_message"), in.element("server_public_key"));
    in.end();
    return response;
  }
}
