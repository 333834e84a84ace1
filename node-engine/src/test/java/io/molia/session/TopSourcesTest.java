package io.molia.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The space-saving table behind the admission view's most limited networks and ASes. */
class TopSourcesTest {
    @Test
    void aHeavySourceAmongManyOneOffsIsHeldWithACountNeverBelowTheTruth() {
        TopSources top = new TopSources();
        for (int i = 0; i < 10_000; i++) {
            top.offer(i % 4 == 0 ? 7 : 1_000 + i); // source 7: a quarter of all hits, the rest one hit each
        }
        TopSources.Hits first = top.top(10).get(0);
        assertEquals(7, first.key());
        assertTrue(first.hits() >= 2_500 && first.hits() - first.error() <= 2_500, first.toString());
        assertEquals(10, top.top(10).size());
        assertEquals(TopSources.SLOTS, top.top(100).size(), "fixed memory: never more than its slots");
    }

    @Test
    void exactWhileItHasRoomAndMostFirst() {
        TopSources top = new TopSources();
        for (int i = 0; i < 5; i++) {
            top.offer(3);
        }
        top.offer(4);
        top.offer(4);
        assertEquals(List.of(new TopSources.Hits(3, 5, 0), new TopSources.Hits(4, 2, 0)), top.top(10));
    }

    @Test
    void shardsAddUpIntoOneTable() {
        TopSources a = new TopSources();
        TopSources b = new TopSources();
        a.offer(9);
        b.offer(9);
        b.offer(8);
        TopSources sum = new TopSources();
        sum.addAll(a);
        sum.addAll(b);
        assertEquals(List.of(new TopSources.Hits(9, 2, 0), new TopSources.Hits(8, 1, 0)), sum.top(10));
    }
}
