package dev.bkv.tlog;

import java.util.ArrayList;
import java.util.List;

/**
 * What makes a checkpoint trustworthy for one log: its origin, the log's keys (one must
 * sign), and k of n witness keys that must cosign. Verification is total and pure.
 */
public final class CheckpointPolicy {
  private final String origin;
  private final VerifierSet logKeys;
  private final VerifierSet witnessKeys;
  private final int witnessesRequired;
  private final VerifierSet allKeys;

  /**
   * @throws IllegalArgumentException when no log key is given, k is outside [0, n], or a log
   *     key and a witness key share (name, ID)
   */
  public CheckpointPolicy(String origin, VerifierSet logKeys, VerifierSet witnessKeys, int witnessesRequired) {
    if (logKeys.size() == 0) {
      throw new IllegalArgumentException("a checkpoint policy needs at least one log key");
    }
    if (witnessesRequired < 0 || witnessesRequired > witnessKeys.size()) {
      throw new IllegalArgumentException(
          "witnesses required must be in [0, " + witnessKeys.size() + "], got " + witnessesRequired);
    }
    this.origin = origin;
    this.logKeys = logKeys;
    this.witnessKeys = witnessKeys;
    this.witnessesRequired = witnessesRequired;
    this.allKeys = logKeys.union(witnessKeys);
  }

  /** A policy that trusts the log's signature alone. */
  public static CheckpointPolicy logOnly(String origin, NoteVerifier logKey) {
    return new CheckpointPolicy(origin, VerifierSet.of(logKey), VerifierSet.of(), 0);
  }

  public String origin() {
    return origin;
  }

  public int witnessesRequired() {
    return witnessesRequired;
  }

  public Verdict<VerifiedCheckpoint> verify(byte[] noteBytes) {
    try {
      return verify(SignedNote.parse(noteBytes));
    } catch (FormatException e) {
      return Verdict.rejected("malformed checkpoint note: " + e.getMessage());
    }
  }

  public Verdict<VerifiedCheckpoint> verify(SignedNote note) {
    Verdict<OpenedNote> opened = note.open(allKeys);
    if (!(opened instanceof Verdict.Verified<OpenedNote> ok)) {
      return Verdict.rejected(opened.reasonOrEmpty());
    }
    Checkpoint checkpoint;
    try {
      checkpoint = Checkpoint.parse(ok.value().text());
    } catch (FormatException e) {
      return Verdict.rejected("note is not a checkpoint: " + e.getMessage());
    }
    if (!checkpoint.origin().equals(origin)) {
      return Verdict.rejected("checkpoint origin is not " + origin);
    }
    boolean logSigned = false;
    List<VerifiedSignature> cosignatures = new ArrayList<>();
    for (VerifiedSignature s : ok.value().verified()) {
      if (logKeys.lookup(s.keyName(), s.keyId()).isPresent()) {
        logSigned = true;
      } else if (witnessKeys.lookup(s.keyName(), s.keyId()).isPresent()) {
        cosignatures.add(s);
      }
    }
    if (!logSigned) {
      return Verdict.rejected("checkpoint is not signed by the log key");
    }
    if (cosignatures.size() < witnessesRequired) {
      return Verdict.rejected(
          "checkpoint has " + cosignatures.size() + " trusted cosignatures, policy needs " + witnessesRequired);
    }
    return Verdict.verified(new VerifiedCheckpoint(checkpoint, ok.value(), cosignatures));
  }
}
