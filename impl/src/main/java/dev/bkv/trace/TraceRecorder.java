package dev.bkv.trace;

import dev.bkv.base.Json;
import dev.bkv.storage.AtomicFile;
import dev.bkv.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A sink that keeps one run's events in memory and renders them as a {@code bkv-trace/1}
 * trace (helper-notes' TRACE-FORMAT: an array of events, the {@code Init} header first).
 * Not thread-safe, like the fleet it records.
 */
public final class TraceRecorder implements TraceSink {
  /** Events of one trace, at most: a run of a few hundred ticks makes a few thousand. */
  public static final int EVENTS_MAX = 200_000;

  private final List<TraceEvent> events = new ArrayList<>();
  private Boolean nextRight;

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void record(TraceEvent event) {
    if (events.size() >= EVENTS_MAX) {
      throw new IllegalStateException("trace longer than EVENTS_MAX = " + EVENTS_MAX + " events; trace a shorter run");
    }
    if (events.isEmpty() != (event instanceof TraceEvent.Init)) {
      throw new IllegalStateException("a trace has exactly one Init event, its first; got " + event.getClass().getSimpleName()
          + " as event " + (events.size() + 1));
    }
    if (event instanceof TraceEvent.Step && ((TraceEvent.Step) event).action() == TraceAction.CLIENT_GUESS) {
      if (nextRight == null) {
        throw new IllegalStateException("a ClientGuess without the client's right-password flag (nextGuessRight)");
      }
      event = ((TraceEvent.Step) event).withRight(nextRight);
      nextRight = null;
    }
    events.add(event);
  }

  @Override
  public void nextGuessRight(boolean right) {
    nextRight = right;
  }

  /** The events recorded so far, in order. */
  public List<TraceEvent> events() {
    return Collections.unmodifiableList(events);
  }

  /** The trace as JSON values ({@link Json#write} writes it), registrations numbered 1, 2, ... in order of first appearance. */
  public List<Object> render() {
    return new TraceJson().render(events);
  }

  /** The trace as one line of JSON. */
  public String toJson() {
    return Json.write(render());
  }

  /** Writes a batch, one JSON array of rendered traces, to {@code file} all or nothing. */
  public static void writeBatch(Path file, List<List<Object>> traces) throws StorageException {
    AtomicFile.write(file, Json.write(traces).getBytes(StandardCharsets.UTF_8));
  }
}
