package dev.bkv.client;

import dev.bkv.base.Check;
import dev.bkv.storage.AtomicFile;
import dev.bkv.storage.StorageException;
import dev.bkv.tlog.Decimal;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.SignedNote;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * What a client remembers about the fleet it trusts, so that a restart neither forgets the
 * last epoch (downgrade) nor the last checkpoint (split view): the epoch and bytes of the
 * last accepted witnessed bundle and the signed checkpoint it was accepted with. Written
 * whole with an atomic replace, so a crash leaves the old state or the new one.
 *
 * <pre>
 * bkv.dev/fleet-trust@v1
 * epoch &lt;decimal&gt;
 * bundle &lt;base64 of the accepted witnessed bundle&gt;
 * checkpoint &lt;bytes&gt;
 * &lt;the signed checkpoint note, exactly that many bytes&gt;
 * </pre>
 */
public record TrustState(long epoch, byte[] acceptedBundle, SignedNote checkpoint) {
  public static final String HEADER = "bkv.dev/fleet-trust@v1";
  /** Longest accepted witnessed bundle kept, in bytes. */
  public static final int BUNDLE_BYTES_MAX = dev.bkv.bundle.WitnessedBundle.WITNESSED_BYTES_MAX;
  /** Longest state file read, in bytes. */
  public static final int STATE_BYTES_MAX = BUNDLE_BYTES_MAX * 4 / 3 + SignedNote.NOTE_BYTES_MAX + 1024;

  public TrustState {
    acceptedBundle = acceptedBundle.clone();
    Check.that(epoch >= 0, "a trusted epoch is not negative");
    Check.that(acceptedBundle.length > 0 && acceptedBundle.length <= BUNDLE_BYTES_MAX, "accepted bundle within its limit");
  }

  @Override
  public byte[] acceptedBundle() {
    return acceptedBundle.clone();
  }

  public byte[] toBytes() {
    byte[] note = checkpoint.toBytes();
    String head = HEADER + "\n" + "epoch " + epoch + "\n" + "bundle " + Base64.getEncoder().encodeToString(acceptedBundle)
        + "\n" + "checkpoint " + note.length + "\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(headBytes, headBytes.length + note.length);
    System.arraycopy(note, 0, out, headBytes.length, note.length);
    return out;
  }

  public static TrustState parse(byte[] bytes) throws FormatException {
    if (bytes.length > STATE_BYTES_MAX) {
      throw new FormatException("trust state is longer than " + STATE_BYTES_MAX + " bytes");
    }
    int at = 0;
    String[] lines = new String[4];
    for (int i = 0; i < lines.length; i++) {
      int end = at;
      while (end < bytes.length && bytes[end] != '\n') {
        end++;
      }
      if (end == bytes.length) {
        throw new FormatException("trust state is truncated in its header");
      }
      lines[i] = new String(bytes, at, end - at, StandardCharsets.US_ASCII);
      at = end + 1;
    }
    if (!lines[0].equals(HEADER)) {
      throw new FormatException("trust state must start with " + HEADER);
    }
    long epoch = Decimal.parse(field(lines[1], "epoch"), "epoch");
    byte[] bundle;
    try {
      bundle = Base64.getDecoder().decode(field(lines[2], "bundle"));
    } catch (IllegalArgumentException e) {
      throw new FormatException("trust state bundle is not base64");
    }
    if (bundle.length == 0 || bundle.length > BUNDLE_BYTES_MAX) {
      throw new FormatException("trust state bundle must be 1 to " + BUNDLE_BYTES_MAX + " bytes");
    }
    long noteBytes = Decimal.parse(field(lines[3], "checkpoint"), "checkpoint length");
    if (noteBytes != bytes.length - at) {
      throw new FormatException("trust state checkpoint is " + (bytes.length - at) + " bytes, header says " + noteBytes);
    }
    SignedNote note = SignedNote.parse(Arrays.copyOfRange(bytes, at, bytes.length));
    return new TrustState(epoch, bundle, note);
  }

  /** The state stored in {@code file}, or empty when the client has trusted nothing yet. */
  public static Optional<TrustState> load(Path file) throws StorageException {
    Optional<byte[]> bytes = AtomicFile.read(file, STATE_BYTES_MAX);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(parse(bytes.get()));
    } catch (FormatException e) {
      throw new StorageException(StorageException.Kind.CORRUPT, file + ": " + e.getMessage());
    }
  }

  /** Replaces the state in {@code file} atomically and durably. */
  public void store(Path file) throws StorageException {
    AtomicFile.write(file, toBytes());
  }

  private static String field(String line, String name) throws FormatException {
    if (!line.startsWith(name + " ")) {
      throw new FormatException("trust state needs a '" + name + " ...' line");
    }
    return line.substring(name.length() + 1);
  }
}
