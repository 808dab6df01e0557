package dev.bkv.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Hex;
import dev.bkv.testsupport.SecretLeaks.Secret;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Goal: the leak search that the end-to-end secret scans rely on finds a planted secret in
 * each form it claims to cover, and stays quiet on lines without it. Method: synthetic log
 * lines built around one random 32-byte key and one text password.
 */
class SecretLeaksTest {
  private static final byte[] KEY = new byte[32];

  static {
    new Random(7).nextBytes(KEY);
  }

  private static final List<Secret> SECRETS = List.of(new Secret("backup key", KEY), Secret.text("password", "hunter2!"));

  private static void assertFound(String line, String expectedForm) {
    Optional<String> leak = SecretLeaks.find("node 3: " + line + " (request 17)", SECRETS);
    assertTrue(leak.isPresent(), "planted in: " + line);
    assertTrue(leak.get().contains(expectedForm), leak.get());
  }

  @Test
  void finds_a_planted_secret_in_every_form() {
    String hex = Hex.encode(KEY);
    assertFound("key=" + hex, "as hex");
    assertFound("KEY=" + hex.toUpperCase(Locale.ROOT), "as HEX");
    assertFound("key " + Base64.getEncoder().encodeToString(KEY), "as base64");
    assertFound("key " + Base64.getEncoder().withoutPadding().encodeToString(KEY), "as base64");
    assertFound("key " + Base64.getUrlEncoder().encodeToString(KEY), "base64");
    assertFound("key " + Base64.getUrlEncoder().withoutPadding().encodeToString(KEY), "base64");
    assertFound("scalar " + new BigInteger(1, KEY), "decimal");
    assertFound("scalar " + new BigInteger(KEY), "decimal");
    assertFound("bytes " + Arrays.toString(KEY), "Arrays.toString");
    assertFound("login as alice with hunter2!", "password (8 bytes) as text");
  }

  @Test
  void finds_a_secret_inside_a_longer_base64_string_at_any_offset() {
    for (int before = 0; before < 6; before++) {
      for (int after = 0; after < 4; after++) {
        byte[] blob = new byte[before + KEY.length + after];
        Arrays.fill(blob, (byte) 0x5a);
        System.arraycopy(KEY, 0, blob, before, KEY.length);
        assertFound("skey " + Base64.getEncoder().encodeToString(blob), "base64");
        assertFound("skey " + Base64.getUrlEncoder().withoutPadding().encodeToString(blob), "base64url");
      }
    }
  }

  @Test
  void stays_quiet_without_the_secret() {
    byte[] other = KEY.clone();
    other[15] ^= 1; // every 30-byte window of the key, the shortest one searched in base64, holds byte 15
    String lines = "key=" + Hex.encode(KEY).substring(0, 63) + "\n" + "sha256 " + Hex.encode(Arrays.copyOf(KEY, 5))
        + "...\n" + "password hunter2 rejected\n" + Base64.getEncoder().encodeToString(other);
    assertEquals(Optional.empty(), SecretLeaks.find(lines, SECRETS));
  }

  @Test
  void refuses_secrets_short_enough_to_match_by_chance() {
    assertThrows(IllegalArgumentException.class, () -> new Secret("tiny", new byte[5]));
    assertTrue(new Secret("key", KEY).toString().startsWith("key (32 bytes)"));
  }
}
