package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.DecodeException;
import java.util.Objects;

/** RFC 9807 KE2: {@code CredentialResponse credential_response; AuthResponse auth_response}. */
public record KE2(CredentialResponse credentialResponse, AuthResponse authResponse) {
  public static final int BYTES = CredentialResponse.BYTES + AuthResponse.BYTES;

  public KE2 {
    Objects.requireNonNull(credentialResponse, "credential_response");
    Objects.requireNonNull(authResponse, "auth_response");
  }

  public byte[] encode() {
    return Bytes.concat(credentialResponse.encode(), authResponse.encode());
  }

  public static KE2 decode(byte[] bytes) throws DecodeException {
    WireReader in = WireReader.of("KE2", bytes, BYTES);
    KE2 ke2 = new KE2(CredentialResponse.read(in, "credential_response."), AuthResponse.read(in, "auth_response."));
    in.end();
    return ke2;
  }
}
