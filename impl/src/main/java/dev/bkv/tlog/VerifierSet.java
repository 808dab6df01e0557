package dev.bkv.tlog;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The trusted keys a note is opened with, looked up by (key name, key ID): C2SP requires
 * that a signature matching a known key in only one of the two is ignored.
 */
public final class VerifierSet {
  /** Trusted keys per set: more than any log or witness policy needs. */
  public static final int KEYS_MAX = 256;

  private record KeyRef(String name, int id) {}

  private final Map<KeyRef, NoteVerifier> byKey;

  private VerifierSet(Map<KeyRef, NoteVerifier> byKey) {
    this.byKey = Collections.unmodifiableMap(byKey);
  }

  public static VerifierSet of(NoteVerifier... verifiers) {
    return of(List.of(verifiers));
  }

  /** @throws IllegalArgumentException on more than KEYS_MAX keys or two keys with one (name, ID) */
  public static VerifierSet of(Collection<? extends NoteVerifier> verifiers) {
    if (verifiers.size() > KEYS_MAX) {
      throw new IllegalArgumentException("at most " + KEYS_MAX + " trusted keys, got " + verifiers.size());
    }
    Map<KeyRef, NoteVerifier> byKey = new LinkedHashMap<>();
    for (NoteVerifier v : verifiers) {
      if (byKey.putIfAbsent(new KeyRef(v.keyName(), v.keyId()), v) != null) {
        throw new IllegalArgumentException("two trusted keys share name and ID: " + v.vkey());
      }
    }
    return new VerifierSet(byKey);
  }

  /** Decodes vkey lines; empty lines and lines starting with '#' are skipped. */
  public static VerifierSet parseVkeys(String text) throws FormatException {
    List<NoteVerifier> verifiers = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      if (verifiers.size() == KEYS_MAX) {
        throw new FormatException("more than " + KEYS_MAX + " vkeys");
      }
      verifiers.add(NoteKeys.parseVerifierKey(trimmed));
    }
    try {
      return of(verifiers);
    } catch (IllegalArgumentException e) {
      throw new FormatException(e.getMessage());
    }
  }

  public Optional<NoteVerifier> lookup(String keyName, int keyId) {
    return Optional.ofNullable(byKey.get(new KeyRef(keyName, keyId)));
  }

  public VerifierSet union(VerifierSet other) {
    List<NoteVerifier> all = new ArrayList<>(byKey.values());
    all.addAll(other.byKey.values());
    return of(all);
  }

  public List<NoteVerifier> verifiers() {
    return List.copyOf(byKey.values());
  }

  public int size() {
    return byKey.size();
  }

  @Override
  public String toString() {
    return byKey.values().toString();
  }
}
