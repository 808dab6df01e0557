package dev.bkv.vault;

import dev.bkv.base.SecretBytes;

/**
 * The secret the vault protects: the key that encrypts a user's chat backup. It lives only
 * in the vault state (inside the HSM, or sealed on the host) and leaves the HSM only
 * encrypted under an OPAQUE session key.
 */
public final class BackupKey extends SecretBytes {
  public BackupKey(byte[] bytes) {
    super(bytes, VaultLimits.BACKUP_KEY_BYTES_MIN, VaultLimits.BACKUP_KEY_BYTES_MAX, "backup key");
  }

  /** An independent copy: responses never share key material with the state. */
  public BackupKey copy() {
    return new BackupKey(toBytes());
  }
}
