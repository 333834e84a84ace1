package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import io.molia.contact.Contact;
import io.molia.contact.NodeAddress;
import io.molia.contact.NodeId;
import io.molia.crypto.Ed25519Identity;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Two (or three) session managers wired by hand; the test carries every datagram and owns both clocks. */
@Tag("crypto-engines")
class SessionManagerTest {
    private static final long S = 1_000_000_000L;
    private static final long WALL = 1_790_000_000L * S;
    private static final byte[] PUBLIC_NETWORK = new byte[32];

    /** One side: identity, address and its session manager. */
    private static final class Side {
        final Ed25519Identity identity;
        final Contact contact;
        final SessionManager sessions;

        Side(long seed, int ip, byte[] psk, int shard) {
            SplittableRandom random = new SplittableRandom(seed);
            byte[] edSeed = new byte[32];
            random.nextBytes(edSeed);
            identity = Ed25519Identity.fromSeed(edSeed);
            contact = new Contact(NodeId.ofPublicKey(identity.publicKey()), identity.publicKey(), 0,
                    NodeAddress.ipv4(ip, 4000));
            sessions = new SessionManager(StaticIdentity.fromEd25519Seed(edSeed), identity.publicKey(), psk, shard, 2,
                    64, random, (id, key, pow) -> true);
        }
    }

    private long now = 1_000 * S;

    private final Side a = new Side(1, 0x0a000001, PUBLIC_NETWORK, 1);
    private final Side b = new Side(2, 0x0a000002, PUBLIC_NETWORK, 3);

    private SessionManager.Transmit only(SessionManager m) {
        SessionManager.Transmit t = m.pollTransmit();
        assertNotNull(t, "expected a datagram");
        assertNull(m.pollTransmit(), "expected exactly one datagram");
        return t;
    }

    private int deliver(Side from, Side to, SessionManager.Transmit t) {
        return to.sessions.onDatagram(now, WALL + now, from.contact.address(), t.data(), 0, t.length());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String text(SessionManager.Delivery d) {
        return new String(d.data, d.offset, d.length, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A opens a session to B with its first request inside; B answers inside the response. */
    private SessionManager.Transmit oneRoundTrip(String request, String answer) {
        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes(request), 0, request.length()));
        SessionManager.Transmit init = only(a.sessions);
        assertEquals(SessionManager.TYPE_MOLIA_INITIATION, init.data()[0]);
        assertTrue(init.length() >= SessionManager.MOLIA_INITIATION_MIN_BYTES, "padded for the 3x bound");
        assertEquals(b.contact.address(), init.to());

        assertEquals(SessionManager.DELIVERED, deliver(a, b, init));
        assertTrue(b.sessions.canSendNow(now, a.contact.id()), "the answer rides in the waiting response");
        SessionManager.Delivery got = b.sessions.delivery();
        assertEquals(request, text(got));
        assertEquals(a.contact.id(), got.from.id(), "B learns A's node ID from the handshake itself");
        assertTrue(b.sessions.send(now, WALL + now, got.from, bytes(answer), 0, answer.length()));
        SessionManager.Transmit response = only(b.sessions);
        assertEquals(SessionManager.TYPE_MOLIA_RESPONSE, response.data()[0]);
        assertTrue(response.length() <= 3 * init.length());
        return response;
    }

    /** X opens a confirmed session with {@code responder}: a request, its answer, X's key confirmation. */
    private void confirmSession(Side x, Side responder) {
        assertTrue(x.sessions.send(now, WALL + now, responder.contact, bytes("q"), 0, 1));
        assertEquals(SessionManager.DELIVERED, deliver(x, responder, only(x.sessions)));
        assertTrue(responder.sessions.send(now, WALL + now, responder.sessions.delivery().from, bytes("a"), 0, 1));
        assertEquals(SessionManager.DELIVERED, deliver(responder, x, only(responder.sessions)));
        assertEquals(SessionManager.CONFIRMED, deliver(x, responder, only(x.sessions)));
    }

    /**
     * An answer goes to the peer whose datagram was just authenticated without a lookup; a message to any other
     * peer right after it still goes to that other peer, on its own session.
     */
    @Test
    void aMessageRightAfterAnotherPeersDatagramGoesToItsOwnPeer() {
        Side c = new Side(3, 0x0a000003, PUBLIC_NETWORK, 1);
        confirmSession(a, b);
        confirmSession(c, b);
        assertTrue(c.sessions.send(now, WALL + now, b.contact, bytes("from c"), 0, 6));
        assertEquals(SessionManager.DELIVERED, deliver(c, b, only(c.sessions)));
        assertEquals(c.contact.id(), b.sessions.lastAuthenticatedPeer());

        assertTrue(b.sessions.send(now, WALL + now, a.contact, bytes("to a"), 0, 4));
        SessionManager.Transmit toA = only(b.sessions);
        assertEquals(a.contact.address(), toA.to());
        assertEquals(SessionManager.DELIVERED, deliver(b, a, toA));
        assertEquals("to a", text(a.sessions.delivery()));

        assertTrue(b.sessions.send(now, WALL + now, b.sessions.delivery().from, bytes("to c"), 0, 4));
        SessionManager.Transmit toC = only(b.sessions);
        assertEquals(c.contact.address(), toC.to());
        assertEquals(SessionManager.DELIVERED, deliver(b, c, toC));
        assertEquals("to c", text(c.sessions.delivery()));
    }

    /** The transmit ring is bounded: a full ring drops (counted), and every queued datagram stays intact. */
    @Test
    void aFullTransmitRingDropsAndCountsAndKeepsWhatItQueued() {
        assertEquals(SessionManager.DELIVERED, deliver(b, a, oneRoundTrip("q", "a")));
        assertEquals(SessionManager.CONFIRMED, deliver(a, b, only(a.sessions)));
        byte[] message = new byte[100];
        for (int i = 0; i < a.sessions.transmitSlots(); i++) {
            message[0] = (byte) i;
            message[1] = (byte) (i >>> 8);
            assertTrue(a.sessions.send(now, WALL + now, b.contact, message, 0, message.length));
        }
        assertEquals(false, a.sessions.send(now, WALL + now, b.contact, message, 0, message.length));
        assertEquals(1, a.sessions.counters().transmitRingFull);
        for (int i = 0; i < a.sessions.transmitSlots(); i++) {
            assertEquals(SessionManager.DELIVERED, deliver(a, b, a.sessions.pollTransmit()));
            SessionManager.Delivery d = b.sessions.delivery();
            assertEquals(message.length, d.length);
            assertEquals((byte) i, d.data[d.offset]);
            assertEquals((byte) (i >>> 8), d.data[d.offset + 1]);
        }
        assertNull(a.sessions.pollTransmit());
        byte[] tooLong = new byte[SessionManager.MAX_DATAGRAM_BYTES];
        assertEquals(false, a.sessions.send(now, WALL + now, b.contact, tooLong, 0, tooLong.length));
        assertEquals(1, a.sessions.counters().tooLongToSend);
        assertTrue(a.sessions.send(now, WALL + now, b.contact, message, 0, message.length), "room again");
        assertEquals(SessionManager.DELIVERED, deliver(a, b, only(a.sessions)));
    }

    @Test
    void firstRequestAndAnswerRideInTheHandshakeThenDataFlowsBothWays() {
        assertEquals(false, b.sessions.canSendNow(now, a.contact.id()), "a stranger needs a handshake");
        SessionManager.Transmit response = oneRoundTrip("find node X", "here are 20 nodes");
        assertEquals(false, b.sessions.canSendNow(now, a.contact.id()),
                "the responder's session waits for the initiator's confirmation");
        assertEquals(SessionManager.DELIVERED, deliver(b, a, response));
        assertEquals("here are 20 nodes", text(a.sessions.delivery()));
        assertTrue(a.sessions.canSendNow(now, b.contact.id()), "the initiator may send at once");
        SessionManager.Transmit confirm = only(a.sessions); // keepalive: B may send now
        assertEquals(WireGuardConstants.TYPE_TRANSPORT, confirm.data()[0]);
        assertEquals(32, confirm.length());
        assertEquals(SessionManager.CONFIRMED, deliver(a, b, confirm));
        assertTrue(b.sessions.canSendNow(now, a.contact.id()), "confirmed");

        assertTrue(b.sessions.send(now, WALL + now, a.contact, bytes("ping"), 0, 4));
        assertEquals(SessionManager.DELIVERED, deliver(b, a, only(b.sessions)));
        assertEquals("ping", text(a.sessions.delivery()));
        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes("pong"), 0, 4));
        SessionManager.Transmit pong = only(a.sessions);
        assertEquals(SessionManager.DELIVERED, deliver(a, b, pong));
        assertEquals("pong", text(b.sessions.delivery()));

        assertEquals(SessionManager.DROPPED, deliver(a, b, pong), "a replayed data packet");
        assertEquals(1, b.sessions.counters().replayedCounter);
        assertNull(b.sessions.pollTransmit());
        assertEquals(1, b.sessions.counters().handshakesCompleted);
        assertEquals(1, a.sessions.counters().oneRoundTripAnswers);
    }

    @Test
    void aReplayedInitiationIsIgnored() {
        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes("q"), 0, 1));
        SessionManager.Transmit init = only(a.sessions);
        assertEquals(SessionManager.DELIVERED, deliver(a, b, init));
        b.sessions.finishResponses(now);
        only(b.sessions);
        now += S;
        assertEquals(SessionManager.DROPPED, deliver(a, b, init));
        assertEquals(1, b.sessions.counters().replayedTimestamp);
        assertNull(b.sessions.pollTransmit(), "silent");
    }

    @Test
    void anInitiationOutsideTheFreshnessWindowIsIgnored() {
        long capturedLongAgo = WALL + now - 12 * 60 * S; // as if captured twelve minutes ago, and never seen here
        assertTrue(a.sessions.send(now, capturedLongAgo, b.contact, bytes("q"), 0, 1));
        assertEquals(SessionManager.DROPPED, deliver(a, b, only(a.sessions)));
        assertEquals(1, b.sessions.counters().staleTimestamp);
        long fromTheFuture = WALL + now + InitiationTimestamps.DEFAULT_WINDOW_NS + S;
        Side ahead = new Side(7, 0x0a000007, PUBLIC_NETWORK, 0);
        assertTrue(ahead.sessions.send(now, fromTheFuture, b.contact, bytes("q"), 0, 1));
        assertEquals(SessionManager.DROPPED, deliver(ahead, b, only(ahead.sessions)));
        assertEquals(2, b.sessions.counters().staleTimestamp);
        assertNull(b.sessions.pollTransmit(), "silent");
        assertEquals(0, b.sessions.sessionCount());
    }

    @Test
    void aReplayIsIgnoredOnAnotherShardAndAfterThePeerWasForgotten() {
        InitiationTimestamps shared = new InitiationTimestamps(1024, InitiationTimestamps.DEFAULT_WINDOW_NS,
                new SplittableRandom(9));
        byte[] edSeed = new byte[32];
        new SplittableRandom(2).nextBytes(edSeed); // b's identity, on two shards sharing the replay memory
        SessionManager shard0 = new SessionManager(StaticIdentity.fromEd25519Seed(edSeed), b.identity.publicKey(),
                PUBLIC_NETWORK, 0, 2, 64, new SplittableRandom(10), (id, key, pow) -> true, shared);
        SessionManager shard1 = new SessionManager(StaticIdentity.fromEd25519Seed(edSeed), b.identity.publicKey(),
                PUBLIC_NETWORK, 1, 2, 64, new SplittableRandom(11), (id, key, pow) -> true, shared);
        long sentAtWall = WALL + now;
        assertTrue(a.sessions.send(now, sentAtWall, b.contact, bytes("q"), 0, 1));
        byte[] init = only(a.sessions).copy();
        NodeAddress replayer = NodeAddress.ipv4(0x0b000009, 5555);
        assertEquals(SessionManager.DELIVERED, shard0.onDatagram(now, WALL + now, a.contact.address(), init, 0,
                init.length));
        shard0.finishResponses(now);
        only(shard0);
        assertEquals(SessionManager.DROPPED, shard1.onDatagram(now, WALL + now, replayer, init, 0, init.length));
        assertEquals(1, shard1.counters().replayedTimestamp);
        assertNull(shard1.pollTransmit(), "silent on the other shard");

        now += WireGuardConstants.REJECT_AFTER_TIME_NS + S;
        shard0.onTimer(now, sentAtWall + S);
        assertEquals(0, shard0.sessionCount(), "the unconfirmed session expired and the peer was forgotten");
        // The monotonic clock moved 181 s, the wall clock 2 s: within the window, only the memory refuses it.
        assertEquals(SessionManager.DROPPED, shard0.onDatagram(now, sentAtWall + 2 * S, replayer, init, 0, init.length));
        assertEquals(1, shard0.counters().replayedTimestamp);
        assertNull(shard0.pollTransmit());
    }

    @Test
    void anUnconfirmedInitiationNeitherMovesThePeerNorDisplacesItsSession() {
        SessionManager.Transmit response = oneRoundTrip("q", "a");
        assertEquals(SessionManager.DELIVERED, deliver(b, a, response));
        assertEquals(SessionManager.CONFIRMED, deliver(a, b, only(a.sessions)));
        // A fresh initiation from A arrives from elsewhere (A roamed, or someone relays A's packets) and is answered,
        // but until A's first data message on that session B keeps talking to A where A proved it was.
        now += S;
        a.sessions.onTimer(now, WALL + now);
        Session before = a.sessions.delivery().session;
        assertTrue(b.sessions.send(now, WALL + now, a.contact, bytes("x"), 0, 1));
        assertEquals(a.contact.address(), only(b.sessions).to());
        byte[] ed = Arrays.copyOf(a.identity.publicKey(), 32);
        Side a2 = new Side(1, 0x0a000001, PUBLIC_NETWORK, 1); // A's identity, a new manager: a new handshake
        assertArrayEquals(ed, a2.identity.publicKey());
        assertTrue(a2.sessions.send(now, WALL + now, b.contact, bytes("q2"), 0, 2));
        SessionManager.Transmit init = only(a2.sessions);
        NodeAddress elsewhere = NodeAddress.ipv4(0x0b000009, 5555);
        assertEquals(SessionManager.DELIVERED, b.sessions.onDatagram(now, WALL + now, elsewhere, init.data(), 0,
                init.length()));
        assertNull(b.sessions.delivery().session, "carried by an initiation: unconfirmed");
        assertEquals(elsewhere, b.sessions.delivery().from.address(), "its answer rides back to where it came from");
        b.sessions.finishResponses(now);
        SessionManager.Transmit secondResponse = only(b.sessions);
        assertEquals(elsewhere, secondResponse.to());
        assertTrue(b.sessions.send(now, WALL + now, a.contact, bytes("y"), 0, 1));
        SessionManager.Transmit onOldSession = only(b.sessions);
        assertEquals(a.contact.address(), onOldSession.to(), "the confirmed session and address stay");
        assertEquals(SessionManager.DELIVERED, deliver(b, a, onOldSession));
        assertTrue(before == a.sessions.delivery().session, "on the session A confirmed before");

        // A's first data message on the new session, from the new address, confirms it: now the peer moved.
        assertEquals(SessionManager.HANDLED, a2.sessions.onDatagram(now, WALL + now, b.contact.address(),
                secondResponse.data(), 0, secondResponse.length()));
        SessionManager.Transmit confirm = only(a2.sessions);
        assertEquals(SessionManager.CONFIRMED, b.sessions.onDatagram(now, WALL + now, elsewhere, confirm.data(), 0,
                confirm.length()));
        assertTrue(b.sessions.send(now, WALL + now, a.contact, bytes("z"), 0, 1));
        assertEquals(elsewhere, only(b.sessions).to());
    }

    @Test
    void strangersGetSilence() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 5_000; i++) {
            byte[] junk = new byte[random.nextInt(1, 600)];
            random.nextBytes(junk);
            if (random.nextBoolean()) {
                junk[0] = (byte) (1 + random.nextInt(4)); // a plausible type
                if (junk.length > 3) {
                    junk[1] = 0;
                    junk[2] = 0;
                    junk[3] = 0;
                }
            }
            assertEquals(SessionManager.DROPPED, b.sessions.onDatagram(now, WALL, a.contact.address(), junk, 0,
                    junk.length));
            assertNull(b.sessions.pollTransmit());
        }
        assertEquals(5_000, b.sessions.counters().silentDrops());
        long badMac1Before = b.sessions.counters().badMac1;

        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes("q"), 0, 1));
        byte[] init = only(a.sessions).copy();
        init[init.length - 20] ^= 1; // inside mac1
        assertEquals(SessionManager.DROPPED, b.sessions.onDatagram(now, WALL, a.contact.address(), init, 0,
                init.length));
        assertEquals(badMac1Before + 1, b.sessions.counters().badMac1);
        assertNull(b.sessions.pollTransmit());
    }

    @Test
    void aWrongNetworkKeyNeverYieldsASession() {
        byte[] privateNetwork = new byte[32];
        Arrays.fill(privateNetwork, (byte) 7);
        Side outsider = new Side(5, 0x0a000005, new byte[32], 0);
        Side member = new Side(6, 0x0a000006, privateNetwork, 0);
        assertTrue(outsider.sessions.send(now, WALL + now, member.contact, bytes("q"), 0, 1));
        byte[] init = only(outsider.sessions).copy();
        member.sessions.onDatagram(now, WALL + now, outsider.contact.address(), init, 0, init.length);
        member.sessions.finishResponses(now);
        SessionManager.Transmit response = member.sessions.pollTransmit();
        assertNotNull(response);
        assertEquals(SessionManager.DROPPED, deliver(member, outsider, response));
        assertEquals(1, outsider.sessions.counters().badHandshake);
        assertNull(outsider.sessions.pollTransmit(), "no key confirmation: there is no session");
    }

    @Test
    void anAnswerOverTheAmplificationBoundWaitsForTheSession() {
        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes("q"), 0, 1));
        SessionManager.Transmit init = only(a.sessions);
        assertEquals(SessionManager.DELIVERED, deliver(a, b, init));
        byte[] big = new byte[3 * init.length()]; // cannot fit: 92 + 2 + this > 3x
        assertTrue(b.sessions.send(now, WALL + now, b.sessions.delivery().from, big, 0, big.length));
        SessionManager.Transmit response = only(b.sessions);
        assertTrue(response.length() <= 3 * init.length());
        assertEquals(1, b.sessions.counters().answersOverAmplificationBound);
        assertEquals(SessionManager.HANDLED, deliver(b, a, response), "the session is up, no answer inside");
        assertEquals(SessionManager.CONFIRMED, deliver(a, b, only(a.sessions)));
        // The core's retransmission now travels as data, and the answer with no bound.
        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes("q"), 0, 1));
        assertEquals(SessionManager.DELIVERED, deliver(a, b, only(a.sessions)));
        assertTrue(b.sessions.send(now, WALL + now, a.contact, big, 0, big.length));
        assertEquals(SessionManager.DELIVERED, deliver(b, a, only(b.sessions)));
        assertEquals(big.length, a.sessions.delivery().length);
    }

    @Test
    void sessionsRekeyAfterTwoMinutesAndDieAfterThree() {
        SessionManager.Transmit response = oneRoundTrip("q", "a");
        deliver(b, a, response);
        deliver(a, b, only(a.sessions));
        now += WireGuardConstants.REKEY_AFTER_TIME_NS;
        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes("late"), 0, 4));
        SessionManager.Transmit data = a.sessions.pollTransmit();
        SessionManager.Transmit rekey = a.sessions.pollTransmit();
        assertEquals(WireGuardConstants.TYPE_TRANSPORT, data.data()[0], "the old session still carries data");
        assertEquals(SessionManager.TYPE_MOLIA_INITIATION, rekey.data()[0], "and a new handshake starts");
        assertEquals(2, a.sessions.counters().handshakesInitiated);

        now += WireGuardConstants.REJECT_AFTER_TIME_NS - WireGuardConstants.REKEY_AFTER_TIME_NS;
        assertEquals(SessionManager.DROPPED, deliver(a, b, data));
        assertEquals(1, b.sessions.counters().expiredSession);
        b.sessions.onTimer(now, WALL + now);
        assertEquals(0, b.sessions.sessionCount());
    }

    /**
     * WireGuard's 15 s rule: a peer that restarted cannot open the old session, so what is sent on it goes unanswered;
     * 15 s after the first unanswered message the next one goes in a new handshake, which the restarted peer answers.
     * A peer that answers (or only sends its keepalive) within the 15 s keeps the session.
     */
    @Test
    void aSessionUnansweredFor15SecondsGivesWayToANewHandshake() {
        deliver(b, a, oneRoundTrip("q", "a"));
        deliver(a, b, only(a.sessions));
        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes("still there?"), 0, 12));
        assertEquals(SessionManager.DELIVERED, deliver(a, b, only(a.sessions)));
        now += 9 * S;
        assertTrue(b.sessions.send(now, WALL + now, a.contact, bytes("yes"), 0, 3));
        assertEquals(SessionManager.DELIVERED, deliver(b, a, only(b.sessions)));
        now += 9 * S;
        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes("ok"), 0, 2));
        SessionManager.Transmit ok = only(a.sessions);
        assertEquals(WireGuardConstants.TYPE_TRANSPORT, ok.data()[0], "answered in time: same session");
        assertEquals(SessionManager.DELIVERED, deliver(a, b, ok));
        now += 1 * S;
        b.sessions.onTimer(now + WireGuardConstants.KEEPALIVE_TIMEOUT_NS, WALL + now); // nothing to say: a keepalive
        assertEquals(SessionManager.HANDLED, deliver(b, a, only(b.sessions)), "a keepalive answers too");

        Side restarted = new Side(2, 0x0a000002, PUBLIC_NETWORK, 3); // B's identity, none of its sessions
        now += 1 * S;
        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes("lost 1"), 0, 6));
        assertEquals(SessionManager.DROPPED, deliver(a, restarted, only(a.sessions)), "nobody holds that session");
        now += 14 * S;
        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes("lost 2"), 0, 6));
        assertEquals(WireGuardConstants.TYPE_TRANSPORT, only(a.sessions).data()[0], "14 s: still the old session");
        now += 1 * S;
        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes("again"), 0, 5));
        SessionManager.Transmit init = only(a.sessions);
        assertEquals(SessionManager.TYPE_MOLIA_INITIATION, init.data()[0], "15 s unanswered: a new handshake");
        assertEquals(1, a.sessions.counters().unansweredSessionHandshakes);
        assertEquals(SessionManager.DELIVERED, deliver(a, restarted, init));
        assertEquals("again", text(restarted.sessions.delivery()), "the message rode in it");
        assertTrue(restarted.sessions.send(now, WALL + now, a.contact, bytes("back"), 0, 4));
        assertEquals(SessionManager.DELIVERED, deliver(restarted, a, only(restarted.sessions)));
        assertEquals("back", text(a.sessions.delivery()));
        assertTrue(a.sessions.canSendNow(now, b.contact.id()), "the new session carries what follows");
    }

    @Test
    void messageLimitsRekeyAndThenRefuse() {
        SessionManager.Transmit response = oneRoundTrip("q", "a");
        assertEquals(SessionManager.DELIVERED, deliver(b, a, response));
        Session session = a.sessions.delivery().session;
        deliver(a, b, only(a.sessions));
        session.sendCounter = WireGuardConstants.REKEY_AFTER_MESSAGES;
        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes("x"), 0, 1));
        assertEquals(WireGuardConstants.TYPE_TRANSPORT, a.sessions.pollTransmit().data()[0]);
        assertEquals(SessionManager.TYPE_MOLIA_INITIATION, a.sessions.pollTransmit().data()[0],
                "2^60 messages: a new handshake starts");
        session.sendCounter = WireGuardConstants.REJECT_AFTER_MESSAGES;
        assertTrue(session.expired(now), "past 2^64 - 2^13 - 1 messages the keys are never used again");
    }

    @Test
    void underLoadAnInitiationNeedsACookieFirstAndIsRetriedAtOnceWithMac2() {
        b.sessions.setUnderLoad(true);
        assertTrue(a.sessions.send(now, WALL + now, b.contact, bytes("q"), 0, 1));
        assertEquals(SessionManager.HANDLED, deliver(a, b, only(a.sessions)));
        SessionManager.Transmit cookieReply = only(b.sessions);
        assertEquals(WireGuardConstants.TYPE_COOKIE_REPLY, cookieReply.data()[0]);
        assertEquals(64, cookieReply.length());
        assertEquals(0, b.sessions.sessionCount(), "a cookie reply costs no handshake and keeps no state");
        byte[] replyBytes = cookieReply.copy();
        assertEquals(SessionManager.HANDLED, deliver(b, a, cookieReply));
        SessionManager.Transmit retry = only(a.sessions); // at once, not on the 5 s timer
        assertEquals(SessionManager.TYPE_MOLIA_INITIATION, retry.data()[0]);
        assertEquals(1, a.sessions.counters().retriesWithMac2);
        assertEquals(SessionManager.DELIVERED, deliver(a, b, retry), "the retry has mac2 and still the request");
        assertEquals("q", text(b.sessions.delivery()));
        assertEquals(1, b.sessions.counters().cookieRepliesSent);
        assertEquals(1, b.sessions.counters().handshakesWithMac2);

        // A cookie reply again (replayed, or a responder that keeps asking) makes no second retry.
        assertEquals(SessionManager.DROPPED, a.sessions.onDatagram(now, WALL + now, b.contact.address(), replyBytes,
                0, replyBytes.length), "the retry has another index: the old reply names no handshake");
        assertNull(a.sessions.pollTransmit());
        assertEquals(1, a.sessions.counters().retriesWithMac2);
    }

    @Test
    void aFullTableEvictsItsIdlestSixteenthInOnePassAndNeverTheNewSession() {
        // b holds at most 64 sessions (Side's bound): 32 quiet since the start, then 32 ten seconds later.
        java.util.List<Side> quiet = new java.util.ArrayList<>();
        java.util.List<Side> recent = new java.util.ArrayList<>();
        for (int i = 0; i < 64; i++) {
            if (i == 32) {
                now += 10 * S;
            }
            Side peer = new Side(100 + i, 0x0b000000 | i, PUBLIC_NETWORK, 0);
            openSessionWith(peer, b);
            (i < 32 ? quiet : recent).add(peer);
        }
        assertEquals(64, b.sessions.sessionCount());
        assertEquals(0, b.sessions.counters().sessionsEvicted);

        now += 10 * S;
        Side newcomer = new Side(999, 0x0c000001, PUBLIC_NETWORK, 0);
        openSessionWith(newcomer, b);
        int evicted = 65 / SessionManager.EVICTED_PER_PASS_DIVISOR;
        assertEquals(evicted, b.sessions.counters().sessionsEvicted, "one pass: the idlest sixteenth");
        assertEquals(65 - evicted, b.sessions.sessionCount());
        java.util.Set<NodeId> left = new java.util.HashSet<>();
        for (Session x : b.sessions.sessionsView()) {
            left.add(x.contact().id());
        }
        assertTrue(left.contains(newcomer.contact.id()), "never the session just made");
        recent.forEach(p -> assertTrue(left.contains(p.contact.id()), "a recent session was evicted"));
        assertEquals(32 - evicted, quiet.stream().filter(p -> left.contains(p.contact.id())).count());
        assertEquals(65 - evicted, b.sessions.peerCount(), "an evicted peer with nothing else live is forgotten");

        for (int i = 0; i < evicted - 1; i++) { // the table has room again until it is full
            openSessionWith(new Side(1_000 + i, 0x0c000100 | i, PUBLIC_NETWORK, 0), b);
        }
        assertEquals(evicted, b.sessions.counters().sessionsEvicted);
    }

    /** {@code peer} opens a session with {@code responder} (one round trip's first half: the responder's side). */
    private void openSessionWith(Side peer, Side responder) {
        assertTrue(peer.sessions.send(now, WALL + now, responder.contact, bytes("q"), 0, 1));
        assertEquals(SessionManager.DELIVERED, deliver(peer, responder, only(peer.sessions)));
        responder.sessions.finishResponses(now);
        while (responder.sessions.pollTransmit() != null) {
            // the response is not needed here
        }
    }

    /** Timers are deadlines: each side says when it next has something to do, and a timer call visits only that. */
    @Test
    void timersAreDeadlinesNotScans() {
        assertEquals(Long.MAX_VALUE, a.sessions.nextDeadlineNs(), "nothing to do yet");
        long t0 = now;
        SessionManager.Transmit response = oneRoundTrip("q", "a");
        assertEquals(t0 + WireGuardConstants.REKEY_TIMEOUT_NS, a.sessions.nextDeadlineNs(), "a retransmission");
        assertEquals(SessionManager.DELIVERED, deliver(b, a, response));
        SessionManager.Transmit confirm = only(a.sessions);
        now += S;
        assertEquals(SessionManager.CONFIRMED, deliver(a, b, confirm));
        assertEquals(t0 + WireGuardConstants.KEEPALIVE_TIMEOUT_NS, b.sessions.nextDeadlineNs(),
                "b heard from a and sent nothing since: a passive keepalive is due 10 s after its response");

        now = t0 + WireGuardConstants.KEEPALIVE_TIMEOUT_NS - 1;
        b.sessions.onTimer(now, WALL + now);
        assertNull(b.sessions.pollTransmit(), "not yet");
        now++;
        b.sessions.onTimer(now, WALL + now);
        assertEquals(WireGuardConstants.TYPE_TRANSPORT, only(b.sessions).data()[0], "the keepalive, on time");
        assertEquals(t0 + WireGuardConstants.REJECT_AFTER_TIME_NS, b.sessions.nextDeadlineNs(), "then its expiry");

        a.sessions.onTimer(now, WALL + now); // the retransmission's deadline passed: nothing was due
        assertNull(a.sessions.pollTransmit());
        assertEquals(t0 + WireGuardConstants.REJECT_AFTER_TIME_NS, a.sessions.nextDeadlineNs());
        now = t0 + WireGuardConstants.REJECT_AFTER_TIME_NS;
        a.sessions.onTimer(now, WALL + now);
        assertEquals(0, a.sessions.sessionCount(), "expired at its deadline");
        assertEquals(0, a.sessions.peerCount(), "and the peer, idle, forgotten");
        assertEquals(Long.MAX_VALUE, a.sessions.nextDeadlineNs(), "nothing left to do");
    }

    @Test
    void localIndicesCarryTheShardInTheirLowBits() {
        SessionManager.Transmit response = oneRoundTrip("q", "a");
        int bIndex = WireGuardConstants.readIntLe(response.data(), WireGuardConstants.RESP_SENDER);
        int aIndex = WireGuardConstants.readIntLe(response.data(), WireGuardConstants.RESP_RECEIVER);
        assertEquals(3, SessionManager.shardOf(bIndex, 2));
        assertEquals(1, SessionManager.shardOf(aIndex, 2));
    }

    @Test
    void aKeyLogHasWhatWiresharkReads() {
        java.io.StringWriter log = new java.io.StringWriter();
        b.sessions.setKeyLog(log);
        oneRoundTrip("q", "a");
        String text = log.toString();
        assertTrue(text.contains("LOCAL_STATIC_PRIVATE_KEY = "), text);
        assertTrue(text.contains("LOCAL_EPHEMERAL_PRIVATE_KEY = "), text);
        assertArrayEquals(new byte[32], java.util.Base64.getDecoder().decode(
                text.lines().filter(l -> l.startsWith("PRESHARED_KEY = ")).findFirst().orElseThrow().substring(16)));
    }
}
