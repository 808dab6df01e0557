package dev.bkv.modelcheck;

import java.util.regex.Pattern;

/** The one rule for names that come from manifests: specs, models, invariants, files. */
final class Names {
  private Names() {}

  /** Longest spec, model, module or invariant name accepted, in characters. */
  static final int NAME_CHARS_MAX = 64;

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
  private static final Pattern CONFIG_FILE = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*\\.cfg");

  /** True for a TLA+-style identifier of acceptable length (also safe as a file name). */
  static boolean isIdentifier(String name) {
    return name != null && name.length() <= NAME_CHARS_MAX && IDENTIFIER.matcher(name).matches();
  }

  /** True for a plain {@code .cfg} file name: no directories, so it stays in its spec folder. */
  static boolean isConfigFile(String name) {
    return name != null && name.length() <= NAME_CHARS_MAX + 4 && CONFIG_FILE.matcher(name).matches();
  }

  static String requireIdentifier(String name, String what) {
    if (!isIdentifier(name)) {
      throw new IllegalArgumentException(
          what + " must be an identifier of at most " + NAME_CHARS_MAX + " characters, got \"" + name + "\"");
    }
    return name;
  }
}
