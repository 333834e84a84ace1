package io.molia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogSetupTest {
    private final PrintStream originalErr = System.err;

    @AfterEach
    void restore() {
        System.setErr(originalErr);
        LogSetup.configure("text", Level.INFO);
    }

    @Test
    void jsonLinesCarryTheMessageAndKeyValues() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        LogSetup.configure("json", Level.INFO);
        LoggerFactory.getLogger("io.molia.test").atInfo().addKeyValue("node", "abc").log("node started");
        LoggerFactory.getLogger("io.molia.test").debug("below the level: not written");
        String[] lines = err.toString(StandardCharsets.UTF_8).strip().split("\n");
        assertEquals(1, lines.length, err.toString(StandardCharsets.UTF_8));
        JsonNode line = new ObjectMapper().readTree(lines[0]);
        assertEquals("node started", line.get("message").asText());
        assertEquals("INFO", line.get("level").asText());
        assertEquals("abc", line.get("kvpList").get(0).get("node").asText());
    }

    @Test
    void addressesAndKeysAreHiddenInTheMessageTheValuesAndExceptionsUnlessUnsafe() throws Exception {
        String key = "3f9a0c1e" + "0123456789abcdef".repeat(3) + "01234567";
        for (boolean unsafe : new boolean[] {false, true}) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            LogSetup.configure("json", Level.INFO, unsafe);
            LoggerFactory.getLogger("io.molia.test").atWarn().addKeyValue("event", "test.redacted")
                    .addKeyValue("peer", new java.net.InetSocketAddress("203.0.113.7", 4000)).addKeyValue("count", 3)
                    .setCause(new java.io.IOException("no route to [2001:db8:1:2:3:4:5:6]:4000"))
                    .log("stored {} at 198.51.100.9", key);
            JsonNode line = new ObjectMapper().readTree(err.toString(StandardCharsets.UTF_8).strip());
            String all = line.toString();
            if (unsafe) {
                // Logback's own JSON: the message as given, its arguments beside it
                assertTrue(all.contains(key) && all.contains("198.51.100.9") && all.contains("203.0.113.7:4000")
                        && all.contains("2001:db8:1:2:3:4:5:6"), all);
            } else {
                assertEquals("stored 3f9a0c1e… at 198.51.100.x", line.get("message").asText());
                assertEquals("/203.0.113.x:4000", line.get("kvpList").get(1).get("peer").asText());
                assertEquals("no route to [2001:db8:1:2::x]:4000", line.get("throwable").get("message").asText());
                for (String whole : new String[] {key, "203.0.113.7", "198.51.100.9", "3:4:5:6"}) {
                    assertTrue(!all.contains(whole), whole + " in " + all);
                }
            }
            assertEquals("test.redacted", line.get("kvpList").get(0).get("event").asText());
            assertEquals("3", line.get("kvpList").get(2).get("count").asText());
        }
    }

    @Test
    void textLinesAreRedactedToo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        LogSetup.configure("text", Level.INFO);
        LoggerFactory.getLogger("io.molia.test").atInfo().addKeyValue("event", "test.redacted")
                .addKeyValue("address", "10.1.2.3:4000").log("listening");
        String line = err.toString(StandardCharsets.UTF_8);
        assertTrue(line.contains("address=\"10.1.2.x:4000\""), line);
    }

    @Test
    void anUnknownFormatIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LogSetup.configure("xml", Level.INFO));
        assertTrue(e.getMessage().contains("--log-format must be text or json"));
    }
}
