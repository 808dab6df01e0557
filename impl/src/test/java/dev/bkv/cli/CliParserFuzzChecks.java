package dev.bkv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import dev.bkv.tlog.FormatException;
import java.nio.charset.StandardCharsets;

/**
 * What the text fuzz target ({@code dev.bkv.client.TextFormatsFuzzTest}) checks of the
 * operator CLI's parsers, which are package-private: this class is their only door from
 * outside the package, and it opens onto the checks, not onto the parsers.
 */
public final class CliParserFuzzChecks {
  private CliParserFuzzChecks() {}

  /**
   * A frontend's status JSON, from an untrusted host: refused with an IllegalArgumentException
   * naming the field (a JSON syntax error names its position), or a table whose rendering
   * holds no byte a terminal would interpret and whose verdict is computed without failing.
   */
  public static void fleetStatusTable(byte[] input) {
    FleetStatusTable table;
    try {
      table = FleetStatusTable.parse(new String(input, StandardCharsets.UTF_8));
    } catch (Json.ParseException expected) {
      return;
    } catch (IllegalArgumentException refused) {
      assertTrue(refused.getMessage().startsWith("status JSON"), refused.getMessage());
      return;
    }
    assertNotNull(table.problem());
    assertNotNull(table.leader());
    String rendered = table.render();
    for (int i = 0; i < rendered.length(); i++) {
      char c = rendered.charAt(i);
      assertTrue(c == '\n' || (c >= 0x20 && c < 0x7f), "rendered a control or non-ASCII character " + (int) c);
    }
  }

  /**
   * The witness's three vkey lines given to {@code bkv fleet publish}: refused with a
   * FormatException, or keys whose canonical text (the lines pinned in the workspace) parses
   * back to itself.
   */
  public static void witnessKeys(byte[] input) {
    FleetPublishCommand.WitnessKeys keys;
    try {
      keys = FleetPublishCommand.parseWitnessKeys(new String(input, StandardCharsets.UTF_8));
    } catch (FormatException refused) {
      assertNotNull(refused.getMessage());
      return;
    }
    try {
      FleetPublishCommand.WitnessKeys again = FleetPublishCommand.parseWitnessKeys(keys.text());
      assertEquals(keys.text(), again.text(), "the pinned text is not a fixed point");
      assertEquals(keys.bundleKey().vkey(), again.bundleKey().vkey());
      assertEquals(keys.logKey().vkey(), again.logKey().vkey());
    } catch (FormatException e) {
      throw new AssertionError("the pinned text of accepted keys is refused: " + e.getMessage(), e);
    }
  }
}
