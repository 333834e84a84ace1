package io.molia.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.molia.codec.DecodeStatus;
import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import org.junit.jupiter.api.Test;

/** NodeCores driven by hand: the test owns the clock and carries every datagram (1 ms per hop). */
class NodeCoreTest {
    private static final long MS = 1_000_000;

    private final SplittableRandom random = new SplittableRandom(21);
    private final Map<NodeAddress, NodeCore> network = new LinkedHashMap<>();
    /** Every address a datagram was sent to, delivered or not. */
    private final List<NodeAddress> sentTo = new ArrayList<>();
    private long now;

    private NodeCore node() {
        Contact c = TestContacts.random(random, 0x0a000000 | network.size() << 8);
        NodeCore core = new NodeCore(CoreConfig.defaults(), c, random.split(), now);
        network.put(c.address(), core);
        return core;
    }

    /** Delivers every queued datagram, and fires every due timer, until the network is quiet; fails on livelock. */
    private void drive() {
        now = CoreNetwork.drive(network, now, MS, 10_000, c -> c, out -> sentTo.add(out.to().address()));
    }

    private static List<CoreEvent> events(NodeCore core) {
        List<CoreEvent> out = new ArrayList<>();
        CoreEvent e;
        while ((e = core.pollEvent()) != null) {
            out.add(e);
        }
        return out;
    }

    @Test
    void pingMeasuresRttAndBothSidesLearnEachOther() {
        NodeCore a = node();
        NodeCore b = node();
        a.ping(now, b.self());
        drive();
        CoreEvent.PingCompleted done = assertInstanceOf(CoreEvent.PingCompleted.class, events(a).get(0));
        assertEquals(2 * MS, done.rttNs());
        assertNotNull(a.routingTable().entry(b.self().id()));
        assertEquals(1, b.counters().candidatePings, "B learns A only by pinging it back");
        assertNotNull(b.routingTable().entry(a.self().id()));
        assertEquals(2 * MS, a.routingTable().entry(b.self().id()).rtt().srttNs());
    }

    /** Issue 18's finding: a lookup never asks the node itself, so a get of a record only it held said "not found". */
    @Test
    void aGetOfARecordThisNodeHoldsFindsItWithoutAsking() {
        NodeCore a = node();
        NodeCore b = node();
        a.ping(now, b.self());
        drive();
        events(a);
        byte[] value = "held here".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        b.startPut(now, value, 600 * 1_000 * MS);
        drive();
        NodeId key = assertInstanceOf(CoreEvent.PutCompleted.class, events(b).get(0)).key();
        assertNotNull(a.records().get(now, key), "the put stored it on a");
        long sent = a.counters().requestsOut;
        a.startGet(now, key);
        CoreEvent.GetCompleted got = assertInstanceOf(CoreEvent.GetCompleted.class, events(a).get(0));
        assertArrayEquals(value, got.value());
        assertEquals(0, got.requests());
        assertEquals(sent, a.counters().requestsOut, "nobody was asked");
    }

    /**
     * An attacker's answers and stores on a sharded node: a forged response is handed once to the shard its request
     * ID names, which counts it unsolicited and learns nothing; a STORE carried by an initiation (maybe a replay)
     * stores nothing where it landed (the core names the key's shard, and {@code Shard} hands nothing carried by an
     * unconfirmed initiation on).
     */
    @Test
    void forgedResponsesAndUnconfirmedStoresDoNotTravelBetweenShards() {
        Contact self = TestContacts.random(random);
        PublishedRouting published = new PublishedRouting(self.id());
        NodeCore shard0 = new NodeCore(CoreConfig.defaults(), self, random.split(), now, new ShardPartition(0, 2, 4),
                published);
        NodeCore shard1 = new NodeCore(CoreConfig.defaults(), self, random.split(), now, new ShardPartition(1, 2, 4),
                published);
        Contact attacker = TestContacts.random(random);
        io.molia.codec.MessageCodec codec = new io.molia.codec.MessageCodec(1);
        byte[] buf = new byte[1200];
        int len = codec.encodePong(buf, 0, 0x5a5a_0000_0000_0001L, attacker.address()); // names shard 1
        assertEquals(1, shard0.onDatagram(now, attacker, buf, 0, len), "handed to the shard the ID names");
        assertEquals(0, shard0.counters().datagramsIn, "counted there, not here");
        assertEquals(NodeCore.HANDLED, shard1.onDatagram(now, attacker, buf, 0, len));
        assertEquals(1, shard1.counters().unsolicitedResponses, "no request of shard 1 had that ID");
        assertNull(shard1.pollRoutingNote(), "nothing learned of the forger");
        assertNull(shard1.pollTransmit(), "and nothing sent to it");

        byte[] value = "replayed store".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        NodeId key = NodeId.fromBytes(new io.molia.crypto.Blake3().hash(value));
        NodeCore landedOn = new ShardPartition(0, 2, 4).ownerOfKey(key) == 0 ? shard1 : shard0;
        len = codec.encodeStore(buf, 0, 77, key, value, 0, value.length, 600);
        int owner = landedOn.onUnconfirmedDatagram(now, attacker, buf, 0, len);
        assertTrue(owner != NodeCore.HANDLED, "the key is the other shard's");
        assertEquals(0, shard0.records().size() + shard1.records().size(), "an unconfirmed STORE stores nothing");
    }

    @Test
    void peersThatOnlyContactThisNodeNeverEnterItsTable() {
        NodeCore b = node();
        NodeCore honest = node();
        byte[] buf = new byte[1184];
        io.molia.codec.MessageCodec codec = new io.molia.codec.MessageCodec(1);
        List<Contact> strangers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Contact stranger = TestContacts.random(random); // nobody at its address answers
            strangers.add(stranger);
            int len = codec.encodeFindNode(buf, 0, 1000 + i, TestContacts.randomId(random));
            b.onDatagram(now, stranger, buf, 0, len);
        }
        honest.ping(now, b.self());
        drive();
        long end = now + 20_000 * MS; // a ping every 50 ms, each answered or timed out within a few seconds
        while (now < end) {
            now = Math.max(now, Math.min(end, b.nextDeadlineNs()));
            b.onTimer(now);
            drive();
        }
        for (Contact stranger : strangers) {
            assertNull(b.routingTable().entry(stranger.id()), "a stranger that never answered entered");
        }
        assertNotNull(b.routingTable().entry(honest.self().id()), "the peer that answered the ping entered");
        assertEquals(RoutingCandidates.CAPACITY + 1, b.counters().candidatePings, "bounded: the queue's capacity");
        assertEquals(200 - RoutingCandidates.CAPACITY, b.counters().candidatesDropped,
                "the oldest gave way (the honest peer came last, and was pinged)");
    }

    @Test
    void aKnownPeerAtANewAddressMovesOnlyOnceItAnsweredThere() {
        NodeCore a = node();
        NodeCore b = node();
        a.ping(now, b.self());
        drive();
        NodeAddress moved = NodeAddress.ipv4(0x0a00ff01, 4001);
        NodeCore bMoved = new NodeCore(CoreConfig.defaults(), b.self().withAddress(moved), random.split(), now);
        network.remove(b.self().address()); // B restarted on another port
        network.put(moved, bMoved);
        byte[] buf = new byte[64];
        int len = new io.molia.codec.MessageCodec(1).encodePing(buf, 0, 99);
        a.onDatagram(now, bMoved.self(), buf, 0, len);
        assertEquals(b.self().address(), a.routingTable().entry(b.self().id()).contact().address(),
                "a request from the new address moves nothing");
        drive();
        assertEquals(moved, a.routingTable().entry(b.self().id()).contact().address(),
                "the answer to A's ping there does");
    }

    @Test
    void aMessageCarriedByAnUnconfirmedInitiationGetsOnlyAReadOnlyAnswer() {
        NodeCore a = node();
        NodeCore b = node();
        byte[] buf = new byte[1184];
        io.molia.codec.MessageCodec codec = new io.molia.codec.MessageCodec(1);
        int len = codec.encodePing(buf, 0, 5);
        b.onUnconfirmedDatagram(now, a.self(), buf, 0, len);
        assertNotNull(b.pollTransmit(), "a PING is answered: read-only, and the session layer bounds the answer");
        byte[] value = {1, 2, 3};
        len = codec.encodeStore(buf, 0, 6, NodeId.fromBytes(new io.molia.crypto.Blake3().hash(value)), value, 0, 3,
                60);
        b.onUnconfirmedDatagram(now, a.self(), buf, 0, len);
        assertNull(b.pollTransmit(), "a STORE waits for the confirmed session");
        assertEquals(0, b.records().size());
        assertEquals(1, b.counters().unconfirmedRefused);
        now += 10_000 * MS;
        b.onTimer(now);
        assertNull(b.pollTransmit(), "no candidate ping: a replayer's address is never asked");
        assertEquals(0, b.counters().candidatesQueued);
        assertEquals(0, b.routingTable().size());
    }

    @Test
    void anAnswerFromAnotherAddressServesTheLookupButNotTheTable() {
        NodeCore a = node();
        NodeCore b = node();
        a.ping(now, b.self());
        Outbound ping = a.pollTransmit();
        b.onDatagram(now, a.self(), ping.data(), 0, ping.length());
        Outbound pong = b.pollTransmit();
        now += MS;
        a.onDatagram(now, b.self().withAddress(NodeAddress.ipv4(0x0b000001, 9)), pong.data(), 0, pong.length());
        assertEquals(MS, ((CoreEvent.PingCompleted) events(a).get(0)).rttNs(), "the ping completed");
        assertNull(a.routingTable().entry(b.self().id()), "but B's entry would carry an address B never proved");
        assertEquals(1, a.counters().answersFromOtherAddress);
    }

    @Test
    void putStoresOnTheClosestAndGetFindsIt() {
        List<NodeCore> nodes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            nodes.add(node());
        }
        for (int i = 1; i < nodes.size(); i++) {
            nodes.get(i).bootstrap(now, List.of(nodes.get(0).self()));
            drive();
        }
        byte[] value = "hello molia".getBytes(StandardCharsets.UTF_8);
        nodes.get(5).startPut(now, value, 3_600_000 * MS);
        drive();
        CoreEvent.PutCompleted put = (CoreEvent.PutCompleted) events(nodes.get(5)).stream()
                .filter(e -> e instanceof CoreEvent.PutCompleted).findFirst().orElseThrow();
        // Reported once a majority of the k closest stored it; the rest got theirs in the background.
        assertTrue(put.stored() > 10, "stored: " + put.stored());
        assertEquals(put.finishedNs(), put.acknowledgedNs());
        int holders = 0;
        for (NodeCore n : nodes) {
            holders += n.records().get(now, put.key()) != null ? 1 : 0;
        }
        // The put's 20, and any node closer to the key that a holder met since (handed off: ReplicationTest).
        assertTrue(holders >= 20 && holders <= 30, "holders: " + holders);

        nodes.get(17).startGet(now, put.key());
        drive();
        CoreEvent.GetCompleted got = (CoreEvent.GetCompleted) events(nodes.get(17)).stream()
                .filter(e -> e instanceof CoreEvent.GetCompleted).findFirst().orElseThrow();
        assertArrayEquals(value, got.value());
    }

    @Test
    void aStoreWhoseKeyIsNotTheHashOfItsValueIsRefused() {
        NodeCore a = node();
        NodeCore b = node();
        byte[] buf = new byte[1184];
        int len = new io.molia.codec.MessageCodec(1).encodeStore(buf, 0, 77, TestContacts.randomId(random),
                new byte[] {1, 2, 3}, 0, 3, 60, WriteTokenCoreTest.tokenFor(b, a.self(), now));
        b.onDatagram(now, a.self(), buf, 0, len);
        assertEquals(1, b.counters().storesRefused);
        assertEquals(0, b.records().size());
    }

    @Test
    void malformedInputIsCountedAndNeverAnswered() {
        NodeCore a = node();
        NodeCore b = node();
        byte[] junk = {(byte) 0x0a, (byte) 0xff, 1};
        b.onDatagram(now, a.self(), junk, 0, junk.length);
        assertEquals(1, b.counters().dropped());
        assertEquals(1, b.counters().droppedByStatus[DecodeStatus.TRUNCATED.ordinal()]);
        assertNull(b.pollTransmit());
    }

    @Test
    void aNewerProtocolVersionGetsTheSupportedRange() {
        NodeCore a = node();
        NodeCore b = node();
        byte[] ping = java.util.HexFormat.of().parseHex("0809" + "110100000000000000" + "5200"); // version 9
        b.onDatagram(now, a.self(), ping, 0, ping.length);
        Outbound answer = b.pollTransmit();
        assertNotNull(answer);
        io.molia.codec.WireMessage m = new io.molia.codec.WireMessage();
        assertEquals(DecodeStatus.OK, new io.molia.codec.MessageCodec(1).decode(answer.data(), 0, answer.length(), m));
        assertEquals(io.molia.codec.MessageKind.ERROR, m.kind());
        assertEquals(1, m.minVersion());
        assertEquals(NodeCore.PROTOCOL_VERSION, m.maxVersion());
        assertEquals(1, m.requestId());
    }

    @Test
    void anUnansweredRequestTimesOutAndCountsAsAFailure() {
        NodeCore a = node();
        Contact ghost = TestContacts.random(random);
        a.addTrustedContact(now, ghost, -1);
        a.ping(now, ghost);
        assertNotNull(a.pollTransmit());
        while (a.pendingRequests() > 0) {
            now = a.nextDeadlineNs();
            a.onTimer(now);
            while (a.pollTransmit() != null) {
                // the retransmission goes nowhere
            }
        }
        assertEquals(-1, ((CoreEvent.PingCompleted) events(a).get(0)).rttNs());
        assertTrue(a.counters().hardTimeouts == 1 && a.counters().softTimeouts == 1);
        assertEquals(1, a.routingTable().entry(ghost.id()).failures());
    }

    @Test
    void aLookupAsksOnlyContactsItsSocketCanReach() {
        NodeCore seed = node();
        List<Contact> ipv6 = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] key = new byte[Contact.PUBLIC_KEY_BYTES];
            random.nextBytes(key);
            Contact c = new Contact(NodeId.ofPublicKey(key), key, 0, NodeAddress.ipv6(0x2001_0db8L << 32, i + 1, 4000));
            ipv6.add(c);
            seed.addTrustedContact(now, c, -1); // the seed knows IPv6 peers nobody here can reach
        }
        NodeCore ipv4Only = node();
        ipv4Only.reachable(NodeAddress::isIpv4);
        NodeCore anyFamily = node();
        for (NodeCore joiner : List.of(ipv4Only, anyFamily)) {
            joiner.bootstrap(now, List.of(seed.self()));
            sentTo.clear();
            drive();
            long toIpv6 = sentTo.stream().filter(a -> !a.isIpv4()).count();
            if (joiner == ipv4Only) {
                assertEquals(0, toIpv6, "the IPv4-only node asked none of the IPv6 contacts it was told of");
                assertEquals(1, events(joiner).size(), "and its lookup finished without waiting for them");
            } else {
                assertTrue(toIpv6 > 0, "a node that reaches both families asks them (the test's control)");
            }
        }
    }

    /** Drives the network, firing timers in time order, until {@code done} holds or {@code limitNs} passed. */
    private void driveUntil(long limitNs, java.util.function.BooleanSupplier done) {
        drive();
        while (!done.getAsBoolean() && now < limitNs) {
            long next = Long.MAX_VALUE;
            for (NodeCore core : network.values()) {
                next = Math.min(next, core.nextDeadlineNs());
            }
            now = Math.max(now, Math.min(limitNs, next));
            drive();
        }
    }

    @Test
    void aPutIsAcknowledgedWithoutWaitingForADepartedPeer() {
        NodeCore writer = node();
        List<NodeCore> live = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            live.add(node());
            writer.addTrustedContact(now, live.get(i).self(), 2 * MS);
        }
        Contact departed = TestContacts.random(random); // measured at 2 ms, then gone without a word
        writer.addTrustedContact(now, departed, 2 * MS);
        long started = now;
        writer.startPut(now, "a value".getBytes(StandardCharsets.UTF_8), 60_000 * MS);
        List<CoreEvent> done = new ArrayList<>();
        driveUntil(started + 10_000 * MS, () -> {
            done.addAll(events(writer));
            return !done.isEmpty();
        });
        CoreEvent.PutCompleted put = assertInstanceOf(CoreEvent.PutCompleted.class, done.get(0));
        assertTrue(put.stored() >= 3, "reported once a majority of the live peers stored it: " + put.stored());
        assertEquals(put.finishedNs(), put.acknowledgedNs());
        // Its request and the copy each got an adaptive timeout (the 50 ms floor here), not the 2 s hard one.
        assertTrue(put.finishedNs() - started < 200 * MS, "put took " + (put.finishedNs() - started) / MS + " ms");
        driveUntil(now + 10_000 * MS, () -> writer.counters().unresponsive > 0); // its lookup still gives up on it
        assertEquals(1, writer.counters().unresponsive);
        assertEquals(1, writer.routingTable().entry(departed.id()).failures(), "the table learned it at once");

        sentTo.clear();
        writer.startLookup(now, departed.id());
        driveUntil(now + 10_000 * MS, () -> writer.pollEvent() != null);
        assertTrue(!sentTo.contains(departed.address()), "a peer found unresponsive is not asked again");
        driveUntil(now + 10_000 * MS, () -> writer.pendingRequests() == 0);
        for (NodeCore peer : live) {
            assertNotNull(peer.records().get(now, put.key()), "every live peer stored it (in the background)");
        }
        assertEquals(1, writer.counters().hardTimeouts, "the hard timeout still ends the request");
        assertEquals(1, writer.routingTable().entry(departed.id()).failures(), "its failure is counted once");
    }

    @Test
    void aStaleEntryIsCheckedWhenHandedOutAndNotHandedOutOnceItFailed() {
        NodeCore server = node();
        Contact departed = TestContacts.random(random);
        server.addTrustedContact(now, departed, 10 * MS);
        now += LivenessChecks.INITIAL_STALE_NS; // not heard from since: stale
        NodeCore asker = node();
        asker.addTrustedContact(now, server.self(), 2 * MS);
        asker.startLookup(now, departed.id());
        driveUntil(now + 10_000 * MS, () -> server.pendingRequests() == 0 && server.counters().livenessChecks > 0);
        assertEquals(1, server.counters().livenessChecks, "the stale entry it handed out was pinged once");
        assertEquals(1, server.counters().unresponsive);
        assertEquals(1, server.routingTable().entry(departed.id()).failures());

        NodeCore second = node();
        second.addTrustedContact(now, server.self(), 2 * MS);
        sentTo.clear();
        second.startLookup(now, departed.id());
        driveUntil(now + 10_000 * MS, () -> second.pollEvent() != null);
        assertTrue(!sentTo.contains(departed.address()), "the failed entry is no longer handed out");
        assertEquals(1, server.counters().livenessChecks, "and not checked again");
    }
}
