package dev.bkv.witness;

import dev.bkv.crypto.Ed25519;
import dev.bkv.tlog.CosignatureV1;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.NoteKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The witness's three Ed25519 keys, one job each, so no signature made for one purpose can
 * be replayed as another:
 *
 * <ul>
 *   <li>{@code log}: signs the checkpoints of the witness's own bundle log (note type 0x01,
 *       key name = the log's origin);
 *   <li>{@code cosigner}: cosigns other logs' checkpoints (cosignature/v1, type 0x04, key
 *       name = the witness name);
 *   <li>{@code bundle}: signs each validation bundle's exact bytes (type 0x01 key named
 *       {@code <witness name>/bundle}; the operator's HSM countersigns this signature).
 * </ul>
 *
 * Private keys are stored as skeys ({@code keys/<role>.skey}, mode 0600 where the file
 * system has modes), public keys as vkeys ({@code keys/<role>.vkey}). The names live in the
 * keys, so the directory needs no other identity file.
 */
public record WitnessKeys(Ed25519Note.Signer log, CosignatureV1.Signer cosigner, Ed25519Note.Signer bundle) {
  static final String KEYS_DIR = "keys";
  static final String BUNDLE_KEY_SUFFIX = "/bundle";

  public WitnessKeys {
    if (!bundle.keyName().equals(cosigner.keyName() + BUNDLE_KEY_SUFFIX)) {
      throw new IllegalArgumentException("bundle key must be named <witness name>/bundle");
    }
  }

  public String name() {
    return cosigner.keyName();
  }

  public String origin() {
    return log.keyName();
  }

  /** Longest name echoed in an error message: a longer one is cut, so the message stays one readable line. */
  private static final int SHOWN_CHARS_MAX = 80;

  private static String shown(String name) {
    return name.length() <= SHOWN_CHARS_MAX ? name
        : name.substring(0, SHOWN_CHARS_MAX) + "... (" + name.length() + " characters)";
  }

  /** The default origin of a witness's bundle log. */
  /** Largest key file read: a vkey or skey line is a few hundred bytes. */
  static final int KEY_FILE_BYTES_MAX = 4096;

  public static String defaultOrigin(String name) {
    return name + "/bundles";
  }

  public static WitnessKeys generate(String name, String origin, SecureRandom random) {
    if (!NoteKeys.isValidName(name) || !NoteKeys.isValidName(name + BUNDLE_KEY_SUFFIX)) {
      throw new IllegalArgumentException("witness name must be non-empty with no spaces or '+': " + shown(name));
    }
    if (!NoteKeys.isValidName(origin)) {
      throw new IllegalArgumentException("log origin must be non-empty with no spaces or '+': " + shown(origin));
    }
    return new WitnessKeys(
        new Ed25519Note.Signer(origin, Ed25519.PrivateKey.generate(random)),
        new CosignatureV1.Signer(name, Ed25519.PrivateKey.generate(random)),
        new Ed25519Note.Signer(name + BUNDLE_KEY_SUFFIX, Ed25519.PrivateKey.generate(random)));
  }

  /** Writes the keys into {@code dir}/keys; refuses to overwrite existing keys. */
  public void save(Path dir) throws IOException {
    Path keys = dir.resolve(KEYS_DIR);
    Files.createDirectories(keys);
    for (String role : new String[] {"log", "cosigner", "bundle"}) {
      if (Files.exists(keys.resolve(role + ".skey"))) {
        throw new FileAlreadyExistsException(keys.resolve(role + ".skey").toString(), null, "witness keys exist already");
      }
    }
    writeSecret(keys.resolve("log.skey"), log.skey());
    writeSecret(keys.resolve("cosigner.skey"), cosigner.skey());
    writeSecret(keys.resolve("bundle.skey"), bundle.skey());
    DurableFiles.replace(keys.resolve("log.vkey"), line(log.verifier().vkey()));
    DurableFiles.replace(keys.resolve("cosigner.vkey"), line(cosigner.verifier().vkey()));
    DurableFiles.replace(keys.resolve("bundle.vkey"), line(bundle.verifier().vkey()));
    DurableFiles.syncDirectory(dir);
  }

  /** Reads the keys from {@code dir}/keys, naming the file that is missing or malformed. */
  public static WitnessKeys load(Path dir) throws IOException, FormatException {
    Path keys = dir.resolve(KEYS_DIR);
    Ed25519Note.Signer log = named(keys.resolve("log.skey"), NoteKeys::parseNoteSigner);
    CosignatureV1.Signer cosigner = named(keys.resolve("cosigner.skey"), NoteKeys::parseCosigner);
    Ed25519Note.Signer bundle = named(keys.resolve("bundle.skey"), NoteKeys::parseNoteSigner);
    if (!bundle.keyName().equals(cosigner.keyName() + BUNDLE_KEY_SUFFIX)) {
      throw new FormatException("bundle.skey must be named " + cosigner.keyName() + BUNDLE_KEY_SUFFIX);
    }
    return new WitnessKeys(log, cosigner, bundle);
  }

  /** The three public keys as vkey lines: log, cosigner, bundle. */
  public String vkeys() {
    return log.verifier().vkey() + "\n" + cosigner.verifier().vkey() + "\n" + bundle.verifier().vkey() + "\n";
  }

  private interface KeyParser<T> {
    T parse(String text) throws FormatException;
  }

  /** A key file parsed, any format error prefixed with the file's name. */
  private static <T> T named(Path file, KeyParser<T> parser) throws IOException, FormatException {
    String text = read(file);
    try {
      return parser.parse(text);
    } catch (FormatException e) {
      throw new FormatException(file + ": " + e.getMessage());
    }
  }

  private static String read(Path file) throws IOException, FormatException {
    if (!Files.isRegularFile(file)) {
      throw new FormatException("missing key file " + file + " (run 'bkv witness init' first)");
    }
    if (Files.size(file) > KEY_FILE_BYTES_MAX) {
      throw new FormatException(file + ": larger than a key file (" + KEY_FILE_BYTES_MAX + " bytes)");
    }
    String text = DurableFiles.utf8(file, Files.readAllBytes(file)).strip();
    if (text.isEmpty()) {
      throw new FormatException("empty key file " + file);
    }
    return text;
  }

  private static void writeSecret(Path file, String skey) throws IOException {
    DurableFiles.replaceSecret(file, line(skey));
  }

  private static byte[] line(String text) {
    return (text + "\n").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "WitnessKeys(" + vkeys().strip().replace('\n', ' ') + ")";
  }
}
