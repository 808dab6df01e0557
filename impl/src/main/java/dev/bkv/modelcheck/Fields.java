package dev.bkv.modelcheck;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Typed, strict access to one JSON object of a manifest. Unknown keys are rejected so that
 * a misspelt key fails loudly instead of being ignored; every error names where it is.
 */
final class Fields {
  private final String where;
  private final Map<String, Object> object;

  Fields(String where, Map<String, Object> object, Set<String> allowed) throws ManifestException {
    this.where = where;
    this.object = object;
    for (String key : object.keySet()) {
      if (!allowed.contains(key)) {
        throw new ManifestException(where + ": unknown key \"" + key + "\"");
      }
    }
  }

  boolean has(String key) {
    return object.containsKey(key);
  }

  void forbid(String key, String why) throws ManifestException {
    if (has(key)) {
      throw new ManifestException(where + ": \"" + key + "\" not allowed here: " + why);
    }
  }

  private Object require(String key) throws ManifestException {
    Object value = object.get(key);
    if (value == null) {
      throw new ManifestException(where + ": missing \"" + key + "\"");
    }
    return value;
  }

  String string(String key) throws ManifestException {
    Object value = require(key);
    if (!(value instanceof String)) {
      throw new ManifestException(where + ": \"" + key + "\" must be a string");
    }
    return (String) value;
  }

  String identifier(String key) throws ManifestException {
    String value = string(key);
    if (!Names.isIdentifier(value)) {
      throw new ManifestException(where + ": \"" + key + "\" must be an identifier of at most "
          + Names.NAME_CHARS_MAX + " characters, got \"" + value + "\"");
    }
    return value;
  }

  long integer(String key, long min, long max) throws ManifestException {
    Object value = require(key);
    if (!(value instanceof BigInteger)) {
      throw new ManifestException(where + ": \"" + key + "\" must be an integer");
    }
    BigInteger n = (BigInteger) value;
    if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
      throw new ManifestException(where + ": \"" + key + "\" must be in " + min + ".." + max + ", got " + n);
    }
    return n.longValueExact();
  }

  boolean bool(String key) throws ManifestException {
    Object value = require(key);
    if (!(value instanceof Boolean)) {
      throw new ManifestException(where + ": \"" + key + "\" must be true or false");
    }
    return (Boolean) value;
  }

  @SuppressWarnings("unchecked")
  List<Object> array(String key) throws ManifestException {
    Object value = require(key);
    if (!(value instanceof List)) {
      throw new ManifestException(where + ": \"" + key + "\" must be an array");
    }
    return (List<Object>) value;
  }

  /** A lower-case string naming one constant of {@code type}. */
  <E extends Enum<E>> E choice(String key, Class<E> type) throws ManifestException {
    String value = string(key);
    for (E constant : type.getEnumConstants()) {
      if (constant.name().toLowerCase(Locale.ROOT).equals(value)) {
        return constant;
      }
    }
    StringBuilder allowed = new StringBuilder();
    for (E constant : type.getEnumConstants()) {
      allowed.append(allowed.length() == 0 ? "" : ", ").append(constant.name().toLowerCase(Locale.ROOT));
    }
    throw new ManifestException(where + ": \"" + key + "\" must be one of " + allowed + ", got \"" + value + "\"");
  }
}
