package dev.bkv.tracecheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Goal: node trace files merge into one trace in clock order, with fleet-wide registration numbers and every user. */
class NodeTraceMergeTest {
  @TempDir Path dir;

  private static final String HEADER0 = "{\"format\":\"bkv-node-trace/1\",\"t\":1,\"fleet\":\"f\",\"node\":0}";
  private static final String HEADER1 = "{\"format\":\"bkv-node-trace/1\",\"t\":1,\"fleet\":\"f\",\"node\":1}";

  private static String event(long t, int node, String action, String reg) {
    return "{\"t\":" + t + ",\"action\":\"" + action + "\",\"node\":" + node
        + ",\"cmd\":{\"op\":\"Guess\",\"user\":\"alice\"},\"post\":{\"vault\":{\"alice\":{\"reg\":\"" + reg
        + "\",\"phase\":\"Exposed\",\"used\":1}}}}";
  }

  private Path file(String name, String... lines) throws Exception {
    return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
  }

  @Test
  void eventsMergeByClock_registrationsAreNumberedAcrossNodes_andEveryUserIsShown() throws Exception {
    Path a = file("a", HEADER0, event(30, 0, "ClientGuess", "bb"), event(10, 0, "ClientGuess", "aa"));
    // Node 1 was killed mid-line, restarted (a new header) and went on.
    Path b = file("b", HEADER1, event(20, 1, "ClientGuess", "bb"), "{\"t\":25,\"act", HEADER1,
        event(40, 1, "ClientGuess", "aa"));
    NodeTraceMerge.Merged merged = NodeTraceMerge.merge(List.of(a, b), 2, List.of(List.of(0), List.of(1)),
        List.of("alice", "bob"), List.of(new NodeTraceMerge.ClientOp("alice", 0, 25, false),
            new NodeTraceMerge.ClientOp("alice", 26, 50, true)));
    assertEquals(4, merged.events());
    assertEquals(1, merged.truncatedLines());
    List<?> trace = (List<?>) Json.parse(merged.traceJson());
    assertEquals("Init", ((Map<?, ?>) trace.get(0)).get("action"));
    List<Object> regs = new ArrayList<>();
    List<Object> nodes = new ArrayList<>();
    List<Object> right = new ArrayList<>();
    for (Object e : trace.subList(1, trace.size())) {
      Map<?, ?> event = (Map<?, ?>) e;
      Map<?, ?> vault = (Map<?, ?>) ((Map<?, ?>) event.get("post")).get("vault");
      assertEquals(List.of("alice", "bob"), List.copyOf(vault.keySet()), "every user, in the header's order");
      assertEquals("None", ((Map<?, ?>) vault.get("bob")).get("phase"));
      regs.add(((Map<?, ?>) vault.get("alice")).get("reg").toString());
      nodes.add(event.get("node").toString());
      right.add(event.get("right"));
    }
    assertEquals(List.of("0", "1", "0", "1"), nodes, "clock order across the files");
    assertEquals(List.of("1", "2", "2", "1"), regs, "numbered by first appearance in the merged order");
    assertEquals(List.of(false, false, true, true), right, "each guess takes its client operation's rightness");
  }

  @Test
  void whatCannotBeCheckedIsRefusedWithItsPlace() throws Exception {
    Path unrendered = file("u", HEADER0, "{\"t\":5,\"action\":\"ClientRecover\",\"node\":0,\"unrendered\":\"no answer\"}");
    assertTrue(assertThrows(TraceFormatException.class, () -> NodeTraceMerge.merge(List.of(unrendered), 1,
        List.of(List.of(0)), List.of("alice"), List.of())).getMessage().contains("could not be rendered: no answer"));
    Path outside = file("o", HEADER0, event(99, 0, "ClientGuess", "aa"));
    assertTrue(assertThrows(TraceFormatException.class, () -> NodeTraceMerge.merge(List.of(outside), 1,
        List.of(List.of(0)), List.of("alice"), List.of(new NodeTraceMerge.ClientOp("alice", 0, 10, true))))
        .getMessage().contains("within no client operation"));
    Path torn = file("t", HEADER0, "{\"t\":5,\"act", event(6, 0, "ClientGuess", "aa"));
    assertTrue(assertThrows(TraceFormatException.class, () -> NodeTraceMerge.merge(List.of(torn), 1,
        List.of(List.of(0)), List.of("alice"), List.of())).getMessage().contains("t line 2"));
    Path stranger = file("s", HEADER0, event(6, 0, "ClientGuess", "aa"));
    assertTrue(assertThrows(TraceFormatException.class, () -> NodeTraceMerge.merge(List.of(stranger), 1,
        List.of(List.of(0)), List.of("bob"), List.of(new NodeTraceMerge.ClientOp("alice", 0, 10, true))))
        .getMessage().contains("not one of the trace's users"));
    Path headless = file("h", event(6, 0, "ClientGuess", "aa"));
    assertTrue(assertThrows(TraceFormatException.class, () -> NodeTraceMerge.merge(List.of(headless), 1,
        List.of(List.of(0)), List.of("alice"), List.of())).getMessage().contains("first line is not"));
  }
}
