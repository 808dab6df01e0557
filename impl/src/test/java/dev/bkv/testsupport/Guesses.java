package dev.bkv.testsupport;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.vault.Command;
import dev.bkv.vault.UserId;
import java.util.concurrent.atomic.AtomicLong;

/** CountGuess commands for tests: each {@link #fresh} is a new login (a KE1 never sent before). */
public final class Guesses {
  private static final AtomicLong LOGINS = new AtomicLong();

  private Guesses() {}

  /** A new login's guess: its KE1 digest was never used before, so it counts (R5) or destroys (R6). */
  public static Command.CountGuess fresh(UserId user) {
    return new Command.CountGuess(user, Sha256Digest.of(Bytes.i2osp(LOGINS.incrementAndGet(), 8)));
  }
}
