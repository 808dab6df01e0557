package dev.bkv.hsm;

import dev.bkv.base.FixedBytes;

/** Names one pending login between KE2 and KE3: 16 random bytes drawn by the firmware. */
public final class LoginId extends FixedBytes {
  public static final int BYTES = 16;

  public LoginId(byte[] bytes) {
    super(bytes, BYTES, "login id");
  }
}
