package dev.bkv.audit;

import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.TileClient;
import dev.bkv.tlog.TileFetcher;
import dev.bkv.tlog.TilePath;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifiedCheckpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a witness's whole bundle log through C2SP tiles: the signed checkpoint (checked
 * against the policy), then every entry bundle, each entry proved to be in the tree with
 * that checkpoint's root. Nothing from the tiles counts before it is proved.
 */
public final class LogReader {
  /** Entries an audit reads; a fleet log has one entry per epoch, so this is generous. */
  public static final long ENTRIES_MAX = 1L << 16;

  private LogReader() {}

  /** A verified checkpoint, every entry under it in log order, and the tiles to prove more. */
  public record LogSnapshot(VerifiedCheckpoint checkpoint, List<byte[]> entries, TileClient tiles) {
    public LogSnapshot {
      entries = List.copyOf(entries);
    }

    public long size() {
      return checkpoint.checkpoint().size();
    }
  }

  /**
   * Fetches and verifies the checkpoint and every entry.
   *
   * @throws IOException when a resource cannot be fetched at all
   */
  public static Verdict<LogSnapshot> read(TileFetcher fetcher, CheckpointPolicy policy) throws IOException {
    Verdict<VerifiedCheckpoint> checkpoint = TileClient.fetchCheckpoint(fetcher, policy);
    if (!checkpoint.isVerified()) {
      return Verdict.rejected("log checkpoint: " + checkpoint.reasonOrEmpty());
    }
    long size = checkpoint.value().checkpoint().size();
    if (size > ENTRIES_MAX) {
      return Verdict.rejected("log has " + size + " entries, more than an audit reads (" + ENTRIES_MAX + ")");
    }
    TileClient tiles = new TileClient(fetcher, checkpoint.value().checkpoint());
    Verdict<Hash> root = tiles.checkRoot();
    if (!root.isVerified()) {
      return Verdict.rejected("log tiles: " + root.reasonOrEmpty());
    }
    List<byte[]> entries = new ArrayList<>((int) size);
    for (long bundle = 0; bundle * TilePath.FULL_WIDTH < size; bundle++) {
      Verdict<List<byte[]>> read = tiles.entryBundle(bundle);
      if (!read.isVerified()) {
        return Verdict.rejected("log entries: " + read.reasonOrEmpty());
      }
      entries.addAll(read.value());
    }
    return Verdict.verified(new LogSnapshot(checkpoint.value(), entries, tiles));
  }
}
