package dev.bkv.fleet;

import java.util.Optional;

/**
 * The names a fleet is known by. Each is one token of a line-oriented format (no spaces), so
 * each is restricted to a small ASCII alphabet and a length limit, checked the same way by
 * every encoder and parser.
 */
public final class FleetNames {
  /** A namespace names the deployment, e.g. {@code backup.example.com/messenger}. */
  public static final int NAMESPACE_BYTES_MAX = 128;
  public static final int FLEET_ID_BYTES_MAX = 64;
  public static final int DATACENTER_BYTES_MAX = 64;

  private FleetNames() {}

  /** Letters, digits, '.', '_', '-' and '/', starting with a letter or digit. */
  public static Optional<String> namespaceProblem(String namespace) {
    return problem("namespace", namespace, NAMESPACE_BYTES_MAX, true);
  }

  /** Letters, digits, '.', '_' and '-', starting with a letter or digit. */
  public static Optional<String> fleetIdProblem(String fleetId) {
    return problem("fleet id", fleetId, FLEET_ID_BYTES_MAX, false);
  }

  /** Letters, digits, '.', '_' and '-', starting with a letter or digit. */
  public static Optional<String> datacenterProblem(String datacenter) {
    return problem("datacenter", datacenter, DATACENTER_BYTES_MAX, false);
  }

  private static Optional<String> problem(String what, String name, int bytesMax, boolean slashAllowed) {
    if (name == null || name.isEmpty()) {
      return Optional.of(what + " is empty");
    }
    if (name.length() > bytesMax) {
      return Optional.of(what + " \"" + name.substring(0, 16) + "...\" is longer than " + bytesMax + " characters");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      boolean punctuation = c == '.' || c == '_' || c == '-' || (slashAllowed && c == '/');
      if (!alphanumeric && !(punctuation && i > 0)) {
        return Optional.of(what + " \"" + name + "\" has a character not allowed at position " + i
            + " (letters, digits" + (slashAllowed ? ", '.', '_', '-', '/'" : ", '.', '_', '-'") + "; first a letter or digit)");
      }
    }
    return Optional.empty();
  }
}
