package dev.bkv.net;

import dev.bkv.bundle.BundleFormatException;
import dev.bkv.bundle.WitnessedBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the frontend finds the fleet's witnessed bundle, read afresh on every request so a
 * newly published epoch is served without a restart: a file, or a folder of
 * {@code <epoch>.witnessed} files (the operator workspace's bundles/) of which the newest
 * naming this fleet is served. The frontend does not verify it: clients do.
 */
final class BundleSource {
  static final String WITNESSED_SUFFIX = ".witnessed";
  /** Files looked at in a bundles folder, newest first, before giving up. */
  static final int FILES_MAX = 100_000;

  private final String fleetId;
  private final Optional<Path> where;

  BundleSource(String fleetId, Optional<Path> where) {
    this.fleetId = fleetId;
    this.where = where;
  }

  HttpReply reply() {
    try {
      Optional<byte[]> bundle = find();
      return bundle.isEmpty() ? HttpReply.text(404, "no witnessed bundle of fleet " + fleetId + " is published")
          : new HttpReply(200, HttpReply.TEXT, bundle.get(), Map.of("Cache-Control", "no-cache"));
    } catch (IOException e) {
      return HttpReply.text(500, "cannot read the bundle: " + e.getMessage());
    }
  }

  private Optional<byte[]> find() throws IOException {
    if (where.isEmpty() || !Files.exists(where.get())) {
      return Optional.empty();
    }
    Path path = where.get();
    if (!Files.isDirectory(path)) {
      return Optional.of(read(path));
    }
    List<Path> files;
    try (Stream<Path> entries = Files.list(path)) {
      files = entries.filter(p -> epoch(p) > 0).limit(FILES_MAX)
          .sorted(Comparator.comparingLong(BundleSource::epoch).reversed()).toList();
    }
    for (Path file : files) {
      byte[] bytes = read(file);
      try {
        if (WitnessedBundle.parse(bytes).bundle().fleetId().equals(fleetId)) {
          return Optional.of(bytes);
        }
      } catch (BundleFormatException e) {
        // Not a witnessed bundle: an older epoch may still be this fleet's.
      }
    }
    return Optional.empty();
  }

  private static byte[] read(Path file) throws IOException {
    if (Files.size(file) > WitnessedBundle.WITNESSED_BYTES_MAX) {
      throw new IOException(file + " is longer than " + WitnessedBundle.WITNESSED_BYTES_MAX + " bytes");
    }
    return Files.readAllBytes(file);
  }

  private static long epoch(Path file) {
    String name = file.getFileName().toString();
    if (!name.endsWith(WITNESSED_SUFFIX)) {
      return -1;
    }
    String digits = name.substring(0, name.length() - WITNESSED_SUFFIX.length());
    return digits.matches("[1-9][0-9]{0,17}") ? Long.parseLong(digits) : -1;
  }
}
