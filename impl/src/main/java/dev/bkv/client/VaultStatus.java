package dev.bkv.client;

import dev.bkv.vault.Phase;

/** What the user is shown about their registration. */
public sealed interface VaultStatus permits VaultStatus.Registered, VaultStatus.NoRecord {
  record Registered(Phase phase, int guessesRemaining, int maxAttempts) implements VaultStatus {}

  /** Never registered, deleted, or destroyed after too many wrong guesses. */
  record NoRecord() implements VaultStatus {}
}
