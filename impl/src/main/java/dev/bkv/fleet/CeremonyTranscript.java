package dev.bkv.fleet;

import dev.bkv.base.LineCursor;
import dev.bkv.crypto.Sha256Digest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The record of a key ceremony, one line per step, in the order the steps ran
 * (spec/FORMATS.md, "Deployment evidence"). Each line is a step word followed by
 * space-separated fields; the published evidence carries the whole text, and its SHA-256 is
 * the transcript digest. {@link #contextDigest} is the digest of everything recorded so far:
 * the fleet secrets are transported under it, which binds them to this ceremony.
 */
public final class CeremonyTranscript {
  public static final String HEADER = "bkv.dev/ceremony-transcript@v1";
  /** A ceremony records at most 8 lines per HSM plus a fixed preamble and the operator. */
  public static final int LINES_MAX = 16 + 8 * FleetConfig.HSMS_MAX;
  public static final int LINE_CHARS_MAX = 512;
  public static final int TEXT_BYTES_MAX = LINES_MAX * (LINE_CHARS_MAX + 1);

  /** Step words, in the order a ceremony writes them (spec/FORMATS.md lists their fields). */
  public static final String FLEET_CONFIG = "fleet-config";
  public static final String VENDOR_ROOT = "vendor-root";
  public static final String VAULT_JAR = "vault-jar";
  public static final String TIME = "time";
  public static final String DEVICE = "device";
  public static final String ATTESTED = "attested";
  public static final String TRANSPORT_CONTEXT = "transport-context";
  public static final String SOURCE = "source";
  public static final String OFFER = "offer";
  public static final String EXPORT = "export";
  public static final String IMPORT = "import";
  public static final String STATEMENT = "statement";
  public static final String OPERATOR = "operator";

  private final List<String> lines;

  private CeremonyTranscript(List<String> lines) {
    this.lines = lines;
  }

  public static CeremonyTranscript begin() {
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    return new CeremonyTranscript(lines);
  }

  /** Records one step: {@code step field1 field2 ...}. Fields are single tokens of printable ASCII. */
  public void record(String step, String... fields) {
    StringBuilder line = new StringBuilder(step);
    for (String field : fields) {
      line.append(' ').append(field);
    }
    String text = line.toString();
    if (lines.size() >= LINES_MAX || text.length() > LINE_CHARS_MAX || !isToken(step)) {
      throw new IllegalStateException("transcript line out of bounds: " + text);
    }
    for (String field : fields) {
      if (!isToken(field)) {
        throw new IllegalArgumentException("transcript field is not one printable token: \"" + field + "\"");
      }
    }
    lines.add(text);
  }

  /** SHA-256 of the transcript text recorded so far. */
  public Sha256Digest contextDigest() {
    return Sha256Digest.of(bytes());
  }

  public List<String> lines() {
    return List.copyOf(lines);
  }

  public String text() {
    return String.join("\n", lines) + "\n";
  }

  public byte[] bytes() {
    return text().getBytes(StandardCharsets.US_ASCII);
  }

  /** SHA-256 of the whole text: the transcript digest the evidence states. */
  public Sha256Digest digest() {
    return contextDigest();
  }

  /** Splits a transcript text into lines, checking the header, sizes and characters only. */
  public static CeremonyTranscript parse(byte[] text) throws FleetFormatException {
    if (text.length > TEXT_BYTES_MAX) {
      throw new FleetFormatException("transcript of " + text.length + " bytes exceeds " + TEXT_BYTES_MAX);
    }
    LineCursor<FleetFormatException> in = LineCursor.open(text, LINES_MAX,
        m -> new FleetFormatException("transcript: " + m), m -> new FleetFormatException("transcript: " + m));
    in.expectLine(HEADER);
    List<String> lines = new ArrayList<>();
    lines.add(HEADER);
    while (!in.atEnd()) {
      int number = in.lineNumber();
      String line = in.next();
      if (line.length() > LINE_CHARS_MAX) {
        throw new FleetFormatException("transcript: line " + number + " is longer than " + LINE_CHARS_MAX + " characters");
      }
      for (String token : line.split(" ", -1)) {
        if (!isToken(token)) {
          throw new FleetFormatException("transcript: line " + number + " must be tokens separated by single spaces");
        }
      }
      lines.add(line);
    }
    return new CeremonyTranscript(lines);
  }

  private static boolean isToken(String token) {
    if (token.isEmpty()) {
      return false;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
