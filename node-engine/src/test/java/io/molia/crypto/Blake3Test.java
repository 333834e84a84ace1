package io.molia.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;
import io.molia.testing.TestVectors;
import org.junit.jupiter.api.Test;

class Blake3Test {
    @Test
    void matchesOfficialVectorsForDefaultAndExtendedOutput() {
        JsonNode cases = TestVectors.load("blake3_test_vectors.json").get("cases");
        Blake3 blake3 = new Blake3();
        int checked = 0;
        for (JsonNode c : cases) {
            int len = c.get("input_len").asInt();
            byte[] input = new byte[len];
            for (int i = 0; i < len; i++) {
                input[i] = (byte) (i % 251);
            }
            byte[] expected = TestVectors.hex(c.get("hash"));
            assertArrayEquals(Arrays.copyOf(expected, 32), blake3.hash(input), "input_len " + len);
            byte[] extended = new byte[expected.length];
            blake3.hashExtended(input, 0, len, extended, 0, extended.length);
            assertArrayEquals(expected, extended, "extended, input_len " + len);
            checked++;
        }
        assertTrue(checked >= 35, "expected the 35 official cases, saw " + checked);
    }
}
