package dev.bkv.base;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The strict line reader behind BKV's text formats: structure, limits, and exact values. */
class LineCursorTest {
  static final class Bad extends Exception {
    Bad(String message) {
      super(message);
    }
  }

  private static LineCursor<Bad> open(String text, int linesMax) throws Bad {
    return LineCursor.open(text.getBytes(StandardCharsets.ISO_8859_1), linesMax, Bad::new, m -> new Bad("encoding: " + m));
  }

  @Test
  void lines_are_read_in_order_and_every_line_must_be_consumed() throws Bad {
    LineCursor<Bad> in = open("head\nname value with spaces\nlast 1\n", 3);
    in.expectLine("head");
    assertTrue(in.peek("name"));
    assertEquals("value with spaces", in.value("name"));
    assertEquals(3, in.lineNumber());
    assertThrows(Bad.class, in::expectEnd);
    assertThrows(Bad.class, () -> in.value("other"));
    assertEquals("1", in.value("last"));
    in.expectEnd();
    assertThrows(Bad.class, in::next);
  }

  @Test
  void the_text_is_printable_ascii_lines_with_a_final_newline_and_no_empty_line() {
    for (String bad : new String[] {"", "a", "a\n\nb\n", "a\r\n", "\u00e9\n", "a\tb\n", "a\n\n"}) {
      assertTrue(assertThrows(Bad.class, () -> open(bad, 10)).getMessage().startsWith("encoding"), bad);
    }
    assertTrue(assertThrows(Bad.class, () -> open("a\nb\nc\n", 2)).getMessage().contains("more than 2 lines"));
    assertThrows(Bad.class, () -> open("name \n", 2).value("name"));
  }

  @Test
  void values_are_exact() {
    assertArrayEquals(new byte[] {0x0a, (byte) 0xff}, LineCursor.lowerHex("0aff", 2));
    assertNull(LineCursor.lowerHex("0AFF", 2));
    assertNull(LineCursor.lowerHex("0aff", 3));
    assertNull(LineCursor.lowerHex("0g", 1));
    assertEquals(0, LineCursor.decimal("0"));
    assertEquals(Long.MAX_VALUE, LineCursor.decimal("9223372036854775807"));
    for (String bad : new String[] {"", "01", "-1", "+1", "9223372036854775808", "1 ", "1e3"}) {
      assertEquals(-1, LineCursor.decimal(bad), bad);
    }
    assertArrayEquals(new byte[] {1, 2, 3}, LineCursor.canonicalBase64("AQID", 3));
    assertNull(LineCursor.canonicalBase64("AQI", 3), "unpadded");
    assertNull(LineCursor.canonicalBase64("AQJ=", 3), "non-zero trailing bits");
    assertNull(LineCursor.canonicalBase64("AQIDBA==", 3), "over the limit");
  }
}
