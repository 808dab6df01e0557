package dev.bkv.modelcheck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds the specs to check: every {@code spec/<Name>/manifest.json}. A new spec needs only
 * its own folder and manifest; nothing here names a spec.
 */
public final class SpecCatalog {
  private SpecCatalog() {}

  /** Most spec folders read under one spec root. */
  public static final int SPECS_MAX = 64;
  /** Most directory levels walked up when looking for {@code spec/}. */
  static final int PARENT_LEVELS_MAX = 16;

  /** The nearest {@code spec/} directory at or above {@code start} that holds a manifest. */
  public static Path locateSpecRoot(Path start) throws ManifestException {
    Path dir = start.toAbsolutePath().normalize();
    for (int level = 0; dir != null && level <= PARENT_LEVELS_MAX; level++, dir = dir.getParent()) {
      Path candidate = dir.resolve("spec");
      if (Files.isDirectory(candidate) && !manifestFiles(candidate).isEmpty()) {
        return candidate;
      }
    }
    throw new ManifestException("no spec/ directory with a " + Manifest.FILE_NAME + " at or above " + start.toAbsolutePath());
  }

  /** Every manifest under {@code specRoot}, in folder-name order. */
  public static List<Manifest> discover(Path specRoot) throws ManifestException {
    if (!Files.isDirectory(specRoot)) {
      throw new ManifestException("spec root " + specRoot + " is not a directory");
    }
    List<Path> files = manifestFiles(specRoot);
    if (files.size() > SPECS_MAX) {
      throw new ManifestException("more than " + SPECS_MAX + " specs under " + specRoot);
    }
    List<Manifest> manifests = new ArrayList<>();
    for (Path file : files) {
      manifests.add(Manifest.read(file));
    }
    return manifests;
  }

  private static List<Path> manifestFiles(Path specRoot) throws ManifestException {
    try (Stream<Path> children = Files.list(specRoot)) {
      return children
          .filter(Files::isDirectory)
          .map(dir -> dir.resolve(Manifest.FILE_NAME))
          .filter(Files::isRegularFile)
          .sorted()
          .collect(Collectors.toList());
    } catch (IOException e) {
      throw new ManifestException("cannot list " + specRoot + ": " + e.getMessage());
    }
  }
}
