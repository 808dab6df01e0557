package dev.bkv.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The interchange JSON reader: round trips, and strict rejection of malformed input. */
class JsonTest {
  @Test
  void parsesNestedValuesAndRoundTrips() {
    String text = "{\"a\":[1,-2,3.5,true,false,null],\"b\":{\"s\":\"x\\ny\\u0041\"}}";
    Map<String, Object> object = Json.parseObject(text);
    List<?> a = (List<?>) object.get("a");
    assertEquals(BigInteger.ONE, a.get(0));
    assertEquals(BigInteger.valueOf(-2), a.get(1));
    assertEquals(3.5, a.get(2));
    assertEquals(Json.NULL, a.get(5));
    assertEquals("x\nyA", ((Map<?, ?>) object.get("b")).get("s"));
    assertEquals(object, Json.parseObject(Json.write(object)));
  }

  @Test
  void rejectsMalformedInputNamingTheOffset() {
    assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\":1,}"));
    assertThrows(Json.ParseException.class, () -> Json.parse("[1 2]"));
    assertThrows(Json.ParseException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
    assertThrows(Json.ParseException.class, () -> Json.parse("\"unterminated"));
    assertThrows(Json.ParseException.class, () -> Json.parse("1 2"));
    Json.ParseException e = assertThrows(Json.ParseException.class, () -> Json.parse("[tru]"));
    assertEquals("expected true at offset 1", e.getMessage());
  }

  @Test
  void rejectsNestingBeyondTheLimit() {
    String deep = "[".repeat(Json.DEPTH_MAX + 2) + "]".repeat(Json.DEPTH_MAX + 2);
    assertThrows(Json.ParseException.class, () -> Json.parse(deep));
    String ok = "[".repeat(Json.DEPTH_MAX) + "]".repeat(Json.DEPTH_MAX);
    Json.parse(ok);
  }
}
