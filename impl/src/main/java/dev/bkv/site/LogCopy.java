package dev.bkv.site;

import dev.bkv.audit.LogReader;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.InclusionProof;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TileClient;
import dev.bkv.tlog.TileFetcher;
import dev.bkv.tlog.TilePath;
import dev.bkv.tlog.Verdict;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A log as its server gives it, proved against nothing: the checkpoint's bytes, each entry and
 * the inclusion proof the hash tiles give for it. The page hands all of it to the reader's
 * browser, which checks the checkpoint's signatures and every proof itself; so a tampered
 * entry or a checkpoint that is not the tiles' root must reach the page as it was served, to
 * fail there. What could not be read at all is named in {@link #problem}.
 */
record LogCopy(byte[] checkpointNote, Optional<Checkpoint> checkpoint, List<Entry> entries, Optional<String> problem) {
  /** One entry, and the proof hashes from the tiles (empty when the tiles gave none). */
  record Entry(long index, byte[] bytes, List<Hash> proof) {}

  LogCopy {
    checkpointNote = checkpointNote.clone();
    entries = List.copyOf(entries);
  }

  /**
   * @throws IOException when the checkpoint cannot be fetched at all: there is no log to show
   *     (what it serves, however wrong, is shown)
   */
  static LogCopy read(TileFetcher fetcher) throws IOException {
    byte[] note = fetcher.fetch("checkpoint", TileClient.CHECKPOINT_BYTES_MAX);
    Checkpoint checkpoint;
    try {
      checkpoint = Checkpoint.parse(SignedNote.parse(note).text());
    } catch (FormatException e) {
      return new LogCopy(note, Optional.empty(), List.of(), Optional.of("the checkpoint does not parse: " + e.getMessage()));
    }
    if (checkpoint.size() > LogReader.ENTRIES_MAX) {
      return new LogCopy(note, Optional.of(checkpoint), List.of(),
          Optional.of("the log has " + checkpoint.size() + " entries, more than a page shows (" + LogReader.ENTRIES_MAX + ")"));
    }
    TileClient tiles = new TileClient(fetcher, checkpoint);
    List<Entry> entries = new ArrayList<>();
    try {
      for (long bundle = 0; bundle * TilePath.FULL_WIDTH < checkpoint.size(); bundle++) {
        Verdict<List<byte[]>> read = tiles.unprovenEntryBundle(bundle);
        if (!read.isVerified()) {
          return new LogCopy(note, Optional.of(checkpoint), entries, Optional.of("log entries: " + read.reasonOrEmpty()));
        }
        for (byte[] entry : read.value()) {
          long index = entries.size();
          entries.add(new Entry(index, entry, InclusionProof.generate(tiles, index, checkpoint.size()).hashes()));
        }
      }
    } catch (IOException e) {
      return new LogCopy(note, Optional.of(checkpoint), entries, Optional.of("log tiles: " + e.getMessage()));
    }
    return new LogCopy(note, Optional.of(checkpoint), entries, Optional.empty());
  }
}
