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
    void anUnknownFormatIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LogSetup.configure("xml", Level.INFO));
        assertTrue(e.getMessage().contains("--log-format must be text or json"));
    }
}
