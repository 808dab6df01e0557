package dev.bkv.crypto.opaque;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.P256Group.Element;
import java.util.Objects;

/** RFC 9807 CredentialRequest: {@code uint8 blinded_message[Noe]}. */
public record CredentialRequest(Element blindedMessage) {
  public static final int BYTES = OpaqueSuite.OPRF_ELEMENT_BYTES;

  public CredentialRequest {
    Objects.requireNonNull(blindedMessage, "blinded_message");
  }

  public byte[] encode() {
    return blindedMessage.encode();
  }

  public static CredentialRequest decode(byte[] bytes) throws DecodeException {
    WireReader in = WireReader.of("CredentialRequest", bytes, BYTES);
    CredentialRequest message = read(in, "");
    in.end();
    return message;
  }

  static CredentialRequest read(WireReader in, String prefix) throws DecodeException {
    return new CredentialRequest(in.element(prefix + "blinded_message"));
  }
}
