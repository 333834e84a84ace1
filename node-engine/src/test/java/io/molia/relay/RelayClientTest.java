package io.molia.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.molia.contact.Contact;
import io.molia.core.TestContacts;

/** Which server a DHT client asks for a reservation, and when. */
class RelayClientTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final int OFF = RelayClient.code(RelayRefusal.OFF);

    private final SplittableRandom random = new SplittableRandom(7);
    private final List<Contact> servers = List.of(TestContacts.random(random), TestContacts.random(random),
            TestContacts.random(random));
    private final RelayClient client = new RelayClient(new RelayRoutes());
    private long requestId;

    /** Asks the server due at {@code now} and answers with {@code refusal}; returns the server asked, or null. */
    private Contact askAndAnswer(long now, int refusal) {
        Contact asked = client.reservationDue(now, true, servers);
        if (asked != null) {
            client.onReserveSent(++requestId, asked);
            client.onAnswer(now, asked, requestId, 0, refusal, refusal == 0 ? 3600 : 0, null, 0, 0);
        }
        return asked;
    }

    @Test
    void aServerThatRelaysForNobodyIsPassedOverAtOnceUntilEveryServerSaidSo() {
        long now = SECOND;
        assertEquals(servers.get(0), askAndAnswer(now, OFF));
        assertEquals(servers.get(1), askAndAnswer(now + SECOND, OFF), "the next server, without waiting 30 s");
        assertEquals(servers.get(2), askAndAnswer(now + 2 * SECOND, OFF));
        assertNull(client.reservationDue(now + 3 * SECOND, true, servers),
                "every server said it relays for nobody: asking slows to once per RETRY_NS");
        assertEquals(servers.get(0), client.reservationDue(now + 2 * SECOND + RelayClient.RETRY_NS, true, servers));
    }

    @Test
    void anUnansweredAskIsNotRepeatedAtOnce() {
        long now = SECOND;
        assertEquals(servers.get(0), askAndAnswer(now, OFF));
        Contact asked = client.reservationDue(now + SECOND, true, servers);
        assertEquals(servers.get(1), asked);
        client.onReserveSent(++requestId, asked);
        assertNull(client.reservationDue(now + 2 * SECOND, true, servers), "no answer yet: wait, do not ask again");
    }

    @Test
    void anyOtherRefusalWaitsBeforeTheNextServer() {
        long now = SECOND;
        assertEquals(servers.get(0), askAndAnswer(now, RelayClient.code(RelayRefusal.values()[1])));
        assertNull(client.reservationDue(now + SECOND, true, servers), "a full or busy relay: the next ask waits");
        assertEquals(servers.get(1), askAndAnswer(now + RelayClient.RETRY_NS, 0));
        assertTrue(client.reserved(now + RelayClient.RETRY_NS + SECOND));
    }
}
