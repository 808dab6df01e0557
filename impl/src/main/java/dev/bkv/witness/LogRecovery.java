package dev.bkv.witness;

import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.Rfc6962;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.VerifiedCheckpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The read-only half of the bundle log's start-up: it reads {@code log/checkpoint} and
 * {@code log/entries} and says what they hold, or refuses with one line naming the file
 * that disagrees. It never writes, so a refusal leaves the directory exactly as it was for
 * an operator to repair from a backup.
 *
 * <p>What a crash can leave is narrow, because the log writes one group of records at a time
 * and covers it with a checkpoint before the next group starts: the checkpointed records,
 * then at most ONE group's worth (GroupCommit.GROUP_ENTRIES_MAX records, TAIL_BYTES_MAX bytes):
 * intact records (written, never acknowledged), then perhaps a torn rest. Anything else (no
 * checkpoint beside a non-empty entries file, fewer intact records than the checkpoint
 * covers, a root mismatch, more than a group's records or bytes past the checkpoint) is not
 * a crash but a lost, replaced or rolled-back file.
 */
final class LogRecovery {
  static final int LENGTH_BYTES = 4;
  /** Largest record a single append writes, in bytes: length, bundle, leaf hash. */
  static final int RECORD_BYTES_MAX = LENGTH_BYTES + BundleLog.BUNDLE_BYTES_MAX + Hash.BYTES;
  /** Most bytes one group commit writes, so most a crash can leave past the checkpoint. */
  static final int TAIL_BYTES_MAX = Math.max(GroupCommit.GROUP_BYTES_MAX, RECORD_BYTES_MAX);

  private LogRecovery() {}

  /** What is past the checkpointed records in {@code log/entries}. */
  sealed interface Tail permits NoTail, Unacknowledged, Torn {}

  /** The entries file ends exactly after the checkpointed records. */
  record NoTail() implements Tail {}

  /**
   * Intact records of one group the checkpoint does not cover yet (written, never
   * acknowledged), at {@code offsets}, then perhaps a torn rest from where they end.
   */
  record Unacknowledged(List<Hash> leafHashes, List<Long> offsets, long end, Optional<Torn> torn) implements Tail {}

  /** Bytes of records whose write was cut short, starting at {@code offset}. */
  record Torn(long offset, byte[] bytes) implements Tail {}

  /**
   * What start-up found: the stored checkpoint (empty for a new log), the tree and record
   * offsets of the checkpointed entries, where they end, and what follows them.
   */
  record Found(Optional<SignedNote> checkpoint, MerkleTree tree, List<Long> offsets, long committedEnd, Tail tail) {}

  /** Reads and checks {@code log/} without changing it; throws the refusal line when the files disagree. */
  static Found inspect(Path logDir, WitnessKeys keys) throws IOException {
    Path entriesFile = logDir.resolve(BundleLog.ENTRIES_FILE);
    Optional<VerifiedCheckpoint> stored = readCheckpoint(logDir.resolve(BundleLog.CHECKPOINT_FILE), keys);
    if (!Files.exists(entriesFile)) {
      long size = stored.map(c -> c.checkpoint().size()).orElse(0L);
      if (size > 0) {
        throw refusal(file(BundleLog.ENTRIES_FILE) + " is missing but " + file(BundleLog.CHECKPOINT_FILE) + " covers "
            + size + " entries; restore " + file(BundleLog.ENTRIES_FILE) + " from a backup");
      }
      return new Found(stored.map(c -> c.note().note()), new MerkleTree(), List.of(), 0, new NoTail());
    }
    try (FileChannel entries = FileChannel.open(entriesFile)) {
      return inspect(entries, stored);
    }
  }

  private static Found inspect(FileChannel entries, Optional<VerifiedCheckpoint> stored) throws IOException {
    long fileSize = entries.size();
    if (stored.isEmpty()) {
      if (fileSize > 0) {
        throw refusal(file(BundleLog.CHECKPOINT_FILE) + " is missing but " + file(BundleLog.ENTRIES_FILE) + " holds "
            + describe(entries, 0, fileSize) + "; restore " + file(BundleLog.CHECKPOINT_FILE) + " from a backup");
      }
      return new Found(Optional.empty(), new MerkleTree(), List.of(), 0, new NoTail());
    }
    Checkpoint committed = stored.get().checkpoint();
    long size = committed.size();
    MerkleTree tree = new MerkleTree();
    List<Long> offsets = new ArrayList<>();
    long position = 0;
    while (tree.size() < size) {
      Optional<byte[]> bundle = readRecord(entries, position, fileSize);
      if (bundle.isEmpty()) {
        throw refusal(file(BundleLog.CHECKPOINT_FILE) + " covers " + size + " entries but " + file(BundleLog.ENTRIES_FILE)
            + " holds only " + describe(entries, 0, fileSize) + "; restore " + file(BundleLog.ENTRIES_FILE) + " from a backup");
      }
      tree.append(Rfc6962.leafHash(bundle.get()));
      offsets.add(position);
      position += recordBytes(bundle.get());
    }
    if (!tree.root().equals(committed.rootHash())) {
      throw refusal("the first " + size + " entries in " + file(BundleLog.ENTRIES_FILE) + " do not hash to the root in "
          + file(BundleLog.CHECKPOINT_FILE) + "; restore both files from one backup");
    }
    return new Found(Optional.of(stored.get().note().note()), tree, offsets, position, tail(entries, size, position, fileSize));
  }

  private static Tail tail(FileChannel entries, long size, long position, long fileSize) throws IOException {
    if (position == fileSize) {
      return new NoTail();
    }
    if (fileSize - position > TAIL_BYTES_MAX) {
      throw olderCheckpoint(entries, size, fileSize);
    }
    List<Hash> leafHashes = new ArrayList<>();
    List<Long> offsets = new ArrayList<>();
    long end = position;
    for (Optional<byte[]> next; (next = readRecord(entries, end, fileSize)).isPresent(); end += recordBytes(next.get())) {
      if (leafHashes.size() == GroupCommit.GROUP_ENTRIES_MAX) {
        // One group commit writes at most GROUP_ENTRIES_MAX records and the next starts only
        // after a checkpoint covers them, so more past the checkpoint means the checkpoint
        // file is older than the entries: rolled back, not crashed.
        throw olderCheckpoint(entries, size, fileSize);
      }
      leafHashes.add(Rfc6962.leafHash(next.get()));
      offsets.add(end);
    }
    Optional<Torn> torn = Optional.empty();
    if (end < fileSize) {
      ByteBuffer rest = ByteBuffer.allocate(Math.toIntExact(fileSize - end));
      readFully(entries, rest, end);
      torn = Optional.of(new Torn(end, rest.array()));
    }
    if (leafHashes.isEmpty()) {
      return torn.get();
    }
    return new Unacknowledged(leafHashes, offsets, end, torn);
  }

  private static IOException olderCheckpoint(FileChannel entries, long size, long fileSize) throws IOException {
    return refusal(file(BundleLog.CHECKPOINT_FILE) + " covers " + size + " entries but " + file(BundleLog.ENTRIES_FILE)
        + " holds " + describe(entries, 0, fileSize) + ", more than one group commit past it; "
        + file(BundleLog.CHECKPOINT_FILE) + " is older than the entries: restore the latest "
        + file(BundleLog.CHECKPOINT_FILE) + " from a backup");
  }

  /** "N entries", plus the bytes after them that are not an intact record. */
  private static String describe(FileChannel entries, long from, long fileSize) throws IOException {
    long count = 0;
    long position = from;
    for (Optional<byte[]> r; (r = readRecord(entries, position, fileSize)).isPresent() && count < BundleLog.ENTRIES_MAX; count++) {
      position += recordBytes(r.get());
    }
    String intact = count + (count == 1 ? " entry" : " entries");
    return position == fileSize ? intact : intact + " and " + (fileSize - position) + " bytes that are not an entry";
  }

  private static Optional<VerifiedCheckpoint> readCheckpoint(Path checkpointFile, WitnessKeys keys) throws IOException {
    if (!Files.exists(checkpointFile)) {
      return Optional.empty();
    }
    if (Files.size(checkpointFile) > SignedNote.NOTE_BYTES_MAX) {
      throw refusal(file(BundleLog.CHECKPOINT_FILE) + " is longer than a checkpoint can be ("
          + SignedNote.NOTE_BYTES_MAX + " bytes); restore it from a backup");
    }
    CheckpointPolicy own = CheckpointPolicy.logOnly(keys.origin(), keys.log().verifier());
    var verdict = own.verify(Files.readAllBytes(checkpointFile));
    if (!verdict.isVerified()) {
      throw refusal(file(BundleLog.CHECKPOINT_FILE) + " is not a checkpoint of " + keys.origin()
          + " signed by this witness's log key (" + verdict.reasonOrEmpty() + "); restore it from a backup");
    }
    long size = verdict.value().checkpoint().size();
    if (size > BundleLog.ENTRIES_MAX) {
      throw refusal(file(BundleLog.CHECKPOINT_FILE) + " covers " + size + " entries, more than "
          + BundleLog.ENTRIES_MAX + " a witness log holds");
    }
    return Optional.of(verdict.value());
  }

  /** The bundle stored at {@code position}, or empty when the record there is torn or corrupt. */
  static Optional<byte[]> readRecord(FileChannel entries, long position, long fileSize) throws IOException {
    if (fileSize - position < LENGTH_BYTES) {
      return Optional.empty();
    }
    ByteBuffer length = ByteBuffer.allocate(LENGTH_BYTES);
    readFully(entries, length, position);
    int bundleBytes = length.flip().getInt();
    if (bundleBytes < 1 || bundleBytes > BundleLog.BUNDLE_BYTES_MAX
        || fileSize - position - LENGTH_BYTES < bundleBytes + Hash.BYTES) {
      return Optional.empty();
    }
    ByteBuffer body = ByteBuffer.allocate(bundleBytes + Hash.BYTES);
    readFully(entries, body, position + LENGTH_BYTES);
    byte[] bundle = new byte[bundleBytes];
    byte[] stored = new byte[Hash.BYTES];
    body.flip().get(bundle).get(stored);
    return Rfc6962.leafHash(bundle).equals(new Hash(stored)) ? Optional.of(bundle) : Optional.empty();
  }

  static long recordBytes(byte[] bundle) {
    return LENGTH_BYTES + bundle.length + Hash.BYTES;
  }

  static void readFully(FileChannel entries, ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int read = entries.read(buffer, at);
      if (read < 0) {
        throw new IOException("unexpected end of " + file(BundleLog.ENTRIES_FILE));
      }
      at += read;
    }
  }

  /** A file of the log, named as the operator sees it under the witness directory. */
  static String file(String name) {
    return BundleLog.LOG_DIR + "/" + name;
  }

  private static IOException refusal(String what) {
    return new IOException("witness log: " + what);
  }
}
