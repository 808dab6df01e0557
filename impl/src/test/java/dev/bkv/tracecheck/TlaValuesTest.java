package dev.bkv.tracecheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tlc2.value.impl.BoolValue;
import tlc2.value.impl.IntValue;
import tlc2.value.impl.RecordValue;
import tlc2.value.impl.StringValue;
import tlc2.value.impl.TupleValue;
import tlc2.value.impl.Value;
import util.UniqueString;

/** JSON maps onto TLA+ values as TraceIO.tla documents; what TLA+ cannot hold is rejected by path. */
class TlaValuesTest {
  @TempDir Path tmp;

  @Test
  void mapsEachJsonTypeToItsTlaValue() {
    Value v = TlaValues.of(Json.parse("{\"a\": [1, -2], \"s\": \"x\", \"b\": true, \"r\": {}}"), "$");
    RecordValue record = (RecordValue) v;
    TupleValue a = (TupleValue) record.select(new StringValue("a"));
    assertEquals(IntValue.gen(1), a.elems[0]);
    assertEquals(IntValue.gen(-2), a.elems[1]);
    assertEquals(new StringValue("x"), record.select(new StringValue("s")));
    assertEquals(BoolValue.ValTrue, record.select(new StringValue("b")));
    assertTrue(record.select(new StringValue("r")) instanceof RecordValue);
    assertEquals(UniqueString.uniqueStringOf("a"), record.names[0]);
  }

  @Test
  void rejectsWhatTlaCannotHoldNamingThePath() {
    assertEquals("$.a[1]: integer 2147483648 is outside TLC's 32-bit range", assertThrows(TraceFormatException.class,
        () -> TlaValues.of(Json.parse("{\"a\": [0, 2147483648]}"), "$")).getMessage());
    assertEquals("$.n: null has no TLA+ value", assertThrows(TraceFormatException.class,
        () -> TlaValues.of(Json.parse("{\"n\": null}"), "$")).getMessage());
    assertEquals("$[0]: 1.5 is not an integer (TLA+ has no fractions)", assertThrows(TraceFormatException.class,
        () -> TlaValues.of(Json.parse("[1.5]"), "$")).getMessage());
  }

  @Test
  void readsTracesFromJsonAndNdjsonFiles() throws Exception {
    Path json = tmp.resolve("t.json");
    Files.writeString(json, "[[{\"x\": 1}], [{\"x\": 2}, {\"x\": 3}]]");
    TupleValue traces = TraceFiles.readTraces(json);
    assertEquals(2, traces.size());
    assertEquals(2, ((TupleValue) traces.elems[1]).size());
    Path ndjson = tmp.resolve("t.ndjson");
    Files.writeString(ndjson, "{\"x\": 1}\n\n{\"x\": 2}\n");
    TupleValue one = TraceFiles.readTraces(ndjson);
    assertEquals(1, one.size());
    assertEquals(2, ((TupleValue) one.elems[0]).size(), "blank lines are skipped");
  }

  @Test
  void rejectsFilesThatAreNotTraces() throws Exception {
    Path notArray = tmp.resolve("o.json");
    Files.writeString(notArray, "{\"x\": 1}");
    assertTrue(assertThrows(TraceFormatException.class, () -> TraceFiles.readTraces(notArray)).getMessage()
        .endsWith("o.json: $ must be an array of traces"));
    Path flat = tmp.resolve("f.json");
    Files.writeString(flat, "[{\"x\": 1}]");
    assertTrue(assertThrows(TraceFormatException.class, () -> TraceFiles.readTraces(flat)).getMessage()
        .endsWith("f.json: $[0] must be an array of events"));
    Path bad = tmp.resolve("b.ndjson");
    Files.writeString(bad, "{\"x\": 1}\n{\"x\": }\n");
    assertTrue(assertThrows(TraceFormatException.class, () -> TraceFiles.readTraces(bad)).getMessage()
        .contains("b.ndjson line 2: not valid JSON"));
    Path other = tmp.resolve("t.txt");
    Files.writeString(other, "[]");
    assertTrue(assertThrows(TraceFormatException.class, () -> TraceFiles.readTraces(other)).getMessage()
        .endsWith("a trace file ends in .json or .ndjson"));
  }
}
