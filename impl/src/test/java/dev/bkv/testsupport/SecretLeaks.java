package dev.bkv.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import dev.bkv.base.Hex;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Looks for known secrets in text a program printed (log lines, exception messages, toString)
 * in every form a careless line could give them: hex (lower and upper case), base64 (standard
 * and URL-safe, padded or not, also when the secret sits at any byte offset inside a longer
 * base64 string), decimal (as an unsigned and a signed integer, and as Java's
 * {@code Arrays.toString}), and the raw text for secrets that are text (passwords) or the raw
 * bytes for the others (in a file read as ISO-8859-1).
 */
public final class SecretLeaks {
  /** Shorter secrets are not looked for: their forms would match by chance. */
  public static final int SECRET_BYTES_MIN = 6;
  /** Raw text is looked for when the secret is printable ASCII of at least this many bytes. */
  static final int TEXT_BYTES_MIN = 6;

  private SecretLeaks() {}

  /** A secret the test knows, with the name a failure reports it by. */
  public record Secret(String name, byte[] bytes) {
    public Secret {
      if (bytes.length < SECRET_BYTES_MIN) {
        throw new IllegalArgumentException(name + ": a secret of " + bytes.length + " bytes would match by chance");
      }
      bytes = bytes.clone();
    }

    public static Secret text(String name, String text) {
      return new Secret(name, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return name + " (" + bytes.length + " bytes)";
    }
  }

  /** One printed form of a secret: what it is called ("hex", "base64url at offset 1") and the text. */
  record Form(String kind, String text) {}

  static List<Form> forms(byte[] secret) {
    List<Form> forms = new ArrayList<>();
    String hex = Hex.encode(secret);
    forms.add(new Form("hex", hex));
    forms.add(new Form("HEX", hex.toUpperCase(Locale.ROOT)));
    base64Forms(forms, "base64", Base64.getEncoder(), secret);
    base64Forms(forms, "base64url", Base64.getUrlEncoder(), secret);
    forms.add(new Form("unsigned decimal", new BigInteger(1, secret).toString()));
    forms.add(new Form("signed decimal", new BigInteger(secret).toString()));
    forms.add(new Form("Arrays.toString", Arrays.toString(secret)));
    if (secret.length >= TEXT_BYTES_MIN && printableAscii(secret)) {
      forms.add(new Form("text", new String(secret, StandardCharsets.US_ASCII)));
    } else {
      // Raw bytes, for files read as ISO-8859-1 (one char per byte).
      forms.add(new Form("raw bytes", new String(secret, StandardCharsets.ISO_8859_1)));
    }
    return forms;
  }

  /**
   * The secret alone (padded and not), and the characters that encode it whatever bytes
   * surround it: base64 works in 3-byte groups, so for each of the three offsets at which the
   * secret can start inside a longer encoding, the 4-character groups made only of its bytes.
   */
  private static void base64Forms(List<Form> forms, String name, Base64.Encoder encoder, byte[] secret) {
    String padded = encoder.encodeToString(secret);
    forms.add(new Form(name, padded));
    forms.add(new Form(name + " unpadded", padded.replace("=", "")));
    for (int offset = 0; offset < 3; offset++) {
      int lead = (3 - offset) % 3; // secret bytes that share a group with bytes before it
      int whole = (secret.length - lead) / 3 * 3; // secret bytes in groups of their own
      if (whole >= 6) {
        byte[] core = Arrays.copyOfRange(secret, lead, lead + whole);
        forms.add(new Form(name + " inside a longer encoding at offset " + offset, encoder.encodeToString(core)));
      }
    }
  }

  private static boolean printableAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0x20 || b > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /** The first leak of any of {@code secrets} in {@code text}, described; empty when there is none. */
  public static Optional<String> find(String text, List<Secret> secrets) {
    for (Secret secret : secrets) {
      for (Form form : forms(secret.bytes())) {
        int at = text.indexOf(form.text());
        if (at >= 0) {
          return Optional.of(secret + " as " + form.kind() + " in: " + lineAround(text, at));
        }
      }
    }
    return Optional.empty();
  }

  /** Fails naming the secret, the form and the line when {@code text} holds any of {@code secrets}. */
  public static void assertNoLeak(String where, String text, List<Secret> secrets) {
    find(text, secrets).ifPresent(leak -> fail(where + " leaks " + leak));
  }

  private static String lineAround(String text, int at) {
    int start = text.lastIndexOf('\n', at) + 1;
    int end = text.indexOf('\n', at);
    String line = text.substring(start, end < 0 ? text.length() : end);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
