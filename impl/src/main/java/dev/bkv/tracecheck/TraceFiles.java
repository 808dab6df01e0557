package dev.bkv.tracecheck;

import dev.bkv.base.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tlc2.value.impl.TupleValue;
import tlc2.value.impl.Value;

/** Reads JSON and NDJSON trace files into TLA+ values, within fixed size limits. */
public final class TraceFiles {
  private TraceFiles() {}

  /** Largest trace file read, in bytes. */
  public static final long TRACE_FILE_BYTES_MAX = 256L * 1024 * 1024;
  /** Most events (non-empty lines) in one NDJSON file. */
  public static final int NDJSON_LINES_MAX = 10_000_000;
  /** Longest NDJSON line, in characters. */
  public static final int NDJSON_LINE_CHARS_MAX = 1 << 20;

  /** The JSON value in {@code file}. */
  public static Value readJson(Path file) {
    checkSize(file);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new TraceFormatException(file + ": cannot read: " + e.getMessage());
    }
    return TlaValues.of(parse(text, file.toString()), file + ": $");
  }

  /** The values of {@code file}, one per non-empty line, as a tuple. */
  public static TupleValue readNdjson(Path file) {
    checkSize(file);
    List<Value> events = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int lineNumber = 0;
      while ((line = in.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        String where = file + " line " + lineNumber;
        if (line.length() > NDJSON_LINE_CHARS_MAX) {
          throw new TraceFormatException(where + ": longer than " + NDJSON_LINE_CHARS_MAX + " characters");
        }
        if (events.size() == NDJSON_LINES_MAX) {
          throw new TraceFormatException(file + ": more than " + NDJSON_LINES_MAX + " events");
        }
        events.add(TlaValues.of(parse(line, where), where + ": $"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read", e);
    }
    return new TupleValue(events.toArray(new Value[0]));
  }

  /**
   * The traces in {@code file} as a tuple of traces: a {@code .ndjson} file is one trace,
   * a {@code .json} file is an array of traces, each an array of events.
   */
  public static TupleValue readTraces(Path file) {
    String name = file.getFileName().toString();
    if (name.endsWith(".ndjson")) {
      return new TupleValue(new Value[] {readNdjson(file)});
    }
    if (!name.endsWith(".json")) {
      throw new TraceFormatException(file + ": a trace file ends in .json or .ndjson");
    }
    Value value = readJson(file);
    if (!(value instanceof TupleValue)) {
      throw new TraceFormatException(file + ": $ must be an array of traces");
    }
    Value[] traces = ((TupleValue) value).elems;
    for (int i = 0; i < traces.length; i++) {
      if (!(traces[i] instanceof TupleValue)) {
        throw new TraceFormatException(file + ": $[" + i + "] must be an array of events");
      }
    }
    return (TupleValue) value;
  }

  private static Object parse(String text, String where) {
    try {
      return Json.parse(text);
    } catch (Json.ParseException e) {
      throw new TraceFormatException(where + ": not valid JSON: " + e.getMessage());
    }
  }

  private static void checkSize(Path file) {
    try {
      if (Files.size(file) > TRACE_FILE_BYTES_MAX) {
        throw new TraceFormatException(file + ": larger than " + TRACE_FILE_BYTES_MAX + " bytes");
      }
    } catch (IOException e) {
      throw new TraceFormatException(file + ": cannot read: " + e.getMessage());
    }
  }
}
