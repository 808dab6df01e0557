package dev.bkv.crypto.opaque;

import dev.bkv.base.FixedBytes;

/** The masked_response of a CredentialResponse: server_public_key || envelope under a pad. */
public final class MaskedResponse extends FixedBytes {
  public MaskedResponse(byte[] bytes) {
    super(bytes, OpaqueSuite.MASKED_RESPONSE_BYTES, "OPAQUE masked_response");
  }

  byte[] raw() {
    return unsafeBytes();
  }
}
