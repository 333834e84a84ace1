package io.molia.dash;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import io.molia.admin.proto.Bucket;
import org.junit.jupiter.api.Test;

/** The drawing helpers and the bucket flags, as pure functions. */
class DrawTest {
    @Test
    void sparklineScalesToItsMaximumAndShowsTheLastPoints() {
        assertEquals("▁▁▁", Draw.sparkline(List.of(0.0, 0.0, 0.0), 10), "all zero: a flat baseline");
        assertEquals("▁▅█", Draw.sparkline(List.of(0.0, 5.0, 10.0), 10));
        assertEquals("▅█", Draw.sparkline(List.of(0.0, 5.0, 10.0), 2), "only the last width points");
        assertEquals("", Draw.sparkline(List.of(1.0), 0));
    }

    @Test
    void gaugeFillsByRatioAndShowsAnyUse() {
        assertEquals("[█████·····]", Draw.gauge(5, 10, 12));
        assertEquals("[█·········]", Draw.gauge(1, 1_000_000, 12), "something used is never drawn empty");
        assertEquals("[··········]", Draw.gauge(0, 10, 12));
        assertEquals("[██████████]", Draw.gauge(20, 10, 12), "over the limit: full, not wider");
    }

    @Test
    void wrapBreaksAtSpacesAndCutsLongWords() {
        assertEquals(List.of("not available", "in this", "version"), Draw.wrap("not available in this version", 13));
        assertEquals(List.of("abcdefghi…"), Draw.wrap("abcdefghijklmnop", 10));
    }

    @Test
    void bucketFlags() {
        Bucket fresh = Bucket.newBuilder().setSize(20).setNewestSeenMsAgo(1_000).build();
        assertEquals("", RoutingScreen.flags(fresh, 20));
        Bucket thin = Bucket.newBuilder().setSize(9).setNewestSeenMsAgo(1_000).build();
        assertEquals("under", RoutingScreen.flags(thin, 20));
        Bucket old = Bucket.newBuilder().setSize(12).setNewestSeenMsAgo(RoutingScreen.STALE_MS + 1).setFailing(2)
                .build();
        assertEquals("stale,failing 2", RoutingScreen.flags(old, 20));
    }
}
