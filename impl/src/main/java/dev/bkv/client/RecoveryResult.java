package dev.bkv.client;

import dev.bkv.vault.BackupKey;

/** The outcome of a recovery: the key, or a failure that (by design) says no more than it must. */
public sealed interface RecoveryResult permits RecoveryResult.Recovered, RecoveryResult.NotRecovered {
  /** The backup key, authenticated by the OPAQUE session; the guess counter is back at its maximum. */
  record Recovered(BackupKey backupKey) implements RecoveryResult {}

  /**
   * Wrong password, or no recoverable record (never registered, deleted, destroyed): OPAQUE
   * answers an unknown user with a fake response, so these look the same to the client.
   * The guess was counted either way.
   */
  record NotRecovered() implements RecoveryResult {}
}
