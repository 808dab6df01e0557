package dev.bkv.rotation;

import dev.bkv.vault.UserId;
import java.nio.charset.StandardCharsets;

/** What became of one user in a migration run: moved now, moved before, gone, or not moved and why. */
public sealed interface MigrationOutcome
    permits MigrationOutcome.Migrated, MigrationOutcome.AlreadyMigrated, MigrationOutcome.NoRecord, MigrationOutcome.Failed {
  UserId userId();

  /** Imported by the new fleet in this run, with the guesses the old fleet had counted. */
  record Migrated(UserId userId, int guessesUsed, int maxAttempts) implements MigrationOutcome {}

  /**
   * The new fleet already holds the user (imported in an earlier run, or registered there since);
   * the count is the one the old fleet froze when it exported the record.
   */
  record AlreadyMigrated(UserId userId, int guessesUsed, int maxAttempts) implements MigrationOutcome {}

  /** Listed, but the old fleet had no record by the time it was asked (deleted or destroyed meanwhile). */
  record NoRecord(UserId userId) implements MigrationOutcome {}

  /** Not moved: the step that failed and why. The old record may be frozen; a later run picks it up again. */
  record Failed(UserId userId, String reason) implements MigrationOutcome {
    public Failed {
      if (reason == null || reason.isEmpty()) {
        throw new IllegalArgumentException("a failure always says why");
      }
    }
  }

  /** A user id as an operator reads it: its text when printable ASCII without spaces, else hex with a prefix. */
  static String display(UserId userId) {
    byte[] bytes = userId.toBytes();
    for (byte b : bytes) {
      if (b <= 0x20 || b > 0x7e) {
        return "hex:" + dev.bkv.base.Hex.encode(bytes);
      }
    }
    return new String(bytes, StandardCharsets.US_ASCII);
  }
}
