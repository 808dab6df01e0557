package dev.bkv.crypto.opaque;

import dev.bkv.base.SecretBytes;
import java.nio.charset.StandardCharsets;

/** The client's password or recovery code, 0..PASSWORD_BYTES_MAX bytes. */
public final class Password extends SecretBytes {
  public Password(byte[] bytes) {
    super(bytes, 0, OpaqueSuite.PASSWORD_BYTES_MAX, "OPAQUE password");
  }

  /**
   * The UTF-8 encoding of {@code text} (what opaque-ke's JavaScript bindings use). The
   * encoding is zeroed once copied; {@code text} itself cannot be: a Java String is immutable
   * and may be interned, so callers that can should build a Password from bytes instead.
   */
  public static Password utf8(String text) {
    return consume(text.getBytes(StandardCharsets.UTF_8), Password::new);
  }

  byte[] raw() {
    return unsafeBytes();
  }
}
