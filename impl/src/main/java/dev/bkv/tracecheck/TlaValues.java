package dev.bkv.tracecheck;

import dev.bkv.base.Json;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import tlc2.value.impl.BoolValue;
import tlc2.value.impl.IntValue;
import tlc2.value.impl.RecordValue;
import tlc2.value.impl.StringValue;
import tlc2.value.impl.TupleValue;
import tlc2.value.impl.Value;
import util.UniqueString;

/**
 * Turns a parsed JSON value (from {@link Json}) into the TLA+ value TLC works with. The
 * mapping is total over what TLA+ can hold; anything else is rejected with its JSON path.
 */
public final class TlaValues {
  private TlaValues() {}

  private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);
  private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);

  /** The TLA+ value of {@code json}; {@code where} names it in error messages. */
  public static Value of(Object json, String where) {
    if (json instanceof Map) {
      Map<?, ?> object = (Map<?, ?>) json;
      UniqueString[] names = new UniqueString[object.size()];
      Value[] values = new Value[object.size()];
      int i = 0;
      for (Map.Entry<?, ?> field : object.entrySet()) {
        String name = (String) field.getKey();
        names[i] = UniqueString.uniqueStringOf(name);
        values[i] = of(field.getValue(), where + "." + name);
        i++;
      }
      return new RecordValue(names, values, false);
    }
    if (json instanceof List) {
      List<?> array = (List<?>) json;
      Value[] elements = new Value[array.size()];
      for (int i = 0; i < elements.length; i++) {
        elements[i] = of(array.get(i), where + "[" + i + "]");
      }
      return new TupleValue(elements);
    }
    if (json instanceof String) {
      return new StringValue((String) json);
    }
    if (json instanceof Boolean) {
      return (Boolean) json ? BoolValue.ValTrue : BoolValue.ValFalse;
    }
    if (json instanceof BigInteger) {
      BigInteger n = (BigInteger) json;
      if (n.compareTo(INT_MIN) < 0 || n.compareTo(INT_MAX) > 0) {
        throw new TraceFormatException(where + ": integer " + n + " is outside TLC's 32-bit range");
      }
      return IntValue.gen(n.intValueExact());
    }
    if (json == Json.NULL) {
      throw new TraceFormatException(where + ": null has no TLA+ value");
    }
    throw new TraceFormatException(where + ": " + json + " is not an integer (TLA+ has no fractions)");
  }
}
