package dev.bkv.witness;

import dev.bkv.fleet.FleetNames;
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
import java.util.List;
import java.util.Optional;

/**
 * The operators allowed to have bundles logged, each by its submission key, stored in
 * {@code <dir>/operators}:
 *
 * <pre>
 * key backup.example.com/messenger+1a2b3c4d+AdGV...
 * </pre>
 *
 * A submission key is an Ed25519 note key (type 0x01) whose name is the namespace it
 * publishes: the witness logs a bundle only when the request is signed by a key named after
 * the bundle's namespace, so one operator cannot extend another's chain. The file is
 * replaced atomically on every change.
 */
public final class KnownOperators {
  /** Submission keys one witness accepts (several per namespace allow key rotation). */
  public static final int KEYS_MAX = VerifierSet.KEYS_MAX;

  /** Largest operators file read: every key on a line well under 512 bytes. */
  public static final long FILE_BYTES_MAX = (long) KEYS_MAX * 512;

  static final String FILE = "operators";

  private final Path file;
  private final List<String> vkeys;
  /** The parsed keys, rebuilt on every change so a request never re-parses the list. */
  private VerifierSet verifiers;

  private KnownOperators(Path file, List<String> vkeys, VerifierSet verifiers) {
    this.file = file;
    this.vkeys = vkeys;
    this.verifiers = verifiers;
  }

  /** Loads the list from {@code witnessDir}/operators (empty when the file does not exist yet). */
  public static KnownOperators load(Path witnessDir) throws IOException, FormatException {
    Path file = witnessDir.resolve(FILE);
    List<String> vkeys = new ArrayList<>();
    if (Files.exists(file)) {
      if (Files.size(file) > FILE_BYTES_MAX) {
        throw new FormatException(file + ": larger than " + FILE_BYTES_MAX + " bytes");
      }
      int lineNumber = 0;
      for (String line : DurableFiles.utf8(file, Files.readAllBytes(file)).split("\r?\n", -1)) {
        lineNumber++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        if (!line.startsWith("key ")) {
          throw new FormatException(file + " line " + lineNumber + ": expected 'key <vkey>'");
        }
        Optional<String> problem = problem(line.substring(4));
        if (problem.isPresent()) {
          throw new FormatException(file + " line " + lineNumber + ": " + problem.get());
        }
        if (!vkeys.contains(line.substring(4))) {
          vkeys.add(line.substring(4));
        }
        if (vkeys.size() > KEYS_MAX) {
          throw new FormatException(file + " lists more than " + KEYS_MAX + " operator keys");
        }
      }
    }
    return new KnownOperators(file, vkeys, verifierSet(vkeys));
  }

  /** Accepts bundles signed by {@code vkey} from now on; returns the namespace it publishes. */
  public synchronized String add(String vkey) throws IOException, FormatException {
    Optional<String> problem = problem(vkey);
    if (problem.isPresent()) {
      throw new FormatException(problem.get());
    }
    if (!vkeys.contains(vkey)) {
      if (vkeys.size() >= KEYS_MAX) {
        throw new FormatException("witness accepts at most " + KEYS_MAX + " operator keys");
      }
      List<String> next = new ArrayList<>(vkeys);
      next.add(vkey);
      VerifierSet nextVerifiers = verifierSet(next);
      save(next);
      vkeys.add(vkey);
      verifiers = nextVerifiers;
    }
    return NoteKeys.parseVerifierKey(vkey).keyName();
  }

  /** The submission keys, for opening a request note. */
  public synchronized VerifierSet verifiers() {
    return verifiers;
  }

  private static VerifierSet verifierSet(List<String> vkeys) throws FormatException {
    List<NoteVerifier> parsed = new ArrayList<>(vkeys.size());
    for (String vkey : vkeys) {
      parsed.add(NoteKeys.parseVerifierKey(vkey));
    }
    try {
      return VerifierSet.of(parsed);
    } catch (IllegalArgumentException clash) {
      throw new FormatException("operator keys: " + clash.getMessage());
    }
  }

  public synchronized List<String> vkeys() {
    return List.copyOf(vkeys);
  }

  /** Why {@code vkey} cannot be a submission key, or empty. */
  static Optional<String> problem(String vkey) {
    NoteVerifier verifier;
    try {
      verifier = NoteKeys.parseVerifierKey(vkey);
    } catch (FormatException e) {
      return Optional.of("operator key is not a vkey: " + e.getMessage());
    }
    if (!(verifier instanceof Ed25519Note.Verifier)) {
      return Optional.of("operator key must be an Ed25519 note key (type 0x01)");
    }
    return FleetNames.namespaceProblem(verifier.keyName())
        .map(p -> "operator key must be named after the namespace it publishes: " + p);
  }

  private void save(List<String> next) throws IOException {
    StringBuilder out = new StringBuilder("# Operators whose signed bundles this witness logs: 'key <vkey>', named after the namespace.\n");
    next.forEach(k -> out.append("key ").append(k).append('\n'));
    Files.createDirectories(file.getParent());
    DurableFiles.replace(file, out.toString().getBytes(StandardCharsets.UTF_8));
  }
}
