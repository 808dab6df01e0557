package dev.bkv.site;

import dev.bkv.base.Folders;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes a site's files into a folder so that a reader never finds half a site: the files are
 * written into a staging folder beside the target, which then takes the target's place. The
 * target must be absent, empty, or a site written here before (it holds {@link #MARKER});
 * anything else is refused rather than replaced.
 */
final class SiteFolder {
  /** The file that says a folder is a site this command may replace. */
  static final String MARKER = ".bkv-site";
  /** The page's fixed files, from this package's resources. */
  static final List<String> STATIC_FILES = List.of("site.css", "verify.js");

  private SiteFolder() {}

  /** Writes {@code index.html} and the static files into {@code out}; returns the page's path. */
  static Path write(Path out, String indexHtml) throws IOException {
    Path target = out.toAbsolutePath().normalize();
    checkReplaceable(target);
    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path staging = parent.resolve(target.getFileName() + ".staging-" + UUID.randomUUID());
    try {
      Files.createDirectory(staging);
      Files.writeString(staging.resolve("index.html"), indexHtml, StandardCharsets.UTF_8);
      for (String name : STATIC_FILES) {
        Files.write(staging.resolve(name), resource(name));
      }
      Files.writeString(staging.resolve(MARKER), "written by bkv site; bkv site may replace this folder\n");
      replace(target, staging);
    } catch (IOException | RuntimeException e) {
      Folders.deleteTree(staging);
      throw e;
    }
    return target.resolve("index.html");
  }

  static void checkReplaceable(Path target) throws IOException {
    if (!Files.exists(target)) {
      return;
    }
    if (!Files.isDirectory(target)) {
      throw new IllegalArgumentException(target + " exists and is not a folder");
    }
    try (Stream<Path> list = Files.list(target)) {
      if (list.findAny().isPresent() && !Files.isRegularFile(target.resolve(MARKER))) {
        throw new IllegalArgumentException(target + " is not empty and was not written by bkv site; give another --out");
      }
    }
  }

  /** The old site moves aside before the new one moves in, and is removed only after. */
  private static void replace(Path target, Path staging) throws IOException {
    if (!Files.exists(target)) {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    Path old = target.resolveSibling(target.getFileName() + ".old-" + UUID.randomUUID());
    Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
      throw e;
    }
    Folders.deleteTree(old);
  }

  static byte[] resource(String name) {
    try (InputStream in = SiteFolder.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("the site resource " + name + " is missing from the build");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
