package dev.bkv.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.client.VaultTransport;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.hsm.FirmwareResponse.Reason;
import dev.bkv.vault.Phase;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Goal: the migration walk's rules against scripted fleets: one user's refusal is reported and
 * the walk goes on, a fleet-wide refusal stops it, "try again" is retried within the bound, an
 * import refused by a fleet that holds the user counts as done with the frozen count, and the
 * walk moves only forward through pages.
 */
class FleetMigratorTest {
  static final byte[] BUNDLE = {1};
  static final FleetMigrator.Limits FAST = new FleetMigrator.Limits(FleetMigrator.USERS_MAX, FleetMigrator.PAGES_MAX,
      FleetMigrator.REQUEST_ATTEMPTS_MAX, 0);

  /** A fleet answering each decoded request with {@code answer}; it records what it was sent. */
  static final class Scripted implements VaultTransport {
    final Function<FirmwareRequest, FirmwareResponse> answer;
    final List<FirmwareRequest> sent = new ArrayList<>();

    Scripted(Function<FirmwareRequest, FirmwareResponse> answer) {
      this.answer = answer;
    }

    @Override
    public byte[] exchange(byte[] request) throws TransportException {
      try {
        FirmwareRequest decoded = FirmwareCodec.decodeRequest(request);
        sent.add(decoded);
        FirmwareResponse response = answer.apply(decoded);
        if (response == null) {
          throw new TransportException("connection refused");
        }
        return FirmwareCodec.encode(response);
      } catch (dev.bkv.crypto.DecodeException e) {
        throw new AssertionError(e);
      }
    }
  }

  static UserId user(String name) {
    try {
      return UserId.ofUtf8(name);
    } catch (dev.bkv.crypto.DecodeException e) {
      throw new AssertionError(e);
    }
  }

  static String name(FirmwareRequest request) {
    if (request instanceof FirmwareRequest.MigrateOut) {
      return MigrationOutcome.display(((FirmwareRequest.MigrateOut) request).userId());
    }
    if (request instanceof FirmwareRequest.Status) {
      return MigrationOutcome.display(((FirmwareRequest.Status) request).userId());
    }
    if (request instanceof FirmwareRequest.MigrateIn) {
      return new String(((FirmwareRequest.MigrateIn) request).export(), java.nio.charset.StandardCharsets.US_ASCII);
    }
    return "";
  }

  static FirmwareResponse.Refused refused(Reason reason) {
    return new FirmwareResponse.Refused(reason, "scripted");
  }

  static final FirmwareResponse.Users ABC = new FirmwareResponse.Users(List.of(user("a"), user("b"), user("c")), false);

  @Test
  void oneUsersRefusalIsReported_theWalkGoesOn_andTryAgainIsRetried() throws Exception {
    int[] cTries = {0};
    Scripted old = new Scripted(r -> {
      if (r instanceof FirmwareRequest.ListUsers) {
        return ABC;
      }
      switch (name(r)) {
        case "b":
          return refused(Reason.NOT_MIGRATABLE);
        case "c":
          return ++cTries[0] < 3 ? refused(Reason.TRY_AGAIN) : new FirmwareResponse.Migrated("c".getBytes());
        default:
          return new FirmwareResponse.Migrated(name(r).getBytes());
      }
    });
    Scripted fresh = new Scripted(r -> new FirmwareResponse.Imported(user(name(r)), new RegistrationId(
        new byte[RegistrationId.BYTES]), name(r).equals("a") ? 3 : 0, 10));
    List<MigrationOutcome> heard = new ArrayList<>();
    MigrationReport report = new FleetMigrator(old, fresh, BUNDLE, BUNDLE, FAST).run(heard::add);
    assertEquals(List.of(new MigrationOutcome.Migrated(user("a"), 3, 10)), heard.subList(0, 1));
    assertTrue(heard.get(1) instanceof MigrationOutcome.Failed && ((MigrationOutcome.Failed) heard.get(1)).reason()
        .contains("NOT_MIGRATABLE"), heard.toString());
    assertEquals(new MigrationOutcome.Migrated(user("c"), 0, 10), heard.get(2));
    assertEquals(3, cTries[0], "TRY_AGAIN is retried");
    assertEquals(heard, report.outcomes());
    assertFalse(report.complete());
    assertEquals("3 users: 2 migrated, 0 already migrated, 0 without a record, 1 not migrated", report.summary());
  }

  @Test
  void aFleetWideRefusal_stopsTheWalk_atTheFirstUser() throws Exception {
    Scripted old = new Scripted(r -> r instanceof FirmwareRequest.ListUsers ? ABC : refused(Reason.MIGRATION_NOT_CONFIGURED));
    Scripted fresh = new Scripted(r -> {
      throw new AssertionError("nothing reaches the new fleet");
    });
    MigrationReport report = new FleetMigrator(old, fresh, BUNDLE, BUNDLE, FAST).run(o -> { });
    assertTrue(report.outcomes().isEmpty());
    assertTrue(report.stopped().orElseThrow().contains("MIGRATION_NOT_CONFIGURED"), report.summary());
    assertEquals(2, old.sent.size(), "one page, one export");
  }

  @Test
  void anImportRefusedByAFleetHoldingTheUser_isDone_withTheFrozenCount_elseAFailure() throws Exception {
    Scripted old = new Scripted(r -> {
      if (r instanceof FirmwareRequest.ListUsers) {
        return new FirmwareResponse.Users(List.of(user("a"), user("b")), false);
      }
      if (r instanceof FirmwareRequest.Status) {
        return new FirmwareResponse.StatusReport(Phase.MIGRATED, 7, 10);
      }
      return new FirmwareResponse.Migrated(name(r).getBytes());
    });
    Scripted fresh = new Scripted(r -> {
      if (r instanceof FirmwareRequest.Status) {
        return name(r).equals("a") ? new FirmwareResponse.StatusReport(Phase.EXPOSED, 7, 10) : new FirmwareResponse.NotFound();
      }
      return refused(Reason.IMPORT_REFUSED);
    });
    MigrationReport report = new FleetMigrator(old, fresh, BUNDLE, BUNDLE, FAST).run(o -> { });
    assertEquals(new MigrationOutcome.AlreadyMigrated(user("a"), 3, 10), report.outcomes().get(0));
    assertTrue(report.outcomes().get(1) instanceof MigrationOutcome.Failed, report.outcomes().toString());
    assertFalse(report.complete());
  }

  @Test
  void aPageThatGoesBack_orAnUnreachableFleet_stopsTheWalk_withTheReason() throws Exception {
    Scripted backwards = new Scripted(r -> {
      if (!(r instanceof FirmwareRequest.ListUsers)) {
        return new FirmwareResponse.Migrated(name(r).getBytes());
      }
      FirmwareRequest.ListUsers list = (FirmwareRequest.ListUsers) r;
      return list.after().isEmpty() ? new FirmwareResponse.Users(List.of(user("b")), true)
          : new FirmwareResponse.Users(List.of(user("a")), false);
    });
    Scripted fresh = new Scripted(r -> new FirmwareResponse.Imported(user("b"), new RegistrationId(
        new byte[RegistrationId.BYTES]), 0, 10));
    // b moves; the next page lists a, before b: a host replaying an old page cannot send the walk round again.
    MigrationReport report = new FleetMigrator(backwards, fresh, BUNDLE, BUNDLE, FAST).run(o -> { });
    assertTrue(report.stopped().orElseThrow().contains("out of order"), report.summary());

    Scripted down = new Scripted(r -> null);
    MigrationReport unreachable = new FleetMigrator(down, fresh, BUNDLE, BUNDLE, FAST).run(o -> { });
    assertEquals(Optional.of("listing the old fleet's users: " + FleetMigrator.REQUEST_ATTEMPTS_MAX
        + " attempts failed, the last: connection refused"), unreachable.stopped());
    assertEquals(FleetMigrator.REQUEST_ATTEMPTS_MAX, down.sent.size());
  }
}
