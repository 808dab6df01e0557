package dev.bkv.hsm;

import dev.bkv.base.Bytes;
import dev.bkv.base.Check;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256;
import dev.bkv.storage.NvramImage;
import dev.bkv.storage.StorageException;
import dev.bkv.storage.VaultStorage;
import dev.bkv.vault.Command;
import dev.bkv.vault.CommandCodec;
import dev.bkv.vault.SnapshotCodec;
import dev.bkv.vault.VaultState;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Makes the vault state durable on the untrusted host, and refuses a host that rolls it back.
 *
 * <p>Each state-changing command becomes log entry {@code v}, sealed by the HSM with
 * associated data {@code "BKV vault log entry v1" || hsm_id || u64 v || chain[v-1]}, where
 * {@code chain[v] = SHA-256("BKV vault chain v1" || chain[v-1] || u64 v || sealed[v])} and
 * {@code chain[0]} is 32 zero bytes. The entry is appended and fsynced, then NVRAM slot
 * {@link #NVRAM_SLOT} is advanced to {@code (v, chain[v])}, and only then may a response
 * that depends on it leave the HSM. Every {@code snapshotIntervalEntries} entries the whole
 * state is sealed as a snapshot ({@code chain[s] || state}, associated data
 * {@code "BKV vault snapshot v1" || hsm_id || u64 s}) and the log it covers is dropped.
 *
 * <p>On boot the snapshot and the log are unsealed and replayed and the result compared
 * with NVRAM {@code (n, chain[n])}: fewer than n entries is a rollback, refused; exactly n
 * must end in {@code chain[n]}. Version n+1 is accepted when it extends {@code chain[n]}:
 * the crash came after the entry was written and before NVRAM advanced, so nothing that
 * depends on it was released, and adopting it only counts what the command counted. An
 * unreadable entry n+1 is discarded for the same reason. The chain in NVRAM is what stops a
 * host from swapping in a different entry for an acknowledged version: an entry written
 * before a crash and later superseded authenticates under its version but not its chain.
 */
final class VaultJournal {
  static final int NVRAM_SLOT = 0;
  static final int CHAIN_BYTES = Sha256.DIGEST_BYTES;
  static final long SNAPSHOT_INTERVAL_ENTRIES = 1024;
  private static final byte[] GENESIS = new byte[CHAIN_BYTES];
  private static final byte[] ENTRY_LABEL = ascii("BKV vault log entry v1");
  private static final byte[] SNAPSHOT_LABEL = ascii("BKV vault snapshot v1");
  private static final byte[] CHAIN_LABEL = ascii("BKV vault chain v1");

  private final Hsm hsm;
  private final VaultStorage storage;
  private final byte[] hsmId;
  private final long snapshotIntervalEntries;
  private long version;
  private byte[] chain;
  private long snapshotVersion;

  /** A journal opened on boot, with the state it recovered and what it had to repair. */
  record Opened(VaultJournal journal, VaultState state, String note) {}

  private VaultJournal(Hsm hsm, VaultStorage storage, byte[] hsmId, long snapshotIntervalEntries,
      long version, byte[] chain, long snapshotVersion) {
    this.hsm = hsm;
    this.storage = storage;
    this.hsmId = hsmId;
    this.snapshotIntervalEntries = snapshotIntervalEntries;
    this.version = version;
    this.chain = chain;
    this.snapshotVersion = snapshotVersion;
  }

  static Opened open(Hsm hsm, VaultStorage storage, long snapshotIntervalEntries) throws BootException {
    Check.that(snapshotIntervalEntries >= 1, "snapshot interval at least one entry");
    try {
      return recover(hsm, storage, snapshotIntervalEntries);
    } catch (HsmException e) {
      throw new BootException(BootException.Reason.HSM, e.getMessage(), e);
    } catch (StorageException e) {
      throw new BootException(BootException.Reason.STORAGE, e.getMessage(), e);
    }
  }

  private static Opened recover(Hsm hsm, VaultStorage storage, long interval)
      throws BootException, HsmException, StorageException {
    byte[] hsmId = hsm.id().toBytes();
    NvramImage.Cell acknowledged = hsm.readNvram(NVRAM_SLOT);
    long n = acknowledged.counter();
    byte[] chainN = n == 0 ? GENESIS : acknowledged.value();
    if (chainN.length != CHAIN_BYTES) {
      throw new BootException(BootException.Reason.HSM, "NVRAM slot " + NVRAM_SLOT + " holds no chain value");
    }
    VaultStorage.Contents contents = storage.load();
    VaultState state = new VaultState();
    long version = 0;
    byte[] chain = GENESIS;
    if (contents.snapshot().isPresent()) {
      VaultStorage.VersionedBlob snapshot = contents.snapshot().get();
      version = snapshot.version();
      if (version > n) {
        throw new BootException(BootException.Reason.AHEAD,
            "snapshot at version " + version + " but NVRAM acknowledged only " + n);
      }
      byte[] plain = unsealOrTampered(hsm, snapshotAad(hsmId, version), snapshot.sealed(), "snapshot at version " + version);
      chain = Arrays.copyOf(plain, CHAIN_BYTES);
      byte[] encodedState = Arrays.copyOfRange(plain, CHAIN_BYTES, plain.length);
      try {
        state = SnapshotCodec.decode(encodedState);
      } catch (DecodeException e) {
        throw new BootException(BootException.Reason.TAMPERED, "snapshot does not decode: " + e.getMessage(), e);
      } finally {
        Bytes.zeroize(plain, encodedState); // the state's backup keys, in the clear
      }
    }
    long snapshotVersion = version;
    byte[] chainBefore = chain;
    String note = "";
    List<VaultStorage.VersionedBlob> log = contents.log();
    for (int i = 0; i < log.size(); i++) {
      VaultStorage.VersionedBlob entry = log.get(i);
      long v = entry.version();
      Check.that(v == version + 1, "storage hands over a contiguous log");
      byte[] plain;
      try {
        plain = hsm.unseal(entryAad(hsmId, v, chain), entry.sealed());
      } catch (HsmException e) {
        if (e.reason() != HsmException.Reason.UNSEAL_FAILED) {
          throw e;
        }
        if (v == n + 1 && i == log.size() - 1) {
          // Never acknowledged: whatever it is, nothing depending on it left the HSM.
          storage.truncateAfter(n);
          note = "discarded an unreadable unacknowledged entry at version " + v;
          break;
        }
        throw new BootException(BootException.Reason.TAMPERED, "log entry " + v + " does not authenticate");
      }
      try {
        Command command = CommandCodec.decode(plain);
        state.apply(command);
        if (command instanceof Command.RegisterExpose) {
          ((Command.RegisterExpose) command).backupKey().destroy(); // the state holds its own copy
        }
      } catch (DecodeException e) {
        throw new BootException(BootException.Reason.TAMPERED, "log entry " + v + " does not decode: " + e.getMessage(), e);
      } finally {
        Bytes.zeroize(plain); // an Expose entry holds a backup key in the clear
      }
      chainBefore = chain;
      chain = nextChain(chain, v, entry.sealed());
      version = v;
    }
    if (version < n) {
      throw new BootException(BootException.Reason.ROLLBACK,
          "storage ends at version " + version + " but NVRAM acknowledged version " + n);
    }
    if (version > n + 1) {
      throw new BootException(BootException.Reason.AHEAD,
          "storage ends at version " + version + " but NVRAM acknowledged only " + n);
    }
    if (version == n && !Bytes.constantTimeEquals(chain, chainN)) {
      throw new BootException(BootException.Reason.FORKED, "version " + n + " is not the history NVRAM acknowledged");
    }
    if (version == n + 1) {
      if (!Bytes.constantTimeEquals(chainBefore, chainN)) {
        throw new BootException(BootException.Reason.FORKED, "version " + version + " does not extend the acknowledged history");
      }
      // Written but not acknowledged before a crash: adopt it (see the class comment).
      hsm.writeNvram(NVRAM_SLOT, new NvramImage.Cell(version, chain));
      note = "adopted unacknowledged entry at version " + version;
    }
    VaultJournal journal = new VaultJournal(hsm, storage, hsmId, interval, version, chain, snapshotVersion);
    return new Opened(journal, state, note);
  }

  private static byte[] unsealOrTampered(Hsm hsm, byte[] aad, byte[] sealed, String what) throws BootException, HsmException {
    try {
      return hsm.unseal(aad, sealed);
    } catch (HsmException e) {
      if (e.reason() == HsmException.Reason.UNSEAL_FAILED) {
        throw new BootException(BootException.Reason.TAMPERED, what + " does not authenticate", e);
      }
      throw e;
    }
  }

  /**
   * Makes {@code command} (already applied to {@code stateAfter}) durable: seal, append,
   * advance NVRAM. On any exception the caller must stop answering: memory is ahead of disk.
   */
  void append(Command command, VaultState stateAfter) throws HsmException, StorageException {
    long v = version + 1;
    byte[] plain = CommandCodec.encode(command);
    byte[] sealed;
    try {
      sealed = hsm.seal(entryAad(hsmId, v, chain), plain);
    } finally {
      Bytes.zeroize(plain);
    }
    storage.append(v, sealed);
    byte[] next = nextChain(chain, v, sealed);
    hsm.writeNvram(NVRAM_SLOT, new NvramImage.Cell(v, next));
    version = v;
    chain = next;
    if (version - snapshotVersion >= snapshotIntervalEntries) {
      snapshot(stateAfter);
    }
  }

  /** Seals the whole state at the current version and lets the storage drop the log it covers. */
  void snapshot(VaultState state) throws HsmException, StorageException {
    byte[] encodedState = SnapshotCodec.encode(state);
    byte[] plain = Bytes.concat(chain, encodedState);
    byte[] sealed;
    try {
      sealed = hsm.seal(snapshotAad(hsmId, version), plain);
    } finally {
      Bytes.zeroize(encodedState, plain);
    }
    Check.that(sealed.length <= VaultStorage.SEALED_BLOB_BYTES_MAX, "sealed snapshot within SEALED_BLOB_BYTES_MAX");
    storage.writeSnapshot(version, sealed);
    snapshotVersion = version;
  }

  /** The last acknowledged version. */
  long version() {
    return version;
  }

  /** Seals left before the key's random-nonce budget ({@link Hsm#SEALS_PER_KEY_MAX}) would be passed. */
  boolean hasSealBudget() {
    // One seal per entry plus one per snapshot: 2 * version bounds both.
    return 2 * (version + 1) < Hsm.SEALS_PER_KEY_MAX;
  }

  static byte[] entryAad(byte[] hsmId, long version, byte[] previousChain) {
    return Bytes.concat(ENTRY_LABEL, hsmId, Bytes.i2osp(version, 8), previousChain);
  }

  static byte[] snapshotAad(byte[] hsmId, long version) {
    return Bytes.concat(SNAPSHOT_LABEL, hsmId, Bytes.i2osp(version, 8));
  }

  static byte[] nextChain(byte[] chain, long version, byte[] sealed) {
    return Sha256.hash(CHAIN_LABEL, chain, Bytes.i2osp(version, 8), sealed);
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
