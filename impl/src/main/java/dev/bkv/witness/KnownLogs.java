package dev.bkv.witness;

import dev.bkv.base.Hex;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.Sha256;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.NoteKeys;
import dev.bkv.tlog.NoteVerifier;
import dev.bkv.tlog.VerifierSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The logs this witness cosigns, each an origin with the note keys trusted to sign its
 * checkpoints, stored in {@code <dir>/witnessed/logs}:
 *
 * <pre>
 * log go.sum database tree
 * key sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8
 * </pre>
 *
 * Each {@code key} line belongs to the {@code log} line above it. The file is replaced
 * atomically on every change.
 */
public final class KnownLogs {
  /** Logs one witness tracks. */
  public static final int LOGS_MAX = 1024;
  /** Trusted keys per log. */
  public static final int KEYS_PER_LOG_MAX = 16;
  /** Largest logs file read: every log with every key, each line well under 512 bytes. */
  public static final long FILE_BYTES_MAX = (long) LOGS_MAX * (KEYS_PER_LOG_MAX + 1) * 512;

  static final String FILE = "logs";
  private static final String SIGSUM_ORIGIN_PREFIX = "sigsum.org/v1/tree/";

  private final Path file;
  private final Map<String, List<String>> vkeysByOrigin;

  private KnownLogs(Path file, Map<String, List<String>> vkeysByOrigin) {
    this.file = file;
    this.vkeysByOrigin = vkeysByOrigin;
  }

  /** Loads the list from {@code witnessedDir}/logs (empty when the file does not exist yet). */
  public static KnownLogs load(Path witnessedDir) throws IOException, FormatException {
    Path file = witnessedDir.resolve(FILE);
    Map<String, List<String>> logs = new LinkedHashMap<>();
    if (Files.exists(file)) {
      String current = null;
      int lineNumber = 0;
      if (Files.size(file) > FILE_BYTES_MAX) {
        throw new FormatException(file + ": larger than " + FILE_BYTES_MAX + " bytes");
      }
      for (String line : DurableFiles.utf8(file, Files.readAllBytes(file)).split("\r?\n", -1)) {
        lineNumber++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        if (line.startsWith("log ")) {
          current = line.substring(4);
          checkOrigin(current);
          logs.putIfAbsent(current, new ArrayList<>());
        } else if (line.startsWith("key ") && current != null) {
          try {
            NoteKeys.parseVerifierKey(line.substring(4));
          } catch (FormatException e) {
            throw new FormatException(file + " line " + lineNumber + ": " + e.getMessage());
          }
          logs.get(current).add(line.substring(4));
        } else {
          throw new FormatException(file + " line " + lineNumber + ": expected 'log <origin>' or 'key <vkey>'");
        }
      }
    }
    KnownLogs known = new KnownLogs(file, logs);
    known.checkBounds();
    return known;
  }

  public synchronized List<String> origins() {
    return List.copyOf(vkeysByOrigin.keySet());
  }

  /** The trusted keys of {@code origin}, or empty when the witness does not know that log. */
  public synchronized Optional<VerifierSet> keysFor(String origin) {
    List<String> vkeys = vkeysByOrigin.get(origin);
    if (vkeys == null) {
      return Optional.empty();
    }
    List<NoteVerifier> verifiers = new ArrayList<>();
    for (String vkey : vkeys) {
      try {
        verifiers.add(NoteKeys.parseVerifierKey(vkey));
      } catch (FormatException e) {
        throw new IllegalStateException("known log key was checked when added: " + vkey, e);
      }
    }
    return Optional.of(VerifierSet.of(verifiers));
  }

  public synchronized void addLog(String origin) throws IOException, FormatException {
    checkOrigin(origin);
    if (!vkeysByOrigin.containsKey(origin) && vkeysByOrigin.size() >= LOGS_MAX) {
      throw new FormatException("witness tracks at most " + LOGS_MAX + " logs");
    }
    vkeysByOrigin.putIfAbsent(origin, new ArrayList<>());
    save();
  }

  /** Trusts {@code vkey} for the checkpoints of {@code origin} (adding the log if needed). */
  public synchronized void addKey(String origin, String vkey) throws IOException, FormatException {
    NoteKeys.parseVerifierKey(vkey);
    addLog(origin);
    List<String> keys = vkeysByOrigin.get(origin);
    if (!keys.contains(vkey)) {
      if (keys.size() >= KEYS_PER_LOG_MAX) {
        throw new FormatException("log " + origin + " has " + KEYS_PER_LOG_MAX + " keys already");
      }
      keys.add(vkey);
    }
    save();
  }

  /**
   * Adds a Sigsum log by its Ed25519 public key: origin
   * {@code sigsum.org/v1/tree/<hex SHA-256(key)>}, signed with an Ed25519 note key named
   * after the origin. Returns the origin.
   */
  public synchronized String addSigsumLog(byte[] publicKey) throws IOException, FormatException {
    if (publicKey.length != Ed25519.PUBLIC_KEY_BYTES) {
      throw new FormatException("Sigsum log key must be 32 bytes, got " + publicKey.length);
    }
    String origin = SIGSUM_ORIGIN_PREFIX + Hex.encode(Sha256.hash(publicKey));
    addKey(origin, new Ed25519Note.Verifier(origin, new Ed25519.PublicKey(publicKey)).vkey());
    return origin;
  }

  private void save() throws IOException {
    StringBuilder out = new StringBuilder("# Logs this witness cosigns: 'log <origin>', then 'key <vkey>' lines.\n");
    vkeysByOrigin.forEach((origin, keys) -> {
      out.append("log ").append(origin).append('\n');
      keys.forEach(k -> out.append("key ").append(k).append('\n'));
    });
    Files.createDirectories(file.getParent());
    DurableFiles.replace(file, out.toString().getBytes(StandardCharsets.UTF_8));
  }

  private void checkBounds() throws FormatException {
    if (vkeysByOrigin.size() > LOGS_MAX) {
      throw new FormatException(file + " lists more than " + LOGS_MAX + " logs");
    }
    for (Map.Entry<String, List<String>> log : vkeysByOrigin.entrySet()) {
      if (log.getValue().size() > KEYS_PER_LOG_MAX) {
        throw new FormatException("log " + log.getKey() + " has more than " + KEYS_PER_LOG_MAX + " keys");
      }
    }
  }

  private static void checkOrigin(String origin) throws FormatException {
    if (origin.isEmpty()
        || origin.getBytes(StandardCharsets.UTF_8).length > Checkpoint.ORIGIN_BYTES_MAX
        || origin.chars().anyMatch(c -> c < 0x20)) {
      throw new FormatException("log origin must be a non-empty line of at most " + Checkpoint.ORIGIN_BYTES_MAX + " bytes");
    }
  }
}
