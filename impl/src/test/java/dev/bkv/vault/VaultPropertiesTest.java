package dev.bkv.vault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.bkv.testsupport.Guesses;
import dev.bkv.vault.Command.CountGuess;
import dev.bkv.vault.Command.GuessFailed;
import dev.bkv.vault.Command.RegisterStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Properties of the vault over random command sequences (QuickTheories, shrinking on the
 * script of integers): G1 in the single-HSM case, stores that never reset counters, and
 * destruction at exactly the limit; plus step-by-step agreement with {@link ReferenceVault}.
 * Each property has a negative test: a deliberately broken variant of {@code apply} that
 * the same check must catch.
 */
class VaultPropertiesTest {
  /** The vault under test: the real one, or a broken wrapper around it. */
  interface Machine {
    Response apply(Command command);

    Response status(UserId userId);
  }

  static Machine real() {
    VaultState vault = new VaultState();
    return new Machine() {
      @Override
      public Response apply(Command command) {
        return vault.apply(command);
      }

      @Override
      public Response status(UserId userId) {
        return vault.status(userId);
      }
    };
  }

  static final UserId[] USERS = {VaultStateTest.user("u0"), VaultStateTest.user("u1"), VaultStateTest.user("u2")};
  static final Gen<List<Integer>> SCRIPTS = lists().of(integers().between(0, 1_000_000)).ofSizeBetween(1, 150);

  /** Tracks what the machine released and checks each step; throws AssertionError naming the invariant. */
  static final class Checker {
    private final Machine machine;
    private final boolean compareWithReference;
    private final ReferenceVault reference = new ReferenceVault();
    /** Guesses released per user's current registration since its last reset. */
    private final Map<UserId, Integer> released = new HashMap<>();
    private final Map<UserId, RegistrationId> currentRegistration = new HashMap<>();
    private final Map<UserId, RegisterStore> lastStore = new HashMap<>();
    /** The last CountGuess sent per user, whatever it was answered. */
    private final Map<UserId, CountGuess> lastGuess = new HashMap<>();
    /** The KE1 digest of the guess counted last per user since its count was last set (R15). */
    private final Map<UserId, dev.bkv.crypto.Sha256Digest> lastCounted = new HashMap<>();
    private final List<Object[]> pending = new ArrayList<>();

    Checker(Machine machine, boolean compareWithReference) {
      this.machine = machine;
      this.compareWithReference = compareWithReference;
    }

    void run(List<Integer> script) {
      for (int step : script) {
        step(toCommand(step));
      }
    }

    /** Decodes one integer into a command; logins resolve against pending counted guesses. */
    private Command toCommand(int v) {
      int op = v % 8;
      UserId user = USERS[(v / 8) % 3];
      int r = (v / 24) % 3;
      int max = 1 + (v / 72) % 4;
      RegistrationId rid = VaultStateTest.rid(1 + r);
      for (Object[] p : pending) {
        if (p[0].equals(user)) {
          rid = (RegistrationId) p[1];
          break;
        }
      }
      switch (op) {
        case 0:
          return new RegisterStore(user, VaultStateTest.rid(1 + r), VaultStateTest.filled(129, r), max);
        case 1:
          return Guesses.fresh(user);
        case 2: {
          // R15: the user's last KE1 sent again (a retry), or a new login if there is none.
          CountGuess last = lastGuess.get(user);
          return last != null ? new CountGuess(user, last.ke1Digest()) : Guesses.fresh(user);
        }
        case 3:
          return new Command.RecoverSucceeded(user, rid);
        case 4:
          return new GuessFailed(user, rid);
        case 5:
          return new Command.RegisterExpose(user, rid, new BackupKey(VaultStateTest.filled(32, 1 + v % 250)));
        case 6:
          return new Command.Delete(user, rid);
        default:
          RegisterStore last = lastStore.get(user);
          return last != null ? last : new RegisterStore(user, VaultStateTest.rid(1 + r), VaultStateTest.filled(129, r), max);
      }
    }

    private void step(Command command) {
      UserId user = command.userId();
      Response before = machine.status(user);
      Response response = machine.apply(command);
      Response after = machine.status(user);
      if (compareWithReference) {
        String expected = reference.apply(command);
        check(expected.equals(ReferenceVault.describe(response)), "Oracle",
            command.kind() + ": expected " + expected + ", got " + ReferenceVault.describe(response));
        check(reference.status(user).equals(ReferenceVault.describe(after)), "Oracle", "status after " + command.kind());
      }
      if (command instanceof RegisterStore) {
        checkStore((RegisterStore) command, before, response, after);
      }
      boolean repeated = command instanceof CountGuess
          && ((CountGuess) command).ke1Digest().equals(lastCounted.get(user));
      if (repeated) {
        // R15: the last counted KE1 again changes nothing the user can see.
        check(response instanceof Response.GuessCounted && before.equals(after), "RetryCountsNothing",
            "a repeated KE1 answered " + response + ", status " + before + " -> " + after);
      } else {
        checkDestroyAtLimit(command, before, response, after);
      }
      if (command instanceof CountGuess) {
        lastGuess.put(user, (CountGuess) command);
      }
      track(command, response, repeated);
    }

    private void checkStore(RegisterStore store, Response before, Response response, Response after) {
      lastStore.put(store.userId(), store);
      if (!(before instanceof Response.StatusReport)) {
        return;
      }
      Response.StatusReport b = (Response.StatusReport) before;
      int usedBefore = b.maxAttempts() - b.guessesRemaining();
      if (response instanceof Response.Stored && ((Response.Stored) response).replay()) {
        check(before.equals(after), "StoreNeverResets", "a replayed store changed the record: " + before + " -> " + after);
      } else if (after instanceof Response.StatusReport) {
        Response.StatusReport a = (Response.StatusReport) after;
        int usedAfter = a.maxAttempts() - a.guessesRemaining();
        check(usedAfter >= Math.min(usedBefore, a.maxAttempts()), "StoreNeverResets",
            "store lowered guesses used from " + usedBefore + " to " + usedAfter);
      }
    }

    private void checkDestroyAtLimit(Command command, Response before, Response response, Response after) {
      boolean atLimit = before instanceof Response.StatusReport && ((Response.StatusReport) before).guessesRemaining() == 0;
      if (response instanceof Response.Destroyed) {
        check(atLimit, "DestroyAtLimit", "destroyed before the limit: " + before);
        check(after instanceof Response.NotFound, "DestroyAtLimit", "destroyed record still answers status");
      }
      if (command instanceof CountGuess && before instanceof Response.StatusReport) {
        check(atLimit == (response instanceof Response.Destroyed), "DestroyAtLimit",
            "CountGuess with " + before + " answered " + response);
      }
      boolean currentLogin = command instanceof GuessFailed
          && ((GuessFailed) command).registrationId().equals(currentRegistration.get(command.userId()));
      if (currentLogin && atLimit) {
        check(response instanceof Response.Destroyed, "DestroyAtLimit", "a failed last guess left the record: " + response);
      }
    }

    private void track(Command command, Response response, boolean repeated) {
      UserId user = command.userId();
      if (response instanceof Response.Stored && !((Response.Stored) response).replay()) {
        currentRegistration.put(user, ((Response.Stored) response).registrationId());
        released.put(user, 0);
        lastCounted.remove(user);
        pending.removeIf(p -> p[0].equals(user));
      } else if (response instanceof Response.GuessCounted) {
        Response.GuessCounted counted = (Response.GuessCounted) response;
        // G1 counts distinct guesses: a repeated KE1 carries the same blinded password.
        int count = repeated ? released.getOrDefault(user, 0) : released.merge(user, 1, Integer::sum);
        lastCounted.put(user, ((CountGuess) command).ke1Digest());
        Response.StatusReport status = (Response.StatusReport) machine.status(user);
        check(count <= status.maxAttempts(), "G1",
            count + " guesses released for " + user + " since the last success, limit " + status.maxAttempts());
        pending.add(new Object[] {user, counted.registrationId()});
      } else if (response instanceof Response.Recovered || response instanceof Response.Exposed) {
        released.put(user, 0);
        lastCounted.remove(user);
        pending.removeIf(p -> p[0].equals(user));
      } else if (response instanceof Response.Destroyed || response instanceof Response.Deleted) {
        released.remove(user);
        lastCounted.remove(user);
        currentRegistration.remove(user);
        pending.removeIf(p -> p[0].equals(user));
      } else if (command instanceof GuessFailed) {
        pending.removeIf(p -> p[0].equals(user));
      }
    }

    private static void check(boolean condition, String invariant, String detail) {
      if (!condition) {
        throw new AssertionError(invariant + " violated: " + detail);
      }
    }
  }

  static void checkAll(Supplier<Machine> machines, boolean compareWithReference) {
    qt().withExamples(500).forAll(SCRIPTS).checkAssert(script -> new Checker(machines.get(), compareWithReference).run(script));
  }

  @Test
  void g1_store_never_resets_destroy_at_limit_and_agreement_with_the_reference() {
    checkAll(VaultPropertiesTest::real, true);
  }

  @Test
  void g1_trips_when_a_failed_guess_gives_its_count_back() {
    // Broken: below the limit, a failed login resets the counter as a success would. A retry
    // after such a reset is counted again, so RetryCountsNothing may see it first.
    Supplier<Machine> broken = () -> wrap(real(), (inner, command) -> {
      if (command instanceof GuessFailed) {
        Response status = inner.status(command.userId());
        if (status instanceof Response.StatusReport && ((Response.StatusReport) status).guessesRemaining() > 0) {
          Response reset = inner.apply(new Command.RecoverSucceeded(command.userId(), ((GuessFailed) command).registrationId()));
          if (reset instanceof Response.Recovered) {
            return new Response.FailureKept(((Response.StatusReport) status).guessesRemaining());
          }
        }
      }
      return inner.apply(command);
    });
    assertFailsWith(broken, "G1", "RetryCountsNothing");
  }

  @Test
  void store_never_resets_trips_when_a_retried_store_resets_the_counter() {
    // Broken: a store for an existing user forgets the record first (and that it existed),
    // so it starts again at 0.
    Supplier<Machine> broken = () -> new Machine() {
      private VaultState vault = new VaultState();

      @Override
      public Response apply(Command command) {
        if (command instanceof RegisterStore && vault.status(command.userId()) instanceof Response.StatusReport) {
          java.util.TreeMap<UserId, VaultRecord> records = new java.util.TreeMap<>(vault.records());
          records.remove(command.userId());
          vault = new VaultState(records, new java.util.TreeMap<>(vault.retired()));
        }
        return vault.apply(command);
      }

      @Override
      public Response status(UserId userId) {
        return vault.status(userId);
      }
    };
    assertFailsWith(broken, "StoreNeverResets");
  }

  @Test
  void destroy_at_limit_trips_when_a_failed_last_guess_keeps_the_record() {
    Supplier<Machine> broken = () -> wrap(real(), (inner, command) -> {
      if (command instanceof GuessFailed) {
        Response status = inner.status(command.userId());
        if (status instanceof Response.StatusReport && ((Response.StatusReport) status).guessesRemaining() == 0) {
          return new Response.FailureKept(0);
        }
      }
      return inner.apply(command);
    });
    assertFailsWith(broken, "DestroyAtLimit");
  }

  @Test
  void retry_counts_nothing_trips_when_a_repeated_ke1_counts_again() {
    // Broken: the vault is handed every guess under a new KE1 digest, so a retry counts again.
    Supplier<Machine> broken = () -> wrap(real(), (inner, command) ->
        inner.apply(command instanceof CountGuess ? Guesses.fresh(command.userId()) : command));
    assertFailsWith(broken, "RetryCountsNothing");
  }

  @Test
  void g1_trips_when_every_ke1_is_taken_for_a_repeat() {
    // Broken: every guess of a user reaches the vault under one KE1 digest, so after the first
    // each new login is answered as a retry and never counted: more answers than the limit
    // (G1), or an answer where the limit should destroy the record (DestroyAtLimit).
    CountGuess same = Guesses.fresh(VaultStateTest.ALICE);
    Supplier<Machine> broken = () -> wrap(real(), (inner, command) ->
        inner.apply(command instanceof CountGuess ? new CountGuess(command.userId(), same.ke1Digest()) : command));
    assertFailsWith(broken, "G1", "DestroyAtLimit");
  }

  interface Fault {
    Response apply(Machine inner, Command command);
  }

  static Machine wrap(Machine inner, Fault fault) {
    return new Machine() {
      @Override
      public Response apply(Command command) {
        return fault.apply(inner, command);
      }

      @Override
      public Response status(UserId userId) {
        return inner.status(userId);
      }
    };
  }

  /** The broken machine trips one of {@code invariants} (a bug may show first through any of them). */
  static void assertFailsWith(Supplier<Machine> broken, String... invariants) {
    AssertionError error = assertThrows(AssertionError.class, () -> checkAll(broken, false));
    assertTrue(java.util.Arrays.stream(invariants).anyMatch(i -> error.getMessage().contains(i + " violated")),
        error.getMessage());
    System.out.println("[negative] " + error.getMessage().lines().filter(l -> l.contains("violated")).findFirst().orElse(""));
  }
}
