package dev.bkv.client;

import dev.bkv.audit.CheckpointComparison;
import dev.bkv.audit.CheckpointComparison.LargerTreePrefix;
import dev.bkv.bundle.BundleVerdict;
import dev.bkv.bundle.BundleVerifier;
import dev.bkv.bundle.ClientMemory;
import dev.bkv.bundle.BundleCheck;
import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.TrustAnchors;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.storage.StorageException;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TileClient;
import dev.bkv.tlog.TileFetcher;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifiedCheckpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An OTA client's trust in its fleet (spec action {@code ClientReceive(c, b, v)}): it
 * applies {@link BundleVerifier} to each witnessed bundle it is handed, against what it
 * remembers, and on acceptance only replaces its durable {@link TrustState} (epoch, bundle,
 * checkpoint) atomically. When it meets another party's checkpoint of the same log
 * ({@code Gossip(p, q)}) it checks consistency and reports a split view with evidence (G6).
 */
public final class FleetTrust {
  private final Path stateFile;
  private final TrustAnchors anchors;
  private Optional<TrustState> state;
  private Optional<WitnessedBundle> trusted;

  private FleetTrust(Path stateFile, TrustAnchors anchors, Optional<TrustState> state, Optional<WitnessedBundle> trusted) {
    this.stateFile = stateFile;
    this.anchors = anchors;
    this.state = state;
    this.trusted = trusted;
  }

  /**
   * Opens the trust state in {@code stateFile} (absent: first use).
   *
   * @throws StorageException when the file is unreadable, or holds a bundle or checkpoint
   *     that no longer verifies (the state was damaged: trusting nothing is safer than
   *     guessing)
   */
  public static FleetTrust open(Path stateFile, TrustAnchors anchors) throws StorageException {
    Optional<TrustState> state = TrustState.load(stateFile);
    Optional<WitnessedBundle> trusted = Optional.empty();
    if (state.isPresent()) {
      try {
        trusted = Optional.of(WitnessedBundle.parse(state.get().acceptedBundle()));
      } catch (BundleFormatException e) {
        throw new StorageException(StorageException.Kind.CORRUPT,
            stateFile + ": the stored bundle no longer parses: " + e.getMessage());
      }
      Verdict<VerifiedCheckpoint> checkpoint =
          CheckpointPolicy.logOnly(anchors.logOrigin(), anchors.logKey()).verify(state.get().checkpoint());
      if (!checkpoint.isVerified()) {
        throw new StorageException(StorageException.Kind.CORRUPT,
            stateFile + ": the stored checkpoint does not verify: " + checkpoint.reasonOrEmpty());
      }
    }
    return new FleetTrust(stateFile, anchors, state, trusted);
  }

  /** What the verifier reads from the stored state. */
  public synchronized ClientMemory memory() {
    if (state.isEmpty()) {
      return ClientMemory.firstUse();
    }
    Checkpoint stored;
    try {
      stored = Checkpoint.parse(state.get().checkpoint().text());
    } catch (FormatException e) {
      throw new IllegalStateException("stored checkpoint was verified before it was stored", e);
    }
    return new ClientMemory(Optional.of(stored), state.get().epoch(), Optional.of(trusted.get().bundleBytes()));
  }

  /** The size of the stored checkpoint (0 on first use): the consistency proof must start there. */
  public synchronized long storedSize() {
    return memory().storedCheckpoint().map(Checkpoint::size).orElse(0L);
  }

  /**
   * Verifies a witnessed bundle with the proof from the stored checkpoint to the one it
   * carries; on acceptance stores the new state durably before returning.
   *
   * @throws StorageException when the accepted state cannot be stored; memory is then unchanged
   */
  public synchronized BundleVerdict offer(byte[] witnessedBundle, List<Hash> consistencyFromStored, long nowSeconds)
      throws StorageException {
    if (witnessedBundle.length > TrustState.BUNDLE_BYTES_MAX) {
      return new BundleVerdict.Rejected(BundleCheck.WELL_FORMED,
          "witnessed bundle is longer than " + TrustState.BUNDLE_BYTES_MAX + " bytes");
    }
    BundleVerdict verdict = BundleVerifier.verifyOta(anchors, memory(), nowSeconds, witnessedBundle, consistencyFromStored);
    if (verdict instanceof BundleVerdict.Accepted accepted) {
      VerifiedCheckpoint checkpoint = accepted.checkpoint().orElseThrow();
      TrustState next = new TrustState(accepted.epoch(), witnessedBundle, checkpoint.note().note());
      next.store(stateFile);
      state = Optional.of(next);
      trusted = Optional.of(parseAccepted(witnessedBundle));
    }
    return verdict;
  }

  /**
   * Fetches, from the log's tiles, the consistency proof from the stored checkpoint to the
   * one {@code witnessedBundle} carries, then offers the bundle with it. The tiles are not
   * trusted: the verifier checks the proof against both roots.
   *
   * @throws IOException when the tiles cannot be fetched
   * @throws StorageException when the accepted state cannot be stored
   */
  public synchronized BundleVerdict offer(byte[] witnessedBundle, TileFetcher logTiles, long nowSeconds)
      throws IOException, StorageException {
    return offer(witnessedBundle, consistencyProofFor(witnessedBundle, logTiles), nowSeconds);
  }

  /**
   * The consistency proof from the stored checkpoint to the checkpoint in
   * {@code witnessedBundle}, built from {@code logTiles}; empty when none is needed or none
   * can exist (nothing stored, equal or smaller size, a file that does not parse: the
   * verifier then says why it rejects).
   */
  public synchronized List<Hash> consistencyProofFor(byte[] witnessedBundle, TileFetcher logTiles) throws IOException {
    long stored = storedSize();
    Checkpoint presented;
    try {
      presented = Checkpoint.parse(WitnessedBundle.parse(witnessedBundle).proof().checkpoint().text());
    } catch (BundleFormatException | FormatException e) {
      return List.of();
    }
    if (stored == 0 || presented.size() <= stored) {
      return List.of();
    }
    return ConsistencyProof.generate(new TileClient(logTiles, presented), stored, presented.size()).hashes();
  }

  /**
   * {@link #meet(SignedNote, LargerTreePrefix)} with the prefix read from the tiles of
   * whichever log is larger: {@code otherTiles} serve the other party's checkpoint,
   * {@code ownTiles} the stored one.
   */
  public synchronized CheckpointComparison.Outcome meet(SignedNote other, TileFetcher otherTiles, TileFetcher ownTiles)
      throws IOException {
    Checkpoint theirs;
    try {
      theirs = Checkpoint.parse(other.text());
    } catch (FormatException e) {
      return new CheckpointComparison.Unresolved("the other note is not a checkpoint: " + e.getMessage());
    }
    if (state.isEmpty()) {
      return new CheckpointComparison.Unresolved("this client has stored no checkpoint yet");
    }
    long mine = storedSize();
    LargerTreePrefix prefix = theirs.size() >= mine
        ? LargerTreePrefix.of(new TileClient(otherTiles, theirs), mine)
        : LargerTreePrefix.of(new TileClient(ownTiles, memory().storedCheckpoint().get()), theirs.size());
    return meet(other, prefix);
  }

  /** The fleet trusted now, if any. */
  public synchronized Optional<ValidationBundle> fleet() {
    return trusted.map(WitnessedBundle::bundle);
  }

  private static WitnessedBundle parseAccepted(byte[] witnessedBundle) {
    try {
      return WitnessedBundle.parse(witnessedBundle);
    } catch (BundleFormatException e) {
      throw new IllegalStateException("a bundle the verifier accepted parses", e);
    }
  }

  /** The signed checkpoint stored with the last acceptance, to gossip to others. */
  public synchronized Optional<SignedNote> checkpoint() {
    return state.map(TrustState::checkpoint);
  }

  /**
   * Compares another party's checkpoint of the witness log with the stored one.
   * {@code prefix} describes the larger of the two at the smaller size (from the log's
   * tiles); a split view comes back as evidence anyone can check.
   */
  public synchronized CheckpointComparison.Outcome meet(SignedNote other, LargerTreePrefix prefix) {
    if (state.isEmpty()) {
      return new CheckpointComparison.Unresolved("this client has stored no checkpoint yet");
    }
    // Comparison needs the log's signature only: cosignatures decide trust, not truth.
    CheckpointPolicy logKey = CheckpointPolicy.logOnly(anchors.logOrigin(), anchors.logKey());
    Verdict<VerifiedCheckpoint> theirs = logKey.verify(other);
    if (!theirs.isVerified()) {
      return new CheckpointComparison.Unresolved("the other checkpoint: " + theirs.reasonOrEmpty());
    }
    VerifiedCheckpoint mine = logKey.verify(state.get().checkpoint()).value();
    return CheckpointComparison.compare(mine, theirs.value(), prefix);
  }
}
