package dev.bkv.witness;

import dev.bkv.base.Hex;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.Sha256;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.InclusionProof;
import dev.bkv.tlog.MerkleTree;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.Rfc6962;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TilePath;
import dev.bkv.tlog.Tiles;
import dev.bkv.tlog.TlogProof;
import dev.bkv.tlog.VerifierSet;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The witness's own append-only log of validation bundles (one entry = one bundle's bytes),
 * durable in {@code <dir>/log}:
 *
 * <ul>
 *   <li>{@code entries}: records {@code u32 length || bundle || RFC 6962 leaf hash}, appended
 *       and forced to disk before the checkpoint that covers them is written;
 *   <li>{@code checkpoint}: the latest signed checkpoint, replaced atomically. It is the
 *       commit point: an entry is in the log once, and only once, a checkpoint covers it.
 * </ul>
 *
 * <p>Start-up ({@link #open}) first checks, without writing, that the two files agree (see
 * {@link LogRecovery}); where they do not, it refuses with one line naming the file, and the
 * directory stays as it was for an operator to restore from a backup. The log is never
 * shortened. What a crash mid-append leaves is then completed, never dropped: the intact
 * records of one group past the checkpoint (written, never acknowledged) are covered by a
 * new checkpoint, as the interrupted group commit would have done; a torn tail is moved to
 * {@code entries.unacknowledged-<size>-<hash>} before the entries file is cut back to the
 * last whole record.
 *
 * <p>Appends are group-committed ({@link GroupCommit}): concurrent submitters queue their
 * bundles, one of them writes every queued record and forces the file once, one checkpoint
 * covers the group, and then each gets its receipt. The queue is bounded ({@link #PENDING_MAX}).
 *
 * <p>A bundle that is already in the log is not appended again: its receipt names the index
 * it already has, so a client that retries after a lost reply never duplicates an entry.
 * After any I/O error during an append the log stops accepting appends until it is reopened,
 * because memory may then be ahead of the disk.
 */
public final class BundleLog implements AutoCloseable {
  /** Largest bundle, in bytes: C2SP entry bundles prefix each entry with a uint16 length. */
  public static final int BUNDLE_BYTES_MAX = Tiles.ENTRY_BYTES_MAX;
  /** Entries one witness log holds (memory: about 64 bytes of hashes per entry). */
  public static final long ENTRIES_MAX = 1L << 20;
  /** Appends waiting for the disk at once; more are refused (Busy) instead of queued without bound. */
  public static final int PENDING_MAX = GroupCommit.PENDING_MAX;

  static final String LOG_DIR = "log";
  static final String ENTRIES_FILE = "entries";
  static final String CHECKPOINT_FILE = "checkpoint";
  /** A torn record set aside at start-up goes to entries.unacknowledged-SIZE-DIGEST. */
  static final String UNACKNOWLEDGED_INFIX = ".unacknowledged-";
  /** Bytes of SHA-256 in a set-aside file's name: two different torn tails never overwrite each other. */
  private static final int SET_ASIDE_DIGEST_BYTES = 8;

  private final WitnessKeys keys;
  private final CrashPoints crash;
  private final Path checkpointFile;
  private final FileChannel entries;
  private final MerkleTree tree = new MerkleTree();
  private final List<Long> offsets = new ArrayList<>();
  private final Map<Hash, Long> indexByLeaf = new HashMap<>();
  private final GroupCommit groupCommit;
  private long endOffset;
  private SignedNote checkpoint;

  /** Refused because too many appends wait for the disk already: the caller may retry shortly. */
  public static final class Busy extends RuntimeException {
    Busy(String message) {
      super(message);
    }
  }

  private BundleLog(WitnessKeys keys, CrashPoints crash, Path checkpointFile, FileChannel entries) {
    this.keys = keys;
    this.crash = crash;
    this.checkpointFile = checkpointFile;
    this.entries = entries;
    this.groupCommit = new GroupCommit(this, entries, crash, new GroupCommit.Log() {
      @Override
      public long endOffset() {
        return endOffset;
      }

      @Override
      public long remember(Hash leafHash, long position) {
        return BundleLog.this.remember(leafHash, position);
      }

      @Override
      public void cover(long end) throws IOException {
        endOffset = end;
        writeCheckpoint();
      }
    });
  }

  /**
   * Opens (creating if needed) and recovers the log in {@code dir}/log.
   *
   * @throws IOException with one line starting "witness log: " when the files disagree; then
   *     nothing on disk was changed
   */
  public static BundleLog open(Path dir, WitnessKeys keys, CrashPoints crash) throws IOException {
    Path logDir = dir.resolve(LOG_DIR);
    LogRecovery.Found found = LogRecovery.inspect(logDir, keys);
    // Only now, with the files known to agree, does anything get written.
    Files.createDirectories(logDir);
    Path checkpointFile = logDir.resolve(CHECKPOINT_FILE);
    FileChannel channel =
        FileChannel.open(logDir.resolve(ENTRIES_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    BundleLog log = new BundleLog(keys, crash, checkpointFile, channel);
    try {
      log.recover(found);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return log;
  }

  private void recover(LogRecovery.Found found) throws IOException {
    DurableFiles.removeLeftoverTemp(checkpointFile);
    for (int i = 0; i < found.offsets().size(); i++) {
      remember(found.tree().node(0, i), found.offsets().get(i));
    }
    endOffset = found.committedEnd();
    if (found.checkpoint().isEmpty()) {
      // A new log: it serves a signed checkpoint of size 0 from the start.
      writeCheckpoint();
      return;
    }
    checkpoint = found.checkpoint().get();
    if (found.tail() instanceof LogRecovery.Unacknowledged extra) {
      // Written but never acknowledged (one group at most): covering them finishes the
      // interrupted group commit and signs exactly the checkpoint it would have signed (if
      // it did sign one and only the rename was lost, the same text and log signature
      // again, Ed25519 being deterministic), so no client can see a fork.
      entries.force(true);
      for (int i = 0; i < extra.leafHashes().size(); i++) {
        remember(extra.leafHashes().get(i), extra.offsets().get(i));
      }
      endOffset = extra.end();
      if (extra.torn().isPresent()) {
        setAside(extra.torn().get());
      }
      writeCheckpoint();
    } else if (found.tail() instanceof LogRecovery.Torn torn) {
      setAside(torn);
    }
  }

  private void writeCheckpoint() throws IOException {
    SignedNote next = SignedNote.sign(new Checkpoint(keys.origin(), tree.size(), tree.root()).text(), List.of(keys.log()));
    DurableFiles.replace(checkpointFile, next.toBytes(), crash);
    checkpoint = next;
  }

  /** Keeps a torn record's bytes in their own file, durably, before cutting them off the entries. */
  private void setAside(LogRecovery.Torn torn) throws IOException {
    String digest = Hex.encode(Arrays.copyOf(Sha256.hash(torn.bytes()), SET_ASIDE_DIGEST_BYTES));
    Path aside = checkpointFile.resolveSibling(ENTRIES_FILE + UNACKNOWLEDGED_INFIX + tree.size() + "-" + digest);
    DurableFiles.replace(aside, torn.bytes());
    entries.truncate(torn.offset());
    entries.force(true);
  }

  private long remember(Hash leafHash, long position) {
    long index = tree.append(leafHash);
    offsets.add(position);
    indexByLeaf.putIfAbsent(leafHash, index);
    return index;
  }

  /**
   * Appends {@code bundle} (or finds it already logged) and returns its receipt. Durable
   * before it returns: the record and the covering checkpoint are on disk. Concurrent
   * callers share one group commit (see {@link #enqueue}).
   *
   * @throws IllegalArgumentException when the bundle is empty or longer than BUNDLE_BYTES_MAX
   * @throws Busy when PENDING_MAX submissions are already waiting for the disk
   * @throws IOException when the disk fails; the log then refuses appends until reopened
   */
  public BundleReceipt append(byte[] bundle) throws IOException {
    return await(enqueue(bundle));
  }

  /**
   * Queues {@code bundle} for the next group commit, or finds it logged or queued already,
   * without waiting for the disk; {@link #await} then makes it durable. The queue position
   * is the bundle's place in the log, so a caller that must order appends (the gate's epoch
   * rule) only has to order its calls to this method.
   */
  synchronized GroupCommit.Pending enqueue(byte[] bundle) throws IOException {
    if (bundle.length < 1 || bundle.length > BUNDLE_BYTES_MAX) {
      throw new IllegalArgumentException("bundle must be 1 to " + BUNDLE_BYTES_MAX + " bytes, got " + bundle.length);
    }
    if (groupCommit.failed()) {
      throw new IOException("witness log stopped after a storage error; restart the witness to recover");
    }
    Hash leafHash = Rfc6962.leafHash(bundle);
    Long existing = indexByLeaf.get(leafHash);
    if (existing != null) {
      return GroupCommit.Pending.logged(bundle, leafHash, existing);
    }
    GroupCommit.Pending queued = groupCommit.queued(leafHash);
    if (queued != null) {
      return queued; // a retry racing its first attempt waits for the same record
    }
    if (tree.size() + groupCommit.outstanding() >= ENTRIES_MAX) {
      throw new IllegalStateException("witness log is full (" + ENTRIES_MAX + " entries)");
    }
    return groupCommit.add(bundle, leafHash);
  }

  /**
   * Waits until {@code pending} is durable and returns its receipt (see {@link GroupCommit}).
   * No receipt exists before its group's checkpoint is on disk, and a failed group
   * acknowledges none of its members.
   */
  BundleReceipt await(GroupCommit.Pending pending) throws IOException {
    long index = groupCommit.durableIndex(pending);
    // Signed outside the lock: the group's submitters sign their receipts in parallel while
    // the next group is written.
    Ed25519.Signature signature = new Ed25519.Signature(keys.bundle().sign(pending.bundle));
    return new BundleReceipt(signature, proof(index));
  }

  /** The inclusion proof of entry {@code index} in the current checkpoint, which covers it. */
  private synchronized TlogProof proof(long index) throws IOException {
    InclusionProof inclusion = InclusionProof.generate(tree, index, tree.size());
    return new TlogProof(Optional.empty(), index, inclusion.hashes(), checkpoint);
  }

  /** The latest checkpoint, signed by the log key, with any cosignatures attached. */
  public synchronized SignedNote checkpoint() {
    return checkpoint;
  }

  /**
   * Group commits made durable since this log was opened. Each forced the entries file once
   * and replaced the checkpoint (two more forces: the temporary file and the directory).
   */
  public synchronized long groupCommits() {
    return groupCommit.groupCommits();
  }

  /** Appends queued and not yet taken by a group commit (tests wait on it to shape groups). */
  synchronized int queued() {
    return groupCommit.waiting();
  }

  public synchronized long size() {
    return tree.size();
  }

  /** The bytes of a tile or entry bundle, or empty when this log has no such resource. */
  public synchronized Optional<byte[]> tile(TilePath path) throws IOException {
    if (!Tiles.exists(path, tree.size())) {
      return Optional.empty();
    }
    if (!path.entries()) {
      return Optional.of(Tiles.hashTile(tree, path));
    }
    List<byte[]> bundles = new ArrayList<>(path.width());
    for (int i = 0; i < path.width(); i++) {
      bundles.add(entry(path.index() * TilePath.FULL_WIDTH + i));
    }
    return Optional.of(Tiles.encodeEntryBundle(bundles));
  }

  /** Whether these exact bytes are an entry already, or queued to be one (a retried submission). */
  public synchronized boolean contains(byte[] bundle) {
    Hash leafHash = Rfc6962.leafHash(bundle);
    return indexByLeaf.containsKey(leafHash) || groupCommit.queued(leafHash) != null;
  }

  /** The bundle at {@code index}, read back from disk and checked against its leaf hash. */
  public synchronized byte[] entry(long index) throws IOException {
    Optional<byte[]> bundle = LogRecovery.readRecord(entries, offsets.get(Math.toIntExact(index)), endOffset);
    if (bundle.isEmpty() || !Rfc6962.leafHash(bundle.get()).equals(tree.node(0, index))) {
      throw new IOException("witness log entry " + index + " no longer reads back intact");
    }
    return bundle.get();
  }

  /**
   * A tlog-witness add-checkpoint request body asking a witness to cosign this log's current
   * checkpoint, with the consistency proof from {@code oldSize} (the size that witness last
   * cosigned; 0 for none).
   */
  public synchronized String addCheckpointRequest(long oldSize) throws IOException {
    if (oldSize < 0 || oldSize > tree.size()) {
      throw new IllegalArgumentException("no checkpoint to submit from old size " + oldSize);
    }
    StringBuilder body = new StringBuilder("old ").append(oldSize).append('\n');
    if (oldSize > 0) {
      for (Hash h : ConsistencyProof.generate(tree, oldSize, tree.size()).hashes()) {
        body.append(h.toBase64()).append('\n');
      }
    }
    SignedNote logSigned = new SignedNote(checkpoint.text(), List.of(checkpoint.signatures().get(0)));
    return body.append('\n').append(logSigned.format()).toString();
  }

  /**
   * Adds the cosignatures among {@code lines} that verify under {@code witnesses} to the
   * current checkpoint (replacing older lines by the same keys) and stores it durably.
   * Returns how many were added.
   */
  public synchronized int attachCosignatures(List<NoteSignature> lines, VerifierSet witnesses) throws IOException {
    byte[] text = checkpoint.textBytes();
    List<NoteSignature> kept = new ArrayList<>(checkpoint.signatures());
    int added = 0;
    for (NoteSignature line : lines) {
      var key = witnesses.lookup(line.keyName(), line.keyId());
      if (key.isEmpty() || key.get().verify(text, line.signature()).isEmpty()) {
        continue;
      }
      kept.removeIf(s -> s.keyName().equals(line.keyName()) && s.keyId() == line.keyId());
      kept.add(line);
      added++;
    }
    if (added > 0) {
      SignedNote cosigned = new SignedNote(checkpoint.text(), kept);
      DurableFiles.replace(checkpointFile, cosigned.toBytes());
      checkpoint = cosigned;
    }
    return added;
  }

  @Override
  public synchronized void close() throws IOException {
    entries.close();
  }
}
