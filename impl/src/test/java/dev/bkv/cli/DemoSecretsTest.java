package dev.bkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Hex;
import dev.bkv.crypto.Sha256;
import dev.bkv.testsupport.RecordingRandom;
import dev.bkv.testsupport.SecretLeaks;
import dev.bkv.testsupport.SecretLeaks.Secret;
import dev.bkv.testsupport.SoftHsmKeyFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Goal: no secret the demo handles reaches anything it prints. Method: run {@code bkv demo}
 * in-process with a recording random source and {@code --keep}; the secrets are every random
 * byte string of 16 bytes or more it drew (backup keys, HSM identity and sealing keys, the
 * fleets' OPRF seeds and OPAQUE private keys, witness and operator keys, blinds, nonces), the
 * users' passwords, and the keys each SoftHsm key file of the kept workspace holds (the fleet
 * secrets an HSM imported in the key ceremony, which no random draw of this process made).
 * Every line of standard output and error (the command's own, stack traces of the in-process
 * nodes, the exception message that ends a failing step) is searched for each of them in hex,
 * base64, decimal and text, and so is every file of the kept workspace but those written as
 * secrets (owner-only: the HSM key files, the vendor root key, the note signing keys), and every
 * file of the transparency page it writes.
 */
class DemoSecretsTest {
  private static final Pattern BACKUP_KEY_DIGEST = Pattern.compile("registered a random backup key \\(sha256 ([0-9a-f]{16})\\.\\.\\.\\)");

  @TempDir Path dir;

  /** Everything the run printed: the command's writers, and System.out and System.err (where the in-process nodes write). */
  private record Printed(int exit, String text) {}

  private static Printed runCapturing(DemoCommand demo, String... options) {
    StringWriter writers = new StringWriter();
    PrintStream savedOut = System.out;
    PrintStream savedErr = System.err;
    ByteArrayOutputStream streams = new ByteArrayOutputStream();
    try {
      PrintStream both = new PrintStream(streams, true, StandardCharsets.UTF_8);
      System.setOut(both);
      System.setErr(both);
      CommandLine commandLine = new CommandLine(demo);
      commandLine.setOut(new PrintWriter(writers, true));
      commandLine.setErr(new PrintWriter(writers, true));
      String[] args = DemoCommandTest.with(options);
      int exit = commandLine.execute(Arrays.copyOfRange(args, 1, args.length));
      return new Printed(exit, writers + "\n" + streams.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(savedOut);
      System.setErr(savedErr);
    }
  }

  @Test
  void no_password_backup_key_or_hsm_key_of_the_demo_is_ever_printed_or_written_outside_its_key_file() throws Exception {
    RecordingRandom random = new RecordingRandom();
    DemoCommand demo = new DemoCommand();
    demo.random = random;
    Path kept = dir.resolve("kept");
    Path site = dir.resolve("site");
    Printed run = runCapturing(demo, "--max-attempts", "2", "--keep", kept.toString(), "--site", site.toString());
    assertEquals(0, run.exit(), run.text());

    List<Secret> secrets = new ArrayList<>();
    secrets.add(Secret.text("alice's password", DemoStory.PASSWORD_TEXT));
    secrets.add(Secret.text("bob's password", DemoStory.SECOND_PASSWORD_TEXT));
    List<byte[]> draws = random.draws();
    secrets.addAll(random.asSecrets("demo random"));
    // The scan is not vacuous: the backup key the story printed the digest of is among the draws.
    Matcher digest = BACKUP_KEY_DIGEST.matcher(run.text());
    assertTrue(digest.find(), run.text());
    assertTrue(draws.stream().anyMatch(d -> Hex.encode(Sha256.hash(d)).startsWith(digest.group(1))),
        "the backup key is one of the " + draws.size() + " recorded draws");
    List<Path> keyFiles = SoftHsmKeyFiles.find(kept);
    assertTrue(keyFiles.size() >= 2 * DemoStory.HSMS, "the fleets' HSM key files are kept: " + keyFiles);
    secrets.addAll(SoftHsmKeyFiles.secrets(kept));

    SecretLeaks.assertNoLeak("the demo's output", run.text(), secrets);
    // Files written as secrets (owner-only, as AtomicFile.writeSecret makes them) are key stores
    // by design; each must hold a secret the test knows, which also shows the file scan finds them.
    int scanned = 0;
    List<String> leaks = new ArrayList<>();
    List<String> keyStores = new ArrayList<>();
    for (Path file : files(kept)) {
      String name = kept.relativize(file).toString();
      String contents = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      if (ownerOnly(file)) {
        assertTrue(SecretLeaks.find(contents, secrets).isPresent(), name + " is written as a secret but holds none of ours");
        keyStores.add(name);
      } else {
        SecretLeaks.find(contents, secrets).ifPresent(leak -> leaks.add(name + ": " + leak));
        scanned++;
      }
    }
    // The transparency page is published: it must hold no secret either.
    List<Path> pageFiles = files(site);
    assertEquals(4, pageFiles.size(), "the page's files: " + pageFiles);
    for (Path file : pageFiles) {
      SecretLeaks.find(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1), secrets)
          .ifPresent(leak -> leaks.add("site/" + file.getFileName() + ": " + leak));
    }
    assertEquals(List.of(), leaks, "files not written as secrets that hold one");
    assertTrue(scanned > 20, "the workspace's files were scanned: " + scanned);
    assertTrue(keyStores.stream().anyMatch(n -> n.endsWith("vendor/root.key")), "key stores: " + keyStores);
    assertTrue(keyStores.stream().anyMatch(n -> n.endsWith(".skey")), "key stores: " + keyStores);
    System.out.println("demo: no secret printed or written: " + secrets.size() + " secrets (" + draws.size()
        + " random draws, " + keyFiles.size() + " HSM key files) searched in " + run.text().lines().count()
        + " output lines and " + scanned + " files; " + keyStores.size() + " owner-only key stores hold them");
  }

  private static boolean ownerOnly(Path file) throws IOException {
    return Files.getPosixFilePermissions(file).equals(PosixFilePermissions.fromString("rw-------"));
  }

  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
  }
}
