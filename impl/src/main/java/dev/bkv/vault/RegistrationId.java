package dev.bkv.vault;

import dev.bkv.base.FixedBytes;

/**
 * Names one registration of one user: 16 bytes the firmware draws at random when the
 * registration starts. A pending login carries the id of the registration it counted a
 * guess against, so a login that began before a re-registration can never complete
 * against the new record. The vault treats it as opaque data and only compares it.
 */
public final class RegistrationId extends FixedBytes {
  public static final int BYTES = 16;

  public RegistrationId(byte[] bytes) {
    super(bytes, BYTES, "registration id");
  }
}
