package dev.bkv.sim;

import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.bkv.sim.Schedule.Event;
import dev.bkv.sim.Schedule.Kind;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** QuickTheories generators of simulation schedules, with a bias per fault profile. */
final class SimGen {
  /** Arguments of events: HSM numbers, masks, counts and version choices are taken modulo what fits. */
  static final int ARGUMENT_MAX = 255;

  private SimGen() {}

  /** How a generated schedule leans: event weights, length, users, snapshot intervals. */
  record Profile(String name, Map<Kind, Integer> weights, int ticks, int eventsMin, int eventsMax, int usersMax,
      List<Integer> snapshotEvery, boolean majorityPlacement, List<Integer> batches, int argumentMax) {
    Profile with(Kind kind, int weight) {
      Map<Kind, Integer> w = new EnumMap<>(weights);
      w.put(kind, weight);
      return new Profile(name, w, ticks, eventsMin, eventsMax, usersMax, snapshotEvery, majorityPlacement,
          batches, argumentMax);
    }

    Profile named(String newName) {
      return new Profile(newName, weights, ticks, eventsMin, eventsMax, usersMax, snapshotEvery,
          majorityPlacement, batches, argumentMax);
    }

    Profile snapshots(Integer... every) {
      return new Profile(name, weights, ticks, eventsMin, eventsMax, usersMax, List.of(every),
          majorityPlacement, batches, argumentMax);
    }

    Profile length(int newTicks, int min, int max) {
      return new Profile(name, weights, newTicks, min, max, usersMax, snapshotEvery, majorityPlacement,
          batches, argumentMax);
    }

    Profile batches(Integer... sizes) {
      return new Profile(name, weights, ticks, eventsMin, eventsMax, usersMax, snapshotEvery, majorityPlacement,
          List.of(sizes), argumentMax);
    }

    /** Small arguments: short crashes, low HSM numbers, few messages per fault. */
    Profile arguments(int max) {
      return new Profile(name, weights, ticks, eventsMin, eventsMax, usersMax, snapshotEvery, majorityPlacement,
          batches, max);
    }

    Profile users(int max) {
      return new Profile(name, weights, ticks, eventsMin, eventsMax, max, snapshotEvery, majorityPlacement,
          batches, argumentMax);
    }

    Profile majorityInOneDatacenter() {
      return new Profile(name, weights, ticks, eventsMin, eventsMax, usersMax, snapshotEvery, true, batches,
          argumentMax);
    }
  }

  /** Every fault and client event, clients weighted most. */
  static final Profile DEFAULT = new Profile("default", weights(
      Kind.CRASH, 4, Kind.TORN, 2, Kind.LOST_FSYNC, 2, Kind.ROLLBACK, 3, Kind.BIT_FLIP, 2,
      Kind.PARTITION, 3, Kind.ISOLATE_LEADER, 3, Kind.HEAL, 4, Kind.LOSSY, 2, Kind.DELAY, 2,
      Kind.REPLAY, 3, Kind.TAMPER, 2, Kind.MISDIRECT, 2, Kind.LOSE_DC, 1,
      Kind.REGISTER, 8, Kind.LOGIN, 10, Kind.ATTACK, 4, Kind.REPLAY_LOGIN, 3, Kind.STATUS, 2),
      400, 10, 40, 4, List.of(4, 8, 16, 64, Schedule.SNAPSHOT_NEVER), false, List.of(1, 2, Schedule.BATCH_MAX),
      ARGUMENT_MAX);

  private static Map<Kind, Integer> weights(Object... kindsAndWeights) {
    Map<Kind, Integer> w = new EnumMap<>(Kind.class);
    for (int k = 0; k < kindsAndWeights.length; k += 2) {
      w.put((Kind) kindsAndWeights[k], (Integer) kindsAndWeights[k + 1]);
    }
    return w;
  }

  static Gen<Schedule> schedules(int hsms, Profile profile) {
    Gen<Integer> users = integers().between(1, profile.usersMax());
    Gen<Integer> snapshot = Generate.pick(profile.snapshotEvery());
    Gen<List<Integer>> placement = Generate.pick(placements(hsms, profile.majorityPlacement()));
    Gen<Integer> batch = Generate.pick(profile.batches());
    Gen<List<Event>> events = lists().of(event(profile)).ofSizeBetween(profile.eventsMin(), profile.eventsMax());
    return placement.zip(snapshot, batch, users, events,
        (p, s, b, u, e) -> new Schedule(hsms, p, s, b, u, e)).describedAs(Schedule::toString);
  }

  private static Gen<Event> event(Profile profile) {
    List<Pair<Integer, Gen<Kind>>> kinds = new ArrayList<>();
    for (Map.Entry<Kind, Integer> w : profile.weights().entrySet()) {
      if (w.getValue() > 0) {
        kinds.add(Pair.of(w.getValue(), Generate.constant(w.getKey())));
      }
    }
    Gen<Kind> kind = Generate.frequency(kinds);
    Gen<Integer> tick = integers().between(0, profile.ticks() - 1);
    Gen<Integer> argument = integers().between(0, profile.argumentMax());
    return tick.zip(kind, argument, argument, (t, k, a, b) -> new Event(t, k, a, b));
  }

  /**
   * Placements of {@code hsms} HSMs in the three datacenters: valid ones (losing any one
   * datacenter leaves a majority), or only ones where a datacenter holds a majority.
   */
  static List<List<Integer>> placements(int hsms, boolean majorityInOne) {
    List<List<Integer>> all = new ArrayList<>();
    int total = (int) Math.pow(Schedule.DATACENTERS_MAX, hsms);
    for (int code = 0; code < total; code++) {
      List<Integer> p = new ArrayList<>();
      int[] count = new int[Schedule.DATACENTERS_MAX];
      for (int i = 0, c = code; i < hsms; i++, c /= Schedule.DATACENTERS_MAX) {
        p.add(c % Schedule.DATACENTERS_MAX);
        count[c % Schedule.DATACENTERS_MAX]++;
      }
      boolean valid = true;
      for (int dc : count) {
        valid &= 2 * (hsms - dc) > hsms;
      }
      boolean spread = count[0] < hsms && count[1] < hsms && count[2] < hsms;
      if (valid != majorityInOne && spread) {
        all.add(p);
      }
    }
    return all;
  }
}
