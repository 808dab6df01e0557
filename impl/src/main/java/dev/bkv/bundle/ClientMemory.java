package dev.bkv.bundle;

import dev.bkv.tlog.Checkpoint;
import java.util.Optional;

/**
 * What the client remembers from its last acceptance, as the verifier needs it: the
 * checkpoint it stored (empty on first use), the last epoch it accepted (0 if none) and the
 * bytes of the bundle it accepted last, for the previous-bundle chain.
 */
public record ClientMemory(Optional<Checkpoint> storedCheckpoint, long lastEpoch, Optional<byte[]> lastBundle) {
  public ClientMemory {
    lastBundle = lastBundle.map(byte[]::clone);
    if (lastEpoch < 0) {
      throw new IllegalArgumentException("last epoch must not be negative");
    }
  }

  /** A client that has trusted nothing yet. */
  public static ClientMemory firstUse() {
    return new ClientMemory(Optional.empty(), 0, Optional.empty());
  }

  @Override
  public Optional<byte[]> lastBundle() {
    return lastBundle.map(byte[]::clone);
  }
}
