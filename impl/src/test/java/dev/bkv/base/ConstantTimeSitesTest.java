package dev.bkv.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Goal: secrets are compared in constant time. Method: read the sources of the packages that
 * handle MACs, tags, keys and sealed data; every early-exit array comparison there
 * ({@code Arrays.equals}, {@code compare}, {@code mismatch}) must be one of the listed sites,
 * each of which compares public bytes (the reason is given), and each known secret
 * comparison site must still go through {@link Bytes#constantTimeEquals} (or a method built
 * on it). The scan is checked on a planted line, so it cannot pass by seeing nothing.
 */
class ConstantTimeSitesTest {
  private static final List<String> PACKAGES = List.of("crypto", "hsm", "vault", "client", "firmware");
  private static final Pattern EARLY_EXIT = Pattern.compile("Arrays\\.(equals|compare|compareUnsigned|mismatch)\\(");

  /** Early-exit comparisons of public bytes: file, the line as written, and why it may exit early. */
  private static final Map<String, String> PUBLIC_COMPARISONS = new TreeMap<>(Map.of(
      "crypto/Aes256Gcm.java: if (Arrays.equals(iv, keyed.lastSealNonce)) {",
      "a nonce, which travels in the clear next to its ciphertext",
      "crypto/P256Spki.java: if (!Arrays.equals(spki.getEncoded(ASN1Encoding.DER), der)) {",
      "a public key's canonical DER",
      "crypto/opaque/CredentialIdentifier.java: return other instanceof CredentialIdentifier && Arrays.equals(((CredentialIdentifier) other).bytes, bytes);",
      "a user's public identifier",
      "hsm/TransportOffer.java: if (!Arrays.equals(offer.encode(), encoded)) {",
      "the canonical form of a public, signed offer",
      "hsm/WrappedFleetSecrets.java: if (!Arrays.equals(wrapped.encode(), encoded)) {",
      "the canonical form of a signed header and ciphertext",
      "hsm/SoftHsm.java: || !Arrays.equals(Arrays.copyOf(bytes, KEY_FILE_MAGIC.length), KEY_FILE_MAGIC)",
      "a file's magic",
      "vault/VaultState.java: static final Comparator<RegistrationId> ID_ORDER = (a, b) -> Arrays.compareUnsigned(a.toBytes(), b.toBytes());",
      "the order of public registration ids",
      "vault/UserId.java: return Arrays.compareUnsigned(bytes, other.bytes);",
      "the order of public user ids",
      "vault/UserId.java: return other instanceof UserId && Arrays.equals(bytes, ((UserId) other).bytes);",
      "public user ids"));

  /** The secret comparisons: file and the constant-time call it must contain. */
  private static final Map<String, String> SECRET_COMPARISONS = new TreeMap<>(Map.of(
      "crypto/HmacSha256.java", "Bytes.constantTimeEquals(mac(key, message), tag)",
      "crypto/opaque/Mac.java", "Bytes.constantTimeEquals(unsafeBytes(), other.unsafeBytes())",
      "crypto/opaque/ThreeDh.java", "ke2.authResponse().serverMac().constantTimeEquals(expectedServerMac)",
      "crypto/opaque/OpaqueServer.java", "ke3.clientMac().constantTimeEquals(state.expectedClientMac())",
      "crypto/opaque/EnvelopeCrypto.java", "envelope.authTag().constantTimeEquals(expectedTag)",
      "hsm/VaultProtocol.java", "Bytes.constantTimeEquals(confirmation(session, outcome, userId), tag)",
      "vault/VaultRecord.java", "Bytes.constantTimeEquals(registrationRecord, other)",
      "crypto/opaque/SessionKey.java", "Bytes.constantTimeEquals(unsafeBytes(), other.unsafeBytes())",
      "crypto/opaque/ExportKey.java", "Bytes.constantTimeEquals(unsafeBytes(), other.unsafeBytes())"));

  private static Path sourceRoot() {
    return Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("src/main/java/dev/bkv");
  }

  /** The early-exit comparisons in one file, as "path: trimmed line". */
  static List<String> earlyExitComparisons(String path, String source) {
    List<String> found = new ArrayList<>();
    for (String line : source.split("\n")) {
      if (EARLY_EXIT.matcher(line).find()) {
        found.add(path + ": " + line.strip());
      }
    }
    return found;
  }

  @Test
  void every_early_exit_comparison_is_a_listed_comparison_of_public_bytes() throws IOException {
    Path root = sourceRoot();
    List<String> found = new ArrayList<>();
    for (String pkg : PACKAGES) {
      try (Stream<Path> files = Files.walk(root.resolve(pkg))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
          String path = root.relativize(file).toString().replace('\\', '/');
          found.addAll(earlyExitComparisons(path, Files.readString(file)));
        }
      }
    }
    assertEquals(new ArrayList<>(PUBLIC_COMPARISONS.keySet()), found.stream().sorted().toList(),
        "an Arrays comparison in a package that handles secrets: use Bytes.constantTimeEquals, or list it with why");
  }

  @Test
  void every_known_secret_comparison_is_constant_time() throws IOException {
    Path root = sourceRoot();
    for (Map.Entry<String, String> site : SECRET_COMPARISONS.entrySet()) {
      String source = Files.readString(root.resolve(site.getKey()));
      assertTrue(source.contains(site.getValue()), site.getKey() + " compares with " + site.getValue());
    }
    assertTrue(Files.readString(root.resolve("base/Bytes.java")).contains("return MessageDigest.isEqual(a, b);"));
  }

  @Test
  void the_scan_finds_a_planted_early_exit_comparison() {
    String planted = "class X {\n  boolean ok(byte[] tag, byte[] expected) {\n    return java.util.Arrays.equals(tag, expected);\n  }\n}\n";
    assertEquals(List.of("hsm/X.java: return java.util.Arrays.equals(tag, expected);"),
        earlyExitComparisons("hsm/X.java", planted));
    assertEquals(List.of(), earlyExitComparisons("hsm/Y.java", "return Bytes.constantTimeEquals(tag, expected);\n"));
  }
}
