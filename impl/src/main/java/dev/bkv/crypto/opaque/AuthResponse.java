package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.P256Group.Element;
import java.util.Objects;

/**
 * RFC 9807 AuthResponse: {@code uint8 server_nonce[Nn]; uint8 server_public_keyshare[Npk];
 * uint8 server_mac[Nm]}.
 */
public record AuthResponse(Nonce serverNonce, Element serverPublicKeyshare, Mac serverMac) {
  public static final int BYTES = OpaqueSuite.NONCE_BYTES + OpaqueSuite.PUBLIC_KEY_BYTES + OpaqueSuite.MAC_BYTES;

  public AuthResponse {
    Objects.requireNonNull(serverNonce, "server_nonce");
    Objects.requireNonNull(serverPublicKeyshare, "server_public_keyshare");
    Objects.requireNonNull(serverMac, "server_mac");
  }

  public byte[] encode() {
    return Bytes.concat(serverNonce.toBytes(), serverPublicKeyshare.encode(), serverMac.toBytes());
  }

  public static AuthResponse decode(byte[] bytes) throws DecodeException {
    WireReader in = WireReader.of("AuthResponse", bytes, BYTES);
    AuthResponse message = read(in, "");
    in.end();
    return message;
  }

  static AuthResponse read(WireReader in, String prefix) throws DecodeException {
    return new AuthResponse(in.nonce(), in.element(prefix + "server_public_keyshare"), in.mac());
  }
}
