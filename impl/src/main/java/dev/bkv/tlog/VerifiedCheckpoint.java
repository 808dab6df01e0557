package dev.bkv.tlog;

import java.util.List;

/**
 * A checkpoint that satisfied a {@link CheckpointPolicy}: signed by the log and cosigned by
 * enough trusted witnesses. {@code cosignatures} lists each witness key once.
 */
public record VerifiedCheckpoint(Checkpoint checkpoint, OpenedNote note, List<VerifiedSignature> cosignatures) {
  public VerifiedCheckpoint {
    cosignatures = List.copyOf(cosignatures);
  }
}
