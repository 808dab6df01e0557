package dev.bkv.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Json;
import dev.bkv.consensus.LogHead;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.consensus.SpecAction;
import dev.bkv.firmware.FirmwareOptions;
import dev.bkv.firmware.ReplicatedVault;
import dev.bkv.sim.Schedule;
import dev.bkv.sim.SimResult;
import dev.bkv.sim.Simulator;
import dev.bkv.testsupport.Guesses;
import dev.bkv.vault.Command;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.Response;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Traces of the replicated fleet: simulated runs render as bkv-trace/1 (Init first, every
 * event with the fields its action has), post-states are the HSM's state, refused finishes
 * name the session asked for, registrations are numbered per trace, and tracing changes
 * nothing about a run.
 */
class TraceRecorderTest {
  private static final Set<String> POST_FIELDS = Set.of("term", "vote", "role", "log", "commit", "nvHead", "catchUp",
      "writing", "vault", "released", "sessions");
  private static final Set<String> CORE_ACTIONS = Set.of("Timeout", "PersistHead", "SendAppendEntries", "LeaderNoop",
      "Restart");
  private static final Set<String> RECEIVES = Set.of("HandleRequestVote", "HandleVote", "HandleAppendEntries",
      "HandleAppendAck");

  private static TraceRecorder traced(long seed) {
    TraceRecorder recorder = new TraceRecorder();
    SimResult result = Simulator.run(TraceRuns.schedule(seed), seed, FirmwareOptions.PRODUCTION, recorder);
    assertTrue(result.ok(), "seed " + seed + ": " + result.violation());
    return recorder;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> parsed(TraceRecorder recorder) {
    return (List<Map<String, Object>>) Json.parse(recorder.toJson());
  }

  @Test
  void aTracedRunStartsWithInitAndEveryEventHasTheFieldsOfItsAction() {
    // Goal: the JSON of real runs has exactly the shape TRACE-FORMAT.md gives, event by event.
    for (long seed = 1; seed <= 5; seed++) {
      List<Map<String, Object>> events = parsed(traced(seed));
      Map<String, Object> init = events.get(0);
      assertEquals(List.of("action", "hsms", "sites", "users", "seed", "schedule"), List.copyOf(init.keySet()));
      assertEquals("Init", init.get("action"));
      assertEquals(List.of(List.of(BigInteger.ZERO), List.of(BigInteger.ONE), List.of(BigInteger.TWO)),
          init.get("sites"));
      assertEquals(List.of("user0", "user1"), init.get("users"));
      assertEquals(Long.toString(seed), init.get("seed"));
      assertEquals(TraceRuns.schedule(seed).toString(), init.get("schedule"));
      Set<String> seen = new java.util.HashSet<>();
      for (Map<String, Object> e : events.subList(1, events.size())) {
        String action = (String) e.get("action");
        seen.add(action);
        checkEvent(action, e);
      }
      assertTrue(seen.containsAll(Set.of("Timeout", "HandleRequestVote", "HandleVote", "LeaderNoop", "PersistHead",
          "SendAppendEntries", "HandleAppendEntries", "HandleAppendAck", "ClientRegisterStore", "ClientGuess",
          "ClientRegisterExpose")), "seed " + seed + " saw only " + seen);
    }
  }

  @SuppressWarnings("unchecked")
  private static void checkEvent(String action, Map<String, Object> e) {
    List<String> keys = List.copyOf(e.keySet());
    if (action.equals("LoseDatacenter")) {
      assertEquals(List.of("action", "node", "dc"), keys);
      assertEquals(BigInteger.valueOf(-1), e.get("node"));
      return;
    }
    if (CORE_ACTIONS.contains(action)) {
      assertEquals(List.of("action", "node", "post"), keys, action);
    } else if (RECEIVES.contains(action)) {
      assertEquals(List.of("action", "node", "msg", "post"), keys, action);
      Map<String, Object> msg = (Map<String, Object>) e.get("msg");
      assertEquals(action.substring("Handle".length()), msg.get("mtype"));
      assertEquals(!action.equals("HandleRequestVote"), msg.containsKey("mdest"), action);
    } else if (action.equals("ClientGuess")) {
      assertEquals(List.of("action", "node", "cmd", "right", "refused", "post"), keys);
    } else if (action.equals("ClientRegisterStore")) {
      assertEquals(List.of("action", "node", "cmd", "refused", "post"), keys);
    } else {
      assertTrue(Set.of("ClientRegisterExpose", "ClientRecover", "ClientGuessFailed").contains(action), action);
      assertEquals(List.of("action", "node", "cmd", "session", "refused", "post"), keys);
      assertEquals(2, ((List<Object>) e.get("session")).size());
    }
    Map<String, Object> post = (Map<String, Object>) e.get("post");
    assertEquals(POST_FIELDS, post.keySet());
    assertEquals(Set.of("user0", "user1"), ((Map<String, Object>) post.get("vault")).keySet());
    for (Object entry : (List<Object>) post.get("log")) {
      Map<String, Object> m = (Map<String, Object>) entry;
      String op = (String) m.get("op");
      Set<String> fields = op.equals("Noop") ? Set.of("term", "op")
          : op.equals("Store") ? Set.of("term", "op", "user", "reg", "max")
          : op.equals("Guess") ? Set.of("term", "op", "user", "login") : Set.of("term", "op", "user", "reg");
      assertEquals(fields, m.keySet(), op);
    }
  }

  @Test
  void thePostStateOfPersistHeadIsTheCoresState() {
    // Goal: a PersistHead event's post-state is exactly what the core holds right after onLogWritten.
    TraceRuns.Fleet fleet = new TraceRuns.Fleet();
    fleet.elect(0);
    fleet.recorder.nextGuessRight(false);
    fleet.host(0, fleet.hsms[0].submit(List.of(new ReplicatedVault.Request(1, Guesses.fresh(TraceRuns.user(0))))));
    ReplicaCore core = fleet.hsms[0].core();
    List<TraceEvent> events = fleet.recorder.events();
    TraceEvent.Step last = (TraceEvent.Step) events.get(events.size() - 1);
    assertEquals(TraceAction.PERSIST_HEAD, last.action());
    Post post = last.post();
    assertEquals(core.currentTerm(), post.term());
    assertEquals(core.votedFor(), post.vote());
    assertEquals(ReplicaCore.Role.LEADER, post.role());
    assertEquals(core.lastIndex(), post.log().size());
    assertEquals(Cmd.Op.GUESS, post.log().get(post.log().size() - 1).cmd().op());
    assertEquals(core.commitIndex(), post.commit());
    assertEquals(core.nvram().head(), post.nvHead());
    assertEquals(core.logHead(), post.nvHead());
    assertEquals(new LogHead(core.currentTerm(), core.lastIndex()), post.nvHead());
    assertFalse(post.writing());
    // The ClientGuess event before it saw the write in progress.
    TraceEvent.Step guess = (TraceEvent.Step) events.get(events.size() - 2);
    assertEquals(TraceAction.CLIENT_GUESS, guess.action());
    assertTrue(guess.post().writing());
  }

  @Test
  @SuppressWarnings("unchecked")
  void aFinishRefusedForWantOfASessionCarriesTheSessionTheClientAskedFor() {
    // Goal: a replayed KE3 (no session any more) renders with the [term, index] of the guess it names.
    TraceRuns.Fleet fleet = new TraceRuns.Fleet();
    fleet.elect(0);
    RegistrationId reg = new RegistrationId(new byte[RegistrationId.BYTES]);
    fleet.host(0, fleet.hsms[0].submit(List.of(new ReplicatedVault.Request(1,
        new Command.RegisterStore(TraceRuns.user(0), reg, new byte[96], 5)))));
    fleet.rounds(0, 2);
    fleet.recorder.nextGuessRight(true);
    fleet.host(0, fleet.hsms[0].submit(List.of(new ReplicatedVault.Request(2, Guesses.fresh(TraceRuns.user(0))))));
    fleet.rounds(0, 2);
    ReplicatedVault.Released answer = (ReplicatedVault.Released) fleet.outcomes.stream()
        .filter(o -> o.requestId() == 2).findFirst().orElseThrow();
    assertTrue(answer.response() instanceof Response.GuessCounted);
    fleet.host(0, fleet.hsms[0].finishLogin(3, 2, new ReplicatedVault.LoginEnd.Fail()));
    fleet.host(0, fleet.hsms[0].finishLogin(4, 2, new ReplicatedVault.LoginEnd.Fail()));

    List<Map<String, Object>> events = parsed(fleet.recorder);
    List<Object> id = List.of(BigInteger.valueOf(answer.term()), BigInteger.valueOf(answer.index()));
    Map<String, Object> finished = events.get(events.size() - 3);
    Map<String, Object> replayed = events.get(events.size() - 1);
    assertEquals("ClientGuessFailed", finished.get("action"));
    assertEquals(false, finished.get("refused"));
    assertEquals(id, finished.get("session"));
    assertEquals(Map.of("op", "Fail", "user", "user0", "reg", BigInteger.ONE), finished.get("cmd"));
    assertEquals("ClientGuessFailed", replayed.get("action"));
    assertEquals(true, replayed.get("refused"));
    assertEquals(id, replayed.get("session"));
    assertEquals(Map.of("op", "Fail", "user", "user0"), replayed.get("cmd"));
    assertEquals(List.of(), ((Map<String, Object>) replayed.get("post")).get("sessions"));
  }

  @Test
  void aFinishRefusedAsBusyKeepsItsSessionSoThePostStateIsThePreState() {
    // Goal: a refused finish changes nothing, its session included: the client may finish once later.
    TraceRuns.Fleet fleet = new TraceRuns.Fleet(1);
    fleet.elect(0);
    fleet.host(0, fleet.hsms[0].submit(List.of(new ReplicatedVault.Request(1,
        new Command.RegisterStore(TraceRuns.user(0), new RegistrationId(new byte[RegistrationId.BYTES]), new byte[96], 5)))));
    fleet.rounds(0, 2);
    fleet.recorder.nextGuessRight(false);
    fleet.host(0, fleet.hsms[0].submit(List.of(new ReplicatedVault.Request(2, Guesses.fresh(TraceRuns.user(0))))));
    fleet.rounds(0, 2);
    fleet.recorder.nextGuessRight(false);
    fleet.host(0, fleet.hsms[0].submit(List.of(new ReplicatedVault.Request(3, Guesses.fresh(TraceRuns.user(0))))));
    fleet.host(0, fleet.hsms[0].finishLogin(4, 2, new ReplicatedVault.LoginEnd.Fail()));
    List<TraceEvent> events = fleet.recorder.events();
    TraceEvent.Step busy = (TraceEvent.Step) events.get(events.size() - 1);
    assertTrue(busy.refused());
    assertEquals(List.of(busy.session()), busy.post().sessions());
    fleet.rounds(0, 2);
    fleet.host(0, fleet.hsms[0].finishLogin(5, 2, new ReplicatedVault.LoginEnd.Fail()));
    events = fleet.recorder.events();
    // The finish, then the PersistHead of its append.
    TraceEvent.Step finished = (TraceEvent.Step) events.get(events.size() - 2);
    assertFalse(finished.refused(), "the session outlived the busy refusal");
    assertEquals(busy.session(), finished.session());
    assertEquals(1, finished.post().sessions().size(), "only the second guess's session is open");
  }

  @Test
  @SuppressWarnings("unchecked")
  void registrationsAreNumberedOneTwoInOrderOfFirstAppearanceTheSameJavaIdAlwaysTheSameNumber() {
    // Goal: within a trace, each RegistrationId has one small number, assigned 1, 2, ... as ids first appear.
    for (long seed = 1; seed <= 5; seed++) {
      TraceRecorder recorder = traced(seed);
      List<Map<String, Object>> rendered = parsed(recorder);
      Map<RegistrationId, Object> numbers = new HashMap<>();
      int stores = 0;
      for (int k = 0; k < rendered.size(); k++) {
        if (recorder.events().get(k) instanceof TraceEvent.Step step && step.action() == TraceAction.CLIENT_REGISTER_STORE) {
          Object number = ((Map<String, Object>) rendered.get(k).get("cmd")).get("reg");
          Object before = numbers.putIfAbsent(step.cmd().reg(), number);
          assertEquals(before == null ? number : before, number, "seed " + seed + " event " + k);
          if (before == null) {
            stores++;
            assertEquals(BigInteger.valueOf(stores), number, "seed " + seed + ": the first stores number 1, 2, ...");
          }
        }
      }
      assertTrue(stores >= 2, "seed " + seed + ": both users stored");
      assertEquals(numbers.size(), Set.copyOf(numbers.values()).size(), "distinct ids get distinct numbers");
    }
  }

  @Test
  void theNoneSinkMakesNoEventsAndTracingChangesNoResult() {
    // Goal: an untraced run builds no events, and a traced run of a seed gives the untraced run's result.
    int[] calls = {0};
    TraceSink disabled = new TraceSink() {
      @Override
      public boolean enabled() {
        return false;
      }

      @Override
      public void record(TraceEvent event) {
        calls[0]++;
      }

      @Override
      public void nextGuessRight(boolean right) {
        calls[0]++;
      }
    };
    for (long seed = 1; seed <= 5; seed++) {
      Schedule schedule = TraceRuns.schedule(seed);
      SimResult plain = Simulator.run(schedule, seed);
      assertEquals(plain, Simulator.run(schedule, seed, FirmwareOptions.PRODUCTION, disabled));
      assertEquals(plain, Simulator.run(schedule, seed, FirmwareOptions.PRODUCTION, TraceSink.NONE));
      assertEquals(plain, Simulator.run(schedule, seed, FirmwareOptions.PRODUCTION, new TraceRecorder()));
    }
    assertEquals(0, calls[0]);
  }

  @Test
  void aTracedRunRefusesAScheduleWithBatchesOrSnapshots() {
    // Goal: traces exist only for runs the spec can replay: one entry per AppendEntries, no snapshots.
    Schedule batched = new Schedule(3, List.of(0, 1, 2), Schedule.SNAPSHOT_NEVER, 2, 1, List.of());
    Schedule snapshots = new Schedule(3, List.of(0, 1, 2), 16, 1, 1, List.of());
    for (Schedule s : List.of(batched, snapshots)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Simulator.run(s, 1, FirmwareOptions.PRODUCTION, new TraceRecorder()));
      assertTrue(e.getMessage().startsWith("a traced run needs batch=1 and snap=1000000"), e.getMessage());
    }
    assertTrue(batched.traceable().isTraceable());
    assertTrue(Simulator.run(snapshots.traceable(), 1, FirmwareOptions.PRODUCTION, new TraceRecorder()).ok());
  }

  @Test
  void everyCoreActionButAClientRequestNamesATraceAction() {
    // Goal: the core's action names and the trace's stay in step (a renamed constant fails here, not in a run).
    for (SpecAction action : SpecAction.values()) {
      if (action == SpecAction.CLIENT_REQUEST) {
        assertThrows(IllegalArgumentException.class, () -> TraceAction.of(action));
      } else {
        assertEquals(action.name(), TraceAction.of(action).name());
      }
    }
  }

  @Test
  void aTraceLongerThanEventsMaxIsRefusedWithItsLimit() {
    // Goal: one run's trace is bounded; the limit is named when a run exceeds it.
    TraceRecorder recorder = new TraceRecorder();
    recorder.record(new TraceEvent.Init(3, List.of(List.of(0, 1, 2)), List.of(), "1", "s"));
    TraceEvent.LoseDatacenter loss = new TraceEvent.LoseDatacenter(List.of(0));
    for (int k = 1; k < TraceRecorder.EVENTS_MAX; k++) {
      recorder.record(loss);
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> recorder.record(loss));
    assertTrue(e.getMessage().contains("EVENTS_MAX = " + TraceRecorder.EVENTS_MAX), e.getMessage());
    IllegalStateException noHeader = assertThrows(IllegalStateException.class, () -> new TraceRecorder().record(loss));
    assertTrue(noHeader.getMessage().startsWith("a trace has exactly one Init event, its first"), noHeader.getMessage());
  }

  @Test
  void aBatchIsOneJsonArrayOfTraces(@TempDir Path dir) throws Exception {
    // Goal: the batch file TLC loads is an array whose elements are the rendered traces, in order.
    Path file = dir.resolve("traces.json");
    TraceRecorder one = traced(1);
    TraceRecorder two = traced(2);
    TraceRecorder.writeBatch(file, List.of(one.render(), two.render()));
    List<?> batch = (List<?>) Json.parse(Files.readString(file, StandardCharsets.UTF_8));
    assertEquals(2, batch.size());
    assertEquals(Json.parse(one.toJson()), batch.get(0));
    assertNotEquals(batch.get(0), batch.get(1));
  }
}
