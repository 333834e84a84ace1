package io.molia.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Loads the official test vectors copied from {@code shared/vectors} into the test resources. */
public final class TestVectors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestVectors() {
    }

    public static JsonNode load(String file) {
        try (InputStream in = TestVectors.class.getResourceAsStream("/vectors/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test vector file " + file);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] hex(JsonNode node) {
        return HexFormat.of().parseHex(node.asText());
    }
}
