package dev.bkv.trace;

import dev.bkv.base.Json;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A sink that writes each event as one JSON line as soon as it is recorded, flushed, so a
 * node killed mid-run leaves every event before its last step on disk (spec/FORMATS.md,
 * "Trace events", node trace lines). Each line carries {@code t}, a reading of a clock that
 * is monotonic across the processes of one machine ({@link System#nanoTime} on Linux), taken
 * when the step has taken effect and before the host sends its messages: merging the files
 * of all nodes by {@code t} puts every send before its receipt.
 *
 * <p>Events are rendered as in a {@code bkv-trace/1} trace, with the differences a single
 * node's endless run forces: there is no Init header with the users (vault views hold the
 * users this vault holds), registrations are named by their id in hex (only the merge of
 * every node's file can number them across the fleet), and an event this node cannot render alone (a
 * finish whose guess was answered before a restart, a snapshot message) is written with its
 * action, node and an {@code unrendered} reason instead of being lost.
 */
public final class TraceLines implements TraceSink, Closeable {
  public static final String FORMAT = "bkv-node-trace/1";

  private final Writer out;
  private final LongSupplier clock;
  private final TraceJson json = new TraceJson(TraceJson.Naming.NODE);
  private IOException failure;

  /** Writes the header line at once: format, fleet, node, and the clock it starts at. */
  public TraceLines(Writer out, LongSupplier clock, String fleetId, int node) throws IOException {
    this.out = out;
    this.clock = clock;
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("format", FORMAT);
    header.put("t", clock.getAsLong());
    header.put("fleet", fleetId);
    header.put("node", node);
    write(header);
  }

  @Override
  public boolean enabled() {
    return failure == null;
  }

  @Override
  public void record(TraceEvent event) {
    long t = clock.getAsLong();
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("t", t);
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> rendered = (Map<String, Object>) json.render(List.of(event)).get(0);
      line.putAll(rendered);
    } catch (IllegalStateException e) {
      if (event instanceof TraceEvent.Step) {
        line.put("action", ((TraceEvent.Step) event).action().specName);
        line.put("node", ((TraceEvent.Step) event).node());
      } else {
        line.put("action", event.getClass().getSimpleName());
      }
      line.put("unrendered", e.getMessage());
    }
    try {
      write(line);
    } catch (IOException e) {
      failure = e; // tracing stops; the node goes on (a trace is evidence, not state)
    }
  }

  /** Why tracing stopped, if it did. */
  public IOException failure() {
    return failure;
  }

  private void write(Map<String, Object> line) throws IOException {
    out.write(Json.write(line));
    out.write('\n');
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
