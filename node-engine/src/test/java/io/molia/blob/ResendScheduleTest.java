package io.molia.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The one resend schedule of FETCH and PROBE: first after 0.5 s, doubling, a bounded number of sends. */
class ResendScheduleTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void fourSendsAt0And500And1500And3500MsThenGivesUpAt7500() {
        ResendSchedule s = new ResendSchedule(new byte[] {5}, 500 * MS, 4, 0);
        List<Long> sentMs = new ArrayList<>(List.of(0L));
        long gaveUpMs = -1;
        for (long now = 0; now <= 10_000 * MS && gaveUpMs < 0; now += MS) {
            int next = s.onTimer(now);
            if (next == ResendSchedule.SEND_AGAIN) {
                sentMs.add(now / MS);
            } else if (next == ResendSchedule.GIVE_UP) {
                gaveUpMs = now / MS;
            }
        }
        assertEquals(List.of(0L, 500L, 1_500L, 3_500L), sentMs);
        assertEquals(7_500, gaveUpMs, "the last send waited 4 s for its answer");
    }

    @Test
    void waitsUntilDue() {
        ResendSchedule s = new ResendSchedule(new byte[] {3}, 500 * MS, 6, 1_000 * MS);
        assertEquals(1_500 * MS, s.dueNs());
        assertEquals(ResendSchedule.WAIT, s.onTimer(1_499 * MS));
        assertEquals(ResendSchedule.SEND_AGAIN, s.onTimer(1_500 * MS));
        assertEquals(2_500 * MS, s.dueNs());
    }
}
