package dev.bkv.tracecheck;

import java.nio.file.Path;
import tlc2.overrides.TLAPlusOperator;
import tlc2.value.impl.StringValue;
import tlc2.value.impl.Value;

/**
 * The Java bodies of the operators of {@code spec/lib/TraceIO.tla}. TLC evaluates each
 * call once per distinct argument in a constant definition, so a trace file is read once
 * per run. Errors name the file and the place in it.
 */
public final class TraceIOOperators {
  private TraceIOOperators() {}

  @TLAPlusOperator(identifier = "JsonLoad", module = "TraceIO", warn = false)
  public static Value jsonLoad(Value path) {
    return TraceFiles.readJson(pathOf(path, "JsonLoad"));
  }

  @TLAPlusOperator(identifier = "NdjsonLoad", module = "TraceIO", warn = false)
  public static Value ndjsonLoad(Value path) {
    return TraceFiles.readNdjson(pathOf(path, "NdjsonLoad"));
  }

  @TLAPlusOperator(identifier = "LoadTraces", module = "TraceIO", warn = false)
  public static Value loadTraces(Value path) {
    return TraceFiles.readTraces(pathOf(path, "LoadTraces"));
  }

  private static Path pathOf(Value path, String operator) {
    if (!(path instanceof StringValue)) {
      throw new TraceFormatException(operator + ": the argument must be a string (a file path), got " + path);
    }
    return Path.of(((StringValue) path).getVal().toString());
  }
}
