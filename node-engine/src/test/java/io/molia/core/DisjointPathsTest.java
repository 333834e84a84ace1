package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.core.lookup.LookupHop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * S/Kademlia disjoint paths in the node's own record operations (DESIGN §3.5): 80 NodeCores with the default
 * configuration, driven by hand (1 ms per hop). A record read asks its peers over d paths that never share one; a
 * plain lookup keeps one path; a put still reaches the k closest; a get still ends at the first valid value. The
 * network is built once for all three (each leaves it as it found it but for one stored value).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DisjointPathsTest {
    private static final long MS = 1_000_000;

    private final SplittableRandom random = new SplittableRandom(41);
    private final Map<NodeAddress, NodeCore> network = new LinkedHashMap<>();
    private final List<NodeCore> nodes = new ArrayList<>();
    private long now;

    DisjointPathsTest() {
        for (int i = 0; i < 80; i++) {
            Contact c = TestContacts.random(random, 0x0a000000 | i << 8);
            NodeCore core = new NodeCore(CoreConfig.defaults(), c, random.split(), now);
            network.put(c.address(), core);
            nodes.add(core);
        }
        for (int i = 1; i < nodes.size(); i++) {
            nodes.get(i).bootstrap(now, List.of(nodes.get(0).self()));
            drive();
        }
        nodes.forEach(DisjointPathsTest::events);
    }

    @Test
    void aRecordReadAsksOverDPathsThatNeverShareAPeer() {
        int d = CoreConfig.defaults().disjointPaths();
        Set<Integer> everyPath = new HashSet<>();
        for (int p = 0; p < d; p++) {
            everyPath.add(p);
        }
        for (int run = 0; run < 5; run++) {
            NodeCore origin = nodes.get(1 + run);
            NodeId missing = new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
            long handle = origin.startTracedLookup(now, missing, true); // a get of a key nobody holds: runs to its end
            drive();
            CoreEvent.GetCompleted done = only(origin, CoreEvent.GetCompleted.class);
            assertNull(done.value());
            List<LookupHop> hops = origin.takeTrace(handle);
            Map<NodeId, Integer> pathOfPeer = new HashMap<>();
            Set<Integer> paths = new HashSet<>();
            for (LookupHop hop : hops) {
                Integer before = pathOfPeer.putIfAbsent(hop.peer().id(), hop.path());
                assertTrue(before == null || before == hop.path(), "peer " + hop.peer().id() + " asked on paths "
                        + before + " and " + hop.path());
                assertTrue(hop.path() >= 0 && hop.path() < d, "path " + hop.path());
                paths.add(hop.path());
            }
            assertEquals(everyPath, paths, "every path asked someone: " + hops);
            assertEquals(done.requests(), pathOfPeer.size(), "each peer asked once, by one path");
        }
    }

    @Test
    void aPlainLookupKeepsOnePath() {
        NodeCore origin = nodes.get(5);
        long handle = origin.startTracedLookup(now, nodes.get(60).self().id(), false);
        drive();
        only(origin, CoreEvent.LookupCompleted.class);
        List<LookupHop> hops = origin.takeTrace(handle);
        assertTrue(hops.size() > 4, "it asked several peers: " + hops);
        assertTrue(hops.stream().allMatch(h -> h.path() == 0), "one path: " + hops);
    }

    @Test
    void aPutReachesTheKClosestOverTheUnionOfPathsAndAGetEndsAtTheFirstValue() {
        NodeCore writer = nodes.get(7);
        byte[] value = "held by the twenty closest".getBytes(StandardCharsets.UTF_8);
        writer.startPut(now, value, TimeUnit.HOURS.toNanos(1));
        drive();
        CoreEvent.PutCompleted put = only(writer, CoreEvent.PutCompleted.class);
        int k = CoreConfig.defaults().k();
        assertTrue(put.stored() > k / 2, "reported once a majority of the k closest stored it: " + put.stored());
        List<NodeCore> byDistance = new ArrayList<>(nodes);
        byDistance.remove(writer);
        byDistance.sort(Comparator.comparing(n -> n.self().id(), put.key()::compareDistance));
        for (NodeCore closest : byDistance.subList(0, k)) {
            assertNotNull(closest.records().get(now, put.key()), "one of the k closest lacks it");
        }

        NodeId missing = new NodeId(random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong());
        NodeCore reader = byDistance.get(byDistance.size() - 1); // the farthest from the key: a full lookup
        reader.startGet(now, missing);
        drive();
        int untilTheEnd = only(reader, CoreEvent.GetCompleted.class).requests();
        reader.startGet(now, put.key());
        drive();
        CoreEvent.GetCompleted get = only(reader, CoreEvent.GetCompleted.class);
        assertArrayEquals(value, get.value());
        assertTrue(get.requests() < untilTheEnd, "ended at the first value: " + get.requests() + " requests against "
                + untilTheEnd + " for a key nobody holds");
    }

    private void drive() {
        now = CoreNetwork.drive(network, now, MS, 10_000, c -> c, out -> { });
    }

    private static List<CoreEvent> events(NodeCore core) {
        List<CoreEvent> out = new ArrayList<>();
        CoreEvent e;
        while ((e = core.pollEvent()) != null) {
            out.add(e);
        }
        return out;
    }

    private static <T extends CoreEvent> T only(NodeCore core, Class<T> type) {
        List<CoreEvent> all = events(core);
        List<CoreEvent> matching = all.stream().filter(type::isInstance).toList();
        assertEquals(1, matching.size(), "events: " + all);
        return type.cast(matching.get(0));
    }
}
