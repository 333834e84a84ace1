package io.molia.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BlobRepairCheckTest {
    /**
     * A holder's checked age is its own word: a Sybil answering "checked just now" forever must not keep the others
     * from every whole check. Every fourth pass around the store leaves nothing to anyone (no age is ≤ -1).
     */
    @Test
    void everyFourthPassAroundTheStoreChecksEveryStripeWholeWhateverTheSiblingsSay() {
        for (long pass = 0; pass < 12; pass++) {
            long freshS = BlobRepairCheck.freshCheckS(40, pass);
            if (pass % 4 == 3) {
                assertEquals(-1, freshS, "pass " + pass + " defers to no one");
            } else {
                assertEquals(2 * 10 * 600, freshS, "pass " + pass + ": twice the 10 rounds of 10 min a pass takes");
            }
        }
        assertTrue(BlobRepairCheck.freshCheckS(1, 0) >= 2 * 600, "at least two intervals");
    }
}
