package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.P256Group.Element;
import java.util.Objects;

/**
 * RFC 9807 CredentialResponse: {@code uint8 evaluated_message[Noe]; uint8 masking_nonce[Nn];
 * uint8 masked_response[Npk + Nn + Nm]}.
 */
public record CredentialResponse(Element evaluatedMessage, Nonce maskingNonce, MaskedResponse maskedResponse) {
  public static final int BYTES = OpaqueSuite.OPRF_ELEMENT_BYTES + OpaqueSuite.NONCE_BYTES + OpaqueSuite.MASKED_RESPONSE_BYTES;

  public CredentialResponse {
    Objects.requireNonNull(evaluatedMessage, "evaluated_message");
    Objects.requireNonNull(maskingNonce, "masking_nonce");
    Objects.requireNonNull(maskedResponse, "masked_response");
  }

  public byte[] encode() {
    return Bytes.concat(evaluatedMessage.encode(), maskingNonce.toBytes(), maskedResponse.toBytes());
  }

  public static CredentialResponse decode(byte[] bytes) throws DecodeException {
    WireReader in = WireReader.of("CredentialResponse", bytes, BYTES);
    CredentialResponse message = read(in, "");
    in.end();
    return message;
  }

  static CredentialResponse read(WireReader in, String prefix) throws DecodeException {
    return new CredentialResponse(in.element(prefix + "evaluated_message"), in.nonce(), in.maskedResponse());
  }
}
