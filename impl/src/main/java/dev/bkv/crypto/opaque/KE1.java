package dev.bkv.crypto.opaque;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.DecodeException;
import java.util.Objects;

/** RFC 9807 KE1: {@code CredentialRequest credential_request; AuthRequest auth_request}. */
public record KE1(CredentialRequest credentialRequest, AuthRequest authRequest) {
  public static final int BYTES = CredentialRequest.BYTES + AuthRequest.BYTES;

  public KE1 {
    Objects.requireNonNull(credentialRequest, "credential_request");
    Objects.requireNonNull(authRequest, "auth_request");
  }

  public byte[] encode() {
    return Bytes.concat(credentialRequest.encode(), authRequest.encode());
  }

  public static KE1 decode(byte[] bytes) throws DecodeException {
    WireReader in = WireReader.of("KE1", bytes, BYTES);
    KE1 ke1 = new KE1(CredentialRequest.read(in, "credential_request."), AuthRequest.read(in, "auth_request."));
    in.end();
    return ke1;
  }
}
