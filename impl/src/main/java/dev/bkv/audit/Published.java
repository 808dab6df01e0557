package dev.bkv.audit;

import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.EvidenceFormatException;
import dev.bkv.storage.AtomicFile;
import dev.bkv.storage.StorageException;
import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.SignedNote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The files an auditor reads from disk: what the operator published (witnessed bundles and
 * deployment evidence, recognised by their first line, in files or directories), a pinned
 * bundle, and the checkpoint the last passing audit stored. Every file is bounded and a
 * malformed one is an error naming the file, never skipped silently.
 */
public final class Published {
  /** Directory depth searched for published files. */
  public static final int DEPTH_MAX = 4;
  private static final long FILE_BYTES_MAX =
      Math.max(WitnessedBundle.WITNESSED_BYTES_MAX, DeploymentEvidence.EVIDENCE_BYTES_MAX);

  private final List<WitnessedBundle> witnessed = new ArrayList<>();
  private final List<DeploymentEvidence> evidence = new ArrayList<>();

  public List<WitnessedBundle> witnessed() {
    return List.copyOf(witnessed);
  }

  public List<DeploymentEvidence> evidence() {
    return List.copyOf(evidence);
  }

  /** Reads every published file under {@code paths}; other files in a directory are ignored. */
  public static Published load(List<Path> paths) throws IOException {
    Published out = new Published();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.walk(path, DEPTH_MAX)) {
          for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
            out.add(file, false);
          }
        }
      } else {
        out.add(path, true);
      }
    }
    return out;
  }

  private void add(Path file, boolean named) throws IOException {
    if (witnessed.size() + evidence.size() >= Auditor.PUBLISHED_FILES_MAX) {
      throw new IOException("more than " + Auditor.PUBLISHED_FILES_MAX + " published files");
    }
    if (Files.size(file) > FILE_BYTES_MAX) {
      if (named) {
        throw new IOException(file + " is larger than any published file (" + FILE_BYTES_MAX + " bytes)");
      }
      return;
    }
    byte[] bytes = Files.readAllBytes(file);
    String first = firstLine(bytes);
    try {
      if (first.equals(WitnessedBundle.HEADER)) {
        witnessed.add(WitnessedBundle.parse(bytes));
      } else if (first.equals(DeploymentEvidence.HEADER)) {
        evidence.add(DeploymentEvidence.parse(bytes));
      } else if (named) {
        throw new IOException(file + " is neither a witnessed bundle nor deployment evidence");
      }
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
