package dev.bkv.node;

import dev.bkv.fleet.FleetConfig;
import dev.bkv.fleet.FleetNames;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The shared shape of {@code bkv-node-config/1} and {@code bkv-frontend-config/1}: printable
 * ASCII, "\n" line ends, the format line first, then {@code key value...} lines separated by
 * single spaces; lines starting with '#' and empty lines are ignored, so an operator may
 * annotate the file. Keys are checked by each format; here only the structure.
 */
final class ConfigText {
  /** One {@code key value...} line and its number in the file (1-based). */
  record Line(int number, String key, List<String> values) {
    String value(int i) {
      return values.get(i);
    }
  }

  private final String source;
  private final List<Line> lines;
  private final Set<String> seen = new HashSet<>();

  private ConfigText(String source, List<Line> lines) {
    this.source = source;
    this.lines = lines;
  }

  /** Reads {@code file}; a missing file, or one longer than {@code bytesMax}, is named as such. */
  static byte[] read(Path file, int bytesMax) throws ConfigException, IOException {
    try {
      if (Files.size(file) > bytesMax) {
        throw new ConfigException(file + ": longer than " + bytesMax + " bytes");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such file");
    }
  }

  /** Splits {@code text} (from {@code source}, for messages) after checking size, bytes and the format line. */
  static ConfigText parse(String source, byte[] text, String format, int bytesMax, int linesMax) throws ConfigException {
    if (text.length > bytesMax) {
      throw new ConfigException(source + ": longer than " + bytesMax + " bytes");
    }
    for (byte b : text) {
      if (b != '\n' && (b < 0x20 || b > 0x7e)) {
        throw new ConfigException(source + ": not printable ASCII text (byte 0x" + Integer.toHexString(b & 0xff) + ")");
      }
    }
    String[] raw = new String(text, StandardCharsets.US_ASCII).split("\n", -1);
    if (raw.length - 1 > linesMax) {
      throw new ConfigException(source + ": more than " + linesMax + " lines");
    }
    if (raw.length == 0 || !raw[0].equals(format)) {
      throw new ConfigException(source + ": first line must be '" + format + "'");
    }
    List<Line> lines = new ArrayList<>();
    for (int i = 1; i < raw.length; i++) {
      String line = raw[i];
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split(" ", -1);
      for (String part : parts) {
        if (part.isEmpty()) {
          throw new ConfigException(source + ": line " + (i + 1) + ": fields are separated by exactly one space");
        }
      }
      lines.add(new Line(i + 1, parts[0], List.of(parts).subList(1, parts.length)));
    }
    return new ConfigText(source, lines);
  }

  List<Line> lines() {
    return lines;
  }

  /** A failure at {@code line}. */
  ConfigException error(Line line, String what) {
    return new ConfigException(source + ": line " + line.number() + " (" + line.key() + "): " + what);
  }

  ConfigException error(String what) {
    return new ConfigException(source + ": " + what);
  }

  /** Checks the value count, and that a key that may appear once does. */
  void expect(Line line, int values, boolean once) throws ConfigException {
    if (line.values().size() != values) {
      throw error(line, "expects " + values + " value" + (values == 1 ? "" : "s") + ", got " + line.values().size());
    }
    if (once && !seen.add(line.key())) {
      throw error(line, "given twice");
    }
  }

  void require(String... keys) throws ConfigException {
    for (String key : keys) {
      if (!seen.contains(key)) {
        throw error("missing '" + key + "' line");
      }
    }
  }

  boolean has(String key) {
    return seen.contains(key);
  }

  long number(Line line, String text, long min, long max) throws ConfigException {
    if (!text.matches("[0-9]{1,18}")) {
      throw error(line, "'" + text + "' is not a decimal number");
    }
    long value = Long.parseLong(text);
    if (value < min || value > max) {
      throw error(line, text + " is not in [" + min + ", " + max + "]");
    }
    return value;
  }

  /** The fleet ID of a {@code fleet <id>} line (once). */
  String fleetId(Line line) throws ConfigException {
    expect(line, 1, true);
    return checked(line, line.value(0), FleetNames.fleetIdProblem(line.value(0)));
  }

  /** {@code text} as a datacenter name at {@code line}. */
  String datacenter(Line line, String text) throws ConfigException {
    return checked(line, text, FleetNames.datacenterProblem(text));
  }

  private String checked(Line line, String text, Optional<String> problem) throws ConfigException {
    if (problem.isPresent()) {
      throw error(line, problem.get());
    }
    return text;
  }

  /** {@code text} as a member index of a fleet at {@code line}. */
  int member(Line line, String text) throws ConfigException {
    return (int) number(line, text, 0, FleetConfig.HSMS_MAX - 1);
  }

  /** The host of a {@code listen <host> <port>} line (once). */
  String listenHost(Line line) throws ConfigException {
    expect(line, 2, true);
    String host = line.value(0);
    if (host.length() > HOST_CHARS_MAX || !host.matches("[A-Za-z0-9.:\\-\\[\\]]+")) {
      throw error(line, "'" + host + "' is not a host name or address");
    }
    return host;
  }

  /** The port of a {@code listen <host> <port>} line, once {@link #listenHost} took it. */
  int listenPort(Line line) throws ConfigException {
    return (int) number(line, line.value(1), 0, PORT_MAX);
  }

  /** An http:// base URL with a host and a port, no path beyond "/", no query or fragment. */
  URI url(Line line, String text) throws ConfigException {
    if (text.length() > URL_CHARS_MAX) {
      throw error(line, "URL longer than " + URL_CHARS_MAX + " characters");
    }
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      boolean bare = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || uri.getRawQuery() != null
          || uri.getRawFragment() != null || !bare) {
        throw error(line, "'" + text + "' is not an http(s)://host:port URL");
      }
      return URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    } catch (URISyntaxException e) {
      throw error(line, "'" + text + "' is not a URL: " + e.getReason());
    }
  }

  /** A path, relative ones resolved against the config file's folder. */
  static Path path(Path base, String text) {
    Path p = Path.of(text);
    return p.isAbsolute() ? p : base.resolve(p).normalize();
  }

  /** Longest URL in a config. */
  static final int URL_CHARS_MAX = 2048;
  /** Longest host name (DNS's limit) or address in a {@code listen} line. */
  static final int HOST_CHARS_MAX = 253;
  /** Highest TCP port. */
  static final int PORT_MAX = 65_535;
}
