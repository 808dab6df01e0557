package dev.bkv.fleet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.crypto.Sha256Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fleet configuration text: one encoding per fleet, and each rule refused with a reason. */
class FleetConfigTest {
  static FleetConfig config() {
    List<FleetMember> members = BundleFixtures.members("fleet-1", 5, 3).stream().map(m -> m.member()).toList();
    return new FleetConfig(BundleFixtures.NAMESPACE, "fleet-1", List.of("dc-1", "dc-2", "dc-3"), members);
  }

  private static String refusal(String text) {
    return assertThrows(FleetFormatException.class, () -> FleetConfig.parse(text.getBytes(StandardCharsets.ISO_8859_1)))
        .getMessage();
  }

  @Test
  void a_config_re_encodes_to_the_same_bytes() throws Exception {
    FleetConfig config = config();
    assertEquals(config, FleetConfig.parse(config.textBytes()));
    assertArrayEquals(config.textBytes(), FleetConfig.parse(config.textBytes()).textBytes());
    assertEquals(3, config.quorum());
    assertEquals(Sha256Digest.of(config.textBytes()), config.digest());
    assertTrue(config.text().endsWith("quorum 3 of 5\n"));
  }

  @Test
  void every_rule_is_refused_by_name() throws Exception {
    String t = config().text();
    List<String> hsmLines = t.lines().filter(l -> l.startsWith("hsm ")).toList();
    assertTrue(refusal(t.replace("fleet-config@v1", "fleet-config@v2")).contains("line 1"));
    assertTrue(refusal(t.replace("quorum 3 of 5", "quorum 2 of 5")).contains("quorum must read \"3 of 5\""));
    assertTrue(refusal(t.replace(hsmLines.get(0) + "\n" + hsmLines.get(1), hsmLines.get(1) + "\n" + hsmLines.get(0)))
        .contains("increasing id order"));
    assertTrue(refusal(t.replace(hsmLines.get(0), hsmLines.get(0).replaceFirst(" dc-[0-9]", " dc-9"))).contains("undeclared"));
    assertTrue(refusal(t.replace("datacenter dc-3\n", "datacenter dc-3\ndatacenter dc-4\n")).contains("hosts no HSM"));
    assertTrue(refusal(t.replace("datacenter dc-3\n", "datacenter dc-2\n")).contains("declared twice"));
    assertTrue(refusal(t.replace("fleet-id fleet-1", "fleet-id fleet 1")).contains("fleet id"));
    assertTrue(refusal(t.replace(hsmLines.get(2), hsmLines.get(2).toUpperCase(java.util.Locale.ROOT).replace("HSM ", "hsm ")
        .replace(" DC-", " dc-"))).contains("32 lower-case hex"));
    String allInOne = t;
    for (String line : hsmLines) {
      allInOne = allInOne.replace(line, line.replaceFirst(" dc-[0-9]$", " dc-1"));
    }
    assertTrue(refusal(allInOne.replace("datacenter dc-2\ndatacenter dc-3\n", "")).contains("G2"));
    assertTrue(refusal(t + "extra\n").contains("unexpected line"));
    assertTrue(refusal("x".repeat(FleetConfig.TEXT_BYTES_MAX + 1)).contains("exceeds"));
  }

  @Test
  void constructing_checks_the_same_rules() {
    List<FleetMember> members = new ArrayList<>(config().members());
    java.util.Collections.reverse(members);
    assertThrows(IllegalArgumentException.class,
        () -> new FleetConfig(BundleFixtures.NAMESPACE, "fleet-1", List.of("dc-1", "dc-2", "dc-3"), members));
    assertThrows(IllegalArgumentException.class,
        () -> new FleetConfig(BundleFixtures.NAMESPACE, "fleet-1", List.of(), config().members()));
  }

  @Test
  void the_transcript_context_is_the_digest_of_what_was_recorded() throws Exception {
    CeremonyTranscript transcript = CeremonyTranscript.begin();
    transcript.record(CeremonyTranscript.TIME, "1767225600");
    assertEquals(Sha256Digest.of("bkv.dev/ceremony-transcript@v1\ntime 1767225600\n".getBytes(StandardCharsets.US_ASCII)),
        transcript.contextDigest());
    assertThrows(IllegalArgumentException.class, () -> transcript.record(CeremonyTranscript.TIME, "two words"));
    assertEquals(transcript.lines(), CeremonyTranscript.parse(transcript.bytes()).lines());
    assertThrows(FleetFormatException.class, () -> CeremonyTranscript.parse("bkv.dev/ceremony-transcript@v1\ntime  1\n"
        .getBytes(StandardCharsets.US_ASCII)));
  }
}
