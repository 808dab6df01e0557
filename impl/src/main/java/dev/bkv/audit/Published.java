package dev.bkv.audit;

import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.EvidenceFormatException;
import dev.bkv.evidence.PublicFolder;
import dev.bkv.storage.AtomicFile;
import dev.bkv.storage.StorageException;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.SignedNote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The files an auditor reads from disk: the operator's published folder (see
 * {@link PublicFolder}: witnessed bundles, deployment evidence, vendor root), a pinned bundle,
 * and the checkpoint the last passing audit stored. Only the folder's fixed layout is opened,
 * never anything else in or around it, and an operator workspace (which holds HSM keys) is
 * refused. Every file is bounded and a malformed one is an error naming the file, never
 * skipped silently.
 */
public final class Published {
  private static final long FILE_BYTES_MAX =
      Math.max(WitnessedBundle.WITNESSED_BYTES_MAX, DeploymentEvidence.EVIDENCE_BYTES_MAX);
  /** Largest vendor root certificate file read (PEM of the largest certificate allowed). */
  private static final long ROOT_BYTES_MAX = 4L * DeploymentEvidence.CERTIFICATE_BYTES_MAX;

  /** How the folder's files are opened; tests record every path through it. */
  @FunctionalInterface
  public interface Reader {
    /** The file's bytes; more than {@code bytesMax} is an error. */
    byte[] read(Path file, long bytesMax) throws IOException;

    Reader FILES = (file, bytesMax) -> {
      try {
        return AtomicFile.read(file, bytesMax).orElseThrow(() -> new IOException(file + ": no such file"));
      } catch (StorageException e) {
        throw new IOException(e.getMessage(), e);
      }
    };
  }

  private final List<WitnessedBundle> witnessed = new ArrayList<>();
  private final List<DeploymentEvidence> evidence = new ArrayList<>();
  private Optional<byte[]> vendorRoot = Optional.empty();

  public List<WitnessedBundle> witnessed() {
    return List.copyOf(witnessed);
  }

  public List<DeploymentEvidence> evidence() {
    return List.copyOf(evidence);
  }

  /** The published vendor root certificate (PEM), if the folder has one. */
  public Optional<byte[]> vendorRoot() {
    return vendorRoot.map(byte[]::clone);
  }

  public static Published load(Path dir) throws IOException {
    return load(dir, Reader.FILES);
  }

  /** Reads the published folder {@code dir}: its bundles/*.witnessed, evidence/*.txt and vendor-root.crt. */
  public static Published load(Path dir, Reader reader) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException(dir + (Files.exists(dir) ? ": not a directory" : ": no such directory"));
    }
    if (PublicFolder.isWorkspace(dir)) {
      throw new IOException(dir + " is an operator workspace, which holds HSM keys; give its published folder ("
          + dir.resolve(PublicFolder.DEFAULT_NAME) + ") instead");
    }
    Published out = new Published();
    for (Path file : list(dir.resolve(PublicFolder.BUNDLES_DIR), PublicFolder.WITNESSED_SUFFIX)) {
      out.witnessed.add(parse(file, reader, WitnessedBundle.WITNESSED_BYTES_MAX, WitnessedBundle::parse));
    }
    for (Path file : list(dir.resolve(PublicFolder.EVIDENCE_DIR), PublicFolder.EVIDENCE_SUFFIX)) {
      out.evidence.add(parse(file, reader, DeploymentEvidence.EVIDENCE_BYTES_MAX, DeploymentEvidence::parse));
    }
    Path root = dir.resolve(PublicFolder.VENDOR_ROOT_FILE);
    if (Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      out.vendorRoot = Optional.of(reader.read(plain(root), ROOT_BYTES_MAX));
    }
    return out;
  }

  /** The files of one sub-folder with the given suffix, sorted; at most {@link Auditor#PUBLISHED_FILES_MAX}. */
  private static List<Path> list(Path folder, String suffix) throws IOException {
    if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> entries = Files.list(plainDirectory(folder))) {
      for (Path p : entries.sorted().toList()) {
        if (p.getFileName().toString().endsWith(suffix)) {
          if (files.size() >= Auditor.PUBLISHED_FILES_MAX) {
            throw new IOException(folder + " holds more than " + Auditor.PUBLISHED_FILES_MAX + " published files");
          }
          files.add(plain(p));
        }
      }
    }
    return files;
  }

  /** A link could point anywhere, a secret included: the folder holds plain files only. */
  private static Path plain(Path file) throws IOException {
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(file + " is not a plain file (a published folder holds no links or special files)");
    }
    return file;
  }

  private static Path plainDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(dir + " is not a plain directory (a published folder holds no links)");
    }
    return dir;
  }

  private interface Parser<T> {
    T parse(byte[] bytes) throws BundleFormatException, EvidenceFormatException;
  }

  private static <T> T parse(Path file, Reader reader, long bytesMax, Parser<T> parser) throws IOException {
    try {
      return parser.parse(reader.read(file, bytesMax));
    } catch (BundleFormatException | EvidenceFormatException e) {
      throw new IOException(file + ": " + e.getMessage());
    }
  }

  /** A validation bundle file, or a witnessed bundle (whose bundle is taken), for {@code --pinned}. */
  public static ValidationBundle pinned(Path file) throws IOException {
    if (Files.size(file) > FILE_BYTES_MAX) {
      throw new IOException(file + " is too large for a bundle");
    }
    byte[] bytes = Files.readAllBytes(file);
    try {
      return firstLine(bytes).equals(WitnessedBundle.HEADER)
          ? WitnessedBundle.parse(bytes).bundle() : ValidationBundle.parse(bytes);
    } catch (BundleFormatException e) {
      throw new IOException(file + ": " + e.getMessage());
    }
  }

  /** The checkpoint the last passing audit stored in {@code file}, if any. */
  public static Optional<SignedNote> lastAudited(Path file) throws IOException {
    try {
      Optional<byte[]> bytes = AtomicFile.read(file, SignedNote.NOTE_BYTES_MAX);
      return bytes.isEmpty() ? Optional.empty() : Optional.of(SignedNote.parse(bytes.get()));
    } catch (StorageException | FormatException e) {
      throw new IOException(file + ": " + e.getMessage());
    }
  }

  /** Stores the audited checkpoint atomically, for the next audit's consistency check. */
  public static void storeAudited(Path file, SignedNote checkpoint) throws IOException {
    try {
      AtomicFile.write(file, checkpoint.toBytes());
    } catch (StorageException e) {
      throw new IOException(e.getMessage());
    }
  }

  private static String firstLine(byte[] bytes) {
    int end = 0;
    while (end < bytes.length && end < 256 && bytes[end] != '\n') {
      end++;
    }
    return new String(bytes, 0, end, StandardCharsets.US_ASCII);
  }
}
