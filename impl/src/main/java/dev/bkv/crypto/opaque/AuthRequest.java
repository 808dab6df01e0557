package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.P256Group.Element;
import java.util.Objects;

/** RFC 9807 AuthRequest: {@code uint8 client_nonce[Nn]; uint8 client_public_keyshare[Npk]}. */
public record AuthRequest(Nonce clientNonce, Element clientPublicKeyshare) {
  public static final int BYTES = OpaqueSuite.NONCE_BYTES + OpaqueSuite.PUBLIC_KEY_BYTES;

  public AuthRequest {
    Objects.requireNonNull(clientNonce, "client_nonce");
    Objects.requireNonNull(clientPublicKeyshare, "client_public_keyshare");
  }

  public byte[] encode() {
    return Bytes.concat(clientNonce.toBytes(), clientPublicKeyshare.encode());
  }

  public static AuthRequest decode(byte[] bytes) throws DecodeException {
    WireReader in = WireReader.of("AuthRequest", bytes, BYTES);
    AuthRequest message = read(in, "");
    in.end();
    return message;
  }

  static AuthRequest read(WireReader in, String prefix) throws DecodeException {
    return new AuthRequest(in.nonce(), in.element(prefix + "client_public_keyshare"));
  }
}
