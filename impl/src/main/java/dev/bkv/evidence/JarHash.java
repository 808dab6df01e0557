package dev.bkv.evidence;

import dev.bkv.crypto.Sha256;
import dev.bkv.crypto.Sha256Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The SHA-256 of the vault jar, which every HSM's deployment statement names. The build is
 * reproducible ({@code project.build.outputTimestamp} is fixed), so anyone who rebuilds the
 * same commit gets the same jar and can compare this hash with the evidence.
 */
public final class JarHash {
  /** Longer files are refused unread; the vault jar is well under 1 MiB. */
  public static final long JAR_BYTES_MAX = 256L * 1024 * 1024;
  private static final int BUFFER_BYTES = 64 * 1024;

  private JarHash() {}

  /** SHA-256 of the file at {@code jar}, read in a bounded stream. */
  public static Sha256Digest of(Path jar) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException(jar + " is not a file");
    }
    long size = Files.size(jar);
    if (size > JAR_BYTES_MAX) {
      throw new IOException(jar + " is " + size + " bytes, more than " + JAR_BYTES_MAX);
    }
    MessageDigest digest = Sha256.newDigest();
    try (InputStream in = Files.newInputStream(jar)) {
      byte[] buffer = new byte[BUFFER_BYTES];
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        digest.update(buffer, 0, read);
      }
    }
    return new Sha256Digest(digest.digest());
  }

  /**
   * The jar this code runs from ({@code impl/target/bkv-impl.jar} when started by {@code ./bkv}),
   * or empty when it runs from a classes directory (tests, IDEs).
   */
  public static Optional<Path> runningJar() {
    CodeSource source = JarHash.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Optional.empty();
    }
    try {
      Path location = Path.of(source.getLocation().toURI());
      return Files.isRegularFile(location) && location.getFileName().toString().endsWith(".jar")
          ? Optional.of(location) : Optional.empty();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** {@code explicit} if given, else the running jar; an error message names what to do otherwise. */
  public static Path locate(Optional<Path> explicit) throws IOException {
    if (explicit.isPresent()) {
      return explicit.get();
    }
    return runningJar().orElseThrow(() -> new IOException(
        "the running code is not a jar (it runs from a classes directory); give the vault jar with --jar"));
  }
}
