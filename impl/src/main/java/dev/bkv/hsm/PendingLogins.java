package dev.bkv.hsm;

import dev.bkv.base.Check;
import dev.bkv.crypto.opaque.ServerLoginState;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Logins between KE2 and KE3, bounded. When full, the oldest is evicted. Eviction cannot
 * buy an attacker a guess: every pending login for a real record had its guess counted and
 * made durable before its KE2 existed, and the firmware reports an evicted login to the
 * vault as a failure (which destroys a record at its limit). All an attacker gains by
 * flooding is the eviction of other users' logins, which the host could cause anyway by
 * dropping their messages.
 */
final class PendingLogins {
  /**
   * A login in progress, under the OPAQUE context it started with. {@code registrationId} is
   * null for a login against a fake record.
   */
  record Pending(UserId userId, RegistrationId registrationId, LoginPurpose purpose, OpaqueContext context,
      ServerLoginState state) {
    boolean fake() {
      return registrationId == null;
    }
  }

  private final int capacity;
  private final LinkedHashMap<LoginId, Pending> pending = new LinkedHashMap<>();

  PendingLogins(int capacity) {
    Check.that(capacity >= 1, "pending-login capacity at least 1");
    this.capacity = capacity;
  }

  /** Makes room for one more login: the oldest pending one when full, else empty. */
  Optional<Pending> evictIfFull() {
    if (pending.size() < capacity) {
      return Optional.empty();
    }
    Iterator<Map.Entry<LoginId, Pending>> oldest = pending.entrySet().iterator();
    Pending evicted = oldest.next().getValue();
    oldest.remove();
    evicted.state().destroy();
    return Optional.of(evicted);
  }

  void add(LoginId loginId, Pending login) {
    Check.that(pending.size() < capacity, "evictIfFull() before add()");
    Check.that(!pending.containsKey(loginId), "login ids are unique");
    pending.put(loginId, login);
  }

  /** Removes and returns the login; its state is the caller's to destroy. */
  Optional<Pending> take(LoginId loginId) {
    return Optional.ofNullable(pending.remove(loginId));
  }

  boolean contains(LoginId loginId) {
    return pending.containsKey(loginId);
  }

  int size() {
    return pending.size();
  }
}
