package dev.bkv.hsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pkcs11Hsm on a throwaway SoftHSM2 token. SoftHSM2 takes its configuration from the
 * SOFTHSM2_CONF environment variable when the module loads, and a JVM cannot change its own
 * environment, so the checks run in child JVMs ({@link Pkcs11HsmScenario}) started with
 * SOFTHSM2_CONF pointing at a temporary config and token directory. Two children in turn
 * are the same HSM before and after a process restart. Skips, visibly, without SoftHSM2.
 */
class Pkcs11HsmTest {
  static final String PIN = "1234";
  @TempDir Path dir;

  @Test
  void keys_in_a_softhsm2_token_sign_seal_survive_a_restart_and_zeroize_on_tamper() throws Exception {
    Optional<Path> tool = onPath("softhsm2-util");
    Optional<Path> module = Pkcs11Hsm.findSoftHsm2Module();
    if (tool.isEmpty() || module.isEmpty()) {
      System.out.println("[pkcs11] SKIPPED: SoftHSM2 not installed (softhsm2-util " + tool.map(Path::toString).orElse("missing")
          + ", module " + module.map(Path::toString).orElse("missing") + "); CI installs it with apt-get install softhsm2");
    }
    assumeTrue(tool.isPresent() && module.isPresent(), "SoftHSM2 not installed");
    Path tokens = Files.createDirectories(dir.resolve("tokens"));
    Path conf = dir.resolve("softhsm2.conf");
    Files.writeString(conf, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n");
    String init = run(List.of(tool.get().toString(), "--init-token", "--free", "--label", "bkv-test",
        "--pin", PIN, "--so-pin", "56781234"), conf);
    Matcher slot = Pattern.compile("reassigned to slot (\\d+)").matcher(init);
    assertTrue(slot.find(), "softhsm2-util names the new token's slot: " + init);
    Path state = Files.createDirectories(dir.resolve("state"));
    for (String phase : new String[] {"first", "second"}) {
      String output = run(List.of(javaBinary(), "-cp", System.getProperty("java.class.path"),
          Pkcs11HsmScenario.class.getName(), phase, module.get().toString(), slot.group(1), PIN, state.toString()), conf);
      System.out.print(output.lines().map(l -> "[pkcs11 " + phase + "] " + l + "\n").reduce("", String::concat));
      assertFalse(output.contains("FAIL"), output);
      assertTrue(output.lines().filter(l -> l.startsWith("OK ")).count() >= 6, output);
    }
  }

  private static String run(List<String> command, Path conf) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("SOFTHSM2_CONF", conf.toString());
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), "timed out: " + command);
    assertEquals(0, process.exitValue(), String.join(" ", command) + "\n" + output);
    return output;
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Optional<Path> onPath(String name) {
    for (String entry : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(entry, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
